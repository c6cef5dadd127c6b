from datetime import date

import pytest

from answering import facts


@pytest.mark.parametrize("text,expected", [
    ("2025-05-10生的", date(2025, 5, 10)), ("2025年5月10日出生", date(2025, 5, 10)),
    ("2025/5/10生", date(2025, 5, 10)), ("二〇二五年五月十日生的", date(2025, 5, 10)),
    ("3月1号生的", date(2026, 3, 1)), ("昨天刚生", date(2026, 11, 23)), ("2025年2月30日", None),
])
def test_dates(text, expected):
    assert facts.parse_date(text, today=date(2026, 11, 24)) == expected


@pytest.mark.parametrize("text,expected", [("怀孕五个半月流产", 5.5), ("怀孕两个月自然流产", 2.0),
                                           ("6个月引产", 6.0), ("孩子八个月大", None)])
def test_pregnancy_months(text, expected):
    assert facts.parse_pregnancy_months(text) == expected


@pytest.mark.parametrize("text,expected", [("双胞胎呢", 2), ("龙凤胎", 2), ("生三胞胎", 3), ("生二胎", None)])
def test_babies(text, expected):
    assert facts.parse_babies(text) == expected


@pytest.mark.parametrize("text,expected", [("第二胎", 2), ("二胎", 2), ("头胎", 1), ("生老三", 3), ("产假", None)])
def test_child_order(text, expected):
    assert facts.parse_child_order(text) == expected


def test_difficult_birth_and_negation():
    assert facts.parse_difficult("剖腹产的") is True
    assert facts.parse_difficult("顺产") is False
    assert facts.parse_difficult("产假") is None


def test_extract_uses_aliases_and_cities():
    assert facts.extract("我在魔都上班").province == "上海"
    assert facts.extract("深圳的产假").province == "广东"
    assert facts.extract("产假多少天").province is None


def test_new_facts_win_and_old_ones_stay():
    old = facts.Facts(province="上海", babies=2)
    new = facts.Facts(province="广东")
    assert new.merged_over(old) == facts.Facts(province="广东", babies=2)
