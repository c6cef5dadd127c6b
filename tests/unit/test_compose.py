"""The answer logic called directly (no Rasa): stories with several issues, verdicts that fit her
situation, follow-ups, dialect and third-person askers, safety in context, honest abstentions and
province figures. Runs on a small index built here from the shipped content (no official texts)."""
import re

import pytest

from answering.compose import Conversation, Reply, compose
from knowledge import build, store
from knowledge.search import Searcher


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("index")
    build.build(index_dir, [])
    return Searcher(store.current_version(index_dir))


def talk(searcher, *turns: str) -> Reply:
    conv, reply = Conversation(), None
    for turn in turns:
        reply = compose(turn, None, [], conv, searcher)
        conv = Conversation(facts=reply.facts, last_topic=reply.topic or conv.last_topic,
                            last_question=reply.question or conv.last_question)
    return reply


def test_every_issue_of_a_message_is_answered_most_urgent_first(searcher):
    reply = talk(searcher, "怀孕被辞退了，还欠我两个月工资，加班费也一分没给")
    assert reply.issues[0] == "dismissal_pregnant"
    assert {"wage_arrears", "overtime_pay"} <= set(reply.issues)
    assert len(reply.messages()) >= len(reply.issues) + 1  # one message per issue, then what to do now
    assert re.search(r"不得.{0,10}(辞退|解除)", reply.messages()[0])
    assert "现在先做" in reply.messages()[-1] and "12351" in reply.messages()[-1]


@pytest.mark.parametrize("story,asked,mentioned", [
    ("公司拖了我三个月工资，我想去申请劳动仲裁，仲裁要不要交钱？", "arbitration_cost", "wage_arrears"),
    ("我生完孩子回来上班，公司把我调到仓库，工资也降了。公司有没有义务设哺乳室？", "nursing_room", "pay_cut_pregnant"),
    ("厂里规定迟到一次罚款50，我请半天假去产检也被算迟到扣了钱。产检的时间算不算上班时间？", "prenatal_checkup",
     "fines_deductions")])
def test_what_she_asks_comes_before_what_her_story_only_mentions(searcher, story, asked, mentioned):
    reply = talk(searcher, story)
    assert reply.issues[0] == asked and mentioned in reply.issues


def test_evidence_is_what_proves_her_own_case(searcher):
    harassed = talk(searcher, "客户老是对我动手动脚，还在微信上发黄色图片，我该怎么留证据？")
    assert "harassment_evidence" in harassed.issues and "evidence" not in harassed.issues
    assert "孕检单" not in harassed.text and re.search(r"截图|录音", harassed.text)
    arbitration = talk(searcher, "我想申请劳动仲裁要回加班费，要准备哪些东西？")
    assert "evidence" in arbitration.issues and "孕检单" not in arbitration.text


def test_sent_home_without_pay_while_pregnant_is_her_own_rule(searcher):
    reply = talk(searcher, "俺怀孕五个月了，老板让俺先回家歇着，歇着期间不发钱，这中不中")
    assert "pay_cut_pregnant" in reply.issues and "pay_cut" not in reply.issues


def test_her_own_figures_replace_the_entrys_example(searcher):
    reply = talk(searcher, "我在饭店当服务员，干了八个月，月薪4500，没签合同。"
                           "老板让我明天别来了，也不给钱。我能拿多少补偿？")
    assert "compensation_amount" in reply.issues and "9000元" in reply.text
    assert "2年7个月" not in reply.text  # the entry's example is for a worker whose figures are unknown
    assert "2年7个月" in talk(searcher, "经济补偿N是怎么算的，有没有例子").text


def test_pay_during_her_provinces_extra_leave_is_said_with_its_article(searcher):
    reply = talk(searcher, "我在广州上班，休完98天产假还有80天奖励假，老板说奖励假不发工资，这合法吗？")
    assert re.search(r"奖励假.{0,20}照发工资.*广东省人口与计划生育条例》第三十条", reply.text)
    shanghai = talk(searcher, "我在上海上班，公司没给我交生育保险，产假的工资谁发？产假多少天？")
    assert "生育假与产假待遇相同" in shanghai.text
    assert "产前假" not in shanghai.text  # 另据…: another regulation's rule must not carry this row's article


def test_n_is_counted_from_her_years_when_she_asks_how(searcher):
    reply = talk(searcher, "经济补偿怎么算？我在这家公司干了5年7个月")
    assert "经济补偿N是6个月工资" in reply.text and "2年7个月" not in reply.text


def test_a_follow_up_on_how_to_pursue_it_stays_with_what_she_told(searcher):
    reply = talk(searcher, "裁决书下来了，公司就是拖着不给钱，咋办", "那去法院申请的话要带什么？")
    assert "award_enforcement" in reply.issues and "强制执行" in reply.text
    fresh = talk(searcher, "裁决书下来了，公司就是拖着不给钱，咋办", "另外我想问下产假有多少天")
    assert "award_enforcement" not in fresh.issues  # a new question of its own is not read with the last


def test_n_for_leaving_is_said_to_need_the_employers_fault(searcher):
    reply = talk(searcher, "公司拖了我三个月工资，我想辞职，我干了3年，能拿补偿吗")
    assert "个人原因辞职没有经济补偿" in reply.text and "3个月工资" in reply.text


def test_a_relative_in_her_own_story_is_not_whom_she_asks_for(searcher):
    reply = talk(searcher, "今年我妈身体不好，我打算回老家照顾她，就主动跟老板提了辞职。"
                           "我姐说干满三年能拿补偿，是这样吗？")
    assert "指你家人" not in reply.text and "resignation" in reply.issues


def test_a_long_story_is_answered_and_her_facts_said_back(searcher):
    story = ("俺在电子厂干了四年了，现在怀孕五个月，月薪6000，人事天天找俺谈话，让俺签个自愿离职的单子，"
             "说签了给两千块，不签以后也没好果子吃，俺现在到底签还是不签啊")
    reply = talk(searcher, story)
    assert reply.kind == "answer" and reply.issues[0] == "pressured_to_resign"
    assert "不要签" in reply.text
    assert "怀孕5个月" in reply.text and "工作4年" in reply.text and "6000元" in reply.text


def test_her_compensation_is_computed_from_what_she_told(searcher):
    reply = talk(searcher, "我在超市上班2年7个月了，月工资6000，怀孕了公司把我辞退了，能要多少钱")
    assert "18000" in reply.text and "36000" in reply.text


def test_a_closure_during_nursing_is_not_answered_as_an_extension(searcher):
    reply = talk(searcher, "公司要注销了，我还在哺乳期，孩子才7个月，合同怎么办，有没有补偿")
    assert reply.issues[0] == "closure_three_period"
    assert "经济补偿" in reply.text
    assert not re.search(r"顺延至哺乳期(满|结束)。", reply.messages()[0].split("\n")[1])


def test_a_miscarriage_is_within_the_three_periods(searcher):
    """产期 includes the leave after a miscarriage (女职工劳动保护特别规定 第七条 grants it as 产假): a contract
    left to lapse then is an unlawful ending, 2N, as for a pregnant worker, not the N of an ordinary expiry."""
    reply = talk(searcher, "我刚流产，合同到期公司不续签了，工作3年，月工资5000，有补偿吗")
    assert "30000元（2N）" in reply.text


def test_a_nursing_mothers_night_shifts_get_the_nursing_rule(searcher):
    reply = talk(searcher, "孩子8个月，我还在喂奶，厂里天天排我上夜班，这合法吗")
    assert reply.issues == ["nursing_hours"] or reply.topic == "breastfeeding"
    assert "第九条" in reply.text and "夜班" in reply.text
    assert not re.search(r"法律依据：[^\n]*第六条", reply.messages()[0])  # not the 7-months-pregnant rule


def test_a_follow_up_keeps_the_topic(searcher):
    reply = talk(searcher, "哺乳时间一天有多久", "那孩子满一岁以后还有吗")
    assert reply.topic == "breastfeeding"
    assert "满1周岁以后" in reply.text


def test_a_follow_up_with_a_province_recomputes(searcher):
    reply = talk(searcher, "产假有多少天", "那广东呢")
    assert "178天" in reply.text


@pytest.mark.parametrize("message", ["俺媳妇在厂里脯乳期被辞退了咋整", "我闺女怀孕了，公司要开除她，中不中啊"])
def test_dialect_typos_and_third_person_askers(searcher, message):
    reply = talk(searcher, message)
    assert reply.kind in ("answer", "calculation", "caveat")
    assert re.search(r"不得.{0,10}(辞退|解除)|不能", reply.text)


def test_self_harm_comes_first_then_her_work_question(searcher):
    reply = talk(searcher, "公司因为我怀孕要辞退我，我真的不想活了")
    first, rest = reply.messages()[0], "\n".join(reply.messages()[1:])
    assert "12356" in first and "120" in first
    assert re.search(r"不得.{0,10}(辞退|解除)", rest)
    assert "保护令" not in first  # not the domestic-violence template


def test_sexual_assault_in_plain_words(searcher):
    reply = talk(searcher, "昨天晚上加班，主管把我拉进办公室强行脱我衣服，我好害怕")
    first = reply.messages()[0]
    assert reply.kind == "emergency"
    assert "110" in first and "证据" in first and "医院" in first and "12338" in first


def test_a_domestic_violence_question_gets_its_answer_with_the_hotlines(searcher):
    reply = talk(searcher, "老公经常骂我、吓唬我，这种算不算家庭暴力")
    assert "110" in reply.messages()[0] and "12338" in reply.messages()[0]
    assert re.search(r"谩骂|恐吓|精神", "\n".join(reply.messages()[1:]))


def test_an_abstention_names_the_topic_and_the_next_step(searcher):
    reply = talk(searcher, "我们单位的工会经费一年提取多少个百分点才合规呢")
    if reply.kind == "abstain":
        assert "下一步" in reply.text and re.search(r"12351|12333|12348", reply.text)


@pytest.mark.parametrize("province", ["山东", "河南", "北京", "四川"])
def test_no_province_total_the_knowledge_base_cannot_cite(searcher, province):
    reply = talk(searcher, f"我在{province}上班，生孩子产假一共有多少天")
    assert "98天" in reply.text
    assert not re.search(r"一共(1[0-9]{2}|98)天", reply.text)


def test_a_husband_asking_his_leave_never_gets_hers(searcher):
    reply = talk(searcher, "我老婆在广东生孩子，我能休几天假")
    assert "178" not in reply.text
    assert re.search(r"陪产|护理假", reply.text)
    then = talk(searcher, "我在广东上班，下个月生孩子，产假能休多久", "那我老公呢？他也在广东上班，能休几天")
    assert "178" not in then.text and re.search(r"陪产|护理假", then.text)


@pytest.mark.parametrize("message", ["产假" * 350, "💥" * 500, "\u202e怀孕\x00被辞退", "9" * 400 + "个月"])
def test_hostile_input_never_breaks_the_answer(searcher, message):
    reply = compose(message, None, [], Conversation(), searcher)
    assert reply.messages() or reply.response


def test_her_deadline_is_computed_from_the_date_she_gives(searcher):
    from datetime import date

    reply = compose("我是今年3月10号被公司辞退的，一直拖着，现在还能申请仲裁吗，会不会过期了", None, [],
                    Conversation(), searcher, today=date(2026, 11, 27))
    assert "2027年3月10日" in reply.text


def test_a_month_without_a_day_still_tells_her_whether_her_year_has_run_out(searcher):
    from datetime import date

    reply = compose("2025年7月底我辞了超市的工作，工资到现在还差两个月没结，现在还来得及去仲裁吗", None, [],
                    Conversation(), searcher, today=date(2026, 11, 27))
    assert "2026年7月31日" in reply.text and "届满" in reply.text and "重新计算" in reply.text
    reply = compose("我2024年5月在哺乳期被辞退，当时没管，现在想申请仲裁，还来得及吗", None, [],
                    Conversation(), searcher, today=date(2026, 11, 27))
    assert "按5月1日算" in reply.text and "2025年5月1日" in reply.text


def test_her_provinces_days_come_beside_her_total_in_two_lines(searcher):
    reply = talk(searcher, "我在东莞上班，上个月剖了个女儿，公司说产假只有98天，对吗")
    assert reply.issues[:2] == ["maternity_leave_length", "regional_leave"]
    assert "178" in reply.messages()[0] or "193" in reply.messages()[0]
    second = reply.messages()[1]
    assert "15天" in second and "合计" not in second  # his days, not the table that repeats her total


def test_evidence_asked_in_a_later_turn_fits_the_story_told_before(searcher):
    reply = talk(searcher, "有个客户总是半夜发微信说些下流的话，还想约我单独见面",
                 "那证据我该怎么留，单位要是一直不处理找谁")
    assert "harassment_evidence" in reply.issues and "孕检单" not in reply.text


def test_issues_beyond_three_are_named_for_her_to_ask_next(searcher):
    reply = talk(searcher, "怀孕被辞退了，还欠我两个月工资和加班费，社保一直没交，走的时候也不给离职证明，怎么办")
    assert len(reply.issues) == 3
    assert "你还提到了" in reply.messages()[-1]


def test_a_pensioner_named_in_her_story_is_not_her_job(searcher):
    reply = talk(searcher, "我妈退休了，我在厂里上班被辞退了")
    assert "劳务关系" not in reply.text and reply.issues == ["dismissal_general"]
    assert reply.facts.asker is None  # she asks for herself


def test_the_general_rule_is_not_shown_to_a_woman_who_told_she_is_pregnant(searcher):
    reply = talk(searcher, "俺怀孕六个月了，老板把俺从前台调去仓库搬货，工资还降了八百，这合法不")
    assert "pay_cut_pregnant" in reply.issues
    assert re.search(r"不得因怀孕.{0,8}降低", reply.text)


def test_pressed_to_resign_in_pregnancy_she_hears_what_refusing_keeps(searcher):
    reply = talk(searcher, "我怀孕三个月，入职五年，月薪八千，人事天天找我谈话让我签自愿离职，不签会怎样，能拿多少")
    assert "违法解除" in reply.text and "第四十二条" in reply.text
    assert "80000" in reply.text and "如果你不签、公司仍然辞退你" in reply.text  # 2N on her figures


def test_a_friends_city_is_not_her_province(searcher):
    reply = talk(searcher, "我在东莞上班，上个月顺产，听一个在北京的同学讲产假能休好久，我这边一共多少天")
    assert "178" in reply.text and "北京" not in reply.messages()[0].split("\n")[0]


def test_a_contract_ending_next_month_in_pregnancy_is_not_read_from_yesterday(searcher):
    from datetime import date

    reply = compose("我怀孕五个月，合同明年2月到期，预产期2027年4月10日，人事昨天说到期不续了", None, [],
                    Conversation(), searcher, today=date(2026, 11, 27))
    assert "2026年11月26日" not in reply.text and "2028年4月10日" in reply.text


def test_an_hourly_worker_let_go_is_owed_no_compensation_but_her_pay(searcher):
    reply = talk(searcher, "我在超市做促销，按小时算钱，一天四个钟，干了一年，主管说明天不用来了，有没有补偿")
    assert "非全日制" in reply.text and "2N" not in reply.text and "15天" in reply.text


def test_ten_years_at_expiry_refused_renewal_is_owed_twice(searcher):
    reply = talk(searcher, "我在厂里干了十一年，合同月底到期，厂里说不续了，月薪五千，能拿多少")
    assert "无固定期限" in reply.text and "110000" in reply.text  # 2N: 11 years x 5000 x 2


def test_hourly_work_told_before_decides_a_later_dismissal(searcher):
    reply = talk(searcher, "我在奶茶店做钟点工，一天三个钟头", "后来老板讲以后不用来了，这样能要补偿不")
    assert "非全日制" in reply.text and "2N" not in reply.text


def test_a_pensioner_asking_about_arbitration_hears_the_civil_road_first(searcher):
    reply = talk(searcher, "我退休了领着退休金，又去食堂帮厨，老板欠我两个月工钱，我能去劳动仲裁吗")
    assert "劳务关系" in reply.messages()[0] and "仲裁申请书" not in reply.messages()[0]


def test_ten_years_told_as_never_having_changed_employer(searcher):
    reply = talk(searcher, "我2013年进来的，这些年没换过单位，这回合同到期厂里不续了，能给多少钱")
    assert "无固定期限" in reply.text and "2N" in reply.text


def test_her_first_step_is_never_another_issues(searcher):
    reply = talk(searcher, "怀孕两个月流产了，厂里让我请病假，病假工资只发一半，我能休几天")
    assert "15天" in reply.text and "请病假要有" not in reply.messages()[-1]


def test_a_contract_expiring_in_pregnancy_runs_to_the_first_birthday(searcher):
    from datetime import date

    reply = compose("我的劳动合同2026年12月31日到期，我现在怀孕了，预产期是2027年3月1日，公司说到期不续签了",
                    None, [], Conversation(), searcher, today=date(2026, 11, 27))
    assert "2028年3月1日" in reply.text


@pytest.mark.parametrize("tenure,owed", [("一年半", "55000"), ("5个月", "20000")])
def test_double_wages_for_months_without_a_written_contract(searcher, tenure, owed):
    reply = talk(searcher, f"我在美容院干了{tenure}，老板一直没跟我签劳动合同，月薪5000，现在让我走人")
    assert owed in reply.text and "第八十二条" in reply.text


def test_every_province_states_only_totals_the_knowledge_base_can_cite(searcher):
    from knowledge import regions

    provinces = regions.rules()
    assert len(provinces) == 31
    for name, rule in provinces.items():
        for question in (f"我在{name}上班，生孩子产假一共多少天", f"{name}生二胎产假多少天",
                         f"我老婆在{name}生孩子，我能休几天假"):
            text = talk(searcher, question).text
            totals = set(re.findall(r"(?:一共|合计|总共)(\d+)天", text))
            if not rule.verified:
                assert not totals, (name, question, text)
                assert "98天" in text or "陪产" in text or "护理假" in text, (name, question, text)
            else:
                assert totals <= {str(98 + d) for d in [rule.maternity_extra_days or 0,
                                                        *rule.maternity_extra_by_order.values()]}, (name, text)


def test_a_colloquial_harassment_complaint_is_answered(searcher):
    """Retrieval alone may abstain on it (a glued word, 老发, is unknown to the index); the issue
    spotter recognises the topic and the curated harassment answer is given."""
    reply = talk(searcher, "领导老发黄色段子给我")
    # the general entry says 预防和制止, the one on a superior 防止和制止: both answer her (which one comes
    # first depends on words other tests teach the shared tokenizer)
    assert reply.kind == "answer" and "性骚扰" in reply.text and "制止" in reply.text



def test_her_annual_leave_and_overtime_pay_are_worked_out(searcher):
    assert "年休假是10天" in talk(searcher, "年假有几天", "我工作十二年了，中间换过三家单位").text
    reply = talk(searcher, "月薪4350，这个月加了4个周六的班，每次8小时，公司没安排补休也没给钱，加班费应该给多少？")
    assert "1600元" in reply.text and "21.75" in reply.text


def test_a_dismissal_in_the_nursing_period_is_unlawful_and_owed_twice(searcher):
    reply = talk(searcher, "我老婆入职1年3个月，月薪9000，休完产假回来公司说她岗位取消了，让她签解除协议，能赔多少")
    assert "27000" in reply.text  # 2N: a termination the nursing period bars (劳动合同法 第四十二条、第八十七条)


def test_her_husbands_leave_asked_beside_her_own_gets_both(searcher):
    reply = talk(searcher, "我妹在佛山一个服装厂，下礼拜剖腹产，她想知道产假多少天，我妹夫在同一个厂能休几天")
    assert reply.issues == ["maternity_leave_length", "regional_leave"]
    assert "陪产假/护理假15天" in reply.text
    assert "告诉我你在哪个省" not in reply.text  # the closing never asks for what she told


def test_a_follow_up_with_the_babys_age_keeps_the_question(searcher):
    reply = talk(searcher, "喂奶期间厂里能排我夜班不", "俺在电子厂倒班，孩子七个月")
    assert reply.question.startswith("喂奶期间厂里能排我夜班不")
    assert reply.kind == "answer" and "不得安排夜班劳动" in reply.text


def test_a_contract_ended_at_expiry_during_pregnancy_is_owed_twice(searcher):
    reply = talk(searcher, "我怀孕五个月，劳动合同下个月到期，公司说到期就不续了。我在这干了3年，月薪8000，能要多少")
    assert "48000" in reply.text and "违法终止" in reply.text  # 2N, 劳动合同法 第四十五条、第八十七条


def test_unpaid_annual_leave_says_how_many_days_first(searcher):
    reply = talk(searcher, "我在这家公司干了六年，今年年假一天没让休，月薪6525，没休的年假能折成钱吗")
    assert "年休假至少是5天" in reply.text and "300%" in reply.text


def test_a_closure_told_beside_a_dismissal_is_owed_n_and_a_relocation_n_plus_one(searcher):
    closed = talk(searcher, "我们门店关门了，老板说不要我们了，就给一个月工资。我干了3年，月薪3200，该给多少")
    assert "9600元" in closed.text and "19200" not in closed.text  # 劳动合同法 第四十四条、第四十六条: N
    moved = talk(searcher, "厂子要整体搬到外省去，不跟着去的就算自动离职，我在厂里干了8年，月薪5000，能拿补偿吗")
    assert "40000元" in moved.text and "1个月工资" in moved.text  # 第四十条第三项: N, +1 without notice


def test_a_nursing_mother_is_not_told_the_pregnancy_rule_of_a_lighter_job(searcher):
    reply = talk(searcher, "产假休完回去，孩子五个月还在喂奶，公司把我调去仓库搬货，工资也降了")
    assert "pregnancy_workload" not in reply.issues
    assert "怀孕期间有医院证明" in reply.text or "医院证明" not in reply.text


def test_a_family_law_question_is_referred_not_read_as_a_work_issue(searcher):
    reply = talk(searcher, "我想离婚，我还在哺乳期，孩子能判给我吗")
    assert reply.kind == "out_of_scope" and not reply.issues
    assert "12338" in reply.text and "12348" in reply.text and any(b["title"] == "转人工" for b in reply.buttons)
    work = talk(searcher, "我在闹离婚，公司知道后说我哺乳期状态不好要辞退我")
    assert work.kind != "out_of_scope"  # a work issue beside it is still answered
    assert re.search(r"(不得|不能).{0,16}(辞退|解除)", work.text)


def test_a_family_member_hitting_her_is_violence_not_family_law(searcher):
    reply = talk(searcher, "我姐被姐夫打得住了院，她想离婚又怕丢工作，家里人该怎么帮她")
    text = "\n".join(reply.messages())
    assert "domestic_violence_info" in reply.issues and "110" in text and "保护令" in text
    assert "婚姻家庭方面的问题" not in text


def test_talk_of_divorce_after_violence_stays_on_the_violence(searcher):
    reply = talk(searcher, "男朋友喝了酒就动手", "以后想分开，离婚前要先准备点啥")
    assert "婚姻家庭方面的问题" not in "\n".join(reply.messages())


def test_a_miscarriage_risk_never_gets_the_leave_after_a_miscarriage(searcher):
    reply = talk(searcher, "怀孕三个月，医生说先兆流产让卧床保胎，单位要给假吗")
    assert "可以休15天产假" not in reply.text and "保胎" in reply.text


def test_her_own_resignation_is_not_answered_as_pressure_to_resign(searcher):
    reply = talk(searcher, "我在超市做了两年，想跳槽，上周交了辞职信，店长说不招到人不放我走，还说最后半个月工资不发了")
    assert "pressured_to_resign" not in reply.issues and "千万不要签" not in reply.text
    assert "resignation" in reply.issues


def test_a_threat_that_refusing_counts_as_quitting_is_pressure(searcher):
    reply = talk(searcher, "公司要把我调去外地仓库，还放话说不服从就按自动离职处理，我在这干了四年")
    assert "pressured_to_resign" in reply.issues


def test_a_nursing_mother_past_the_first_birthday_is_told_the_hour_has_ended(searcher):
    reply = talk(searcher, "娃都十四个月了我还喂着奶，单位还给不给每天那一小时")
    assert re.search(r"满1周岁以后.{0,20}结束", reply.text)


def test_a_new_owner_may_not_put_her_on_probation_again(searcher):
    reply = talk(searcher, "厂子被别的公司收购了，新老板让大家重签合同、重新试用两个月，行吗")
    assert re.search(r"只能约定一次试用期", "\n".join(reply.messages()))


def test_a_dismissal_told_far_from_her_pregnancy_is_still_a_three_period_dismissal(searcher):
    story = ("我是做仓库文员的，怀孕四个月。主管这段时间天天找茬，先是说我动作慢、报表老出错，又说仓库要换系统"
             "我学不会，昨天干脆在群里通知我下周一不用来上班了")
    reply = talk(searcher, story)
    assert "dismissal_pregnant" in reply.issues and "dismissal_general" not in reply.issues


@pytest.mark.parametrize("message,issue", [
    ("在饭店干了三年，老板说下个月开掉我，到时候能赔我多少", "compensation_amount"),
    ("我们车间二十多人被欠薪两个月了", "wage_arrears")])
def test_how_much_she_gets_and_unpaid_pay_in_everyday_words(searcher, message, issue):
    assert issue in talk(searcher, message).issues


def test_a_what_if_follow_up_is_read_with_the_situation_she_told(searcher):
    reply = talk(searcher, "我在哺乳期，孩子五个月，合同下个月就到期了", "那如果公司到时候硬要终止合同，我能要多少钱")
    assert {"contract_expiry_three_period", "compensation_amount"} <= set(reply.issues)


def test_her_last_pay_withheld_after_she_quit_is_not_a_resignation_for_cause(searcher):
    reply = talk(searcher, "我在奶茶店干了一年多，自己想回老家就提了离职，店长说走可以，"
                           "最后二十天的工资不给了，这合理吗")
    assert "final_wages" in reply.issues and "resign_for_cause" not in reply.issues
    assert "经济补偿N" not in reply.text


def test_a_threat_to_stop_her_pay_unless_she_signs_is_not_a_resignation_for_cause(searcher):
    reply = talk(searcher, "我老婆在超市干了八年，店长天天让她签自愿离职申请，说不签就不给排班也不发工资，她该签吗")
    assert "pressured_to_resign" in reply.issues and "resign_for_cause" not in reply.issues


def test_a_husband_asking_whether_his_insurance_covers_his_wife_without_a_job(searcher):
    reply = talk(searcher, "媳妇全职妈妈没单位，我单位给我交着生育保险，她生娃的医药费能走我的保险报销吗")
    assert "第五十四条" in reply.text and "由单位承担" not in reply.text


@pytest.mark.parametrize("message,issue,absent", [
    ("我前年离职的，单位还欠我两个月工资，现在想去要，是不是早就过了时间了", "arbitration_deadline", None),
    ("我在商场做保洁，是物业公司派来的，拖地时被送餐推车撞伤了腰，算工伤吗", "work_injury", "platform_worker")])
def test_a_time_limit_asked_plainly_and_a_cart_that_is_not_a_rider(searcher, message, issue, absent):
    found = talk(searcher, message).issues
    assert issue in found and absent not in found
