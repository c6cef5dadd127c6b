from datetime import date

import pytest

from answering import calculators as calc


def test_shanghai_single_baby_example_from_the_issue():
    result = calc.maternity_leave("上海", birth_date=date(2025, 5, 10))
    assert result.total_days == 158
    assert result.end_date == date(2025, 10, 14)


def test_national_only_counts_birth_day_as_day_one():
    result = calc.maternity_leave(None, birth_date=date(2024, 1, 10))
    assert (result.total_days, result.end_date) == (98, date(2024, 4, 16))


@pytest.mark.parametrize("babies,difficult,expected", [(1, False, 98), (1, True, 113), (2, False, 113),
                                                       (3, False, 128), (3, True, 143)])
def test_national_rules(babies, difficult, expected):
    assert calc.maternity_leave(None, babies, difficult).total_days == expected


def test_zhejiang_depends_on_child_order():
    assert calc.maternity_leave("浙江", child_order=1).total_days == 158
    assert calc.maternity_leave("浙江", child_order=2).total_days == 188


def test_guangdong_twins_difficult():
    assert calc.maternity_leave("广东", babies=2, difficult=True).total_days == 98 + 15 + 15 + 80


def test_unverified_province_gives_national_figure_with_caveat():
    result = calc.maternity_leave("河南")
    assert result.total_days == 98
    assert result.caveats and "核" in result.caveats[0]


@pytest.mark.parametrize("months,days", [(1, 15), (3.5, 15), (4, 42), (6, 42)])
def test_miscarriage(months, days):
    assert calc.miscarriage_leave(months).total_days == days


def test_breastfeeding_hours():
    assert calc.breastfeeding_time(1).total_days == 1
    assert calc.breastfeeding_time(2).total_days == 2
