"""The one grammar of dates (answering/dates.py) and its two readings: a booking looks ahead
(answering/when.py, tested in test_when.py), her story takes the day as she wrote it (answering/facts.py
and the deadlines in answering/compose.py)."""
import ast
import re
from datetime import date
from pathlib import Path

import pytest

from answering import dates, facts, when

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 24)  # a Tuesday
DAY_MARK = re.compile(r"\[(日号|号日)\]")  # how a date pattern ends: 5日 / 5号


@pytest.mark.parametrize("text,expected", [
    ("2025-05-10生的", date(2025, 5, 10)), ("二〇二五年五月十日生的", date(2025, 5, 10)),
    ("25年5月10日生的", date(2025, 5, 10)), ("3月1号生的", date(2026, 3, 1)),
    ("今年3月10号被辞退", date(2026, 3, 10)), ("十二月五号到期", date(2026, 12, 5)),
    ("昨天刚生", date(2026, 11, 23)), ("老板说明天就让我走", date(2026, 11, 25)),
    ("大前天被辞退", date(2026, 11, 21)), ("2025年2月30日", None), ("下周三", None), ("5号", None),
])
def test_a_date_in_her_story_is_the_day_she_wrote(text, expected):
    assert dates.parse_date(text, TODAY) == expected


def test_the_same_words_read_ahead_in_a_booking_and_as_told_in_a_story():
    assert when.parse_when("1月10日", TODAY).day == date(2027, 1, 10)  # a booking: next January
    assert dates.parse_date("1月10日被辞退", TODAY) == date(2026, 1, 10)  # her story: this January
    # every form a story reads books the same day when it lies ahead
    for text in ("明天", "后天", "12月5号", "今年12月5号", "二〇二六年十二月五日", "25年12月5日"):
        assert when.parse_when(text, TODAY).day == dates.parse_date(text, TODAY)


def test_birth_dates_and_bookings_use_the_one_grammar():
    assert facts.parse_date is dates.parse_date
    assert facts.parse_birth_date("老大是25年5月10日剖的", TODAY) == date(2025, 5, 10)


def test_no_second_date_grammar_in_the_answer_logic():
    """A regular expression for 日/号 or a table of relative days outside dates.py is a second grammar.
    (knowledge/entities.py tags dates for the NLU, on the Rasa side; it resolves none.)"""
    relative = {"今天", "明天", "后天", "昨天", "前天"}

    def grammar(path: Path) -> bool:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and DAY_MARK.search(node.value):
                return True
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if len(keys & relative) >= 3:
                    return True
        return False

    files = [p for package in ("answering", "actions") for p in (ROOT / package).rglob("*.py")]
    assert [p.name for p in files if p.name != "dates.py" and grammar(p)] == []


@pytest.mark.parametrize("text,expected", [
    ("2025年8月底辞的工", (date(2025, 8, 31), False)),
    ("二〇二四年三月份被辞退", (date(2024, 3, 1), True)),  # no day: the first, so no limit is counted late
    ("25年8月走的", (date(2025, 8, 1), True)),
    ("2025年8月31日离职", None),  # a full date is parse_date's
    ("2025年13月", None),
])
def test_a_month_told_without_a_day(text, expected):
    assert dates.parse_year_month(text) == expected


def test_a_month_told_relative_to_this_year():
    assert dates.parse_year_month("合同明年1月就到期了", date(2026, 11, 28)) == (date(2027, 1, 1), True)
    assert dates.parse_year_month("去年8月底走的", date(2026, 11, 28)) == (date(2025, 8, 31), False)
