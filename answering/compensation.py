"""Economic compensation calculator: N, 2N and N+1, shown with their working.

The rules, all read in the official texts:
- 劳动合同法 第四十七条: one month's wage for each full year worked; a remainder of six months or
  more counts as a year, a remainder under six months as half a month's wage (第一款).  When her
  monthly wage is above three times the local average monthly wage of the previous year published
  by the city government, the wage used is three times that figure and at most 12 years are paid
  (第二款).  The monthly wage is her average over the 12 months before the contract ended (第三款).
- 劳动合同法实施条例 第二十七条: that wage is what she was owed (应得工资), including time or piece
  wages, bonuses, allowances and subsidies; when the average is below the local minimum wage the
  minimum wage is used; when she worked less than 12 months, the average over the months worked.
- N is owed in the cases of 劳动合同法 第四十六条 (her resignation for the employer's fault under
  第三十八条, a termination the employer proposed and she agreed to, 第四十条, 第四十一条 layoffs,
  expiry without renewal unless she refused renewal on equal or better terms, bankruptcy or closure)
  and when a task-based contract ends (实施条例 第二十二条).
- N+1: under 第四十条 the employer may instead of 30 days' written notice pay one extra month, at
  her previous month's wage (实施条例 第二十条); that month is not economic compensation, so the cap
  does not apply to it.
- 2N: an unlawful termination or ending of the contract lets her ask to keep her job (第四十八条) or
  take damages of twice the compensation standard (第八十七条); damages replace N rather than being
  added to it, and count the years from the start of the employment (实施条例 第二十五条).
- Pregnancy, maternity leave and nursing bar termination under 第四十条 and 第四十一条 (第四十二条第四项)
  and make an expiring contract run on (第四十五条): ending it then is unlawful.  Closure and
  bankruptcy still end it (第四十四条), with N owed.
Money is computed in Decimal and returned as float rounded to the fen.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Sequence

from answering.deadlines import cite_grouped, add_months
from knowledge.models import LegalBasis

LAW, RULES = "劳动合同法", "劳动合同法实施条例"
STANDARD = LegalBasis(LAW, "第四十七条")
WAGE_DEFINITION = LegalBasis(RULES, "第二十七条")
KEEP_JOB = LegalBasis(LAW, "第四十八条")
DAMAGES = LegalBasis(LAW, "第八十七条")
DAMAGES_REPLACE_N = LegalBasis(RULES, "第二十五条")
PAY_IN_LIEU = LegalBasis(RULES, "第二十条")
PROTECTED = LegalBasis(LAW, "第四十二条", "第四项")
NO_DISMISSAL_FOR_PREGNANCY = LegalBasis("女职工劳动保护特别规定", "第五条")
EXTENSION = LegalBasis(LAW, "第四十五条")
OLD_YEARS = LegalBasis(LAW, "第九十七条", "第三款")
LAW_IN_FORCE = date(2008, 1, 1)  # 劳动合同法 第九十八条
CAP_MULTIPLE, CAP_YEARS = 3, 12
UNKNOWN_LOCAL_CAVEAT = "本助手不掌握你所在城市上年度职工月平均工资：月工资高于它3倍的，按3倍算、最多算12年。"


class Situation(str, Enum):
    """How the job ended, as another module extracts it from her story."""

    UNLAWFUL_DISMISSAL = "unlawful_dismissal"  # no lawful ground, or a ground the law bars
    EMPLOYER_TERMINATES_ART40 = "employer_terminates_art40"  # illness, incompetence, changed circumstances
    LAYOFF_ART41 = "layoff_art41"  # 经济性裁员
    DISMISSED_FOR_CAUSE_ART39 = "dismissed_for_cause_art39"  # serious misconduct etc.
    MUTUAL_AGREEMENT_EMPLOYER_PROPOSED = "mutual_agreement_employer_proposed"
    MUTUAL_AGREEMENT_SHE_PROPOSED = "mutual_agreement_she_proposed"
    CONTRACT_EXPIRED_NOT_RENEWED = "contract_expired_not_renewed"
    TASK_COMPLETED = "task_completed"  # 以完成一定工作任务为期限的合同
    EMPLOYER_CLOSED = "employer_closed"  # bankruptcy, licence revoked, ordered closed, dissolved
    SHE_RESIGNED_ART38 = "she_resigned_art38"  # unpaid wages or social insurance, no protection...
    SHE_RESIGNED_VOLUNTARILY = "she_resigned_voluntarily"


class Kind(str, Enum):
    N = "N"
    TWO_N = "2N"
    N_PLUS_1 = "N+1"
    NONE = "none"


@dataclass
class Entitlement:
    """Which payment her situation gives, and why."""

    kind: Kind
    reason: str  # one line of Chinese: the rule that decides it
    basis: list[LegalBasis]
    may_keep_job: bool = False  # 第四十八条: she may ask to keep the job instead of the damages
    caveats: list[str] = field(default_factory=list)


@dataclass
class MoneyCalculation:
    """The money result, with its working.

    `amount` is what she can claim in yuan (None when her wage is unknown: `months` still says how
    many months' wages); `months` is N in months of wage after the 12-year cap; `n_amount` is N
    itself; `extra_month` the +1 of N+1.
    """

    amount: float | None
    months: float
    lines: list[str]
    basis: list[LegalBasis]
    caveats: list[str] = field(default_factory=list)
    kind: Kind = Kind.N
    monthly_wage: float | None = None  # the wage per month actually used (after cap or minimum)
    n_amount: float | None = None
    extra_month: float | None = None
    may_keep_job: bool = False
    capped: bool | None = None  # None: the local average wage is unknown
    tenure: tuple[int, int] = (0, 0)  # full months, extra days
    answer: str = ""


def which_compensation(situation: Situation | str, *, protected: bool = False, notice_given: bool | None = None,
                       renewal_offered: bool | None = None) -> Entitlement:
    """Decide N, 2N, N+1 or nothing for how the job ended.

    `protected`: she was pregnant, on maternity leave or nursing a baby under one when it ended --
    then a termination under 第四十条/第四十一条 or an ending at expiry is unlawful (第四十二条,
    第四十五条), hence 2N.  `notice_given`: under 第四十条 the employer gave 30 days' written notice
    (then N, not N+1; None is read as not given, with a caveat).  `renewal_offered`: at expiry the
    employer offered to renew on equal or better terms and she refused (then nothing is owed).
    """
    s = Situation(situation)
    unlawful_protected = Entitlement(
        Kind.TWO_N, "孕期、产期、哺乳期内单位不得这样解除合同，属于违法解除", [PROTECTED, KEEP_JOB, DAMAGES], True)
    if s is Situation.UNLAWFUL_DISMISSAL:
        if protected:
            return Entitlement(Kind.TWO_N, "单位不得因怀孕、生育、哺乳辞退你，这属于违法解除",
                               [PROTECTED, NO_DISMISSAL_FOR_PREGNANCY, KEEP_JOB, DAMAGES], True)
        return Entitlement(Kind.TWO_N, "单位违法解除或终止合同", [KEEP_JOB, DAMAGES], True)
    if s is Situation.EMPLOYER_TERMINATES_ART40:
        if protected:
            return unlawful_protected
        basis = [LegalBasis(LAW, "第四十条"), LegalBasis(LAW, "第四十六条", "第三项")]
        if notice_given:
            return Entitlement(Kind.N, "单位提前30日书面通知后按第四十条解除，应支付经济补偿N", basis)
        caveats = [] if notice_given is False else ["单位提前30日书面通知的，没有这1个月。"]
        return Entitlement(Kind.N_PLUS_1, "单位按第四十条解除、未提前30日书面通知：N加1个月工资",
                           basis + [PAY_IN_LIEU], caveats=caveats)
    if s is Situation.LAYOFF_ART41:
        if protected:
            return unlawful_protected
        return Entitlement(Kind.N, "经济性裁员，单位应支付经济补偿N",
                           [LegalBasis(LAW, "第四十一条"), LegalBasis(LAW, "第四十六条", "第四项")])
    if s is Situation.DISMISSED_FOR_CAUSE_ART39:
        return Entitlement(Kind.NONE, "因劳动者严重违纪等过错被解除的，单位不需要支付经济补偿",
                           [LegalBasis(LAW, "第三十九条")],
                           caveats=["单位要对解除理由负举证责任；理由不成立就是违法解除，可以要求2N或继续履行合同。"])
    if s is Situation.MUTUAL_AGREEMENT_EMPLOYER_PROPOSED:
        return Entitlement(Kind.N, "单位提出、双方协商一致解除合同，单位应支付经济补偿N",
                           [LegalBasis(LAW, "第三十六条"), LegalBasis(LAW, "第四十六条", "第二项")])
    if s is Situation.MUTUAL_AGREEMENT_SHE_PROPOSED:
        return Entitlement(Kind.NONE, "由你提出、双方协商一致解除的，法律不要求单位支付经济补偿",
                           [LegalBasis(LAW, "第三十六条"), LegalBasis(LAW, "第四十六条", "第二项")])
    if s is Situation.CONTRACT_EXPIRED_NOT_RENEWED:
        if protected:
            return Entitlement(Kind.TWO_N, "孕期、产期、哺乳期内合同到期的应当续延，单位到期终止属于违法终止",
                               [EXTENSION, PROTECTED, KEEP_JOB, DAMAGES], True)
        basis = [LegalBasis(LAW, "第四十四条", "第一项"), LegalBasis(LAW, "第四十六条", "第五项")]
        if renewal_offered:
            return Entitlement(Kind.NONE, "单位维持或提高条件续订而你不同意续订的，合同到期终止没有经济补偿", basis)
        caveats = [] if renewal_offered is False else ["如果单位提出按不低于原条件续订而你不同意，就没有经济补偿。"]
        return Entitlement(Kind.N, "固定期限合同到期，单位不续签的，应支付经济补偿N", basis, caveats=caveats)
    if s is Situation.TASK_COMPLETED:
        return Entitlement(Kind.N, "以完成一定工作任务为期限的合同因任务完成终止，应支付经济补偿N",
                           [LegalBasis(RULES, "第二十二条")])
    if s is Situation.EMPLOYER_CLOSED:
        caveats = ["孕期、产期、哺乳期也一样：单位破产、关闭或解散，合同终止。"] if protected else []
        return Entitlement(Kind.N, "单位破产、被吊销执照、责令关闭、撤销或决定提前解散，合同终止，应支付经济补偿N",
                           [LegalBasis(LAW, "第四十四条"), LegalBasis(LAW, "第四十六条", "第六项")], caveats=caveats)
    if s is Situation.SHE_RESIGNED_ART38:
        return Entitlement(Kind.N, "单位不足额及时发工资、不缴社保等，你依法解除合同的，单位应支付经济补偿N",
                           [LegalBasis(LAW, "第三十八条"), LegalBasis(LAW, "第四十六条", "第一项")])
    return Entitlement(Kind.NONE, "你自己提前30日书面通知辞职的，法律不要求单位支付经济补偿",
                       [LegalBasis(LAW, "第三十七条")],
                       caveats=["如果是因为单位欠薪、不缴社保等原因辞职，可以要求经济补偿，辞职时最好写明原因。"])


def _month_cycle_start(start: date, months: int) -> date:
    """The first day of her (months+1)-th month of work: the same day-of-month `months` later, or
    the 1st of the next month when that month is too short (started 31 January: 1 March)."""
    target = add_months(start, months)
    return target if target.day == start.day else target + timedelta(days=1)


def tenure_between(start: date, end: date) -> tuple[int, int]:
    """Full months and remaining days worked from `start` (first day of employment) to `end` (the
    last day of the employment), both days counted: 2024-01-01 to 2024-06-30 is 6 months 0 days,
    to 2024-06-29 is 5 months 29 days; 2023-01-31 to 2023-02-28 is one month."""
    if end < start:
        raise ValueError("end is before start")
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    while months > 0 and _month_cycle_start(start, months) > after:
        months -= 1
    return months, (after - _month_cycle_start(start, months)).days


def compensation_months(full_months: int, extra_days: int = 0) -> float:
    """N in months of wage (第四十七条第一款): one per full year; a remainder of 6 months or more counts
    as a year; any shorter remainder, even 5 months 29 days or a few days, is half a month."""
    years, rest = divmod(int(full_months), 12)
    if rest >= 6:
        return float(years + 1)
    if rest or extra_days:
        return years + 0.5
    return float(years)


def average_monthly_wage(monthly_wages: Sequence[float]) -> float:
    """Her average monthly wage (第四十七条第三款, 实施条例 第二十七条): the wages she was owed for
    the last 12 months before the contract ended, oldest first; with fewer months, their average."""
    last = [Decimal(str(w)) for w in list(monthly_wages)[-12:]]
    if not last:
        raise ValueError("no wages")
    return float(_fen(sum(last) / len(last)))


def _fen(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def yuan(x: float | Decimal) -> str:
    """18000 -> 18000元; 7333.33 -> 7333.33元 (no thousands separator: Chinese writes 18000元 or 1.8万元)."""
    d = _fen(Decimal(str(x)))
    return f"{d:.0f}元" if d == d.to_integral_value() else f"{d:.2f}元"


def _months_text(m: float) -> str:
    return f"{int(m)}个半月" if m % 1 and m >= 1 else ("半个月" if m % 1 else f"{int(m)}个月")


def _tenure_text(months: int, days: int) -> str:
    years, rest = divmod(months, 12)
    text = (f"{years}年" if years else "") + (f"{rest}个月" if rest else "") + (f"{days}天" if days else "")
    return text or "0天"


def economic_compensation(situation: Situation | str, *, monthly_wage: float | None = None,
                          monthly_wages: Sequence[float] | None = None, tenure_months: int | None = None,
                          start: date | None = None, end: date | None = None,
                          local_average_wage: float | None = None, local_minimum_wage: float | None = None,
                          last_month_wage: float | None = None, protected: bool = False,
                          notice_given: bool | None = None, renewal_offered: bool | None = None) -> MoneyCalculation:
    """What she can claim when her job ends, with the working (see the module docstring for the rules).

    Tenure: `tenure_months` (full months) or `start` and `end` (first and last day of the
    employment, both counted).  Wage: `monthly_wage` (already her 12-month average) or
    `monthly_wages` (oldest first; the last 12 are averaged, or all of them when fewer).  Without a
    wage the result gives months only (`amount` None).  `local_average_wage` is the city's
    published average monthly wage of the previous year: with it the cap is applied or ruled out;
    without it a caveat says the cap may apply -- no city figure is ever assumed.
    `local_minimum_wage`, when given, replaces a lower average (实施条例 第二十七条).
    `last_month_wage` is the base of the +1 in N+1 (实施条例 第二十条); the average stands in for
    it, with a caveat, when it is not given.  `protected`, `notice_given`, `renewal_offered`: see
    `which_compensation`.
    """
    ent = which_compensation(situation, protected=protected, notice_given=notice_given,
                             renewal_offered=renewal_offered)
    basis = list(ent.basis)
    caveats = list(ent.caveats)
    if ent.kind is Kind.NONE:
        return MoneyCalculation(0.0, 0.0, [ent.reason], basis, caveats, Kind.NONE,
                                answer="这种情况下，法律不要求单位支付经济补偿。")
    if tenure_months is not None:
        months_worked, days = int(tenure_months), 0
    elif start is not None and end is not None:
        months_worked, days = tenure_between(start, end)
    else:
        raise ValueError("tenure_months or start and end are needed")
    n_months = compensation_months(months_worked, days)
    years, rest = divmod(months_worked, 12)
    if rest >= 6:
        how = f"剩余{rest}个月满6个月按1年计"
    elif rest or days:
        how = f"剩余{_tenure_text(rest, days)}不满6个月计半个月"
    else:
        how = ""
    tenure_line = f"工作{_tenure_text(months_worked, days)}：" + "，".join(
        p for p in (f"满{years}年计{years}个月" if years else "", how) if p) + f"，共{_months_text(n_months)}"
    lines = [ent.reason, tenure_line]
    basis.append(STANDARD)

    wage: Decimal | None = None
    if monthly_wages:
        wage = Decimal(str(average_monthly_wage(monthly_wages)))
        count = min(len(monthly_wages), 12)
        lines.append(f"月工资＝前{count}个月应得工资（含奖金、津贴、补贴）平均{yuan(wage)}")
        basis.append(WAGE_DEFINITION)
    elif monthly_wage is not None:
        wage = Decimal(str(monthly_wage))
    if wage is not None and local_minimum_wage is not None and wage < Decimal(str(local_minimum_wage)):
        wage = Decimal(str(local_minimum_wage))
        lines.append(f"平均工资低于当地最低工资，按最低工资{yuan(wage)}计算")
        basis.append(WAGE_DEFINITION)

    capped: bool | None = None
    paid_months = n_months
    own_wage = wage  # before the cap: the +1 of N+1 is not capped
    if local_average_wage is not None:
        ceiling = Decimal(str(local_average_wage)) * CAP_MULTIPLE
        capped = wage is not None and wage > ceiling
        if capped:
            paid_months = min(n_months, float(CAP_YEARS))
            lines.append(f"月工资高于当地上年度职工月平均工资{yuan(local_average_wage)}的3倍，"
                         f"按{yuan(ceiling)}计算，最多{CAP_YEARS}年"
                         + (f"，计{_months_text(paid_months)}" if paid_months < n_months else ""))
            wage = ceiling
    else:
        caveats.append(UNKNOWN_LOCAL_CAVEAT)

    if start is not None and start < LAW_IN_FORCE and ent.kind is not Kind.TWO_N:
        caveats.append("2008年以前的工作年限按当时的规定计算经济补偿，结果可能不同。")
        basis.append(OLD_YEARS)
    if ent.kind is Kind.TWO_N:
        basis.append(DAMAGES_REPLACE_N)
    basis = list(dict.fromkeys(basis))

    if wage is None:
        factor = 2 if ent.kind is Kind.TWO_N else 1
        total = paid_months * factor
        answer = {Kind.TWO_N: f"你可以要求继续履行合同；不要求的，可以要求赔偿金2N，即{_months_text(total)}工资。",
                  Kind.N: f"你可以要求经济补偿N，即{_months_text(total)}工资。",
                  Kind.N_PLUS_1: f"你可以要求经济补偿N，即{_months_text(total)}工资，另加1个月工资。"}[ent.kind]
        lines.append("告诉我你解除前12个月的平均月工资，可以算出金额")
        return MoneyCalculation(None, paid_months, lines, basis, caveats, ent.kind, None, None, None,
                                ent.may_keep_job, capped, (months_worked, days), answer)

    n_amount = _fen(wage * Decimal(str(paid_months)))
    lines.append(f"N＝{_months_text(paid_months)}×{yuan(wage)}＝{yuan(n_amount)}")
    extra = None
    if ent.kind is Kind.TWO_N:
        amount = n_amount * 2
        lines.append(f"赔偿金2N＝2×{yuan(n_amount)}＝{yuan(amount)}（不再另付N）")
        answer = f"你可以要求单位继续履行劳动合同；不要求的，可以要求赔偿金{yuan(amount)}（2N）。"
    elif ent.kind is Kind.N_PLUS_1:
        extra = _fen(Decimal(str(last_month_wage)) if last_month_wage is not None else own_wage)
        amount = n_amount + extra
        lines.append(f"另加1个月＝{yuan(extra)}" + ("（应按上月工资，这里用平均工资）" if last_month_wage is None
                                                 else "（上月工资）"))
        answer = f"你可以要求经济补偿{yuan(n_amount)}，另加1个月工资{yuan(extra)}，共{yuan(amount)}（N+1）。"
    else:
        amount = n_amount
        answer = f"你可以要求经济补偿{yuan(amount)}（N）。"
    return MoneyCalculation(float(amount), paid_months, lines, basis, caveats, ent.kind, float(wage),
                            float(n_amount), float(extra) if extra is not None else None, ent.may_keep_job,
                            capped, (months_worked, days), answer)


def standard_months(tenure_months: int, monthly_wage: float | None = None) -> str:
    """N for her years when she has not said how the job ends: the months (and the amount with her wage),
    and that whether N, 2N or nothing is owed depends on the ending, which she is asked to tell."""
    months = compensation_months(tenure_months)
    lines = [f"工作{_tenure_text(tenure_months, 0)}：满1年计1个月，剩余满6个月按1年计、不满6个月计半个月，"
             f"共{_months_text(months)}"]
    answer = f"按你的工作年限，经济补偿N是{_months_text(months)}工资"
    if monthly_wage:
        amount = Decimal(str(months)) * Decimal(str(monthly_wage))
        lines.append(f"N＝{_months_text(months)}×{yuan(monthly_wage)}＝{yuan(amount)}")
        answer += f"，即{yuan(amount)}"
    caveats = ["拿不拿、拿N还是2N，要看合同是怎么结束的：公司违法辞退是2N，合同到期不续、协商解除（公司提出）、"
               "裁员、公司倒闭等一般给N，你自己辞职一般没有（公司欠薪、不交社保你才辞的除外）。告诉我是怎么结束的，我帮你算准。"]
    return render_working(answer + "。", lines, caveats, [STANDARD])


def render_compensation(result: MoneyCalculation) -> str:
    return render_working(result.answer, result.lines, result.caveats, result.basis)


def render_working(answer: str, lines: list[str], caveats: list[str], basis: list[LegalBasis]) -> str:
    """A short reply on her money or days: the answer first, then 计算方法, the caveats and 法律依据."""
    parts = [answer, "计算方法：" + "；".join(lines) + "。", *caveats, "法律依据：" + cite_grouped(basis)]
    return "\n".join(parts)
