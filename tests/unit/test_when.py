from datetime import date

import pytest

from answering.when import When, describe, parse_when, weekday_cn

TODAY = date(2026, 11, 24)  # a Tuesday


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


@pytest.mark.parametrize("text,day,period", [
    # relative days
    ("今天", d(11, 24), None), ("明天", d(11, 25), None), ("后天", d(11, 26), None),
    ("大后天", d(11, 27), None), ("明天下午", d(11, 25), "下午"), ("后天晚上", d(11, 26), "晚上"),
    ("今晚", d(11, 24), "晚上"), ("明早8点", d(11, 25), "上午"),
    # weekdays without a prefix: the next such day, today included
    ("周五", d(11, 27), None), ("星期五", d(11, 27), None), ("礼拜五", d(11, 27), None),
    ("周二", d(11, 24), None), ("周一", d(11, 30), None), ("星期天", d(11, 29), None),
    ("礼拜日", d(11, 29), None), ("周日晚上", d(11, 29), "晚上"),
    # this week / next week / the week after
    ("本周五", d(11, 27), None), ("这周五", d(11, 27), None), ("这个星期五", d(11, 27), None),
    ("下周三", d(12, 2), None), ("下星期三", d(12, 2), None), ("下礼拜三", d(12, 2), None),
    ("下个星期三", d(12, 2), None), ("下周三上午", d(12, 2), "上午"), ("下周日", d(12, 6), None),
    ("下下周一", d(12, 7), None),
    # month and day
    ("12月5日", d(12, 5), None), ("12月5号", d(12, 5), None), ("12.5", d(12, 5), None),
    ("12/5", d(12, 5), None), ("十二月五号", d(12, 5), None), ("12月5日下午", d(12, 5), "下午"),
    ("12月5号下午3点", d(12, 5), "下午"), ("1月10日", d(1, 10, 2027), None),
    ("4月30号", d(4, 30, 2027), None),
    # full dates
    ("2026-12-05", d(12, 5), None), ("2026年12月5日", d(12, 5), None),
    ("2026/12/05上午", d(12, 5), "上午"), ("二〇二六年十二月五日", d(12, 5), None),
    # day of month, month end
    ("5号", d(12, 5), None), ("30号", d(11, 30), None), ("24号", d(11, 24), None),
    ("十五号上午", d(12, 15), "上午"), ("31号", d(12, 31), None), ("月底", d(11, 30), None),
    ("这个月底", d(11, 30), None), ("下个月5号", d(12, 5), None), ("下月底", d(12, 31), None),
    ("12月底", d(12, 31), None), ("11月底", d(11, 30), None),
])
def test_day_and_period(text, day, period):
    assert parse_when(text, TODAY) == When(day=day, period=period, past=False)


@pytest.mark.parametrize("text,period", [
    ("下午", "下午"), ("上午", "上午"), ("早上", "上午"), ("早晨", "上午"), ("中午", "下午"),
    ("晚上", "晚上"), ("傍晚", "晚上"), ("上午9点", "上午"), ("下午3点半", "下午"),
    ("15:00", "下午"), ("15：30", "下午"), ("8:30", "上午"), ("19:00", "晚上"), ("九点", "上午"),
    ("三点", "下午"), ("中午12点", "下午"), ("晚上8点", "晚上"), ("早上7点", "上午"),
    ("下午3.30", "下午"),
])
def test_period_alone(text, period):
    assert parse_when(text, TODAY) == When(day=None, period=period)


@pytest.mark.parametrize("text,day,period", [
    ("我想预约下周三上午的两癌筛查", d(12, 2), "上午"),
    ("你好，请帮我约一下明天下午的妇科检查，谢谢", d(11, 25), "下午"),
    ("能不能12月5号下午去做孕检", d(12, 5), "下午"),
    ("改到周五", d(11, 27), None),
    ("原来约的周三下午，改到周五上午", d(11, 27), "上午"),
    ("帮我换成下周一", d(11, 30), None),
    ("明天下午不行，后天上午吧", d(11, 26), "上午"),
    ("我今天想预约下周三", d(12, 2), None),
    ("今天下午可以吗", d(11, 24), "下午"),
    ("下午三点以后，周四", d(11, 26), "下午"),
    ("周一到周五都行", d(11, 30), None),
])
def test_in_a_sentence(text, day, period):
    assert parse_when(text, TODAY) == When(day=day, period=period, past=False)


@pytest.mark.parametrize("text,day", [
    ("2025-05-10", date(2025, 5, 10)), ("2025年12月5日", date(2025, 12, 5)),
    ("5月10日", d(5, 10)), ("11月20号", d(11, 20)), ("这周一", d(11, 23)),
    ("上周五", d(11, 20)), ("昨天", d(11, 23)), ("大前天", d(11, 21)),
])
def test_past_dates_are_kept_and_flagged(text, day):
    found = parse_when(text, TODAY)
    assert found is not None and found.day == day
    assert found.past is (day < TODAY)


def test_month_end_today_is_not_past():
    assert parse_when("月底", date(2026, 11, 30)) == When(day=d(11, 30), period=None)


def test_past_date_keeps_its_period():
    assert parse_when("2025-05-10下午", TODAY) == When(day=date(2025, 5, 10), period="下午", past=True)


@pytest.mark.parametrize("text", [
    "2月30日", "2026年2月30日", "13月1日", "2026-02-30", "2月30日下午", "2月29日",  # 2027 not leap
])
def test_impossible_dates(text):
    assert parse_when(text, TODAY) is None


@pytest.mark.parametrize("text", [
    "我要预约", "", "两癌筛查怎么预约", "18号楼在哪", "休息1.5天", "能晚一点吗", "每两周一次",
    "我有两点疑问", "下周", "产假有多少天", "我怀孕3个月了",
])
def test_no_date_no_period(text):
    assert parse_when(text, TODAY) is None


def test_weekday_cn():
    assert [weekday_cn(d(11, 23 + i)) for i in range(7)] == [
        "周一", "周二", "周三", "周四", "周五", "周六", "周日"]


@pytest.mark.parametrize("when,text", [
    (When(d(12, 5), "下午"), "12月5日（周六）下午"),
    (When(d(11, 27), None), "11月27日（周五）"),
    (When(None, "上午"), "上午"),
])
def test_describe(when, text):
    assert describe(when) == text


def test_describe_shows_another_year():
    assert describe(When(date(2027, 1, 10), None), today=TODAY) == "2027年1月10日（周日）"
    assert describe(When(d(12, 5), "晚上"), today=TODAY) == "12月5日（周六）晚上"


def test_friday_on_saturday_is_next_week():
    saturday = date(2026, 11, 28)
    assert parse_when("周五", saturday).day == date(2026, 12, 4)
    assert parse_when("本周五", saturday) == When(day=date(2026, 11, 27), period=None, past=True)
    assert parse_when("下周五", saturday).day == date(2026, 12, 4)


def test_day_of_month_rolls_over_year_end():
    assert parse_when("3号", date(2026, 12, 20)).day == date(2027, 1, 3)
    assert parse_when("下个月5号", date(2026, 12, 20)).day == date(2027, 1, 5)
