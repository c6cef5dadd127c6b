"""When a worker wants a booking, said in everyday Chinese: 明天下午, 下周三上午, 12月5号, 月底.

Deterministic: every date form is a regular expression resolved against an explicit `today`, so
the same sentence always books the same day. The text is expected to be normalized (simplified
characters); numbers may be Arabic or Chinese. The date forms are the one grammar of
answering/dates.py (its booking reading); this module adds the part of the day, a day she turns down
and a change of booking.

Interpretation choices (kept in one place so the bot's wording can follow them):
- 周五 / 星期五 / 礼拜五 with no prefix: the next Friday, today included (this week's if not yet
  past, otherwise next week's). Never in the past.
- 本周五 / 这周五 / 这个星期五: this calendar week's Friday (weeks start on Monday); if that day
  is already behind us the date is kept and `past=True`.
- 下周三 / 下个星期三: Wednesday of next calendar week; 下下周一: the week after; 上周X: last week
  (past).
- 12月5日 / 12月5号 / 12.5 / 12/5 / 12月底: this year. A date earlier than today moves to next year
  only when its month lies more than 6 months before the current month (on 11-24, 1月10日 is next
  January); otherwise it stays in this year with `past=True`, so the bot can say it has passed.
- 2025-12-05 / 2025年12月5日: exactly that date, `past=True` if before today.
- 5号: this month's 5th, or next month's if that is already past (or this month has no such day).
  下个月5号 / 下月底 are next month. 月底: the last day of this month.
- 今天 / 明天 / 后天 / 大后天 (and 今早, 明晚 ...); 昨天 / 前天 give `past=True`.
- An explicit date that does not exist (2月30日, 13月1日) makes the whole answer None: the bot must
  ask again rather than book a guessed day.
- Periods: 上午/早上/早晨 -> 上午, 中午/下午 -> 下午, 晚上/傍晚 -> 晚上. A period word wins over a
  clock time; otherwise a clock time decides: 7-11点 -> 上午, 12-17点 -> 下午, 18-23点 -> 晚上, and
  a bare 1-5点 is read as the afternoon (三点 means 15:00 in a booking), a bare 6点 as 晚上.
- When the text changes a booking (改到 / 改成 / 换到 / 调到 ...), what follows the last such word
  is what counts: "周三的改到周五" -> Friday.
- Otherwise the first date and the first period in the text are used.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from answering import dates
from answering.dates import CN, N, Invalid

PERIODS = ("上午", "下午", "晚上")
_WEEKDAYS_CN = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

_PERIOD_WORDS = {
    "上午": "上午", "早上": "上午", "早晨": "上午", "清晨": "上午", "清早": "上午", "一早": "上午",
    "今早": "上午", "明早": "上午", "中午": "下午", "下午": "下午", "午后": "下午",
    "晚上": "晚上", "傍晚": "晚上", "夜里": "晚上", "夜间": "晚上", "晚间": "晚上", "今晚": "晚上",
    "明晚": "晚上",
}
_PERIOD_RE = re.compile("|".join(sorted(_PERIOD_WORDS, key=len, reverse=True)))
_CLOCK_COLON = re.compile(r"(?<![\d.:])(\d{1,2})\s*[:：]\s*[0-5]\d(?!\d)")
_CLOCK_DIAN = re.compile(
    rf"(?<![\d{CN}第])({N})\s*(?:点|时(?!间|候))"
    r"(?!儿|点|(?:要求|疑问|建议|意见|问题|原因|注意|内容|理由|看法|想法|说明|需要|东西))")
_SOFT_BEFORE_YIDIAN = "早晚快慢多少好大小近远高低贵长短再有些差"  # 晚一点 is not 1 o'clock
_PERIOD_BEFORE = re.compile(rf"(?:{_PERIOD_RE.pattern})\s*$")
_TODAY_WORDS = {"今天", "今日", "今儿"}
_REJECTED = re.compile(  # 明天不行 / 明天下午没空: she turns that day down
    r"[^，,。.；;！!？?]{0,6}?(?:不行|不可以|不能来|不能去|没空|没时间|不方便|来不了|去不了|有事|不太行)")
_CHANGE = re.compile(r"改到|改成|改为|改在|改约到|换到|换成|换在|调到|调整到|调成|挪到|推到|推迟到|延到|延期到|提前到")


@dataclass(frozen=True)
class When:
    day: date | None
    period: str | None  # 上午 / 下午 / 晚上
    past: bool = False


def weekday_cn(d: date) -> str:
    return _WEEKDAYS_CN[d.weekday()]


def describe(w: When, today: date | None = None) -> str:
    """'12月5日（周六）下午'; the year is shown only when `today` is given and the year differs."""
    parts = []
    if w.day is not None:
        year = f"{w.day.year}年" if today is not None and w.day.year != today.year else ""
        parts.append(f"{year}{w.day.month}月{w.day.day}日（{weekday_cn(w.day)}）")
    if w.period:
        parts.append(w.period)
    return "".join(parts)


def parse_when(text: str, today: date) -> When | None:
    """The day and part of day asked for, or None when the text names neither (or an impossible date)."""
    text = text or ""
    segment = text
    changes = list(_CHANGE.finditer(text))
    if changes:
        after = text[changes[-1].end():]
        try:
            if _find_day(after, today) is not None or _find_period(after) is not None:
                segment = after
        except Invalid:
            segment = after
    try:
        found = _find_day(segment, today)
    except Invalid:
        return None
    if found is None:
        period = _find_period(segment)
        return When(day=None, period=period) if period else None
    day, past, start = found
    # the period said with (or after) the chosen day: 明天下午不行，后天上午吧 -> 后天上午
    period = _find_period(segment[start:]) or _find_period(segment)
    return When(day=day, period=period, past=past)


# --- days ---------------------------------------------------------------------------------------

def _find_day(text: str, today: date) -> tuple[date, bool, int] | None:
    """The date asked for, resolved to (day, past, position in text).

    The earliest date expression wins (longest on ties), except that a day she turns down
    (明天不行) and a bare 今天 (我今天想约下周三) give way to any other date in the text.
    """
    candidates = []
    for regex, resolve in dates.BOOKING_RULES:
        for m in regex.finditer(text):
            if resolve is dates.dotted and _PERIOD_BEFORE.search(text[:m.start()]):
                continue  # 下午3.30 is a clock time
            rank = 2 if _REJECTED.match(text, m.end()) else 1 if m.group(0) in _TODAY_WORDS else 0
            candidates.append((rank, m.start(), m.start() - m.end(), m, resolve))
    if not candidates:
        return None
    _, start, _, m, resolve = min(candidates, key=lambda c: c[:3])
    day, past = resolve(m, today)
    return day, past, start


# --- periods ------------------------------------------------------------------------------------

def _find_period(text: str) -> str | None:
    m = _PERIOD_RE.search(text)
    if m:
        return _PERIOD_WORDS[m.group(0)]
    hours = [(m.start(), int(m.group(1))) for m in _CLOCK_COLON.finditer(text)]
    for m in _CLOCK_DIAN.finditer(text):
        raw = m.group(1)
        if raw == "一" and m.start() > 0 and text[m.start() - 1] in _SOFT_BEFORE_YIDIAN:
            continue
        hour = dates.number(raw)
        if hour is not None:
            hours.append((m.start(), hour))
    for _, hour in sorted(hours):
        period = _period_of_hour(hour)
        if period:
            return period
    return None


def _period_of_hour(hour: int) -> str | None:
    if 1 <= hour <= 6:
        hour += 12  # a bare 三点 in a booking is 15:00
    if 7 <= hour <= 11:
        return "上午"
    if 12 <= hour <= 17:
        return "下午"
    if 18 <= hour <= 23:
        return "晚上"
    return None
