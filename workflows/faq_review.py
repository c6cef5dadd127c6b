"""Versions of curated FAQ entries: draft → reviewed → published, with who and when, and four eyes.

The shipped YAML (knowledge/content/faq) is version 0 of each entry; it is copied into the
database only when a curator first changes that entry, so the table holds what staff did, not a
second copy of the content library. A version is edited only while it is a draft: a change to a
reviewed or published text is a new version, so the history shows exactly what was approved.
The author of a draft may not review it (anyone else with the role may, an admin included).

What is live for the bot is derived from this table (`live_overlay`) and written to the knowledge
overlay by the console's publisher; every change is audited in the same transaction.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from appdb import audit
from appdb.models import FaqVersion, storable_id, utcnow
from knowledge import content, faq_schema, topics

SHIPPED_BY = "内容库"
TOPICS = topics.TOPICS  # the topic keys of docs/CONTENT_GUIDE.md (defined once, in knowledge.topics)
DATA_KEYS = tuple(faq_schema.FIELD_LABELS)  # topic, questions, answer, basis, region, effective, review_by, related
_ENTRY_ID = re.compile(r"^[a-z][a-z_]*-\d{3,}$")


class FaqError(ValueError):
    """An action that is not allowed now (wrong status, four eyes, unknown entry): shown to her as is."""


class InvalidEntry(ValueError):
    """What she typed does not make a valid entry; `problems` lists every reason in plain Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class EntryRow:
    """One line of the FAQ list: the live text's status and whether a change is waiting."""

    entry_id: str
    topic: str
    question: str
    status: str  # shipped | published | withdrawn | draft | reviewed (new entry not yet live)
    version: int
    pending: str  # "" or the status of a newer draft/reviewed version
    updated_by: str


# ---- the shipped content -------------------------------------------------------------------

@lru_cache(maxsize=1)
def shipped() -> dict[str, dict]:
    """Shipped FAQ records by id (read once per process: the files change only with a release)."""
    return {str(raw["id"]): _data_of(raw) for raw in content.load_faq_raw()}


@lru_cache(maxsize=1)
def known_laws() -> frozenset[str]:
    """Law names a basis may cite: those the shipped content cites and the official texts imported."""
    from settings import get_settings

    names = {b["law"] for data in shipped().values() for b in data["basis"]}
    for folder in get_settings().import_dirs:
        names.update(p.stem for p in folder.glob("*.md") if folder.is_dir())
    return frozenset(names)


def _data_of(raw: dict) -> dict[str, Any]:
    data = {key: raw.get(key) for key in DATA_KEYS}
    data["basis"] = [{k: str(v) for k, v in b.items() if v} for b in raw.get("basis") or []]
    for key in ("effective", "review_by"):
        data[key] = str(data[key]) if data[key] else ""
    data["related"] = list(data["related"] or [])
    return data


# ---- validation ----------------------------------------------------------------------------

def validate(data: dict[str, Any], today: date | None = None) -> list[str]:
    """Every problem with an entry, in words a curator can act on (empty list: it is fine): the one
    FAQ schema (knowledge.faq_schema), with the laws this installation knows."""
    return faq_schema.problems(data, laws=known_laws(), today=today)


# ---- reading -------------------------------------------------------------------------------

def versions(session: Session, entry_id: str) -> list[FaqVersion]:
    """All stored versions of an entry, oldest first."""
    return list(session.scalars(select(FaqVersion).where(FaqVersion.entry_id == entry_id)
                                .order_by(FaqVersion.version)))


def main_question(version: FaqVersion) -> str:
    """What names an entry for staff: its first question in her words, not its id."""
    return (version.data.get("questions") or [version.entry_id])[0]


def shipped_version(entry_id: str) -> FaqVersion | None:
    """Version 0 as it would be stored (not added to any session): the view of an untouched entry."""
    data = shipped().get(entry_id)
    return None if data is None else FaqVersion(entry_id=entry_id, version=0, status="published", data=data,
                                                note="随系统提供的内容", created_by=SHIPPED_BY)


def history(session: Session, entry_id: str) -> list[FaqVersion]:
    """Stored versions, or the shipped text alone for an entry nobody changed yet."""
    stored = versions(session, entry_id)
    if stored:
        return stored
    v0 = shipped_version(entry_id)
    if v0 is None:
        raise FaqError(f"没有编号为 {entry_id} 的条目。")
    return [v0]


def overview(session: Session, text: str = "", topic: str = "", status: str = "") -> list[EntryRow]:
    """Every entry, shipped and console-made, with its live status and any pending change; filtered
    by topic, by status (live or pending) and by text in the id, the variants or the answer."""
    by_entry = _by_entry(session)
    rows = [_row(entry_id, by_entry.get(entry_id) or [shipped_version(entry_id)]) for entry_id in shipped()]
    rows += [_row(entry_id, vs) for entry_id, vs in by_entry.items() if entry_id not in shipped()]
    needle = text.strip().lower()
    matches = _text_matches(by_entry, needle) if needle else set()
    return [r for r in rows
            if (not topic or r.topic == topic)
            and (not status or status in (r.status, r.pending))
            and (not needle or needle in r.entry_id.lower() or r.entry_id in matches)]


def _by_entry(session: Session) -> dict[str, list[FaqVersion]]:
    by_entry: dict[str, list[FaqVersion]] = {}
    for v in session.scalars(select(FaqVersion).order_by(FaqVersion.entry_id, FaqVersion.version)):
        by_entry.setdefault(v.entry_id, []).append(v)
    return by_entry


def _row(entry_id: str, vs: list[FaqVersion]) -> EntryRow:
    live = live_version(vs)
    latest = vs[-1]
    shown = live or latest
    pending = latest.status if latest.status in ("draft", "reviewed") and latest is not live else ""
    status = "shipped" if shown.version == 0 and shown.status == "published" else shown.status
    return EntryRow(entry_id, shown.data.get("topic", ""), (shown.data.get("questions") or ["?"])[0], status,
                    shown.version, pending, latest.created_by)


def live_version(vs: list[FaqVersion]) -> FaqVersion | None:
    """The version deciding what the bot says: the newest published or withdrawn one."""
    decided = [v for v in vs if v.status in ("published", "withdrawn")]
    return decided[-1] if decided else None


def _text_matches(by_entry: dict[str, list[FaqVersion]], needle: str) -> set[str]:
    """Entries whose text (shipped or any stored version) contains the needle."""
    found = {i for i, d in shipped().items() if needle in yaml_text(d).lower()}
    found.update(i for i, vs in by_entry.items() if any(needle in yaml_text(v.data).lower() for v in vs))
    return found


class _BlockDumper(yaml.SafeDumper):
    """Multi-line answers as `|` blocks, so a diff shows the one line that changed."""


_BlockDumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def yaml_text(data: dict[str, Any]) -> str:
    """The entry as the YAML a developer would write: what the history's diff compares."""
    return yaml.dump({k: data.get(k) for k in DATA_KEYS if data.get(k) not in (None, "", [])}, Dumper=_BlockDumper,
                     allow_unicode=True, sort_keys=False, width=1000)


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry that differs between two versions: its Chinese name and a line diff."""

    label: str
    lines: list[tuple[str, str]]  # (kind, line), kind one of add / del / same


def field_lines(key: str, value: Any) -> list[str]:
    """A field as the lines a curator reads: the topic's name, one question or citation a line."""
    if key == "topic":
        return [TOPICS.get(value, value)] if value else []
    if key == "basis":
        return ["《{}》{}{}".format(b.get("law", ""), b.get("article") or "", b.get("paragraph") or "")
                for b in value or []]
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value).splitlines() if value not in (None, "") else []


def diff(older: FaqVersion | None, newer: FaqVersion) -> list[FieldChange]:
    """The fields that changed from `older` to `newer` (every field of a first version), each a line
    diff under the field's Chinese name, never the stored keys or YAML."""
    kinds = {"+": "add", "-": "del", " ": "same"}
    changes = []
    for key, label in faq_schema.FIELD_LABELS.items():
        a = field_lines(key, older.data.get(key)) if older is not None else []
        b = field_lines(key, newer.data.get(key))
        if a != b:
            changes.append(FieldChange(label, [(kinds[line[0]], line[2:]) for line in difflib.ndiff(a, b)
                                               if line[0] in kinds]))
    return changes


# ---- changes -------------------------------------------------------------------------------

def new_entry_id(session: Session, topic: str) -> str:
    """The next free <topic>-NNN id, from 900 up so it never meets a number the shipped files use."""
    taken = set(shipped()) | set(session.scalars(select(FaqVersion.entry_id).distinct()))
    numbers = [int(i.rsplit("-", 1)[1]) for i in taken if i.rsplit("-", 1)[0] == topic and _ENTRY_ID.match(i)]
    return f"{topic}-{max([899, *numbers]) + 1:03d}"


def create(session: Session, actor: str, data: dict[str, Any], note: str = "",
           from_unanswered: list[int] | None = None, form_token: str = "") -> FaqVersion:
    """A new entry as a draft (version 1). The same form sent twice (a double click) creates one."""
    _lock(session, "")
    if form_token:
        earlier = session.scalar(select(FaqVersion).where(FaqVersion.version == 1,
                                                          FaqVersion.created_by == actor,
                                                          FaqVersion.data["form_token"].as_string() == form_token))
        if earlier is not None:
            return earlier
    _check(data)
    entry_id = new_entry_id(session, data["topic"])
    stored = {**_clean(data), "from_unanswered": list(from_unanswered or []), "form_token": form_token}
    version = FaqVersion(entry_id=entry_id, version=1, status="draft", data=stored, note=note[:500],
                         created_by=actor, created_at=utcnow())
    session.add(version)
    audit.record(session, actor, "faq.create", entry_id, version=1, topic=data["topic"],
                 from_unanswered=list(from_unanswered or [])[:50])
    return version


def edit(session: Session, actor: str, entry_id: str, data: dict[str, Any], note: str = "") -> FaqVersion:
    """Change an entry: the open draft in place, otherwise a new draft on top of the latest version."""
    _check(data)
    _lock(session, entry_id)
    vs = _stored(session, entry_id)
    latest = vs[-1]
    data = {"related": latest.data.get("related") or [], **data}  # the form does not show links to other entries
    if latest.status == "draft":
        latest.data = {**latest.data, **_clean(data), "editors": sorted({*latest.data.get("editors", []), actor})}
        latest.note = note[:500] or latest.note
        audit.record(session, actor, "faq.edit", entry_id, version=latest.version)
        return latest
    if latest.status == "reviewed":  # approved text is never changed; the change needs a new review
        latest.status = "superseded"
    version = _new_draft(session, latest, actor, _clean(data), note)
    audit.record(session, actor, "faq.edit", entry_id, version=version.version)
    return version


def _ready(session: Session, entry_id: str, version_no: int, needed: str, done: str, repeat: str,
           refusal: str) -> FaqVersion:
    """The version, locked, if it is in status `needed`. A second click (it is already `done`) and
    any other status are refused in words, so a double submit never acts twice."""
    _lock(session, entry_id)
    version = _get(session, entry_id, version_no)
    if version.status == done:
        raise FaqError(repeat)
    if version.status != needed:
        raise FaqError(f"第 {version_no} 版{refusal}（现在是：{version.status}）。")
    return version


def review(session: Session, actor: str, entry_id: str, version_no: int) -> FaqVersion:
    """Approve a draft; four eyes: nobody who wrote it may approve it."""
    version = _ready(session, entry_id, version_no, "draft", "reviewed",
                     f"第 {version_no} 版已经审核通过了，无需再审。", "不是草稿，不能审核")
    if actor in authors(version):
        raise FaqError("不能审核自己写或改过的草稿：请另一位同事审核。")
    version.status, version.reviewed_by, version.reviewed_at = "reviewed", actor, utcnow()
    audit.record(session, actor, "faq.review", entry_id, version=version_no)
    return version


def publish(session: Session, actor: str, entry_id: str, version_no: int) -> FaqVersion:
    """Make a reviewed version the one the bot answers with; the one before is superseded."""
    version = _ready(session, entry_id, version_no, "reviewed", "published",
                     f"第 {version_no} 版已经发布了，无需再次发布。", "还没有审核通过，不能发布")
    for other in versions(session, entry_id):
        if other.status == "published":
            other.status = "superseded"
    version.status, version.published_by, version.published_at = "published", actor, utcnow()
    audit.record(session, actor, "faq.publish", entry_id, version=version_no)
    return version


def withdraw(session: Session, actor: str, entry_id: str, reason: str = "") -> FaqVersion:
    """Take an entry away from the bot (its published version becomes `withdrawn`)."""
    _lock(session, entry_id)
    live = live_version(_stored(session, entry_id))
    if live is None or live.status != "published":
        raise FaqError("这个条目现在没有发布，不需要撤下。")
    live.status = "withdrawn"
    live.note = (live.note + f"\n撤下：{reason}".rstrip("：")).strip()[:500]
    audit.record(session, actor, "faq.withdraw", entry_id, version=live.version, reason=reason[:200])
    return live


def rollback(session: Session, actor: str, entry_id: str, version_no: int) -> FaqVersion:
    """A new draft with the text of an older version (it goes through review and publishing again)."""
    _lock(session, entry_id)
    vs = _stored(session, entry_id)
    source = next((v for v in vs if v.version == version_no), None)
    if source is None:
        raise FaqError(f"没有第 {version_no} 版。")
    if vs[-1].status == "draft":
        raise FaqError(f"第 {vs[-1].version} 版草稿还没处理：请先修改或审核它，再回滚。")
    version = _new_draft(session, vs[-1], actor, _clean(source.data), f"回滚到第 {version_no} 版")
    audit.record(session, actor, "faq.rollback", entry_id, version=version.version, to=version_no)
    return version


def live_overlay(session: Session) -> tuple[list[dict], list[str]]:
    """(entries for faq/published.yml, ids for faq/withdrawn.yml) as the table says now."""
    published, withdrawn = [], []
    for entry_id, vs in _by_entry(session).items():
        live = live_version(vs)
        if live is None:
            continue
        if live.status == "withdrawn":
            withdrawn.append(entry_id)
        elif live.version > 0:
            published.append(as_record(entry_id, live.data))
    return published, withdrawn


def as_record(entry_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The YAML record of knowledge/content/faq (docs/CONTENT_GUIDE.md) for a version's data."""
    record = {"id": entry_id, **{k: data.get(k) for k in DATA_KEYS}, "status": "published"}
    if not record["related"]:
        del record["related"]
    return record


def _lock(session: Session, entry_id: str) -> None:
    """Take the write lock before reading anything the change depends on.

    A double click sends the same change twice at once: without this, both requests read "no newer
    draft", both compute the next version number, and one fails on the unique (entry, version) or
    both succeed and act twice. A write as the transaction's first statement makes SQLite hand out
    its one write lock here (the second request waits, then sees the first one's result); on
    PostgreSQL it locks the entry's rows.
    """
    session.execute(update(FaqVersion).where(FaqVersion.entry_id == entry_id)
                    .values(entry_id=FaqVersion.entry_id).execution_options(synchronize_session=False))


def _check(data: dict[str, Any]) -> None:
    problems = validate(data)
    if problems:
        raise InvalidEntry(problems)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: data.get(key) for key in DATA_KEYS}
    cleaned["questions"] = [q.strip() for q in data.get("questions") or [] if q.strip()]
    cleaned["answer"] = (data.get("answer") or "").strip()
    cleaned["related"] = list(data.get("related") or [])
    return cleaned


def authors(version: FaqVersion) -> set[str]:
    """Who wrote or changed this draft (none of them may review it)."""
    return {version.created_by, *version.data.get("editors", [])}


def _stored(session: Session, entry_id: str) -> list[FaqVersion]:
    """Stored versions, version 0 copied in from the shipped text first if this is its first change."""
    vs = history(session, entry_id)
    if vs[0].id is None:  # the shipped text, not in the table yet
        vs[0].created_at = utcnow()
        session.add(vs[0])
        session.flush()
    return vs


def _get(session: Session, entry_id: str, version_no: int) -> FaqVersion:
    version = session.scalar(select(FaqVersion).where(FaqVersion.entry_id == entry_id,
                                                      FaqVersion.version == version_no))
    if version is None:
        raise FaqError(f"没有 {entry_id} 的第 {version_no} 版。")
    return version


def _new_draft(session: Session, latest: FaqVersion, actor: str, data: dict[str, Any], note: str) -> FaqVersion:
    number = (session.scalar(select(func.max(FaqVersion.version)).where(FaqVersion.entry_id == latest.entry_id))
              or 0) + 1
    version = FaqVersion(entry_id=latest.entry_id, version=number, status="draft", data=data, note=note[:500],
                         created_by=actor, created_at=utcnow())
    session.add(version)
    session.flush()
    return version


def unanswered_ids(session: Session, entry_id: str) -> list[int]:
    """The unanswered questions this entry was written for (marked handled once it is published)."""
    ids = {i for v in versions(session, entry_id) for i in v.data.get("from_unanswered") or []}
    return sorted(i for i in ids if isinstance(i, int) and storable_id(i))  # stored before links were checked
