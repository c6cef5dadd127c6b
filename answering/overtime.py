"""Overtime pay from her monthly wage and the overtime she told: the least the law lets it be.

劳动法 第四十四条: overtime on a working day is paid at no less than 150 % of the wage, work on a
rest day that is not made up with time off at no less than 200 %, work on a public holiday at no less
than 300 %. The daily wage is the monthly wage ÷ 21.75 and the hourly wage the daily ÷ 8 (劳动法
第三十六条: eight hours a day). 21.75 is the 月计薪天数 that 企业职工带薪年休假实施办法 第十一条 uses for a
day's wage of annual leave; no text of ours sets it for overtime, so the reply says where the figure
comes from and that regions may count otherwise, and does not cite that article as overtime's basis (a
reviewer found it listed under 法律依据 of an overtime answer).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from answering.annual_leave import PAID_DAYS_PER_MONTH
from answering.compensation import render_working, yuan
from answering.facts import NUMBER, to_int
from knowledge.models import LegalBasis

BASIS = [LegalBasis("劳动法", "第三十六条"), LegalBasis("劳动法", "第四十四条")]
HOURS_PER_DAY = 8
WORKDAY, REST_DAY, HOLIDAY = 150, 200, 300  # per cent of the wage, 劳动法 第四十四条

_GAP = "[^，。；？]"  # within one clause
_REST_DAY_WORDS = "周六|周日|周末|星期六|星期天|星期日|礼拜六|礼拜天|礼拜日|休息日|双休日?"
_WORKDAY_HOURS = re.compile(rf"(工作日|平时|平常|晚上|下班后?){_GAP}{{0,10}}?加(了)?(班)?(?P<n>{NUMBER})(个)?(半)?小时")
_REST_DAYS = (re.compile(rf"({_REST_DAY_WORDS}){_GAP}{{0,6}}?加(了)?(班)?(?P<n>{NUMBER})天"),
              re.compile(rf"加(了)?(?P<n>{NUMBER})个({_REST_DAY_WORDS})"),
              re.compile(rf"(?P<n>{NUMBER})个({_REST_DAY_WORDS}){_GAP}{{0,8}}加(了)?班"))
_REST_HOURS_EACH = re.compile(rf"每(次|天|个){_GAP}{{0,3}}?(?P<n>{NUMBER})(个)?小时")
_HOLIDAY_DAYS = re.compile(rf"(法定节假日|法定假日|国庆|春节|五一|元旦|中秋|端午|清明|过年){_GAP}{{0,8}}?"
                           rf"加(了)?(班)?(?P<n>{NUMBER})天")
_MADE_UP = re.compile(r"(?<![没未不])(安排|给)(了)?补休|(?<![没未不])调休了")


@dataclass
class Overtime:
    """The overtime she told: hours on working days, days (and hours each) on rest days and holidays."""

    workday_hours: int = 0
    rest_days: int = 0
    rest_hours_each: int = HOURS_PER_DAY
    holiday_days: int = 0

    def any(self) -> bool:
        return bool(self.workday_hours or self.rest_days or self.holiday_days)


def parse(text: str) -> Overtime:
    """工作日晚上一共加了20个小时, 周六加了两天, 加了4个周六的班每次8小时, 国庆加了3天."""
    told = Overtime()
    if m := _WORKDAY_HOURS.search(text):
        told.workday_hours = to_int(m.group("n")) or 0
    for pattern in _REST_DAYS:
        if m := pattern.search(text):
            told.rest_days = to_int(m.group("n")) or 0
            break
    if told.rest_days and (m := _REST_HOURS_EACH.search(text)) and 0 < (each := to_int(m.group("n")) or 0) <= 12:
        told.rest_hours_each = each
    if m := _HOLIDAY_DAYS.search(text):
        told.holiday_days = to_int(m.group("n")) or 0
    return told


def pay_part(text: str, monthly_wage: int | None) -> str | None:
    """Her overtime pay when she gave her wage: the total for what she told, else her rates."""
    if not monthly_wage:
        return None
    daily = Decimal(monthly_wage) / PAID_DAYS_PER_MONTH
    hourly = daily / HOURS_PER_DAY
    lines = [f"日工资＝{monthly_wage}元÷21.75天＝{yuan(daily)}，小时工资＝日工资÷8＝{yuan(hourly)}"]
    told = parse(text)
    caveats = ["这是法定的最低标准；21.75天是《企业职工带薪年休假实施办法》第十一条折算日工资用的月计薪天数，"
               "法律条文没有专门规定加班费按多少天折算，加班工资按什么基数算（奖金、补贴算不算）各地也不同，"
               "可以问12333或维权专员。"]
    if _MADE_UP.search(text):
        caveats.append("休息日加班已经安排同等时间补休的，不再另付200%。")
    if not told.any():
        answer = (f"按你的月工资，工作日加班每小时至少{yuan(hourly * WORKDAY / 100)}，休息日加班又不补休的每小时至少"
                  f"{yuan(hourly * REST_DAY / 100)}，法定节假日加班每小时至少{yuan(hourly * HOLIDAY / 100)}。")
        return render_working(answer, lines + ["工作日×150%，休息日×200%，法定节假日×300%"], caveats, BASIS)
    total = Decimal(0)
    for amount, line in _items(told, daily, hourly):
        total += amount
        lines.append(line)
    answer = f"按你说的加班，单位至少应付你加班费{yuan(total)}。"
    return render_working(answer, lines, caveats, BASIS)


# 劳动法 第四十一条: overtime after consulting the union and her, as a rule at most 1 hour a day; for a
# special reason at most 3 hours a day, and never more than 36 hours a month.
DAILY_CAP, MONTHLY_CAP = 3, 36
LIMITS_BASIS = [LegalBasis("劳动法", "第四十一条")]
_HOUR_WORD = r"(个)?多?(小时|钟头|钟)"
_DAILY_OVERTIME = re.compile(rf"(每天|天天|一天|每日)[^，。；？]{{0,8}}?(加班|多干|加|延长)(了)?[^，。；？]{{0,3}}?"
                             rf"(?P<n>{NUMBER}){_HOUR_WORD}")
_MONTHLY_OVERTIME = re.compile(rf"(一个月|每个?月|一月)[^，。；？]{{0,10}}?(?P<n>{NUMBER}){_HOUR_WORD}")


def limits_part(text: str) -> str | None:
    """Her overtime hours set against the legal ceiling (3 a day, 36 a month) when she told them."""
    monthly = _MONTHLY_OVERTIME.search(text)
    daily = _DAILY_OVERTIME.search(text)
    month_hours = to_int(monthly.group("n"), low=True) if monthly else None
    day_hours = to_int(daily.group("n"), low=True) if daily else None
    lines = []
    if day_hours and 0 < day_hours <= 16:
        lines.append(f"每天加班{day_hours}小时" + ("，超过了每天最多3小时的上限" if day_hours > DAILY_CAP else ""))
        if month_hours is None and day_hours * 20 > MONTHLY_CAP:
            lines.append(f"一个月按上20天班算就有{day_hours * 20}小时，超过了每月最多36小时的上限")
    if month_hours and 0 < month_hours <= 300:
        over_month = "，超过了每月最多36小时的上限" if month_hours > MONTHLY_CAP else ""
        lines.append(f"一个月加班{month_hours}小时{over_month}")
    if not any("超过" in line for line in lines):
        return None
    answer = "按你说的加班时间，已经超过了法律允许的加班上限，单位这样安排是违法的。"
    caveats = ["加班要先和工会、本人协商，一般每天不超过1小时，特殊原因每天不超过3小时，每月不超过36小时；"
               "抢险救灾、设备抢修等紧急情况不受这个上限限制。",
               "超时加班可以打12333向劳动保障监察投诉，加过的班照样要按标准付加班费。"]
    return render_working(answer, lines, caveats, LIMITS_BASIS)


def _items(told: Overtime, daily: Decimal, hourly: Decimal) -> list[tuple[Decimal, str]]:
    items = []
    if told.workday_hours:
        amount = hourly * told.workday_hours * WORKDAY / 100
        items.append((amount, f"工作日加班{told.workday_hours}小时×{yuan(hourly)}×{WORKDAY}%＝{yuan(amount)}"))
    if told.rest_days:
        hours = told.rest_days * told.rest_hours_each
        amount = hourly * hours * REST_DAY / 100
        items.append((amount, f"休息日加班{told.rest_days}天共{hours}小时×{yuan(hourly)}×{REST_DAY}%＝{yuan(amount)}"))
    if told.holiday_days:
        amount = daily * told.holiday_days * HOLIDAY / 100
        items.append((amount, f"法定节假日加班{told.holiday_days}天×{yuan(daily)}×{HOLIDAY}%＝{yuan(amount)}"))
    return items
