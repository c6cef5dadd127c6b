"""The issue spotter's cues (knowledge/content/issues.yml) on the words workers use, without the learned
model: each wording here was once missed, and a wording close to it must not raise the issue."""
import pytest

from answering import facts, issues
from knowledge.normalize import normalize


def cued(text: str) -> list[str]:
    """The issues the cues alone raise, knowing nothing of her situation."""
    return [i.id for i in issues.spot(normalize(text), limit=0, use_model=False)]


def situated(text: str) -> list[str]:
    """The issues the cues raise, knowing her situation from the same message."""
    text = normalize(text)
    return [i.id for i in issues.spot(text, facts.extract(text), limit=0, use_model=False)]


@pytest.mark.parametrize("text,issue", [
    ("老板说我不合适，直接让我走，理由也不说", "dismissal_general"),
    ("园长说要换人，让我干到月底", "dismissal_general"),
    ("老细话生意唔好要炒咗我", "dismissal_general"),
    ("试用期第二个月老板让我走，要赔钱吗", "compensation_amount"),
    ("合同到期公司不续签，有没有补偿", "compensation_amount"),
    ("厂子黄了老板跑路了，欠俺仨月工资，上哪说理去", "labour_inspection"),
    ("公司拖欠工资，打电话给谁举包", "labour_inspection"),
    ("校长抄起文件夹砸我", "workplace_violence"),
    ("他隔三差五跑到我上班的商场门口堵我、骂我", "protection_order"),
    ("如果他跑到我单位来闹怎么办", "protection_order"),
    ("我想让他别再靠近我，法律上有啥办法", "protection_order"),
    ("流产了只批了一个礼拜假，这期间的工资该怎么算", "maternity_pay"),
    ("公司拖了我三个月工资", "wage_arrears"),
    ("厂里三个月没发工资了", "wage_arrears"),
    ("老细成日拖粮", "wage_arrears"),
    ("我想申请劳动仲裁，要准备哪些东西", "evidence"),
    ("领导老是动手动脚，我该怎么留正据", "harassment_evidence"),
    ("老板口头让我明天别来了，我该怎么留证据", "dismissal_evidence"),
    ("公司把我调到郊区的仓库上班", "pay_cut"),
    ("老板让俺先回家歇着，歇着期间不发钱", "pay_cut"),
    ("怀孕了，老板说以后只给两千", "pay_cut_pregnant"),
    ("产假结束回去上班，孩子才四个月，公司还给她排了夜班", "nursing_hours"),
    ("每天排班都要多干两三个钟头，合法吗", "overtime_limits"),
    ("这两个月没订单，工资条上只有1500多块，工资是不是再少也得认", "minimum_wage"),
    ("俺们七八个人在工地食堂做饭，工钱拖了四个月，想一搭里去告他", "group_dispute"),
    ("嘛叫三期啊", "three_periods_meaning"),
    ("老板一直没同我们买社保，现在我想走，有没有补偿", "resign_for_cause"),
    ("我跑网约车，要是跑车的时候出了事故，平台管不管", "work_injury"),
    ("被公司开出了，说我旷工三天", "dismissal_general"),
    ("俺在超市当收银，揣崽儿七个多月了，老板还整天给俺排夜班", "late_pregnancy_hours"),
    ("厂里没给俺上生育险，俺生娃住院花了一万多", "maternity_insurance_missing"),
    ("医院只给我交了养老，医疗和生育都没交，我下个月预产期", "maternity_insurance_missing"),
    ("现在怀孕三个月，每天要搬很多箱子", "prohibited_work"),
    ("公司下个月要搬去东莞，不跟去就当自动离职", "layoff"),
    ("公司让她去前台，工资降了一半，还说不同意就走人", "pressured_to_resign"),
    ("组长叫俺们几个女的跟男的一样扛料袋，一袋六十斤，法律上有说法没", "women_heavy_work"),
    ("老板拖了我们三个月工资，这个咋个办嘛，找哪个？", "labour_inspection"),
    ("老板话冇单做，要一次过裁我哋十几个人", "layoff"),
    ("组长天天让俺加班到夜里，说不加班就扣全勤奖", "fines_deductions"),
    ("一个月就给1800，还说包了午饭，我觉得太低了，这个工资合法吗", "minimum_wage"),
    ("上周刚做完引产手术，人事说只能请病假，病假工资只发一半", "maternity_pay"),
    ("我老公在宁波另一家厂，他能有几天假", "regional_leave"),
    ("公司要开出我，没有任何理由", "dismissal_general"),
    ("老板要我们每个月倒交五百块钱培训费，不交就从工资里头扣", "documents_deposit"),
    ("跟校长吵了两句，他直接抄起文件夹砸我", "workplace_violence"),
    ("宝宝才五个月，补乳期可以拒绝加班吗", "nursing_hours"),
    ("娃儿才四个月，公司连个挤奶的地方都莫得，只能在厕所头挤", "nursing_room"),
    ("今年查出来乳腺癌，正化疗呢，公司说俺老请假，让俺这个月底就别来了", "sick_leave"),
    ("合同是跟一个人才服务公司签的，派到学校当老师", "labour_dispatch"),
    ("我是派遣到银行做柜员的，跟行里正式员工干一样的活，工资差了快一半", "equal_pay"),
    ("产假结束回去，发现我的位置已经被新招的人顶上了", "pay_cut_pregnant"),
    ("老板一直没同我们买社保，我现在想辞工不做", "resign_for_cause"),
    ("揣娃八个多月了，车间主任还让俺搬那一箱箱的冻肉", "prohibited_work"),
    ("我就主动跟老板提了辞职，最晚要干到哪天才能走", "resignation"),
    ("我姐说干满三年走人就能拿三个月工资的补偿，是这样吗", "compensation_amount"),
    ("上个月刚被公司无故解聘，想问问能拿多少", "dismissal_general"),
    ("老板知道我怀上了以后，就叫我别干了，回家待着去", "dismissal_pregnant"),
    ("我们厂明年要搬厂去安徽，不去的算自己走", "layoff"),
    ("工头欠了俺们半年工钱，俺上哪儿告他", "labour_inspection"),
    ("我是前年十月走的，那时公司少算了加班费，现在还来得及吗", "arbitration_deadline"),
    ("仲裁赢了，调解书也签了，可老板就是拖着不给钱", "award_enforcement"),
    ("公司让我签的是合作协议，说我是个体户，不算他们的员工", "platform_worker"),
    ("我在家政公司做月嫂，公司说我们跟它没有劳动关系", "platform_worker"),
    ("公司说产假只有98天，别的都没有", "maternity_leave_length"),
    ("同一个柜台，商场自己的员工拿八千，我们外包过来的才五千", "equal_pay"),
    ("跟我干一样活的男同事，每月比我多拿一千", "equal_pay"),
    ("辞职三个月了，公司还欠我两万提成，一直拖着不给", "final_wages"),
    ("仓库里天天搬货，一袋四十来斤。女的能干这么重的活吗，法律有规定吗", "women_heavy_work"),
    ("国庆七天我都在店里上班，工资跟平时一样，没多给", "overtime_pay"),
    ("那去年没歇的那几天能要钱不", "annual_leave_pay"),
    ("打劳动官司一定要请律师吗", "legal_aid"),
    ("已经签了三次合同了，这次又只让签一年", "open_ended_contract"),
    ("休完产假回来上班，我手上的客户都分给新人了", "pay_cut_pregnant"),
    ("厂里俩月没开支了，我想不干了，能要补偿不", "resign_for_cause"),
    ("公司不给交社宝，我能去那里投述", "labour_inspection"),
    ("老板把我工资从五千降到三千五，也没商量", "pay_cut"),
    ("怀孕两个月，基地让我天天背着药桶打药", "prohibited_work"),
    ("车间主任说我们是综合工时，加班不算加班", "special_hours"),
    ("我在奶茶店做小时工，一天三个钟头，老板说不用我了", "part_time_work"),
    ("我退休以后在饭店帮厨，老板拖着工钱不给", "retiree_work"),
    ("我喺商场做收银，同店长讲我有咗，佢就将我调去货仓，人工由4500减到3200", "pay_cut_pregnant"),
    ("产假回来以后，我的岗位补贴少了五百，说是重新定级", "pay_cut_pregnant"),
    ("组长在仓库里老从背后贴上来，晚上还给我传下流的照片", "sexual_harassment"),
    ("我们厂四十几个工人都两个月没发工资了", "group_dispute"),
    ("老板跑了，我们不知道该去哪里找人", "labour_inspection"),
    ("公司一直没交社保，能不能去投诉", "labour_inspection"),
    ("下家已经找好了，我想走，可主管说离职得经理批了才行", "resignation"),
    ("怀了两个多月娃没保住，厂里只给三天假", "miscarriage_leave"),
    ("我在广州生娃，产假一共几天？我老公有没有陪产假", "maternity_leave_length"),  # her leave beside his
    ("老板说店小不用签合同，我都干了大半年了", "no_written_contract"),
    ("我喺茶餐厅做咗一年半，老细从来冇同我签过合同".replace("喺", "在").replace("咗", "了").replace("冇", "没"),
     "no_written_contract"),
    ("招聘启事上写着男性优先，这合法吗", "hiring_discrimination"),
    ("送外卖途中被电动车撞了，腿骨折了", "work_injury"),
    ("一年年假都没让休，不休给钱不", "annual_leave_pay"),
    ("怀孕八个月了，老板还让我天天干到晚上十一点", "overtime_limits"),
    ("老板跑路了，厂门都锁了，欠我们三个月工资", "closure"),
    ("我退休好几年了，养老金也领着，又去饭店洗碗，老板欠了两个月工钱", "retiree_work"),
    ("经理总是贴着我站，还半夜叫我去他房间谈工作", "sexual_harassment"),
    ("工钱欠了好久，超过多久就要不回来了", "arbitration_deadline"),
    ("哺乳期哪些活单位不能安排给我", "prohibited_work"),
    ("公司说要菜员，把我也列进去了", "layoff"),
])
def test_the_words_workers_use_raise_the_issue(text, issue):
    assert issue in cued(text)


@pytest.mark.parametrize("text,issue", [
    ("我撞坏了客户的车，要赔钱吗", "compensation_amount"),  # she owes damages; no job ended
    ("让我走流程申请报销", "dismissal_general"),
    ("社保也是在苏州交的。公司少算了我的加班费", "social_insurance_unpaid"),  # a cue stays in its sentence
    ("我跟HR投诉了两次，HR说他是开玩笑", "labour_inspection"),
    ("怀孕三个月，每次去产检都得用年假", "annual_leave"),  # whether antenatal checks are work time
    ("怀孕四个月时被解除了合同，公司只给了一个月工资", "pay_cut_pregnant"),  # a month's pay as severance
    ("公司开出了每月八千的条件", "dismissal_general"),
    ("老板说这个月的工资下周打我卡上", "workplace_violence"),
    ("我们几个同事一起去吃饭", "group_dispute"),
    ("领导老是对我动手动脚还讲荤段子", "workplace_violence"),  # harassment, not a beating
    ("经理说不依他就开除我，还威胁我", "workplace_violence"),  # a threat of dismissal, not a blow
    ("我不想辞职，但真的受不了", "resignation"),
    ("老板没跟俺签合同，说签不签都一样", "pressured_to_resign"),
    ("原公司不给开离职证明，社保也没转走", "social_insurance_unpaid"),
    ("指头压断了，老板说给五千块私了，太少了吧", "compensation_amount"),
    ("我老婆没工作，产假期间有生育津贴吗", "maternity_pay"),
    ("仲裁委裁决了，可我觉得赔得太少，还能去法院吗", "award_enforcement"),  # an appeal, not enforcement
    ("我和闺蜜合作开了一家奶茶店", "labour_inspection"),
    ("春节放假回来上班，发现工位被调了", "overtime_pay"),  # back after the holiday, not working it
    ("老板把我工资从五千降到三千五，也没商量", "pay_cut_pregnant"),  # no word of pregnancy: the general rule
    ("加班费按一个小时十五块算，对吗", "part_time_work"),  # a full-time worker's overtime
    ("我妈退休了，我在商场上班，老板拖着工资不给", "retiree_work"),
])
def test_close_wordings_do_not(text, issue):
    assert issue not in cued(text)


@pytest.mark.parametrize("text", ["一直没签合同，我在这干了两年多了",  # 第十四条第三款
                                  "我在厂里干了十二年，合同到期厂里不续签了"])  # 第十四条第二款第一项
def test_her_years_make_the_contract_open_ended(text):
    assert "open_ended_contract" not in cued(text)  # no cue of its own: her tenure adds it
    assert "open_ended_contract" in situated(text)


def test_a_short_spell_adds_nothing():
    text = normalize("一直没签合同，我在这干了五个月")
    assert "open_ended_contract" not in [i.id for i in issues.spot(text, facts.extract(text), limit=0)]


def test_a_question_of_its_own_keeps_the_general_issue_a_specific_one_replaces():
    text = "试用期第五个月我怀孕了，校长让我月底走人。试用期怀孕能辞退我吗？这个试用期本身合法吗？"
    assert {"dismissal_probation_pregnant", "probation"} <= set(cued(text))
    assert "probation" not in cued("试用期怀孕了被辞退，合法吗")
    asked = cued("另外我今年的年假一天没休。年假能折钱吗？")  # the specific issue answers that clause
    assert "annual_leave_pay" in asked and "annual_leave" not in asked


def test_the_models_guess_of_a_pregnancy_rule_needs_a_word_of_pregnancy():
    text = normalize("俺是大连一家海产公司的出纳，干了快十年了，今年查出来乳腺癌，正化疗呢，"
                     "公司来人说俺老请假影响工作，让俺这个月底就别来了，这能行吗")
    found = [i.id for i in issues.spot(text, facts.extract(text), limit=0)]
    assert "dismissal_pregnant" not in found and "dismissal_general" in found  # 乳腺癌 is not 哺乳


def test_an_award_that_stands_is_enforced_not_appealed():
    found = cued("去年打赢了仲裁，裁决书早生效了，公司也没起诉，可到现在一分钱都没给我，下一步怎么办")
    assert "award_enforcement" in found and "award_appeal" not in found and "arbitration_how" not in found


def test_a_layoff_ground_in_pregnancy_is_answered_by_her_own_rule():
    found = cued("我怀孕六个月，公司说部门撤销要裁掉我，这合法吗")
    assert "dismissal_pregnant" in found and "layoff" not in found  # 第四十二条: no such ground for her


@pytest.mark.parametrize("text", ["主管老在微信上给我发黄色图片，我该怎么办",
                                  "经理经常摸我的腰，我能告他吗"])
def test_a_harassment_she_tells_and_asks_about_keeps_its_proof(text):
    assert {"sexual_harassment", "harassment_evidence"} <= set(cued(text))


def test_a_general_question_on_harassment_gets_no_proof_section():
    assert "harassment_evidence" not in cued("单位在防止性骚扰方面有哪些责任")


def test_a_birth_in_a_province_we_have_checked_adds_her_provinces_days():
    assert {"maternity_leave_length", "regional_leave"} <= set(situated("我在深圳上班，下个月生，产假一共多少天"))
    assert "regional_leave" not in situated("我在深圳上班，上个月流产了，产假多少天")


def test_proof_asked_after_a_dismissal_is_the_dismissal_list():
    found = situated("公司把我辞退了，我要去仲裁，该准备哪些材料")
    assert "dismissal_evidence" in found and "evidence" not in found


def test_a_pregnant_womans_overtime_is_answered_by_her_own_rule():
    assert "pregnancy_hours_early" in situated("我怀孕五个月，车间天天加班到十点，我能不能不加")
    assert "pregnancy_hours_early" not in situated("车间天天加班到十点，我能不能不加")


def test_insurance_unpaid_in_the_three_periods_is_her_maternity_benefits():
    found = situated("上个月流产了，才知道厂里一直没给我们交过社保")
    assert "maternity_insurance_missing" in found


def test_heavy_work_barred_to_every_woman_is_hers_when_pregnant_too():
    found = cued("我怀孕五个月了，厂里让我扛六十斤的料袋")
    assert {"women_heavy_work", "prohibited_work"} <= set(found)  # 附录 第一条, and her stricter list


def test_a_narrow_issue_is_never_the_models_guess_alone():
    text = normalize("我妈退休了，我在厂里上班被辞退了")
    assert "retiree_work" not in [i.id for i in issues.spot(text, facts.extract(text), limit=0)]
    assert issues.taxonomy()["retiree_work"].cue_only


def test_a_guess_never_displaces_what_a_cue_found():
    text = normalize("签的是三年合同，约定试用期半年，试用期间只拿八成工资，这样行吗")
    found = [i.id for i in issues.spot(text, facts.extract(text), limit=0)]
    assert "probation" in found and "dismissal_probation_pregnant" not in found


@pytest.mark.parametrize("text", ["厂里说明年整个搬到湖南，谁不跟着走就算自己辞职，补偿一分钱都冇",
                                  "合同到期公司说不续了，我干了八年，就这么打发我走？"])
def test_money_named_beside_an_ending_brings_the_compensation_section(text):
    assert "compensation_amount" in cued(text)


def test_an_ending_told_without_money_does_not():
    assert "compensation_amount" not in cued("合同月底就满了，厂里讲不再续签，那我下个月还用去吗")


def test_a_closed_former_employer_is_not_her_employers_closure():
    found = cued("以前那家服装店关门了我才来这里，现在怀孕三个月，店长说下周起不用来了")
    assert "dismissal_pregnant" in found and "closure_three_period" not in found


def test_a_nursing_mother_kept_late_gets_her_own_rule():
    assert "nursing_hours" in situated("娃儿刚满五个月，老板天天叫我晚上留下来盘点，加班费一分都没给")


def test_her_husbands_leave_alone_is_not_her_maternity_leave():
    assert "maternity_leave_length" not in cued("我老公单位的陪产假有几天")
