from datetime import date

import pytest

from answering import facts


@pytest.mark.parametrize("text,expected", [
    ("2025-05-10生的", date(2025, 5, 10)), ("2025年5月10日出生", date(2025, 5, 10)),
    ("2025/5/10生", date(2025, 5, 10)), ("二〇二五年五月十日生的", date(2025, 5, 10)),
    ("3月1号生的", date(2026, 3, 1)), ("昨天刚生", date(2026, 11, 23)), ("2025年2月30日", None),
])
def test_dates(text, expected):
    assert facts.parse_date(text, today=date(2026, 11, 24)) == expected


@pytest.mark.parametrize("text,expected", [("怀孕五个半月流产", 5.5), ("怀孕两个月自然流产", 2.0),
                                           ("6个月引产", 6.0), ("孩子八个月大", None)])
def test_pregnancy_months(text, expected):
    assert facts.parse_pregnancy_months(text) == expected


@pytest.mark.parametrize("text,expected", [("双胞胎呢", 2), ("龙凤胎", 2), ("生三胞胎", 3), ("生二胎", None)])
def test_babies(text, expected):
    assert facts.parse_babies(text) == expected


@pytest.mark.parametrize("text,expected", [("第二胎", 2), ("二胎", 2), ("头胎", 1), ("生老三", 3), ("产假", None)])
def test_child_order(text, expected):
    assert facts.parse_child_order(text) == expected


def test_difficult_birth_and_negation():
    assert facts.parse_difficult("剖腹产的") is True
    assert facts.parse_difficult("顺产") is False
    assert facts.parse_difficult("产假") is None


def test_extract_uses_aliases_and_cities():
    assert facts.extract("我在魔都上班").province == "上海"
    assert facts.extract("深圳的产假").province == "广东"
    assert facts.extract("产假多少天").province is None


def test_new_facts_win_and_old_ones_stay():
    old = facts.Facts(province="上海", babies=2)
    new = facts.Facts(province="广东")
    assert new.merged_over(old) == facts.Facts(province="广东", babies=2)


@pytest.mark.parametrize("text,expected", [
    ("宝宝2025年5月10日剖的", date(2025, 5, 10)),
    ("我的劳动合同2026年12月31日到期，我现在怀孕了，预产期是2027年3月1日", None),  # neither is a birth
    ("2025年3月1日入职，昨天刚生", date(2026, 11, 23)),
])
def test_the_birth_date_is_the_one_told_with_a_birth_word(text, expected):
    assert facts.parse_birth_date(text, today=date(2026, 11, 24)) == expected


@pytest.mark.parametrize("text,expected", [
    ("俺在电子厂干了四年了", 48), ("入职2年7个月", 31), ("工作一年半", 18), ("签了五年合同，到期以后单位不续", 60),
    ("工作了8个月，现在怀孕3个月", 8),
])
def test_tenure(text, expected):
    assert facts.parse_tenure_months(text) == expected


@pytest.mark.parametrize("text,expected", [("月薪6000", 6000), ("工资五千", 5000), ("一个月4千5", 4500),
                                           ("7000元一个月", 7000), ("怀孕3个月", None)])
def test_wage(text, expected):
    assert facts.parse_wage(text) == expected


@pytest.mark.parametrize("text,asker", [("我老婆在超市上班", "husband"), ("我闺女怀孕了", "parent"),
                                        ("我女朋友孕28周", "partner"), ("我怀孕了", None)])
def test_who_asks(text, asker):
    assert facts.parse_asker(text) == asker


def test_stage_tells_nursing_from_pregnancy():
    assert facts.parse_stage("孩子8个月，还在喂奶") == "nursing"
    assert facts.parse_stage("怀孕五个月") == "pregnant"
    assert facts.parse_stage("怀孕五个半月流产") == "miscarriage"


def test_the_situation_survives_the_slot_round_trip():
    told = facts.extract("我老婆在广东，2025年5月10日剖的，双胞胎，工作2年7个月，月薪6000", today=date(2026, 11, 24))
    assert facts.Facts.from_slot(told.as_slot()) == told
    assert facts.Facts.from_slot({"birth_date": "not a date", "unknown": 1}) == facts.Facts()


@pytest.mark.parametrize("text,tenure,career", [
    ("工作了整3年", 36, None), ("做咗4年", 48, None), ("做了整整四年", 48, None), ("入职已经整整一年了", 12, None),
    ("干了四年七个月", 55, None), ("在这干了快三年", 36, None),
    ("我一共工作了12年了，这家公司今年才来的", None, 144), ("我工作满二十年了，刚换了家公司", None, 240)])
def test_tenure_with_hedges_and_a_working_life_apart_from_this_employer(text, tenure, career):
    assert (facts.parse_tenure_months(text), facts.parse_career_months(text)) == (tenure, career)


@pytest.mark.parametrize("text,stage", [("孩子还在吃奶", "nursing"), ("休完产假回来第二周", "nursing"),
                                        ("主管知道我有咗BB", "pregnant")])
def test_stage_in_everyday_and_cantonese_words(text, stage):
    assert facts.parse_stage(text) == stage


@pytest.mark.parametrize("text,tenure", [("我进厂六年零两个月了", 74), ("在超市当收银，三年多了", 36),
                                         ("在车间上班，怀孕5个月了", None), ("进公司才半年", 6)])
def test_tenure_told_with_entering_the_factory_or_as_a_bare_span_after_the_job(text, tenure):
    assert facts.parse_tenure_months(text) == tenure


@pytest.mark.parametrize("text,wage", [("这一年工资基本上都是五千二", 5200), ("我人工四千五蚊", 4500),
                                       ("点转人工", None)])
def test_wage_with_more_fillers_and_the_cantonese_word(text, wage):
    assert facts.parse_wage(text) == wage


@pytest.mark.parametrize("text,wage", [("老板说产假只发基本工资1800", None), ("工资从6000降到4000", 6000),
                                       ("我月薪7000，产假只发基本工资两千", 7000), ("降到3000一个月", None),
                                       ("工资是5000，现在只发3000", 5000), ("平均月收入9000左右", 9000)])
def test_what_the_boss_pays_after_a_cut_is_not_her_wage(text, wage):
    assert facts.parse_wage(text) == wage


@pytest.mark.parametrize("text,stage", [
    ("医生说我是先兆流产，要在家保胎", "pregnant"), ("我有过流产史，现在怀孕4个月", "pregnant"),
    ("先兆流产最后还是没保住", "miscarriage"), ("怀孕三个月的时候孩子没了", "miscarriage")])
def test_a_miscarriage_risk_is_a_pregnancy_and_a_loss_told_plainly_is_a_miscarriage(text, stage):
    assert facts.parse_stage(text) == stage


@pytest.mark.parametrize("text,stage,tenure", [("面试时问我，要是以后怀孕了是不是就得走人", None, None),
                                               ("厂里已经三个月没发工资了", None, None),
                                               ("辞职到现在已经一年零三个月了", None, None),
                                               ("我已经怀孕五个月了", "pregnant", None)])
def test_an_imagined_pregnancy_and_a_span_that_is_not_her_service_are_not_read_as_hers(text, stage, tenure):
    assert (facts.parse_stage(text), facts.parse_tenure_months(text)) == (stage, tenure)


@pytest.mark.parametrize("text,stage", [("我没犯错也没怀孕，这个补偿是不是太少了", None),
                                        ("还没怀上，公司就不给我转正", None), ("我怀孕了，又没有犯错", "pregnant")])
def test_a_pregnancy_she_denies_is_not_one(text, stage):
    assert facts.parse_stage(text) == stage


@pytest.mark.parametrize("text,probation", [("试用期三个月，我干了两个月", True),
                                            ("合同签了一年，试用期3个月，现在都干了9个月了", None),
                                            ("我已经转正了，试用期工资少发的能要吗", None)])
def test_probation_is_now_only_within_the_longest_there_is(text, probation):
    assert facts.extract(text).probation is probation


@pytest.mark.parametrize("text,low", [("两三", 2), ("六七十", 60), ("三四千", 3000)])
def test_a_range_of_two_neighbouring_digits_is_about_not_a_number(text, low):
    assert facts.to_int(text) is None and facts.to_int(text, low=True) == low
    assert facts.to_int("二十三") == 23


def test_about_two_or_three_years_is_no_tenure():
    assert facts.parse_tenure_months("我在厂里干了两三年") is None  # cn2an reads 两三 as 23 (276 months)


def test_tenure_from_the_month_she_started_to_now():
    assert facts.parse_tenure_months("从2023年4月干到现在，月薪6500", date(2026, 11, 28)) == 43


@pytest.mark.parametrize("text,asker", [("今年我妈身体不好，我打算回老家照顾她", None),
                                        ("我姐说干满三年能拿补偿", None), ("我女儿才三个月，公司让我加班", None),
                                        ("我妈在纺织厂干了二十年", "relative"),
                                        ("我女儿怀孕了，公司要辞退她", "parent")])
def test_a_relative_named_in_her_story_is_not_the_one_asked_about(text, asker):
    assert facts.parse_asker(text) == asker


@pytest.mark.parametrize("text,months", [("合同里写着入职三年内不得结婚生育", None), ("工作两年之内不准生孩子", None),
                                         ("我入职三年了", 36)])
def test_a_clauses_period_is_not_her_service(text, months):
    assert facts.parse_tenure_months(text) == months


@pytest.mark.parametrize("text,months", [
    ("去年5月进的公司，到现在一年零六个月，工资七千", 18),  # 到现在 leads the span
    ("我在物流园做调度，三年四个月，月薪6500", 40),  # a bare span of years and months, no 了
    ("前年3月入职的", 32),  # a year told relative to today
    ("今年2月入职，干了不到一年", 9),  # 不到一年 is no span of a year
])
def test_tenure_told_the_ways_stories_tell_it(text, months):
    assert facts.parse_tenure_months(text, date(2026, 11, 28)) == months


def test_the_latest_months_of_a_pregnancy_told_are_hers():
    assert facts.parse_pregnancy_months("入职时已经怀孕一个多月，后来四个多月的时候胎停了") == 4


def test_leave_she_looks_ahead_to_is_not_leave_she_is_on():
    assert facts.parse_stage("我怀孕六个月，本来想着产假期间还有工资") == "pregnant"
    assert facts.parse_stage("产假期间公司只发基本工资") == "maternity_leave"


@pytest.mark.parametrize("text,province", [
    ("我在佛山上班，听一个在北京的同学讲她们假多", "广东"),
    ("我老家河南的，在杭州一家厂里上班", "浙江"),
    ("我老家河南的", None),
])
def test_her_province_is_where_she_works(text, province):
    assert facts.parse_province(text) == province


def test_i_have_one_is_a_pregnancy():
    told = "我喺商场做收银，同店长讲我有咗，佢就话调我去货仓".replace("喺", "在").replace("咗", "了")  # as normalized
    assert facts.parse_stage(told) == "pregnant"
    assert facts.parse_stage("我有了新工作") is None


def test_carrying_a_baby_is_a_pregnancy_not_a_babys_age():
    assert facts.parse_stage("怀娃四个月了，公司让我调岗") == "pregnant"
    assert facts.parse_pregnancy_months("怀娃四个月了") == 4 and facts.parse_baby_months("怀娃四个月了") is None


def test_last_year_without_a_month_is_no_tenure():
    assert facts.parse_tenure_months("去年进的这家公司，合同条款我也没细看", date(2026, 11, 28)) is None
