"""Leave calculators: numbers come from rules and the regional table, never from prose.

National rules (女职工劳动保护特别规定 第七条, 第九条): 98 days of maternity leave, +15 for a
difficult birth, +15 for each extra baby; miscarriage before 4 months 15 days, from 4 months 42
days; one hour of breastfeeding time a day until the baby is one, +1 hour per extra baby.
The end date counts the birth day as day one (born 2025-05-10, 158 days -> ends 2025-10-14).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from knowledge import regions
from knowledge.models import NATIONAL, LegalBasis

NATIONAL_BASIS = regions.NATIONAL_BASIS
BREASTFEEDING_BASIS = LegalBasis("女职工劳动保护特别规定", "第九条")
LATE_PREGNANCY_BASIS = LegalBasis("女职工劳动保护特别规定", "第六条", "第二款")
BASE_DAYS = regions.NATIONAL_MATERNITY_DAYS
DIFFICULT_DAYS, PER_EXTRA_BABY = regions.DIFFICULT_BIRTH_DAYS, regions.PER_EXTRA_BABY_DAYS
MISCARRIAGE_EARLY, MISCARRIAGE_LATE = 15, 42


@dataclass
class Calculation:
    total_days: int
    lines: list[str]  # how the total is made up, one part a line
    basis: list[LegalBasis]
    region: str
    end_date: date | None = None
    caveats: list[str] = field(default_factory=list)


def end_of_leave(start: date, days: int) -> date:
    return start + timedelta(days=days - 1)


def maternity_leave(province: str | None = None, babies: int = 1, difficult: bool = False,
                    child_order: int | None = None, birth_date: date | None = None) -> Calculation:
    """Total maternity leave, its parts, and the last day when the birth date is known."""
    babies = max(1, min(int(babies or 1), 6))
    lines = [f"国家规定产假{BASE_DAYS}天"]
    total = BASE_DAYS
    if difficult:
        total += DIFFICULT_DAYS
        lines.append(f"难产增加{DIFFICULT_DAYS}天（剖宫产是否按难产算，以医院诊断和当地规定为准）")
    if babies > 1:
        extra = PER_EXTRA_BABY * (babies - 1)
        total += extra
        lines.append(f"多胞胎每多生育1个婴儿增加{PER_EXTRA_BABY}天，共增加{extra}天")
    basis, caveats, region = [NATIONAL_BASIS], [], NATIONAL
    rule = regions.rules().get(province) if province else None
    if rule is not None and not (rule.verified and rule.extra_days(child_order or 1) is not None):
        # a figure the knowledge base cannot cite is never added to her total
        caveats.append(rule.note or f"{rule.province}的延长生育假本助手还没有核对到现行条例，请向当地工会或12351确认。")
        rule = None
    if rule is not None:
        region = rule.province
        extra_days = rule.extra_days(child_order or 1)
        if extra_days:
            total += extra_days
            lines.append(f"{rule.province}延长生育假{extra_days}天")
            basis += [b for b in rule.basis if b != NATIONAL_BASIS]
        others = {o: d for o, d in rule.maternity_extra_by_order.items() if d != extra_days}
        if others and child_order is None:
            caveats.append("以上按第1个孩子计算；" + "，".join(
                f"生育第{o}个孩子延长{d}天" for o, d in sorted(others.items())) + "。")
    end = end_of_leave(birth_date, total) if birth_date else None
    if end:
        caveats.append("按分娩当天算第1天；如果产前已经开始休假，结束日期相应提前。")
    return Calculation(total, lines, basis, region, end, caveats)


def miscarriage_leave(months: float) -> Calculation:
    """Leave after a miscarriage or induced abortion, by completed months of pregnancy."""
    if months < 4:
        days, rule = MISCARRIAGE_EARLY, "怀孕未满4个月流产，享受15天产假"
    else:
        days, rule = MISCARRIAGE_LATE, "怀孕满4个月流产，享受42天产假"
    return Calculation(days, [rule], [LegalBasis("女职工劳动保护特别规定", "第七条", "第二款")], NATIONAL)


def breastfeeding_time(babies: int = 1) -> Calculation:
    babies = max(1, int(babies or 1))
    hours = babies
    lines = ["婴儿满1周岁前，用人单位应当在每天的劳动时间内安排1小时哺乳时间"]
    if babies > 1:
        lines.append(f"多胞胎每多哺乳1个婴儿每天增加1小时，共{hours}小时")
    return Calculation(hours, lines, [BREASTFEEDING_BASIS], NATIONAL)
