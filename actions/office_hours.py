"""When a worker will hear from an officer: office hours and the case's deadline, in her words."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from settings import get_settings


def _parse_days(spec: str) -> set[int]:
    days: set[int] = set()
    for part in spec.split(","):
        start, _, end = part.strip().partition("-")
        days.update(range(int(start), int(end or start) + 1))
    return days


def in_office_hours(now: datetime | None = None) -> bool:
    s = get_settings()
    local = (now or datetime.now(ZoneInfo(s.TIMEZONE))).astimezone(ZoneInfo(s.TIMEZONE))
    start, _, end = s.OFFICE_HOURS.partition("-")
    opens, closes = time.fromisoformat(start), time.fromisoformat(end)
    return local.isoweekday() in _parse_days(s.OFFICE_DAYS) and opens <= local.time() < closes


def reply_expectation(due: datetime | None, now: datetime | None = None) -> str:
    """One sentence: soon (office hours) or when the office opens, and the latest answer time."""
    s = get_settings()
    zone = ZoneInfo(s.TIMEZONE)
    due_text = ""
    if due is not None:
        local_due = (due if due.tzinfo else due.replace(tzinfo=ZoneInfo("UTC"))).astimezone(zone)
        due_text = f"最迟在{local_due.month}月{local_due.day}日{local_due:%H:%M}前回复你。"
    if in_office_hours(now):
        return "现在是工作时间，维权专员会尽快回复你，" + due_text
    hours = f"{_days_cn(s.OFFICE_DAYS)} {s.OFFICE_HOURS}"
    return f"现在不是工作时间（工作时间：{hours}），专员上班后会第一时间处理，" + due_text


def _days_cn(spec: str) -> str:
    names = "一二三四五六日"
    days = sorted(_parse_days(spec))
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        return f"周{names[days[0] - 1]}至周{names[days[-1] - 1]}"
    return "、".join(f"周{names[d - 1]}" for d in days)
