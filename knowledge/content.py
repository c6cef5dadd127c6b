"""Load the curated content (FAQ entries and case summaries) into `Entry` records.

The YAML schema is knowledge/faq_schema.py (described for curators in docs/CONTENT_GUIDE.md); the
build reports every record that breaks it by name instead of letting it surface as a wrong answer.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from knowledge import faq_schema
from knowledge.models import NATIONAL, Entry, LegalBasis

CONTENT = Path(__file__).resolve().parent / "content"


class ContentError(ValueError):
    """A content file or entry does not follow the schema."""


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _basis(items) -> tuple[LegalBasis, ...]:
    return tuple(
        LegalBasis(str(b["law"]), str(b.get("article") or ""), str(b.get("paragraph") or ""))
        for b in items or []
    )


def _load_list(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ContentError(f"{path.name}: expected a YAML list of entries")
    return data


def faq_entry(raw: dict) -> Entry:
    """One FAQ record as an Entry; raises ContentError naming the entry when a field is missing."""
    missing = [f for f in faq_schema.REQUIRED if raw.get(f) in (None, "", [])]
    if missing:
        raise ContentError(f"FAQ {raw.get('id', '?')}: missing {', '.join(missing)}")
    return Entry(
        id=f"faq:{raw['id']}",
        kind="faq",
        title=str(raw["questions"][0]),
        text=str(raw["answer"]).strip(),
        questions=tuple(str(q) for q in raw["questions"]),
        topic=str(raw["topic"]),
        basis=_basis(raw["basis"]),
        region=str(raw.get("region") or NATIONAL),
        effective=_date(raw.get("effective")),
        status=str(raw["status"]),
        review_by=_date(raw.get("review_by")),
        extra={"related": list(raw.get("related") or [])},
    )


def case_entry(raw: dict) -> Entry:
    text = "\n".join(
        f"{label}：{str(raw[key]).strip()}"
        for label, key in (("案情", "facts"), ("结果", "decision"), ("提示", "lesson"))
        if raw.get(key)
    )
    return Entry(
        id=f"case:{raw['id']}",
        kind="case",
        title=str(raw["title"]),
        text=f"{text}\n来源：{raw.get('source', '')}",
        topic=str(raw.get("topic") or ""),
        basis=_basis(raw.get("basis")),
        region=str(raw.get("region") or NATIONAL),
        extra={"source": raw.get("source", ""), "verified": bool(raw.get("verified", True))},
    )


def load_faq_raw(folder: Path = CONTENT / "faq") -> list[dict]:
    """The FAQ records as written in YAML (the console keeps versions of these, the build merges them)."""
    return [raw for path in sorted(folder.glob("*.yml")) for raw in _load_list(path)]


def load_faq(folder: Path = CONTENT / "faq") -> list[Entry]:
    return [faq_entry(raw) for raw in load_faq_raw(folder)]


def load_cases(folder: Path = CONTENT / "cases") -> list[Entry]:
    return [case_entry(raw) for path in sorted(folder.glob("*.yml")) for raw in _load_list(path)]


def validate(entries: list[Entry], faq_records: list[dict]) -> list[str]:
    """Problems a curator must fix: ids used twice, and each FAQ record's breaches of the schema."""
    problems, seen = [], set()
    for e in entries:
        if e.id in seen:
            problems.append(f"{e.id}: duplicate id")
        seen.add(e.id)
    return problems + [f"faq:{raw.get('id', '?')}: {p}" for raw in faq_records for p in faq_schema.problems(raw)]
