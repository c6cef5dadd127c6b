"""Paid annual leave: the days her working life gives her, and the pay for days she was not let take.

The rules, all read in the official texts:
- 职工带薪年休假条例 第三条: working life of 1 to under 10 years gives 5 days a year, 10 to under 20
  years 10 days, 20 years or more 15 days; public holidays and rest days are not counted in them.
- 企业职工带薪年休假实施办法 第三条: the right starts after 12 months of continuous work (with any
  employer); 第四条: the days follow her whole working life, with this and earlier employers;
  第五条: in the year she joins a new employer the days are pro-rated by the calendar days left in
  the year (remaining days ÷ 365 × her yearly days, a part-day dropped).
- 第十条: days the employer did not let her take are paid at 300 % of her daily wage, the normal
  wage included (so 200 % on top of it), unless she herself declined them in writing; 第十一条: the
  daily wage is the monthly wage (average of the last 12 months, overtime pay excluded) ÷ 21.75.
- 第十二条: when the contract ends, the year's days are pro-rated by the days already passed.
Money is computed in Decimal, like compensation.py.
"""
from __future__ import annotations

import re
from decimal import Decimal

from answering.compensation import render_working, yuan
from answering import facts
from answering.facts import NUMBER, to_int
from knowledge.models import LegalBasis

RULES, MEASURES = "职工带薪年休假条例", "企业职工带薪年休假实施办法"
DAYS_BASIS = [LegalBasis(RULES, "第三条"), LegalBasis(MEASURES, "第三条"), LegalBasis(MEASURES, "第四条")]
NEW_EMPLOYER_BASIS = LegalBasis(MEASURES, "第五条")
PAY_BASIS = [LegalBasis(MEASURES, "第十条"), LegalBasis(MEASURES, "第十一条"), LegalBasis(MEASURES, "第十二条")]
DAYS_BY_YEARS = ((20, 15), (10, 10), (1, 5))  # 条例 第三条: (years of working life at least, days)
PAID_DAYS_PER_MONTH = Decimal("21.75")  # 实施办法 第十一条: 月计薪天数
UNUSED_PAY_PERCENT, NORMAL_PAY_PERCENT = 300, 100  # 实施办法 第十条

_NEW_EMPLOYER = re.compile(r"新(员工|单位|公司|入职|来的)|刚(换|入职|进|来)|今年(才|刚)(来|进|入职)"
                           r"|换了.{0,3}(公司|单位|工作)")
# Not one day taken: 一天没休, 一天年假都没休过 (一天 here is "not a single day", never the count 1).
_NOT_ONE_DAY = re.compile(r"一天(的)?(年休假|年假)?(都|也)(没|没有|未)(让)?(休|歇)")
_NONE_TAKEN = re.compile(rf"{_NOT_ONE_DAY.pattern}|一天(没|没有|未)(让)?(休|歇)|(都|全|从来|一直)(没|没有)(休|歇)")
_UNUSED = tuple(re.compile(p) for p in (  # each names the days in group n
    rf"(?P<n>{NUMBER})天(的)?年(休)?假.{{0,8}}(没|未)休",
    rf"年(休)?假.{{0,6}}(还)?(有|剩|剩下)?(?P<n>{NUMBER})天.{{0,6}}(没|未)休",
    rf"(没|未)休.{{0,6}}(?P<n>{NUMBER})天(的)?年(休)?假"))


def entitled_days(career_months: int) -> int:
    """Her yearly days for a working life of `career_months` (0 before 12 months of work)."""
    years = career_months // 12
    return next((days for least, days in DAYS_BY_YEARS if years >= least), 0)


def parse_unused_days(text: str) -> int | None:
    """Days of annual leave she was not let take: 五天年假一天没休, 年假还有3天没休, 没休的5天年假.
    年假一天没休 means not one day taken, never one day: the days are then not told."""
    if _NOT_ONE_DAY.search(text) or (_NONE_TAKEN.search(text) and not _UNUSED[0].search(text)):
        return None
    for pattern in _UNUSED:
        if (m := pattern.search(text)) and (n := to_int(m.group("n"))) and 0 < n <= 15:
            return n
    return None


def days_part(text: str, career_months: int | None, tenure_months: int | None) -> str | None:
    """Her days of annual leave from the working life she gave. Only this employer's years known:
    they are the least her working life can be, so the days are 'at least'."""
    months = career_months or tenure_months
    if not months:
        return None
    years_text = facts.span_cn(months)
    days = entitled_days(months)
    if days == 0:
        answer = ("你连续工作还不满12个月，按规定还没有带薪年休假；满12个月以后才有"
                  "（以前在别的单位连续工作的时间也算）。")
        return render_working(answer, [f"工作{years_text}，不满12个月"], [], DAYS_BASIS)
    least = "" if career_months else "至少"
    where = "累计工作" if career_months else "在这家单位工作"
    answer = f"按你说的{where}{years_text}，你每年的带薪年休假{least}是{days}天。"
    lines = [f"累计工作满{_band(months)}，年休假{days}天",
             "累计工作时间包括你在以前各个单位的工作时间，周末和法定节假日不算在年假里"]
    caveats, basis = [], list(DAYS_BASIS)
    if _NEW_EMPLOYER.search(text):
        caveats.append(f"你之前已经连续工作满12个月的，到新单位的当年就有年假，不存在“新员工第一年没有年假”："
                       f"当年天数按在本单位剩下的日历天数折算，剩余天数÷365×{days}天，不足1整天的部分不算。")
        basis.append(NEW_EMPLOYER_BASIS)
    if not career_months:
        caveats.append("以前在别的单位工作的年份也要加进去，加上以后满10年、满20年的，天数更多。")
    return render_working(answer, lines, caveats, basis)


def pay_part(text: str, monthly_wage: int | None, entitled: int = 0) -> str | None:
    """What the days she was not let take are worth, from her monthly wage; `entitled`, her yearly
    days when her working life is known, counts when she says none was taken."""
    if not monthly_wage:
        return None
    daily = Decimal(monthly_wage) / PAID_DAYS_PER_MONTH
    extra = UNUSED_PAY_PERCENT - NORMAL_PAY_PERCENT
    lines = [f"日工资＝月工资{monthly_wage}元÷21.75天＝{yuan(daily)}",
             f"没休的每一天按日工资的{UNUSED_PAY_PERCENT}%算，其中{NORMAL_PAY_PERCENT}%是平时已经发的工资"]
    days = parse_unused_days(text) or (entitled if _NONE_TAKEN.search(text) else 0)
    if days:
        total, owed = daily * days * UNUSED_PAY_PERCENT / 100, daily * days * extra / 100
        answer = f"你没休的{days}天年假，单位还应补发你{yuan(owed)}（连同已发的正常工资，共{yuan(total)}）。"
        lines.append(f"{days}天×{yuan(daily)}×{UNUSED_PAY_PERCENT}%＝{yuan(total)}，减去已发的{days}天正常工资，"
                     f"还应补{yuan(owed)}")
    else:
        answer = f"单位没安排你休的年假，每一天应再补你{yuan(daily * extra / 100)}（日工资的{extra}%）。"
    caveats = ["你自己书面提出不休的，单位只付正常工资；月工资按前12个月的平均工资算，不含加班费。",
               "年中离职的，当年的年假按已过的日历天数折算：已过天数÷365×全年天数，再减去已休的天数。"]
    return render_working(answer, lines, caveats, PAY_BASIS)


def _band(months: int) -> str:
    years = months // 12
    return "20年" if years >= 20 else "10年不满20年" if years >= 10 else "1年不满10年"
