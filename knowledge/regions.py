"""The provincial leave table (provinces and their aliases are `knowledge.places`).

The table (content/regions.yml, with the rows curators approved in the console laid over it) is
the single source of the regional numbers: the leave calculator reads it, and `regional_entries`
turns each row into a searchable answer, so the same figure is never written twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge import overlay
from knowledge.models import Entry, LegalBasis

log = logging.getLogger(__name__)
CONTENT = Path(__file__).resolve().parent / "content"
NATIONAL_MATERNITY_DAYS = 98  # 女职工劳动保护特别规定 第七条: the national rule, defined once
DIFFICULT_BIRTH_DAYS = 15  # … +15 days for a difficult birth
PER_EXTRA_BABY_DAYS = 15  # … +15 days for each extra baby of a multiple birth
NATIONAL_SUMMARY = (f"全国统一的产假是{NATIONAL_MATERNITY_DAYS}天（难产加{DIFFICULT_BIRTH_DAYS}天，"
                    f"多胞胎每多1个加{PER_EXTRA_BABY_DAYS}天）。")
NATIONAL_BASIS = LegalBasis("女职工劳动保护特别规定", "第七条")


@dataclass(frozen=True)
class RegionRule:
    """One province's row of the leave table."""

    province: str
    verified: bool
    source: str = ""
    article: str = ""
    revised: date | None = None
    maternity_extra_days: int | None = None
    maternity_extra_by_order: dict[int, int] = field(default_factory=dict, hash=False)
    paternity_days: int | None = None
    parental_leave: str = ""
    marriage_leave: str = ""
    other: str = ""
    note: str = ""

    def extra_days(self, child_order: int = 1) -> int | None:
        """Extension of maternity leave for the given child (1 = first)."""
        return self.maternity_extra_by_order.get(child_order, self.maternity_extra_days)

    @property
    def basis(self) -> tuple[LegalBasis, ...]:
        """The regulation, or the national rule that is all we can state for an unverified province."""
        if self.source and self.verified:
            return (LegalBasis(self.source, self.article),)
        return (NATIONAL_BASIS,) + ((LegalBasis(self.source, self.article),) if self.source else ())


def _as_date(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def rules() -> dict[str, RegionRule]:
    """The table by province: the shipped rows, each replaced by the row curators approved in the
    console from an uploaded regulation (knowledge.overlay regions.yml), if any.

    Read again whenever the overlay's rows change (cached by their files' stamp), so the action
    server, the console and the index build all use a row from the moment it is approved."""
    from settings import get_settings

    return _rules(overlay.regions_stamp(get_settings().overlay_dir))


@lru_cache(maxsize=4)
def _rules(stamp: tuple) -> dict[str, RegionRule]:
    rows = yaml.safe_load((CONTENT / "regions.yml").read_text(encoding="utf-8")) or []
    try:
        approved = overlay.live_regions(Path(stamp[0]))
    except (OSError, ValueError, yaml.YAMLError):  # a broken overlay file: the shipped table, never no answer
        log.exception("could not read the approved leave figures in %s; using the shipped table", stamp[0])
        approved = {}
    table = {}
    for row in rows:
        row = approved.get(row["province"], row)
        by_order = {int(k): int(v) for k, v in (row.get("maternity_extra_by_order") or {}).items()}
        table[row["province"]] = RegionRule(
            province=row["province"],
            verified=bool(row.get("verified")),
            source=row.get("source") or "",
            article=row.get("article") or "",
            revised=_as_date(row.get("revised")),
            maternity_extra_days=row.get("maternity_extra_days"),
            maternity_extra_by_order=by_order,
            paternity_days=row.get("paternity_days"),
            parental_leave=row.get("parental_leave") or "",
            marriage_leave=row.get("marriage_leave") or "",
            other=row.get("other") or "",
            note=row.get("note") or "",
        )
    return table


def _maternity_sentence(rule: RegionRule) -> str:
    extra = rule.extra_days(1)
    if extra is None:
        return ""
    base = NATIONAL_MATERNITY_DAYS
    text = f"在{rule.province}生育，除国家规定的{base}天产假外，还可享受延长生育假{extra}天，合计{base + extra}天"
    for order, days in sorted(rule.maternity_extra_by_order.items()):
        if days != extra:
            text += f"；生育第{order}个孩子的延长{days}天，合计{base + days}天"
    return text + "。难产、多胞胎按国家规定另外增加。"


def _sentence(text: str) -> str:
    """End a table cell with a full stop so cells never run into each other."""
    text = text.strip()
    return text if text.endswith(("。", "！", "？", "；")) else text + "。"


def describe(rule: RegionRule) -> str:
    """Plain-language summary of a province's leave rules, honest about what is unverified."""
    if not rule.verified:  # a figure the knowledge base cannot cite is never stated as a fact
        return (f"{rule.province}的延长生育假、陪产假、育儿假和婚假天数，本助手还没有核对到现行的地方条例，"
                "不能给你准确天数。" + NATIONAL_SUMMARY
                + (rule.note or "请以当地最新规定为准，可以问当地工会、拨打12351，或点「转人工」。"))
    parts = [_maternity_sentence(rule)]
    if rule.paternity_days:
        parts.append(f"男方（配偶）陪产假/护理假{rule.paternity_days}天。")
    for label, value in (("育儿假", rule.parental_leave), ("婚假", rule.marriage_leave), ("", rule.other)):
        if value:
            parts.append(_sentence(f"{label}：{value}" if label else value))
    if rule.note:
        parts.append(rule.note)
    text = "".join(p for p in parts if p)
    if rule.extra_days(1) is None:
        text = (f"{rule.province}的延长生育假、陪产假天数，本助手还没有核对到现行条例，不能给你准确天数。"
                + NATIONAL_SUMMARY + text)
    return text


_QUESTION_TEMPLATES = (
    "{p}产假多少天", "在{p}生孩子能休几天假", "{p}生育假有多少天", "{p}陪产假几天",
    "{p}男方护理假多少天", "{p}育儿假有几天", "{p}的产假规定", "我在{p}上班，产假怎么算",
)


def regional_entries() -> list[Entry]:
    """One searchable answer per province, generated from the table."""
    entries = []
    for rule in rules().values():
        entries.append(Entry(
            id=f"region:{rule.province}",
            kind="faq",
            title=f"{rule.province}的生育假、陪产假和育儿假",
            text=describe(rule),
            questions=tuple(t.format(p=rule.province) for t in _QUESTION_TEMPLATES),
            topic="regional",
            basis=rule.basis,
            region=rule.province,
            effective=rule.revised,
            extra={"verified": rule.verified},
        ))
    return entries

