"""Deadlines, checked against 劳动争议调解仲裁法 第二十七、四十三、四十八、五十条, 劳动合同法 第三十七、
四十二、四十五条 and 女职工劳动保护特别规定 第九条.  Counting: the event day is not counted; a period in
days ends on event + N; a period in years on the corresponding day (the month's last day if none)."""
from datetime import date

import pytest

from answering import deadlines as dl
from knowledge.models import LegalBasis


def test_add_months_clamps_to_month_end():
    assert dl.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert dl.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert dl.add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert dl.add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert dl.add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_arbitration_one_year_ends_on_the_corresponding_day():
    result = dl.arbitration_deadline(date(2025, 3, 10))
    assert result.end_date == date(2026, 3, 10)
    assert result.total_days == 365
    assert LegalBasis("劳动争议调解仲裁法", "第二十七条", "第一款") in result.basis
    text = dl.render_deadline(result)
    assert text.splitlines()[0] == "申请劳动仲裁的时效是一年，最后一天是2026年3月10日。"
    assert "当天不算" in text and "重新计算" in text and "第二十七条第一款、第二款" in text


def test_arbitration_across_a_leap_day():
    result = dl.arbitration_deadline(date(2023, 6, 15))
    assert result.end_date == date(2024, 6, 15)
    assert result.total_days == 366  # 29 February 2024 lies inside the year


def test_arbitration_from_the_leap_day_ends_on_28_february():
    assert dl.arbitration_deadline(date(2024, 2, 29)).end_date == date(2025, 2, 28)


def test_arbitration_with_today_reports_days_left_and_expiry():
    running = dl.arbitration_deadline(date(2025, 3, 10), today=date(2026, 3, 1))
    assert running.expired is False and "还剩9天" in running.answer
    last_day = dl.arbitration_deadline(date(2025, 3, 10), today=date(2026, 3, 10))
    assert last_day.expired is False
    late = dl.arbitration_deadline(date(2025, 3, 10), today=date(2026, 3, 11))
    assert late.expired is True and "届满" in late.answer


def test_wage_arrears_while_employed_have_no_limit():
    result = dl.arbitration_deadline(date(2020, 1, 1), wage_arrears=True)
    assert result.end_date is None and result.kind == "arbitration_unlimited"
    assert result.basis == [LegalBasis("劳动争议调解仲裁法", "第二十七条", "第四款")]
    assert "不受一年时效限制" in result.answer


def test_wage_arrears_after_the_job_ended_run_one_year_from_the_end_not_from_when_she_knew():
    result = dl.arbitration_deadline(date(2019, 5, 1), wage_arrears=True, employment_ended_on=date(2025, 3, 10))
    assert result.end_date == date(2026, 3, 10)
    assert result.start_date == date(2025, 3, 10)


def test_non_wage_dispute_needs_the_day_she_knew():
    with pytest.raises(ValueError):
        dl.arbitration_deadline()


def test_resignation_thirty_days_from_the_day_after_delivery():
    result = dl.resignation_effective_date(date(2025, 3, 1))
    assert result.end_date == date(2025, 3, 31)
    assert result.total_days == 30
    text = dl.render_deadline(result)
    assert "2025年3月31日是最后一天" in text and "送达当天不算" in text and "不需要单位批准" in text
    assert "《劳动合同法》第三十七条" in text


def test_resignation_across_february():
    assert dl.resignation_effective_date(date(2025, 2, 10)).end_date == date(2025, 3, 12)
    assert dl.resignation_effective_date(date(2024, 2, 10)).end_date == date(2024, 3, 11)


def test_resignation_in_probation_takes_three_days():
    result = dl.resignation_effective_date(date(2025, 3, 1), probation=True)
    assert result.end_date == date(2025, 3, 4)
    assert result.total_days == 3
    assert "试用期" in dl.render_deadline(result)


def test_contract_ending_the_day_before_birth_runs_to_the_first_birthday():
    result = dl.contract_extension(date(2025, 5, 9), birth_date=date(2025, 5, 10))
    assert result.end_date == date(2026, 5, 10)
    assert result.total_days == 366
    assert "孕期" in result.answer and "续延" in result.answer
    assert LegalBasis("女职工劳动保护特别规定", "第九条") in result.basis
    assert LegalBasis("劳动合同法", "第四十五条") in result.basis


def test_contract_ending_during_nursing_runs_to_the_first_birthday():
    result = dl.contract_extension(date(2025, 12, 31), birth_date=date(2025, 5, 10))
    assert result.end_date == date(2026, 5, 10)
    assert "哺乳期" in result.answer


def test_contract_ending_the_day_before_the_first_birthday_gains_one_day():
    result = dl.contract_extension(date(2026, 5, 9), birth_date=date(2025, 5, 10))
    assert (result.end_date, result.total_days) == (date(2026, 5, 10), 1)


@pytest.mark.parametrize("contract_end", [date(2026, 5, 10), date(2026, 5, 11), date(2027, 1, 1)])
def test_contract_ending_on_or_after_the_first_birthday_is_not_extended(contract_end):
    result = dl.contract_extension(contract_end, birth_date=date(2025, 5, 10))
    assert result.end_date == contract_end and result.total_days == 0
    assert "不因此续延" in result.answer


def test_contract_ending_before_pregnancy_is_not_extended():
    result = dl.contract_extension(date(2024, 6, 30), birth_date=date(2025, 5, 10), pregnant_since=date(2024, 8, 20))
    assert result.end_date == date(2024, 6, 30) and result.total_days == 0
    assert "还没有怀孕" in result.answer


def test_contract_ending_long_before_the_due_date_is_not_extended_with_a_caveat():
    result = dl.contract_extension(date(2023, 1, 1), due_date=date(2025, 9, 1))
    assert result.total_days == 0
    assert any("42周" in c for c in result.caveats)


def test_contract_ending_in_pregnancy_with_only_the_due_date_is_an_estimate():
    result = dl.contract_extension(date(2025, 6, 30), due_date=date(2025, 9, 1))
    assert result.end_date == date(2026, 9, 1)
    assert "预计" in result.answer
    assert any("预产期" in c for c in result.caveats)


def test_baby_born_on_29_february():
    assert dl.contract_extension(date(2024, 3, 31), birth_date=date(2024, 2, 29)).end_date == date(2025, 2, 28)


def test_extension_needs_a_birth_or_due_date():
    with pytest.raises(ValueError):
        dl.contract_extension(date(2025, 6, 30))


def test_court_fifteen_days_after_a_non_final_award():
    result = dl.court_deadline(date(2025, 3, 1))
    assert result.end_date == date(2025, 3, 16)
    assert result.basis == [LegalBasis("劳动争议调解仲裁法", "第五十条")]
    assert "发生法律效力" in dl.render_deadline(result)


def test_court_after_a_final_award_cites_article_48():
    result = dl.court_deadline(date(2025, 12, 20), final_award=True)
    assert result.end_date == date(2026, 1, 4)
    assert result.basis == [LegalBasis("劳动争议调解仲裁法", "第四十八条")]


def test_award_due_in_45_days_plus_15():
    assert dl.award_due_date(date(2025, 3, 1)).end_date == date(2025, 4, 15)
    assert dl.award_due_date(date(2025, 3, 1), extended=True).end_date == date(2025, 4, 30)


def test_article_numbers_and_grouped_citations():
    assert [dl.article_number(a) for a in ("第九条", "第十条", "第四十二条", "第一百零五条")] == [9, 10, 42, 105]
    assert dl.article_number("第一千零一十条") == 1010  # 千 counts (民法典): not 10
    assert dl.cite_grouped([LegalBasis("民法典", "第一千零一十条"), LegalBasis("民法典", "第九百条")]) == \
        "《民法典》第九百条、第一千零一十条"
    cited = dl.cite_grouped([LegalBasis("劳动合同法", "第四十五条"), LegalBasis("劳动合同法", "第四十二条", "第四项"),
                             LegalBasis("女职工劳动保护特别规定", "第九条"), LegalBasis("劳动合同法", "第四十五条")])
    assert cited == "《劳动合同法》第四十二条第四项、第四十五条；《女职工劳动保护特别规定》第九条"


def test_rendered_deadlines_stay_short():
    results = [dl.arbitration_deadline(date(2025, 3, 10), today=date(2025, 4, 1)),
               dl.arbitration_deadline(wage_arrears=True),
               dl.resignation_effective_date(date(2025, 3, 1), probation=True),
               dl.contract_extension(date(2025, 6, 30), due_date=date(2025, 9, 1)),
               dl.court_deadline(date(2025, 3, 1))]
    for result in results:
        text = dl.render_deadline(result)
        assert len(text) <= 300 and text.index("计算方法") < text.index("法律依据")
