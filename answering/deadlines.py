"""Deadline calculators: the last day to act, from rules, never from prose.

How days are counted (one convention for every function here, the one Chinese law uses for
periods: 民法典 第二百零一条、第二百零二条, and 民事诉讼法 for procedural periods):
- the day of the event (the day she learned of the violation, the day the notice was delivered,
  the day the award was received) is NOT counted; the period starts the next day;
- a period in days ends on event + N days (award received 2025-03-01, 15 days -> 2025-03-16);
- a period in months or years ends on the corresponding day of the last month (learned on
  2025-03-10, one year -> 2026-03-10); when that month has no such day, on its last day
  (2024-02-29 + one year -> 2025-02-28).
The date returned is the last day on which she may still act.  A last day that falls on a public
holiday may be extended by the general rules on periods, but those rules are not in the texts this
assistant holds, so no function moves a date: the replies tell her to act earlier instead.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from answering.calculators import Calculation
from knowledge.models import NATIONAL, LegalBasis
from knowledge.numerals import NUMERAL_CHARS, cn_to_int

ARBITRATION_LIMIT = LegalBasis("劳动争议调解仲裁法", "第二十七条", "第一款")
ARBITRATION_INTERRUPTION = LegalBasis("劳动争议调解仲裁法", "第二十七条", "第二款")
ARBITRATION_WAGE_ARREARS = LegalBasis("劳动争议调解仲裁法", "第二十七条", "第四款")
AWARD_TIME = LegalBasis("劳动争议调解仲裁法", "第四十三条")
COURT_AFTER_FINAL_AWARD = LegalBasis("劳动争议调解仲裁法", "第四十八条")
COURT_AFTER_AWARD = LegalBasis("劳动争议调解仲裁法", "第五十条")
RESIGNATION = LegalBasis("劳动合同法", "第三十七条")
EXTENSION = LegalBasis("劳动合同法", "第四十五条")
PROTECTED_PERIODS = LegalBasis("劳动合同法", "第四十二条", "第四项")
NURSING_UNTIL_ONE = LegalBasis("女职工劳动保护特别规定", "第九条")

NOTICE_DAYS, PROBATION_NOTICE_DAYS = 30, 3
COURT_DAYS = 15
AWARD_DAYS, AWARD_EXTENSION_DAYS = 45, 15
# A pregnancy lasts at most about 42 weeks (a medical bound, not a legal rule): a contract that
# ended more than this before the birth or due date ended before she was pregnant.
MAX_PREGNANCY_DAYS = 42 * 7
COUNTING = "当天不算，从次日起算"
ACT_EARLY = "请尽早办理，不要等到最后一天。"


@dataclass
class Deadline(Calculation):
    """A `Calculation` whose `end_date` is the last day to act (or the last day of the contract).

    `total_days` is the length of the period in days (0 when there is no time limit or no
    extension); `start_date` is the event day the period is counted from (not itself counted).
    """

    kind: str = ""  # arbitration / arbitration_unlimited / resignation / contract_extension / court / award
    answer: str = ""  # the result in one sentence, for the first line of the reply
    start_date: date | None = None
    expired: bool | None = None  # set when `today` was given: the last day has passed


def add_months(day: date, months: int) -> date:
    """The corresponding day `months` later; the month's last day when there is none
    (民法典 第二百零二条: 没有对应日的，月末日为期间的最后一日)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """The corresponding day `years` later (29 February -> 28 February in a common year)."""
    return add_months(day, 12 * years)


def cn_date(day: date) -> str:
    """2026年3月10日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _days_left(end: date, today: date | None) -> tuple[bool | None, str | None]:
    if today is None:
        return None, None
    if today > end:
        return True, f"按这个算法，期限已在{cn_date(end)}届满。"
    return False, f"今天起算还剩{(end - today).days}天（含最后一天当天）。"


def arbitration_deadline(knew_on: date | None = None, *, wage_arrears: bool = False,
                         employment_ended_on: date | None = None, today: date | None = None) -> Deadline:
    """The last day to apply for labour arbitration (劳动争议调解仲裁法 第二十七条).

    Why: the limit is one year from the day she knew or should have known that her rights were
    infringed (第一款).  For a dispute over unpaid wages (拖欠劳动报酬) that arises while the
    employment lasts the one-year limit does not apply; once the employment has ended she must
    apply within one year from the day it ended (第四款) -- so for wage arrears `knew_on` is not
    used: with `employment_ended_on` the year runs from that day, without it there is no limit.
    The limit restarts when she claims her rights from the employer, asks an authority for help,
    or the employer agrees to pay (第二款), and pauses for force majeure or other good reasons
    (第三款); the result says so rather than guessing whether that happened.

    Counting: the starting day is not counted; the last day is the corresponding day one year
    later (learned 2025-03-10 -> last day 2026-03-10; 2024-02-29 -> 2025-02-28).  With `today`,
    `expired` and the days left are filled in.
    """
    caveats = ["如果你向单位讨要过、向劳动监察等部门投诉过，或者单位同意支付，时效从那时起重新计算；"
               "因不可抗力等正当理由不能申请的，时效中止。" + ACT_EARLY]
    if wage_arrears and employment_ended_on is None:
        answer = ("在职期间因拖欠工资申请仲裁，不受一年时效限制；离职后，应当自劳动关系终止之日起一年内申请。")
        lines = ["劳动关系存续期间因拖欠劳动报酬发生争议，申请仲裁不受一年时效期间的限制",
                 "劳动关系终止的，应当自终止之日起一年内提出"]
        return Deadline(0, lines, [ARBITRATION_WAGE_ARREARS], NATIONAL, None, [ACT_EARLY],
                        kind="arbitration_unlimited", answer=answer)
    if wage_arrears:
        start = employment_ended_on
        end = add_years(start, 1)
        answer = f"追讨拖欠的工资，申请劳动仲裁的最后一天是{cn_date(end)}。"
        lines = ["在职期间拖欠工资的争议不受一年时效限制，但劳动关系终止后应在一年内申请",
                 f"劳动关系{cn_date(start)}终止，{COUNTING}，一年到{cn_date(end)}"]
        basis = [ARBITRATION_WAGE_ARREARS, ARBITRATION_INTERRUPTION]
    else:
        if knew_on is None:
            raise ValueError("knew_on is needed unless the dispute is over wage arrears")
        start = knew_on
        end = add_years(start, 1)
        answer = f"申请劳动仲裁的时效是一年，最后一天是{cn_date(end)}。"
        lines = [f"时效从知道或者应当知道权利被侵害之日（{cn_date(start)}）起算一年",
                 f"{COUNTING}，到{cn_date(end)}"]
        basis = [ARBITRATION_LIMIT, ARBITRATION_INTERRUPTION]
    expired, left = _days_left(end, today)
    if left:
        answer += left
    return Deadline((end - start).days, lines, basis, NATIONAL, end, caveats,
                    kind="arbitration", answer=answer, start_date=start, expired=expired)


def resignation_effective_date(notice_delivered_on: date, *, probation: bool = False) -> Deadline:
    """The last day of her job when she resigns with notice (劳动合同法 第三十七条).

    Why: she may end the contract by giving 30 days' written notice, or 3 days' notice while on
    probation; the employer's approval is not needed.  Counting: the notice period starts the day
    after the notice reaches the employer; the last day of the notice period is delivery + 30
    (or + 3) days, and that day is the last day of the contract -- from the next day she need not
    come to work (notice delivered 2025-03-01 -> last day 2025-03-31; in probation 2025-03-04).
    """
    days = PROBATION_NOTICE_DAYS if probation else NOTICE_DAYS
    end = notice_delivered_on + timedelta(days=days)
    how = "提前3日通知" if probation else "提前30日书面通知"
    answer = f"辞职通知{cn_date(notice_delivered_on)}送达单位，{cn_date(end)}是最后一天，之后合同解除，你可以不再上班。"
    lines = [("试用期内" if probation else "") + f"劳动者{how}用人单位，可以解除劳动合同，不需要单位批准",
             f"送达{COUNTING}，第{days}天是{cn_date(end)}"]
    caveats = ["保留通知已送达的证据（签收、邮件或聊天记录）。单位同意的话，也可以协商提前离职。"]
    if probation:
        caveats[0] = "试用期辞职法律没有要求书面形式，但最好书面通知并" + caveats[0]
    return Deadline(days, lines, [RESIGNATION], NATIONAL, end, caveats,
                    kind="resignation", answer=answer, start_date=notice_delivered_on)


def contract_extension(contract_end: date, *, birth_date: date | None = None, due_date: date | None = None,
                       pregnant_since: date | None = None) -> Deadline:
    """The last day of a fixed-term contract that expires during pregnancy, childbirth or nursing.

    Why: a contract that expires while she is pregnant, on maternity leave or nursing runs on until
    that circumstance ends (劳动合同法 第四十五条 with 第四十二条第四项).  The three periods follow
    one another, and the nursing period lasts while the baby is under one year old (女职工劳动保护
    特别规定 第九条: 哺乳未满1周岁的婴儿), so the contract runs on to the baby's first birthday,
    which is its last day: the year is counted like every period here, the birth day not counted and
    the year ending on the corresponding day (born 2025-05-10 -> 2026-05-10; born on 29 February
    -> 28 February).  Inputs: the contract's end date and the birth date, or the due date before
    the birth (the end is then an estimate: the actual first birthday decides).

    Not extended: when the contract ends on or after the first birthday, or before she was
    pregnant -- known from `pregnant_since`, or, when that is not given, because the contract ended
    more than 42 weeks (the longest pregnancy) before the birth or due date.  A contract ending the
    day before the birth ends during the pregnancy, so it runs on to the first birthday.
    `total_days` is the number of days added; `end_date` the contract's last day after extension.
    """
    baby_day = birth_date or due_date
    if baby_day is None:
        raise ValueError("birth_date or due_date is needed")
    estimated = birth_date is None
    first_birthday = add_years(baby_day, 1)
    basis = [EXTENSION, PROTECTED_PERIODS, NURSING_UNTIL_ONE]
    caveats: list[str] = []
    estimate_caveat = ["以上按预产期推算，以孩子实际满1周岁那天为准。"] if estimated else []
    birthday_text = cn_date(first_birthday)
    if contract_end >= first_birthday:
        answer = f"合同{cn_date(contract_end)}到期时孩子已满1周岁（{birthday_text}），哺乳期已结束，合同不因此续延。"
        lines = ["孕期、产期、哺乳期内合同到期的才续延", f"孩子{birthday_text}满1周岁，合同到期时哺乳期已结束"]
        return Deadline(0, lines, basis, NATIONAL, contract_end, estimate_caveat, kind="contract_extension",
                        answer=answer, start_date=contract_end)
    if contract_end < baby_day:
        before = (pregnant_since is not None and contract_end < pregnant_since) or (
            pregnant_since is None and (baby_day - contract_end).days > MAX_PREGNANCY_DAYS)
        if before:
            answer = f"合同{cn_date(contract_end)}到期时你还没有怀孕，合同不因怀孕续延。"
            lines = ["孕期、产期、哺乳期内合同到期的才续延", "合同到期早于怀孕"]
            if pregnant_since is None:
                caveats.append("这是按怀孕最长约42周推算的；如果合同到期时你已经怀孕，合同应当续延。")
            return Deadline(0, lines, basis, NATIONAL, contract_end, caveats, kind="contract_extension",
                            answer=answer, start_date=contract_end)
        if pregnant_since is None:
            caveats.append("按合同到期时你已经怀孕计算。")
        stage = "孕期"
    else:
        stage = "孕期或哺乳期" if estimated else "产期或哺乳期"
    caveats += estimate_caveat
    answer = (f"合同{cn_date(contract_end)}到期时你在{stage}，合同应当续延到孩子满1周岁，"
              f"即{birthday_text}{'（预计）' if estimated else ''}才终止。")
    lines = ["孕期、产期、哺乳期内合同期满的，续延至相应的情形消失时终止",
             f"哺乳期到婴儿满1周岁，即{birthday_text}"]
    caveats.append("单位破产、被吊销执照或决定提前解散的，合同仍会终止，单位应支付经济补偿；"
                   "续延期满单位不续签的，也应支付经济补偿。")
    return Deadline((first_birthday - contract_end).days, lines, basis, NATIONAL, first_birthday, caveats,
                    kind="contract_extension", answer=answer, start_date=contract_end)


def court_deadline(award_received_on: date, *, final_award: bool = False, today: date | None = None) -> Deadline:
    """The last day to sue in court against an arbitral award she disagrees with.

    Why: against an award that is not final either party may sue within 15 days of receiving it,
    after which the award takes effect (劳动争议调解仲裁法 第五十条); against a final award
    (第四十七条: small claims up to 12 months of the local minimum wage, working-time, leave and
    social-insurance standards) only the worker may sue, also within 15 days (第四十八条).
    Counting: the day of receipt is not counted (received 2025-03-01 -> last day 2025-03-16).
    """
    end = award_received_on + timedelta(days=COURT_DAYS)
    answer = f"不服仲裁裁决的，向人民法院起诉的最后一天是{cn_date(end)}。"
    lines = [f"自收到仲裁裁决书之日起{COURT_DAYS}日内起诉",
             f"{cn_date(award_received_on)}收到，{COUNTING}，到{cn_date(end)}"]
    if final_award:
        basis = [COURT_AFTER_FINAL_AWARD]
        caveats = ["终局裁决只有劳动者可以起诉，单位只能向中级人民法院申请撤销。" + ACT_EARLY]
    else:
        basis = [COURT_AFTER_AWARD]
        caveats = ["期满不起诉，裁决书发生法律效力。" + ACT_EARLY]
    expired, left = _days_left(end, today)
    if left:
        answer += left
    return Deadline(COURT_DAYS, lines, basis, NATIONAL, end, caveats, kind="court", answer=answer,
                    start_date=award_received_on, expired=expired)


def award_due_date(accepted_on: date, *, extended: bool = False) -> Deadline:
    """The last day for the arbitral tribunal to decide (劳动争议调解仲裁法 第四十三条).

    Why: the case must end within 45 days of the commission accepting the application; a complex
    case may be extended once, by at most 15 days, with written notice; if no award is made in
    time she may take the dispute to court.  Counting: the day of acceptance is not counted.
    """
    days = AWARD_DAYS + (AWARD_EXTENSION_DAYS if extended else 0)
    end = accepted_on + timedelta(days=days)
    answer = f"仲裁委{cn_date(accepted_on)}受理的，应当在{cn_date(end)}前作出裁决。"
    lines = ["自受理仲裁申请之日起45日内结束", *(["经批准延期并书面通知的，最多延长15日"] if extended else []),
             f"{COUNTING}，到{cn_date(end)}"]
    caveats = ["逾期未作出裁决的，你可以就该争议直接向人民法院起诉。"]
    return Deadline(days, lines, [AWARD_TIME], NATIONAL, end, caveats, kind="award", answer=answer,
                    start_date=accepted_on)


def article_number(article: str) -> int:
    """第四十二条 -> 42, 第一千零一十条 -> 1010 (0 when there is no article), for ordering citations:
    the numeral is read by knowledge.numerals, so 民法典 articles from 1000 on sort after 第九百条."""
    return cn_to_int("".join(ch for ch in article if ch in NUMERAL_CHARS))


def cite_grouped(basis: list[LegalBasis]) -> str:
    """《劳动合同法》第四十二条第四项、第四十五条；《劳动争议调解仲裁法》第二十七条第一款、第二款:
    each law named once, in the order laws first appear, its articles in numerical order."""
    by_law: dict[str, list[LegalBasis]] = {}
    for b in basis:
        by_law.setdefault(b.law, [])
        if b not in by_law[b.law]:
            by_law[b.law].append(b)
    out = []
    for law, items in by_law.items():
        parts, previous = [], None
        for b in sorted(items, key=lambda b: (article_number(b.article), article_number(b.paragraph))):
            parts.append(b.paragraph if b.article == previous and b.paragraph else b.article + b.paragraph)
            previous = b.article
        out.append(f"《{law}》" + "、".join(parts))
    return "；".join(out)


def render_deadline(result: Deadline) -> str:
    """A short reply: the answer first, then 计算方法, the caveats and 法律依据."""
    parts = [result.answer, "计算方法：" + "；".join(result.lines) + "。", *result.caveats,
             "法律依据：" + cite_grouped(result.basis)]
    return "\n".join(parts)
