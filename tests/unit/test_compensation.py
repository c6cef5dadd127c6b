"""Economic compensation, checked against 劳动合同法 第四十六、四十七、四十八、八十七条 and
劳动合同法实施条例 第二十、二十五、二十七条 (worked examples computed by hand from the text)."""
from datetime import date

import pytest

from answering import compensation as comp
from answering.compensation import Kind, Situation
from knowledge.models import LegalBasis


def test_worked_example_from_the_issue_pregnant_and_dismissed():
    # 2 years 7 months at 6,000: 2 full years + 7 months (>= 6, counts as a year) = 3 months.
    result = comp.economic_compensation(Situation.UNLAWFUL_DISMISSAL, monthly_wage=6000, tenure_months=31,
                                        protected=True)
    assert result.months == 3
    assert result.n_amount == 18000
    assert result.kind is Kind.TWO_N and result.amount == 36000
    assert result.may_keep_job
    text = comp.render_compensation(result)
    assert text.startswith("你可以要求单位继续履行劳动合同") and "36000元" in text.splitlines()[0]
    assert "18000元" in text and "计算方法：" in text and "法律依据：" in text
    assert "第四十二条第四项" in text and "第八十七条" in text and "第四十八条" in text
    assert len(text) <= 300


@pytest.mark.parametrize("months,days,expected", [
    (6, 0, 1.0),     # exactly 6 months: "六个月以上不满一年的，按一年计算"
    (5, 29, 0.5),    # 5 months 29 days: under six months -> half a month
    (5, 0, 0.5),
    (0, 10, 0.5),    # a few days are still "不满六个月"
    (0, 0, 0.0),
    (12, 0, 1.0),
    (17, 0, 1.5),    # 1 year 5 months
    (18, 0, 2.0),    # 1 year 6 months
    (24, 1, 2.5),    # 2 years and a day: the remainder is under six months
])
def test_tenure_rounding(months, days, expected):
    assert comp.compensation_months(months, days) == expected


@pytest.mark.parametrize("start,end,expected", [
    (date(2024, 1, 1), date(2024, 6, 30), (6, 0)),   # both days counted: January to June
    (date(2024, 1, 1), date(2024, 6, 29), (5, 29)),
    (date(2023, 1, 31), date(2023, 2, 27), (0, 28)),
    (date(2023, 1, 31), date(2023, 2, 28), (1, 0)),  # all of February: no 31 February, the month is full
    (date(2023, 1, 31), date(2023, 3, 29), (1, 29)),  # the second month runs 1 to 30 March
    (date(2023, 1, 31), date(2023, 3, 30), (2, 0)),
    (date(2023, 3, 1), date(2023, 3, 31), (1, 0)),
    (date(2022, 3, 1), date(2024, 9, 30), (31, 0)),
])
def test_tenure_between_counts_both_days(start, end, expected):
    assert comp.tenure_between(start, end) == expected


def test_tenure_from_dates_exactly_six_months_is_one_month_wage():
    result = comp.economic_compensation("mutual_agreement_employer_proposed", monthly_wage=5000,
                                        start=date(2024, 1, 1), end=date(2024, 6, 30), local_average_wage=8000)
    assert (result.months, result.amount) == (1.0, 5000)


def test_tenure_from_dates_five_months_29_days_is_half():
    result = comp.economic_compensation("mutual_agreement_employer_proposed", monthly_wage=5000,
                                        start=date(2024, 1, 1), end=date(2024, 6, 29), local_average_wage=8000)
    assert (result.months, result.amount) == (0.5, 2500)
    assert result.tenure == (5, 29)


def test_over_twelve_years_above_the_cap_is_twelve_months_of_three_times_the_local_average():
    # 15 years 3 months -> 15.5 months uncapped; wage 40,000 > 3 x 10,000 -> 12 x 30,000.
    result = comp.economic_compensation("contract_expired_not_renewed", monthly_wage=40000,
                                        tenure_months=15 * 12 + 3, local_average_wage=10000, renewal_offered=False)
    assert result.capped is True
    assert result.monthly_wage == 30000
    assert result.months == 12
    assert result.amount == 360000
    assert not any("不掌握" in c for c in result.caveats)


def test_over_twelve_years_below_the_cap_is_not_limited_to_twelve():
    result = comp.economic_compensation("employer_closed", monthly_wage=8000, tenure_months=15 * 12 + 3,
                                        local_average_wage=10000)
    assert result.capped is False
    assert (result.months, result.amount) == (15.5, 124000)


def test_above_the_cap_with_short_tenure_caps_only_the_wage():
    # 3 years 2 months -> 3.5 months; wage 35,000 > 3 x 9,000 = 27,000.
    result = comp.economic_compensation("she_resigned_art38", monthly_wage=35000, tenure_months=38,
                                        local_average_wage=9000)
    assert result.capped is True
    assert result.months == 3.5
    assert result.amount == 3.5 * 27000


def test_wage_exactly_three_times_is_not_capped():
    # the text says 高于 (above): equal is not above
    result = comp.economic_compensation("she_resigned_art38", monthly_wage=27000, tenure_months=13 * 12,
                                        local_average_wage=9000)
    assert result.capped is False and result.months == 13 and result.amount == 13 * 27000


def test_unknown_local_average_gives_a_caveat_and_no_city_figure():
    result = comp.economic_compensation("she_resigned_art38", monthly_wage=50000, tenure_months=20 * 12)
    assert result.capped is None
    assert result.amount == 20 * 50000  # nothing invented: the uncapped figure, with the caveat
    assert any("不掌握" in c and "3倍" in c and "12年" in c for c in result.caveats)
    assert "不掌握" in comp.render_compensation(result)


def test_two_n_is_also_capped():
    result = comp.economic_compensation("unlawful_dismissal", monthly_wage=40000, tenure_months=14 * 12,
                                        local_average_wage=10000)
    assert (result.months, result.n_amount, result.amount) == (12, 360000, 720000)


def test_average_over_the_last_twelve_months_only():
    wages = [1000] * 3 + [6000] * 6 + [9000] * 6  # 15 months: the first three are not counted
    assert comp.average_monthly_wage(wages) == 7500


def test_fewer_than_twelve_months_averages_the_months_worked():
    result = comp.economic_compensation("mutual_agreement_employer_proposed", monthly_wages=[4000, 5000, 6000],
                                        tenure_months=3, local_average_wage=9000)
    assert result.monthly_wage == 5000
    assert result.amount == 2500
    assert LegalBasis("劳动合同法实施条例", "第二十七条") in result.basis


def test_minimum_wage_replaces_a_lower_average():
    result = comp.economic_compensation("employer_closed", monthly_wage=1500, tenure_months=24,
                                        local_minimum_wage=2000, local_average_wage=8000)
    assert result.amount == 4000


def test_n_plus_one_uses_the_previous_month_wage_for_the_extra_month():
    result = comp.economic_compensation("employer_terminates_art40", monthly_wage=6000, tenure_months=31,
                                        last_month_wage=6500, local_average_wage=8000, notice_given=False)
    assert result.kind is Kind.N_PLUS_1
    assert (result.n_amount, result.extra_month, result.amount) == (18000, 6500, 24500)
    assert LegalBasis("劳动合同法实施条例", "第二十条") in result.basis


def test_n_plus_one_extra_month_is_not_capped():
    result = comp.economic_compensation("employer_terminates_art40", monthly_wage=40000, tenure_months=24,
                                        last_month_wage=40000, local_average_wage=10000)
    assert (result.n_amount, result.extra_month, result.amount) == (60000, 40000, 100000)


def test_art40_with_thirty_days_notice_is_plain_n():
    result = comp.economic_compensation("employer_terminates_art40", monthly_wage=6000, tenure_months=31,
                                        notice_given=True, local_average_wage=8000)
    assert result.kind is Kind.N and result.amount == 18000


@pytest.mark.parametrize("situation", [Situation.EMPLOYER_TERMINATES_ART40, Situation.LAYOFF_ART41,
                                       Situation.CONTRACT_EXPIRED_NOT_RENEWED])
def test_pregnancy_turns_art40_art41_and_expiry_into_unlawful_ending(situation):
    ent = comp.which_compensation(situation, protected=True)
    assert ent.kind is Kind.TWO_N and ent.may_keep_job
    assert LegalBasis("劳动合同法", "第四十二条", "第四项") in ent.basis


def test_closure_still_ends_the_contract_of_a_pregnant_worker_with_n():
    ent = comp.which_compensation(Situation.EMPLOYER_CLOSED, protected=True)
    assert ent.kind is Kind.N and not ent.may_keep_job


@pytest.mark.parametrize("situation,kind", [
    ("unlawful_dismissal", Kind.TWO_N),
    ("employer_terminates_art40", Kind.N_PLUS_1),
    ("layoff_art41", Kind.N),
    ("dismissed_for_cause_art39", Kind.NONE),
    ("mutual_agreement_employer_proposed", Kind.N),
    ("mutual_agreement_she_proposed", Kind.NONE),
    ("contract_expired_not_renewed", Kind.N),
    ("task_completed", Kind.N),
    ("employer_closed", Kind.N),
    ("she_resigned_art38", Kind.N),
    ("she_resigned_voluntarily", Kind.NONE),
])
def test_which_payment_applies(situation, kind):
    assert comp.which_compensation(situation).kind is kind


def test_expiry_after_she_refused_renewal_on_equal_terms_gives_nothing():
    assert comp.which_compensation("contract_expired_not_renewed", renewal_offered=True).kind is Kind.NONE


def test_voluntary_resignation_renders_no_compensation_with_zero_amount():
    result = comp.economic_compensation("she_resigned_voluntarily", monthly_wage=6000, tenure_months=31)
    assert result.amount == 0 and result.kind is Kind.NONE
    text = comp.render_compensation(result)
    assert text.startswith("这种情况下，法律不要求单位支付经济补偿") and "第三十七条" in text


def test_without_a_wage_the_answer_is_in_months():
    result = comp.economic_compensation("unlawful_dismissal", tenure_months=31)
    assert result.amount is None and result.months == 3
    assert "6个月工资" in result.answer  # 2N = twice 3 months


def test_years_before_2008_get_a_caveat_for_n_but_not_for_2n():
    n = comp.economic_compensation("employer_closed", monthly_wage=5000, start=date(2005, 3, 1),
                                   end=date(2025, 2, 28), local_average_wage=8000)
    assert n.months == 20 and any("2008年" in c for c in n.caveats)
    damages = comp.economic_compensation("unlawful_dismissal", monthly_wage=5000, start=date(2005, 3, 1),
                                         end=date(2025, 2, 28), local_average_wage=8000)
    assert damages.amount == 2 * 20 * 5000 and not any("2008年" in c for c in damages.caveats)


def test_rendered_replies_stay_short():
    cases = [
        comp.economic_compensation("employer_terminates_art40", monthly_wages=[6000] * 12, tenure_months=31),
        comp.economic_compensation("contract_expired_not_renewed", monthly_wage=40000, tenure_months=183,
                                   local_average_wage=10000),
        comp.economic_compensation("unlawful_dismissal", monthly_wage=6000, tenure_months=31, protected=True),
    ]
    for result in cases:
        assert len(comp.render_compensation(result)) <= 320


def test_yuan_formatting():
    assert comp.yuan(18000) == "18000元"
    assert comp.yuan(3166.665) == "3166.67元"


def test_missing_tenure_is_an_error_not_a_guess():
    with pytest.raises(ValueError):
        comp.economic_compensation("employer_closed", monthly_wage=5000)


@pytest.mark.parametrize("tenure,wage,months,amount", [(67, None, "6个月", None), (38, 6000, "3个半月", "21000元"),
                                                        (5, 4000, "半个月", "2000元")])
def test_her_n_from_her_years_before_she_says_how_the_job_ended(tenure, wage, months, amount):
    text = comp.standard_months(tenure, wage)
    assert f"经济补偿N是{months}工资" in text and "2N" in text and "第四十七条" in text
    assert (amount in text) if amount else "元" not in text.split("\n")[0]
