"""Where built indexes live on disk, and how a new one replaces the old one atomically.

Layout under the index dir:
    CURRENT          name of the live version (replaced with os.replace, never half-written)
    v-<stamp>/       one complete build: entries, BM25, dense vectors, encoder, calibration
    cache/           per-file import results and embeddings, reused by the next build
A reader follows CURRENT; a build writes a new version dir and flips CURRENT last, so a running
server always sees either the old or the new index, never a mix.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from knowledge.models import Entry, LegalBasis

KEEP_VERSIONS = 3


def current_version(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        return None
    version = index_dir / pointer.read_text().strip()
    return version if (version / "manifest.json").is_file() else None


def new_version_dir(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / f"v-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    path.mkdir()
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` whole: written to a temporary file in the same folder, then renamed, so a
    reader (a build, a running server) sees the old content or the new, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def publish(index_dir: Path, version: Path) -> None:
    """Make `version` the live index, then drop old versions beyond KEEP_VERSIONS."""
    write_atomic(index_dir / "CURRENT", version.name.encode())
    versions = sorted((p for p in index_dir.glob("v-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in versions[:-KEEP_VERSIONS]:
        if old != version:
            shutil.rmtree(old, ignore_errors=True)


def _default(value):
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value))


def entry_to_json(entry: Entry) -> str:
    return json.dumps(dataclasses.asdict(entry), ensure_ascii=False, default=_default)


def entry_from_dict(data: dict) -> Entry:
    data = dict(data)
    for key in ("effective", "repealed", "review_by"):
        if data.get(key):
            data[key] = date.fromisoformat(data[key])
    data["basis"] = tuple(LegalBasis(**b) for b in data.get("basis") or [])
    for key in ("questions", "paragraphs"):
        data[key] = tuple(data.get(key) or ())
    return Entry(**data)


def write_entries(path: Path, entries: list[Entry]) -> None:
    path.write_text("\n".join(entry_to_json(e) for e in entries) + "\n", encoding="utf-8")


def read_entries(path: Path) -> list[Entry]:
    return [entry_from_dict(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]
