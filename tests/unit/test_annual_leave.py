"""Annual leave from her working life, and the pay for days she was not let take
(职工带薪年休假条例 第三条; 企业职工带薪年休假实施办法 第三条至第五条、第十条、第十一条)."""
import pytest

from answering import annual_leave


@pytest.mark.parametrize("months,days", [(11, 0), (12, 5), (119, 5), (120, 10), (239, 10), (240, 15), (480, 15)])
def test_the_days_follow_the_bands_of_the_regulation(months, days):
    assert annual_leave.entitled_days(months) == days


@pytest.mark.parametrize("text,days", [("五天年假一天没休", 5), ("年假还有3天没休", 3), ("没休的十天年假", 10),
                                       ("年假没休", None), ("年假有几天", None)])
def test_the_days_she_did_not_take(text, days):
    assert annual_leave.parse_unused_days(text) == days


def test_a_working_life_across_employers_counts_and_a_new_employer_pro_rates_it():
    text = annual_leave.days_part("我一共工作了12年了，这家公司今年才来的", 144, None)
    assert text.startswith("按你说的累计工作12年，你每年的带薪年休假是10天。")
    assert "剩余天数÷365×10天" in text and "第五条" in text


def test_only_this_employers_years_known_gives_the_least_she_has():
    text = annual_leave.days_part("在这干了3年", None, 36)
    assert "至少是5天" in text and "以前在别的单位" in text and "第五条" not in text


def test_under_a_year_there_is_no_annual_leave_yet():
    assert "还没有带薪年休假" in annual_leave.days_part("入职8个月", None, 8)


def test_unused_days_are_paid_at_three_times_the_daily_wage_the_normal_wage_included():
    text = annual_leave.pay_part("去年五天年假一天没休", 6525)
    assert text.startswith("你没休的5天年假，单位还应补发你3000元（连同已发的正常工资，共4500元）。")
    assert "6525元÷21.75天＝300元" in text
    assert "补你600元" in annual_leave.pay_part("年假不让休", 6525)
    assert annual_leave.pay_part("年假不让休", None) is None


def test_not_one_day_taken_is_all_her_days_never_one():
    assert annual_leave.parse_unused_days("今年的年假一天都没休") is None
    text = annual_leave.pay_part("今年的年假一天都没休", 6525, entitled=5)
    assert text.startswith("你没休的5天年假，单位还应补发你3000元")
    assert "已过天数÷365" in text  # leaving mid-year pro-rates (实施办法 第十二条)


def test_not_a_single_day_taken_is_all_her_days_never_one_day():
    assert annual_leave.parse_unused_days("我进酒店以后一天年假都没休过") is None
    part = annual_leave.pay_part("我进酒店以后一天年假都没休过，年假能不能折成钱", 4500, 5)
    assert "你没休的5天年假" in part and "没休的1天" not in part
