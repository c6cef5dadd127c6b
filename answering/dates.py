"""The grammar of dates, defined once: how a worker writes a day in everyday Chinese (2025年5月10日,
二〇二五年五月十日, 2025-05-10, 12月5号, 12.5, 5号, 月底, 下个月5号, 下周三, 明天, 昨天 …).

Two readings of the same grammar, because the same words mean different days in a booking and in a
story:
- `booking_rules` (answering/when.py): a booking looks ahead. 1月10日 said in November is next January;
  5号 already past this month is next month's; 周五 is the coming Friday.
- `parse_date` (answering/facts.py, answering/compose.py): a date told in her story (the day the baby
  came, the day she was dismissed, the day her contract ends) is the day she wrote, in this year when
  she gave no year. Only the forms that name a day by themselves are read there (full dates,
  month and day, 今天/昨天/前天/明天 …): 周五 or 5号 in a story could be last week's or next week's.

Deterministic regular expressions resolved against an explicit `today`; Chinese numerals are read by
knowledge.numerals. The text is expected to be normalized (simplified characters).
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

from knowledge.numerals import DIGIT_CHARS, YEAR_DIGIT_CHARS, cn_to_int, year_to_int

CN = DIGIT_CHARS + "十"
N = rf"(?:\d{{1,2}}|[{CN}]{{1,3}})"  # a month, day or hour
_YEAR = rf"(?:\d{{4}}|[{YEAR_DIGIT_CHARS}]{{4}}|\d{{2}}(?=\s*年))"  # 25年 is 2025
_NOT_NUM_BEFORE = rf"(?<![\d{CN}])"
_NOT_IN_FULL = rf"(?<![\d{YEAR_DIGIT_CHARS}]年)"  # 2026年12月5日 is FULL; 今年12月5日 is a month and day

FULL = re.compile(
    rf"(?<!\d)({_YEAR})\s*年\s*({N})\s*月\s*({N})\s*[日号]?"
    rf"|(?<!\d)(\d{{4}})\s*([-/.])\s*(\d{{1,2}})\s*\5\s*(\d{{1,2}})(?!\d)")
MONTH_DAY = re.compile(  # 12月5日, 12月5号, 12月5 (Arabic day), 十二月五号
    rf"{_NOT_NUM_BEFORE}{_NOT_IN_FULL}({N})\s*月\s*(?:(\d{{1,2}})(?!\d)\s*[日号]?|([{CN}]{{1,3}})\s*[日号])")
DOTTED = re.compile(  # 12.5 / 12/5, but not 1.5天, 12.5元, 3.5kg
    r"(?<![\d.:/A-Za-z])(\d{1,2})[./](\d{1,2})(?![\d.:/%％])"
    r"(?!\s*[元块万千百亿个岁斤克吨米倍度分秒年月周天小次点时A-Za-z])")
MONTH_END = re.compile(rf"(?:(下下个?|下个?|本|这个?)|{_NOT_NUM_BEFORE}{_NOT_IN_FULL}({N}))?月底")
NEXT_MONTH_DAY = re.compile(rf"(下下个?|下个?)月\s*({N})\s*[日号]?")
DAY_ONLY = re.compile(
    rf"(?<![\d{CN}月第])(?:(\d{{1,2}})\s*[号日]|([{CN}]{{1,3}})\s*号)"
    r"(?![楼线窗床门房室诊位车机院栋层单元座台码])")
WEEKDAY = re.compile(r"(下下个?|下个?|上上个?|上个?|本|这一?个?)?(?:周|星期|礼拜)([一二三四五六日天七])(?![次遍回])")
RELATIVE_DAYS = {"大后天": 3, "后天": 2, "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "明晚": 1,
                 "今天": 0, "今日": 0, "今儿": 0, "今早": 0, "今晚": 0,
                 "昨天": -1, "昨日": -1, "前天": -2, "大前天": -3}
RELATIVE = re.compile("|".join(sorted(RELATIVE_DAYS, key=len, reverse=True)))

Resolver = Callable[[re.Match, date], tuple[date, bool]]  # (the day, whether it is before today)


class Invalid(ValueError):
    """An explicit date that does not exist (2月30日, 13月1日): ask again rather than guess a day."""


def number(raw: str | None) -> int | None:
    """'12' / '十二' / '二〇二五' -> int, by knowledge.numerals; None when it is not a number."""
    if not raw:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return int(raw)
    try:
        return year_to_int(raw) if len(raw) == 4 and "十" not in raw else cn_to_int(raw)
    except (KeyError, ValueError):
        return None


def _make(year: int | None, month: int | None, day: int | None) -> date:
    try:
        if year is None or month is None or day is None:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        raise Invalid from None


def _with_past(d: date, today: date) -> tuple[date, bool]:
    return d, d < today


def _ymd(m: re.Match) -> tuple[int | None, int | None, int | None]:
    if m.group(1):
        year, month, day = number(m.group(1)), number(m.group(2)), number(m.group(3))
        if year is not None and year < 100:
            year += 2000
        return year, month, day
    return int(m.group(4)), int(m.group(6)), int(m.group(7))


def full(m: re.Match, today: date) -> tuple[date, bool]:
    return _with_past(_make(*_ymd(m)), today)


def _month_and_day(m: re.Match) -> tuple[int | None, int | None]:
    return number(m.group(1)), number(m.group(2) or m.group(3))


def _ahead_this_year(month: int | None, day: int | None, today: date) -> tuple[date, bool]:
    """Month and day without a year, for a booking: this year, next year when far behind, else past."""
    if month is None or not 1 <= month <= 12 or day is None:
        raise Invalid
    try:
        d = date(today.year, month, day)
    except ValueError:
        d = None  # e.g. 2月29日 in a common year
    if d is not None and d >= today:
        return d, False
    if today.month - month > 6:
        return _make(today.year + 1, month, day), False
    if d is None:
        raise Invalid
    return d, True


def month_day_ahead(m: re.Match, today: date) -> tuple[date, bool]:
    return _ahead_this_year(*_month_and_day(m), today)


def month_day_as_told(m: re.Match, today: date) -> tuple[date, bool]:
    """Month and day without a year, in her story: this year's."""
    return _with_past(_make(today.year, *_month_and_day(m)), today)


def dotted(m: re.Match, today: date) -> tuple[date, bool]:
    return _ahead_this_year(int(m.group(1)), int(m.group(2)), today)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(d: date, n: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 + n
    return index // 12, index % 12 + 1


def month_end(m: re.Match, today: date) -> tuple[date, bool]:
    prefix, month_raw = m.group(1), m.group(2)
    if month_raw:
        month = number(month_raw)
        if month is None or not 1 <= month <= 12:
            raise Invalid
        end = _last_day(today.year, month)
        if end >= today:
            return end, False
        if today.month - month > 6:
            return _last_day(today.year + 1, month), False
        return end, True
    ahead = 2 if prefix and prefix.startswith("下下") else 1 if prefix and prefix.startswith("下") else 0
    return _last_day(*_add_months(today, ahead)), False


def next_month_day(m: re.Match, today: date) -> tuple[date, bool]:
    ahead = 2 if m.group(1).startswith("下下") else 1
    year, month = _add_months(today, ahead)
    return _make(year, month, number(m.group(2))), False


def day_only(m: re.Match, today: date) -> tuple[date, bool]:
    n = number(m.group(1) or m.group(2))
    if n is None or not 1 <= n <= 31:
        raise Invalid
    for ahead in range(3):  # this month, else the next month that has that day
        year, month = _add_months(today, ahead)
        if n <= calendar.monthrange(year, month)[1]:
            d = date(year, month, n)
            if d >= today:
                return d, False
    raise Invalid


def weekday(m: re.Match, today: date) -> tuple[date, bool]:
    prefix, char = m.group(1) or "", m.group(2)
    target = "一二三四五六日".index("日" if char in "天七" else char)
    monday = today - timedelta(days=today.weekday())
    if not prefix:
        ahead = (target - today.weekday()) % 7
        return today + timedelta(days=ahead), False
    weeks = {"下下": 2, "下": 1, "上上": -2, "上": -1}.get(prefix.rstrip("个"), 0)
    return _with_past(monday + timedelta(weeks=weeks, days=target), today)


def relative(m: re.Match, today: date) -> tuple[date, bool]:
    return _with_past(today + timedelta(days=RELATIVE_DAYS[m.group(0)]), today)


# A booking: every form, looking ahead (answering/when.py picks the earliest in the text).
BOOKING_RULES: tuple[tuple[re.Pattern[str], Resolver], ...] = (
    (FULL, full), (MONTH_END, month_end), (NEXT_MONTH_DAY, next_month_day),
    (MONTH_DAY, month_day_ahead), (DOTTED, dotted), (DAY_ONLY, day_only),
    (WEEKDAY, weekday), (RELATIVE, relative),
)
# Her story: the forms that name a day by themselves, as she wrote them, the most explicit first.
STORY_RULES: tuple[tuple[re.Pattern[str], Resolver], ...] = (
    (FULL, full), (MONTH_DAY, month_day_as_told), (RELATIVE, relative),
)


YEAR_MONTH = re.compile(  # 2025年8月, 2025年8月底, 二〇二四年三月份, 明年1月: a month of a year, no day
    rf"(?:(?<!\d)({_YEAR})\s*年|(今年|明年|去年|前年))\s*({N})\s*月份?\s*(底|末|下旬)?"
    rf"(?!\s*(?:\d|[{CN}]{{1,3}}\s*[日号]))")
YEARS_FROM_NOW = {"今年": 0, "明年": 1, "去年": -1, "前年": -2}  # a year named relative to this one


def parse_year_month(text: str, today: date | None = None) -> tuple[date, bool] | None:
    """A month she told without a day (2024年6月底离职, 合同明年1月到期): its last day when she said
    底/末/下旬, else its first day, so a time limit counted from it is never later than the real one;
    and whether the day was only assumed (False for 月底). None when there is none or it is no month."""
    m = YEAR_MONTH.search(text)
    if m is None:
        return None
    year = number(m.group(1)) if m.group(1) else (today or date.today()).year + YEARS_FROM_NOW[m.group(2)]
    month = number(m.group(3))
    if year is None or month is None or not 1 <= month <= 12:
        return None
    year += 2000 if year < 100 else 0
    return (_last_day(year, month), False) if m.group(4) else (date(year, month, 1), True)


def parse_date(text: str, today: date | None = None) -> date | None:
    """The first date told in her story: 2025-05-10, 2025年5月10日, 5月10号 (this year), 昨天; None
    when there is none, or when the one written does not exist (2025年2月30日)."""
    today = today or date.today()
    for regex, resolve in STORY_RULES:
        m = regex.search(text)
        if m:
            try:
                return resolve(m, today)[0]
            except Invalid:
                return None
    return None
