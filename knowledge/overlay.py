"""What curators published in the console, kept beside the shipped content and merged at build time.

Layout under KNOWLEDGE_OVERLAY_DIR (settings.overlay_dir):
    faq/published.yml     FAQ entries (schema of knowledge/content/faq/*.yml) that replace the shipped
                          entry with the same id, or add a new one
    faq/withdrawn.yml     ids of FAQ entries the bot must no longer answer from
    documents/<doc_id>/   uploaded documents (+ .meta.yml sidecars), imported like the official folders
    retired.yml           doc_id -> {date, reason, by}: repealed documents, kept but no longer answered from
    regions.yml           rows of the provincial leave table (schema of content/regions.yml) approved in the
                          console from an uploaded regulation; each replaces the shipped row of its province
                          while its document is not retired (knowledge.regions reads it)

The shipped YAML stays the reviewed source in git; the overlay is runtime data (var/), so a rebuild
(`make index`) keeps what curators published, and deleting the overlay returns to the shipped content.
Every file is written whole to a temporary name and then renamed, so a build never reads half a file.
"""
from __future__ import annotations

import dataclasses
import fcntl
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import yaml

from knowledge import store
from knowledge.models import Entry

PUBLISHED = Path("faq") / "published.yml"
WITHDRAWN = Path("faq") / "withdrawn.yml"
DOCUMENTS = Path("documents")
RETIRED = Path("retired.yml")
REGIONS = Path("regions.yml")
LOCK = Path(".overlay.lock")
_thread_lock = threading.RLock()  # flock is per open file: threads of one process need their own lock
_held = threading.local()


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the overlay for a read-decide-write (another console thread or process waits).

    Writing a file whole is atomic, but deciding its content is not: two publishes that each read
    what is live and then write it can finish in the opposite order, and the later write then drops
    what the other one just published. Everyone who rewrites an overlay file does it inside this.
    Re-entrant in one thread (a second flock on a new handle would wait for itself forever).
    """
    with _thread_lock:
        if getattr(_held, "depth", 0):
            _held.depth += 1
            try:
                yield
            finally:
                _held.depth -= 1
            return
        root.mkdir(parents=True, exist_ok=True)
        with (root / LOCK).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            _held.depth = 1
            try:
                yield
            finally:
                _held.depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)


def write_yaml(path: Path, data: Any) -> None:
    """Write atomically (store.write_atomic): a build never reads half a file."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    store.write_atomic(path, text.encode("utf-8"))


def _read_yaml(path: Path, empty: Any) -> Any:
    if not path.is_file():
        return empty
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if data is None:
        return empty
    if not isinstance(data, type(empty)):
        raise ValueError(f"{path}: expected a YAML {type(empty).__name__}")
    return data


def published(root: Path) -> list[dict]:
    return _read_yaml(root / PUBLISHED, [])


def withdrawn(root: Path) -> list[str]:
    return [str(i) for i in _read_yaml(root / WITHDRAWN, [])]


def retired(root: Path) -> dict[str, dict]:
    return _read_yaml(root / RETIRED, {})


def documents_dir(root: Path) -> Path:
    return root / DOCUMENTS


def write_faq(root: Path, entries: list[dict], withdrawn_ids: list[str]) -> None:
    """Replace both FAQ overlay files with what the database says is live now."""
    write_yaml(root / PUBLISHED, entries)
    write_yaml(root / WITHDRAWN, sorted(set(withdrawn_ids)))


def regions(root: Path) -> list[dict]:
    """Every approved row of the leave table, as written by the console (workflows.leave_figures)."""
    return [row for row in _read_yaml(root / REGIONS, []) if isinstance(row, dict) and row.get("province")]


def write_regions(root: Path, rows: list[dict]) -> None:
    """Replace the approved rows with what the database says now (inside `locked`)."""
    write_yaml(root / REGIONS, rows)


def live_regions(root: Path) -> dict[str, dict]:
    """Approved rows by province, leaving out those read from a document retired since."""
    gone = retired(root)
    return {str(row["province"]): row for row in regions(root) if str(row.get("doc_id") or "") not in gone}


def regions_stamp(root: Path) -> tuple:
    """What `live_regions` depends on (each file's inode, change time and size; every write replaces
    the file, so a new inode): a reader that keeps the table in memory compares this to know when
    to read it again."""
    def stamp(path: Path) -> tuple[int, int, int] | None:
        try:
            info = path.stat()
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns, info.st_size

    return str(root), stamp(root / REGIONS), stamp(root / RETIRED)


def merge_faq(shipped: list[dict], root: Path) -> list[dict]:
    """Shipped FAQ records with the overlay applied: replaced by id, new ones added, withdrawn dropped.

    Order is kept (shipped first, in file order) so a rebuild of unchanged content is identical.
    """
    replaced = {str(raw["id"]): raw for raw in published(root)}
    gone = set(withdrawn(root))
    merged = [replaced.pop(str(raw["id"]), raw) for raw in shipped]
    merged += list(replaced.values())
    return [raw for raw in merged if str(raw["id"]) not in gone]


def retire(entries: list[Entry], root: Path) -> list[Entry]:
    """Mark the entries of retired documents repealed from their retirement date.

    Search already filters entries by `repealed`, so they stop being answered from that day, while the
    index (and the hit test) still shows them for the record.
    """
    gone = retired(root)
    if not gone:
        return entries
    return [dataclasses.replace(e, repealed=_retired_on(gone[e.doc_id]), extra=e.extra)
            if e.doc_id in gone else e for e in entries]


def _retired_on(info: dict | None) -> date:
    value = (info or {}).get("date")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return date.today()
