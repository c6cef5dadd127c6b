"""Overtime pay from her wage and the overtime she told (劳动法 第四十四条: 150 %, 200 %, 300 %)."""
import pytest

from answering import overtime


def test_what_she_told_is_read_clause_by_clause():
    told = overtime.parse("这个月工作日晚上一共加了20个小时，周六加了两天，国庆加了3天")
    assert (told.workday_hours, told.rest_days, told.rest_hours_each, told.holiday_days) == (20, 2, 8, 3)
    told = overtime.parse("加了4个周六的班，每次6小时")
    assert (told.rest_days, told.rest_hours_each) == (4, 6)
    assert not overtime.parse("每天干十一个小时").any()


def test_the_total_is_worked_out_item_by_item():
    text = overtime.pay_part("月薪5220，工作日晚上一共加了20个小时，周六加了两天，公司都没安排补休", 5220)
    assert text.startswith("按你说的加班，单位至少应付你加班费1860元。")
    assert "20小时×30元×150%＝900元" in text and "2天共16小时×30元×200%＝960元" in text
    assert "已经安排同等时间补休" not in text  # she said there was none


def test_a_holiday_is_paid_three_times_the_daily_wage():
    assert "3天×200元×300%＝1800元" in overtime.pay_part("国庆加了3天班", 4350)


def test_without_hours_she_gets_her_rates_and_without_a_wage_nothing():
    text = overtime.pay_part("每天干十一个小时，每周只休一天", 6000)
    assert "每小时至少51.72元" in text and "68.97元" in text and "103.45元" in text
    assert "各地也不同" in text
    assert overtime.pay_part("加班费怎么算", None) is None


def test_the_annual_leave_article_is_named_for_the_day_count_only_not_as_overtimes_basis():
    text = overtime.pay_part("平时晚上加了20个小时", 6000)
    basis = next(line for line in text.splitlines() if line.startswith("法律依据"))
    assert "年休假" not in basis and "第四十四条" in basis
    assert "法律条文没有专门规定加班费按多少天折算" in text


@pytest.mark.parametrize("text,said", [
    ("每天排班都要多干两三个钟头，一个月加下来起码六七十个小时，合法吗", "一个月加班60小时，超过了每月最多36小时"),
    ("厂里让我们每天加班3个小时，周六也要上", "按上20天班算就有60小时"),
    ("天天加班5个钟头", "超过了每天最多3小时")])
def test_her_hours_are_set_against_the_ceiling(text, said):
    part = overtime.limits_part(text)
    assert said in part and "第四十一条" in part


def test_hours_within_the_ceiling_say_nothing():
    assert overtime.limits_part("一个月加班20个小时") is None and overtime.limits_part("每天加班1个小时") is None
