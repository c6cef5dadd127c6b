"""When a worker will hear from an officer: office hours and the case's deadline, in her words."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from answering.when import weekday_cn
from settings import get_settings


def _parse_days(spec: str) -> set[int]:
    days: set[int] = set()
    for part in spec.split(","):
        start, _, end = part.strip().partition("-")
        days.update(range(int(start), int(end or start) + 1))
    return days


def _hours() -> tuple[time, time]:
    start, _, end = get_settings().OFFICE_HOURS.partition("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def in_office_hours(now: datetime | None = None) -> bool:
    s = get_settings()
    local = (now or datetime.now(ZoneInfo(s.TIMEZONE))).astimezone(ZoneInfo(s.TIMEZONE))
    opens, closes = _hours()
    return local.isoweekday() in _parse_days(s.OFFICE_DAYS) and opens <= local.time() < closes


def reply_by(due: datetime) -> datetime:
    """The time we can promise her, local: the case's deadline when officers work then, else the close of
    the next office day after it (a Friday-night deadline falling on Saturday 22:08 is kept on Monday)."""
    s = get_settings()
    local = (due if due.tzinfo else due.replace(tzinfo=ZoneInfo("UTC"))).astimezone(ZoneInfo(s.TIMEZONE))
    if in_office_hours(local):
        return local
    opens, closes = _hours()
    days = _parse_days(s.OFFICE_DAYS)
    day = local.date() if local.time() < opens else local.date() + timedelta(days=1)
    while day.isoweekday() not in days:
        day += timedelta(days=1)
    return datetime.combine(day, closes, tzinfo=local.tzinfo)


def reply_expectation(due: datetime | None, now: datetime | None = None) -> str:
    """One sentence: soon (office hours) or when the office opens, and the latest answer time."""
    s = get_settings()
    due_text = ""
    if due is not None:
        promised = reply_by(due)
        due_text = f"最迟在{promised.month}月{promised.day}日（{weekday_cn(promised)}）{promised:%H:%M}前回复你。"
    if in_office_hours(now):
        lead = "现在是工作时间，维权专员会尽快回复你"
    else:
        lead = f"现在不是工作时间（工作时间：{_days_cn(s.OFFICE_DAYS)} {s.OFFICE_HOURS}），专员上班后会第一时间处理"
    return f"{lead}，{due_text}" if due_text else f"{lead}。"


def _days_cn(spec: str) -> str:
    names = [weekday_cn(date(2024, 1, d)) for d in range(1, 8)]  # 2024-01-01 was a Monday
    days = sorted(_parse_days(spec))
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
        return f"{names[days[0] - 1]}至{names[days[-1] - 1]}"
    return "、".join(names[d - 1] for d in days)
