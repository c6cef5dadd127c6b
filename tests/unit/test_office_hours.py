from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from actions.office_hours import in_office_hours, reply_by, reply_expectation

SH = ZoneInfo("Asia/Shanghai")


def test_weekday_daytime_is_office_hours():
    assert in_office_hours(datetime(2026, 11, 24, 10, 0, tzinfo=SH))  # Tuesday 10:00


def test_night_and_weekend_are_not():
    assert not in_office_hours(datetime(2026, 11, 24, 21, 0, tzinfo=SH))
    assert not in_office_hours(datetime(2026, 11, 28, 10, 0, tzinfo=SH))  # Saturday


def test_out_of_hours_reply_says_when_she_will_hear_back():
    due = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
    text = reply_expectation(due, now=datetime(2026, 11, 28, 10, 0, tzinfo=SH))
    assert "不是工作时间" in text and "周一至周五 09:00-18:00" in text and "11月30日（周一）10:00" in text


def test_a_friday_night_case_is_promised_within_office_time():
    """A high-priority case opened Friday 22:08 is due Saturday 22:08: she is promised Monday's close,
    not a time when nobody works; a deadline before opening moves to that day's close."""
    friday_night = datetime(2026, 11, 27, 22, 8, tzinfo=SH)
    text = reply_expectation(friday_night + timedelta(hours=24), now=friday_night)
    assert "11月30日（周一）18:00" in text and "11月28日" not in text
    assert reply_by(datetime(2026, 12, 1, 2, 33, tzinfo=SH)) == datetime(2026, 12, 1, 18, 0, tzinfo=SH)
    assert reply_by(datetime(2026, 12, 1, 10, 0, tzinfo=SH)) == datetime(2026, 12, 1, 10, 0, tzinfo=SH)
