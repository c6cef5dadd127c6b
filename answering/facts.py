"""Facts a worker states in passing: where she works, when the baby came, how many, which month.

Deterministic parsing of the normalized text (with the NLU's entities as hints), because a leave
calculation must never depend on a statistical guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

import cn2an

from knowledge import regions

_DIGIT = r"[0-9零〇一二两三四五六七八九十]"
_NUM = _DIGIT + "+"
_BABIES = {"双胞胎": 2, "双胎": 2, "龙凤胎": 2, "三胞胎": 3, "四胞胎": 4, "五胞胎": 5}
_DIFFICULT = re.compile(r"难产|剖腹产|剖宫产|剖腹|顺转剖|产钳|胎吸|大出血")
_NOT_DIFFICULT = re.compile(r"(不是|没有|非)(难产|剖)|顺产")
_ORDER = re.compile(rf"第({_NUM})(胎|个孩子|个宝宝|孩)|([一二三头])胎|([二三])宝|老([二三])")
_MONTHS = re.compile(rf"({_NUM})(个半|个)?多?月")
_DATE_FULL = re.compile(rf"({_DIGIT}{{4}}|\d{{2}})\s*[年\-/.]\s*({_DIGIT}{{1,3}})\s*[月\-/.]\s*({_DIGIT}{{1,3}})\s*[日号]?")
_DATE_MD = re.compile(rf"({_DIGIT}{{1,3}})\s*月\s*({_DIGIT}{{1,3}})\s*[日号]")
_RELATIVE_DAYS = {"今天": 0, "昨天": -1, "前天": -2, "大前天": -3}


def to_int(text: str) -> int | None:
    """'12' / '十二' / '二〇二五' -> int; None when it is not a number."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if re.fullmatch("[零〇一二三四五六七八九]{4}", text):  # year read digit by digit
        return int("".join(str("零一二三四五六七八九".index(c.replace("〇", "零"))) for c in text))
    try:
        return int(cn2an.cn2an(text.replace("两", "二"), "smart"))
    except (ValueError, KeyError):
        return None


@dataclass(frozen=True)
class Facts:
    province: str | None = None
    birth_date: date | None = None
    babies: int | None = None
    difficult_birth: bool | None = None
    child_order: int | None = None
    pregnancy_months: float | None = None

    def merged_over(self, older: "Facts") -> "Facts":
        """New facts win; what she said earlier stays when not restated."""
        return replace(older, **{k: v for k, v in self.__dict__.items() if v is not None})

    def any(self) -> bool:
        return any(v is not None for v in self.__dict__.values())


def parse_date(text: str, today: date | None = None) -> date | None:
    """First calendar date in the text: 2025-05-10, 2025年5月10日, 5月10号 (this year), 昨天."""
    today = today or date.today()
    m = _DATE_FULL.search(text)
    if m:
        year, month, day = (to_int(g) for g in m.groups())
        if year is not None and year < 100:
            year += 2000
        return _safe_date(year, month, day)
    m = _DATE_MD.search(text)
    if m:
        month, day = (to_int(g) for g in m.groups())
        found = _safe_date(today.year, month, day)
        return found
    for word, offset in sorted(_RELATIVE_DAYS.items(), key=lambda kv: -len(kv[0])):
        if word in text:
            return today + timedelta(days=offset)
    return None


def _safe_date(year: int | None, month: int | None, day: int | None) -> date | None:
    try:
        return date(year, month, day) if year and month and day else None
    except ValueError:
        return None


def parse_babies(text: str) -> int | None:
    for word, n in _BABIES.items():
        if word in text:
            return n
    m = re.search(rf"(生|怀)了?({_NUM})个(宝宝|孩子|婴儿|娃)", text)
    if m and (n := to_int(m.group(2))) and 1 <= n <= 6 and "第" not in text[max(0, m.start() - 1):m.start() + 1]:
        return n
    return None


def parse_difficult(text: str) -> bool | None:
    if _NOT_DIFFICULT.search(text):
        return False
    return True if _DIFFICULT.search(text) else None


def parse_child_order(text: str) -> int | None:
    m = _ORDER.search(text)
    if not m:
        return None
    raw = next(g for g in m.groups()[:1] + m.groups()[2:] if g)
    return 1 if raw == "头" else to_int(raw)


def parse_pregnancy_months(text: str) -> float | None:
    """'怀孕五个半月' -> 5.5; only when the sentence is about pregnancy, not a baby's age."""
    if not re.search(r"怀孕|孕|身孕|流产|引产|胎停|小产|停育", text):
        return None
    m = _MONTHS.search(text)
    if not m:
        return None
    n = to_int(m.group(1))
    if n is None or n > 10:
        return None
    return n + (0.5 if m.group(2) == "个半" else 0.0)


def extract(text: str, entities: list[dict] | None = None, today: date | None = None) -> Facts:
    """All facts stated in one message. Entity values from the NLU are used as hints."""
    province = None
    for ent in entities or []:
        if ent.get("entity") == "province":
            province = regions.canonical_province(str(ent.get("value", "")))
    return Facts(
        province=province or regions.find_province(text),
        birth_date=parse_date(text, today) if re.search(r"生|出生|分娩|产", text) else None,
        babies=parse_babies(text),
        difficult_birth=parse_difficult(text),
        child_order=parse_child_order(text),
        pregnancy_months=parse_pregnancy_months(text),
    )
