"""Where the answer is chosen: safety first, then a calculator, then retrieval, else honesty.

Pure functions of (message, what we know of the conversation, the index), so the same logic
serves the Rasa action, the tests and the staff console's "what would the bot say".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from answering import annual_leave, calculators, compensation, dates, deadlines, facts, issues, overtime
from answering.deadlines import cite_grouped
from answering.facts import Facts
from answering.issues import Issue
from knowledge import regions, topics
from knowledge.normalize import normalize
from knowledge.safety import SAFETY_TEXT, detect
from knowledge.models import NATIONAL, LegalBasis
from knowledge.replies import ReplyKind as K
from knowledge.search import Searcher, SearchResult, render_hit

INTENT_TOPICS = {
    "ask_maternity_leave": "maternity", "ask_miscarriage_leave": "miscarriage",
    "ask_breastfeeding": "breastfeeding", "ask_pregnancy_protection": "pregnancy",
    "ask_dismissal": "dismissal", "ask_maternity_benefit": "benefit",
    "ask_prohibited_work": "prohibited", "ask_harassment": "harassment",
    "ask_discrimination": "discrimination", "ask_procedure": "procedure",
    "ask_other_leave": "leave", "ask_union": "union", "ask_union_service": "services",
    "book_service": "services", "ask_new_employment": "new_employment",
}
HANDOVER = {"title": "转人工", "payload": "/human_handover"}
HIGH_RISK_TOPICS = {"dismissal", "harassment", "violence"}  # the bot offers an officer by itself
LEGAL_CONSULT = {"title": "预约法律咨询", "payload": "预约法律咨询"}
PROVINCE_BUTTONS = ["北京", "上海", "广东", "浙江"]
_MEANINGFUL = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_LEAVE = r"(?<!陪)(?<!流)(产假|生育假|月子假)"
_LEAVE_LENGTH = re.compile(  # asks how long maternity leave is or when it ends
    rf"{_LEAVE}.{{0,8}}(多少|几|多久|多长|怎么算|哪天|几号|结束|到期|一共|总共|算一下)"
    rf"|(多少|几|多久|多长)天?.{{0,4}}{_LEAVE}|(能|可以|多)休.{{0,6}}{_LEAVE}")
_DAYS_Q = re.compile(r"几天|多少天|多久|多长时间|一共|总共")
_LATE_PREGNANCY_DUTY = re.compile(r"加班|夜班|晚班|通宵|熬夜|延长劳动时间|上到晚上|值班")
_NOT_LENGTH = re.compile(r"工资|津贴|钱|待遇|辞退|解除|开除|合同|社保|保险|报销|期间|年休假|年假|病假|事假")
_MISCARRIAGE = re.compile(r"流产|引产|胎停|小产|停育|胎死")
_BREASTFEEDING_TIME = re.compile(r"哺乳时间|喂奶时间|哺乳假?.{0,4}(几|多少|多久)"
                                r"|每天.{0,6}(哺乳|喂奶|(一|1)个?(小时|钟头))")
_REGIONAL_LEAVE = re.compile(r"陪产|护理假|育儿假|婚假")
# His leave, however he is named (her husband, her sister's, her daughter's); the gap never mentions
# her (老公说我产假… is about hers).
_FATHER = r"(男方|男职工|爸爸|当爹的|老公|丈夫|男人|孩子(他)?爸|娃(他)?爹|姐夫|妹夫|女婿)"
# 「那我老公呢？他能休几天」: the father named, then the question about his days (呢 closes the first half)
_FATHER_ASKS = re.compile(rf"{_FATHER}(呢[？?，,]?)?[^。？?！!我她]{{0,16}}"
                          rf"(假|(休|请)[^。？?！!我她]{{0,4}}(几天|多少天|多久))")
_HE_ASKS = re.compile(r"我(自己)?.{0,3}(能|可以|有|可)休.{0,6}(几|多少|多久)|我(自己)?的假")
_AFTER_FIRST_BIRTHDAY = re.compile(
    r"(满|过了?|到了?|超过)(一|1)(周)?岁.{0,4}(以后|之后|后)|(一|1)(周)?岁(以后|之后|后)")

OUT_OF_SCOPE_TEXT = ("抱歉，这个问题超出了我的服务范围。我主要解答女职工劳动权益方面的问题，比如产假、"
                     "孕期和哺乳期保护、生育津贴、性骚扰、就业歧视、劳动仲裁，也可以介绍工会服务。")
FAMILY_LAW_TEXT = ("这是婚姻家庭方面的问题（离婚、孩子抚养、财产等），不在本助手解答的职场权益范围内，"
                   "我没法替代律师判断。"
                   "可以拨打妇女维权公益服务热线12338（妇联），或12348公共法律服务热线申请法律援助；"
                   "想找人帮你理一理，点「转人工」。如果工作上也遇到了问题（比如哺乳期被辞退、降薪），直接告诉我。")
EMPTY_TEXT = "我没看懂这条消息。请用文字说说你遇到的情况，比如「产假有多少天」「怀孕了公司要辞退我怎么办」。"
LONG_MESSAGE = 60  # characters: a story rather than a question
SELF_HARM_FOR_SOMEONE = ("听起来{who}现在很危险。如果{who}有伤害自己的念头或已经受伤，"
                         "请马上拨打120或110，尽量陪在身边、"
                         "别让{who}一个人待着；心理援助热线12356可以帮你们。{who}遇到的事，我们一起想办法。")
SAFETY_FIRST_STEP = {"self_harm": "先顾好安全：心里撑不住就打12356，有危险马上打120或110，身边有人就叫人陪着",
                     "sexual_assault": "先到安全的地方，打110报警，保留衣物等证据并尽快去医院",
                     "threat": "有危险先打110，到安全的地方去", "violence": "有危险先打110，到安全的地方去"}
SAFETY_BUTTONS = [{"title": "联系维权专员", "payload": "/human_handover"},
                  {"title": "人身安全保护令怎么申请", "payload": "人身安全保护令怎么申请"}]
NEXT_STEPS = {  # what she can do next when the bot cannot answer, by the topic it recognised
    "wages": "拖欠工资、克扣工资可以拨打12333向劳动保障监察投诉，也可以在1年内申请劳动仲裁（不收费）",
    "procedure": "可以拨打12333咨询当地人社部门，或向劳动合同履行地的劳动争议仲裁委员会申请仲裁（不收费）",
    "violence": "有危险请拨打110；妇联维权热线12338可以帮你",
    "harassment": "可以向单位、工会或妇联（12338）投诉，有危险拨打110",
}
for _topic in ("dismissal", "contract", "compensation", "resign", "insurance"):
    NEXT_STEPS[_topic] = ("先留好劳动合同、工资流水、聊天记录等证据；1年内可以向劳动合同履行地或单位所在地的"
                          "劳动争议仲裁委员会申请仲裁（不收费），也可以拨打12351找工会")
DEFAULT_NEXT_STEP = "可以拨打全国职工服务热线12351问工会，或拨打12348公共法律服务热线了解法律援助"
FOLLOW_UP_FACTS = ("province", "birth_date", "babies", "difficult_birth", "child_order", "pregnancy_months",
                   "baby_months", "tenure_months", "career_months", "monthly_wage")
FOLLOW_UP_MAX_CHARS = 40  # a message that only adds facts is a follow-up up to this length
_FOLLOW_UP_REF = re.compile(r"^(那|那么|那要是|那如果|如果|要是|还|也)"
                            r"|(呢|还有吗|也有吗|也算吗|也能吗|还能吗|还算吗|行吗|可以吗)[?？。!！]*$")
_HYPOTHETICAL = re.compile(r"^(那|那么)?(要是|如果|万一|假如|假设|真要)")
# An entry's worked example (例：干了2年7个月…), a line of its own; a reviewer found it shown to a worker
# whose own compensation was worked out just above, as if it were hers.
_EXAMPLE_LINE = re.compile(r"^例：[^\n]*\n", re.MULTILINE)
_FIRST_STEP = re.compile(r"怎么做：\s*1[.．、]\s*([^；;。\n]+)")
STORY_FLOOR = 0.05  # below this even a confident story gets no answer from retrieval
CAVEAT_PREFIX = "我不能完全确定这是否对应你的情况，先把最相关的信息给你参考：\n"


@dataclass
class Conversation:
    """What the bot remembers of one conversation (Rasa slots)."""

    facts: Facts = field(default_factory=Facts)
    last_topic: str | None = None
    last_question: str | None = None
    abstain_count: int = 0


@dataclass
class Reply:
    kind: K
    text: str = ""
    buttons: list[dict] = field(default_factory=list)
    response: str | None = None  # a domain response to utter instead of text
    topic: str | None = None
    question: str | None = None  # the question this reply answered (for follow-ups)
    sources: list[dict] = field(default_factory=list)
    confidence: float | None = None
    facts: Facts | None = None
    issues: list[str] = field(default_factory=list)  # the issue ids this reply answered
    parts: list[str] = field(default_factory=list)  # several messages (safety first, one per issue)
    region: str = NATIONAL  # where the rule it states applies (its 适用地区 line)

    def messages(self) -> list[str]:
        """What she reads, one message each; `text` alone when the reply is one message."""
        return self.parts or ([self.text] if self.text else [])


def compose(text: str, intent: str | None, entities: list[dict], conv: Conversation,
            searcher: Searcher, today: date | None = None, intent_confidence: float = 0.0) -> Reply:
    """The bot's reply to one message. `intent_confidence` is the NLU's: a confident rights intent
    lets a long story, which never matches one entry word for word, get an answer with a caveat."""
    clean = normalize(text)
    danger = detect(clean)
    if not _MEANINGFUL.search(clean):
        return Reply(K.EMPTY, EMPTY_TEXT)
    stated = facts.extract(clean, entities, today)
    known = stated.merged_over(conv.facts)
    if intent in ("affirm", "deny", "skip") and not stated.any() and not danger:
        return Reply(K.ACK, "好的，有需要随时找我。" if intent == "deny" else "好的。还有什么想了解的，直接问我就行。",
                     facts=known)
    question, topic = _resolve_question(clean, intent, stated, conv)
    spotted = _proof_for_story(issues.spot(question, known, limit=0), conv.last_topic)
    if _fathers_leave(clean, known) and "产假" not in clean.replace("陪产假", ""):  # his leave alone (那我老公呢)
        spotted = [i for i in spotted if i.id != "maternity_leave_length"]
    found, more = spotted[:issues.MAX_ISSUES], spotted[issues.MAX_ISSUES:]
    reply = _answer(question, topic, intent, known, found, searcher, intent_confidence, today, more)
    reply.facts = known
    reply.question = reply.question or question
    reply.topic = reply.topic or topic
    if danger:
        reply = _with_safety(danger, reply, known)
    return reply


# What she must prove follows the story she told before she asked for evidence: a harassment is proved with
# chat records and witnesses, a dismissal with the notice and her pay (我要怎么留证据, asked in a later turn).
_PROOF_BY_TOPIC = {"harassment": "harassment_evidence", "dismissal": "dismissal_evidence"}


def _proof_for_story(found: list[Issue], last_topic: str | None) -> list[Issue]:
    fitted = _PROOF_BY_TOPIC.get(last_topic or "")
    if not fitted:
        return found
    return [issues.taxonomy()[fitted] if i.id == "evidence" else i for i in found]


def _answer(question: str, topic: str | None, intent: str | None, known: Facts, found: list[Issue],
            searcher: Searcher, intent_confidence: float, today: date | None = None,
            more: list[Issue] | None = None) -> Reply:
    """A story or a message with several issues is answered issue by issue; a short question by
    the calculators, then retrieval, unless retrieval borrows another issue's verdict."""
    if not found and issues.OUTSIDE_WORK.search(question):  # family law: say so and where to turn
        return Reply(K.OUT_OF_SCOPE, FAMILY_LAW_TEXT, [HANDOVER, LEGAL_CONSULT], topic=None)
    several = len(found) >= 2 and (len(question) >= LONG_MESSAGE or known.tenure_months is not None
                                   or len(issues.spot(question, known, use_model=False)) >= 2)
    if several or (found and len(question) >= LONG_MESSAGE):  # a short question needs two cues to split
        return _issues_reply(found, known, searcher, question, intent, today, more)
    if found and _worked_out_parts(found, known, question, today):  # her own figures beat a general answer
        return _issues_reply(found, known, searcher, question, intent, today, more)
    reply = (_regional_leave(question, known)
             or _calculate(question, intent, known)
             or _retrieve(question, topic, intent, known, searcher, intent_confidence))
    if found and _corroborated(reply, found[0], searcher, known):
        return _without_caveat(reply)
    if found and _borrowed(reply, found, known):
        return _issues_reply(found, known, searcher, question, intent, today, more)
    return reply


def _corroborated(reply: Reply, issue: Issue, searcher: Searcher, known: Facts) -> bool:
    """Retrieval was unsure, but its entry is on the topic the issue spotter recognised: two
    independent signals agree, so the nearer, more specific entry is shown without hedging (when
    its verdict can hold for her)."""
    if reply.kind != K.CAVEAT or not reply.sources or reply.sources[0].get("kind") != "faq":
        return False
    answers = _issue_answered_by(reply)
    if answers is not None:
        return answers in issues.compatible(issue) and issues.fits(issues.taxonomy()[answers], known)
    entry = searcher.get(issue.entry_id)
    return entry is not None and reply.topic == entry.topic


def _without_caveat(reply: Reply) -> Reply:
    reply.kind = K.ANSWER
    reply.text = reply.text.removeprefix(CAVEAT_PREFIX)
    return reply


def _borrowed(reply: Reply, found: list[Issue], known: Facts) -> bool:
    """The nearest entry answers another issue than hers (its verdict would not be hers: another
    issue, or the general rule for a woman who told she is pregnant), or a narrow one only a cue may
    raise and none did (a pensioner's job for 我妈退休了，我被辞退了), or retrieval gave up on a
    message whose issue we recognised."""
    if reply.kind in (K.ABSTAIN, K.CAVEAT, K.OUT_OF_SCOPE):
        return True
    answers = _issue_answered_by(reply) if reply.kind == K.ANSWER else None
    if answers is None or answers in {i.id for i in found}:
        return False
    entry_issue = issues.taxonomy()[answers]
    return (answers not in issues.compatible(found[0]) or entry_issue.cue_only
            or not issues.fits(entry_issue, known))


def _issue_answered_by(reply: Reply) -> str | None:
    """The issue the reply's top entry answers (None for an entry no issue is tied to)."""
    return issues.entry_issues().get(reply.sources[0].get("id", "")) if reply.sources else None


def _issues_reply(found: list[Issue], known: Facts, searcher: Searcher, question: str,
                  intent: str | None, today: date | None = None, more: list[Issue] | None = None) -> Reply:
    """Each issue in turn, most urgent first, each short enough for a phone screen, then what to
    do now. Her facts are said back so she can correct what the bot understood."""
    parts, sources, regions_seen = [], [], set()
    intro = facts.describe(known)
    header = []
    if intro:
        header.append(f"按你说的：{intro}。")
    if known.third_person():
        header.append(f"下面说的「你」，指{facts.ASKERS[known.asker]}。")
    if len(found) > 1:
        header.append(f"你的消息里有{len(found)}个问题，我一个一个说。")
    curated = []  # issues answered by their curated entry (a calculated one has no entry's steps)
    worked_out = _worked_out_parts(found, known, question, today)
    for n, issue in enumerate(found, 1):
        block, cites, region = _issue_block(issue, known, searcher, question, intent)
        if worked_out:  # her own figures are worked out: an entry's example with other figures misleads
            block = _EXAMPLE_LINE.sub("", block)
        label = f"{'①②③④⑤'[n - 1]} {issue.label}" if len(found) > 1 else f"【{issue.label}】"
        parts.append(f"{label}\n{block}")
        sources += cites
        regions_seen.add(region)
        if any("id" in c for c in cites):
            curated.append(issue)
    for extra in worked_out:
        parts.insert(1, extra)
    if header:
        parts[0] = "".join(header) + "\n" + parts[0]
    # the first step of her most urgent issue, when its curated entry answers it: another issue's step
    # (请病假 after 15 days of miscarriage leave) contradicts her answer, a reviewer found
    parts.append(_closing(found[:1] if found[0] in curated else [], searcher, regions_seen, more or []))
    top = found[0]
    return Reply(K.ANSWER, "\n\n".join(parts), [HANDOVER, LEGAL_CONSULT], topic=_topic_of(top, searcher),
                 sources=sources, confidence=1.0, issues=[i.id for i in found], parts=parts)


def _issue_block(issue: Issue, known: Facts, searcher: Searcher, question: str,
                 intent: str | None) -> tuple[str, list[dict], str]:
    """One issue's answer: her numbers when a calculator can give them, else the curated answer."""
    calc = _calculate_issue(issue, question, intent, known)
    if calc is not None:  # the region line is said once, in the closing message
        return calc.text.replace(f"\n适用地区：{calc.region}", "", 1), calc.sources, calc.region
    entry = searcher.get(issue.entry_id)
    if entry is None:  # the curated answer was withdrawn: say what we recognised, hand over
        return (f"这个问题我还没有整理好的答案。{DEFAULT_NEXT_STEP}。", [], "全国")
    basis = list(entry.basis)
    text, region = entry.text, "全国" if entry.region in ("", "全国") else entry.region
    if issue.id == "maternity_pay" and (local := _extended_leave_pay(known)):
        text, region = f"{text}\n{local}", known.province
    if issue.id == "pressured_to_resign" and known.stage in facts.THREE_PERIODS:
        text, basis = f"{text}\n{PROTECTED_IF_SHE_REFUSES}", basis + PROTECTED_BASIS
    cite = cite_grouped(basis)
    text += f"\n法律依据：{cite}" if cite else ""
    return text, [{"id": entry.id, "kind": entry.kind, "citation": cite, "region": entry.region}], region


# A sentence of a province's table row (其他) on pay during her own extended leave: 奖励假/生育假/延长产假,
# not the father's 陪产假 (a reviewer found 「广东的奖励假带不带薪」 answered with the national rule only).
_OWN_EXTENDED_LEAVE = re.compile(r"(?<!陪)产假|生育假|奖励假")
_PAY_WORDS = re.compile(r"工资|待遇")


def _extended_leave_pay(known: Facts) -> str:
    """What her province's regulation says about pay during the leave it adds, when the row is verified."""
    rule = regions.rules().get(known.province or "")
    if rule is None or not rule.verified:
        return ""
    said = [s for s in re.split(r"(?<=。)", rule.other) if _PAY_WORDS.search(s) and _OWN_EXTENDED_LEAVE.search(s)
            and not s.startswith("另据")]  # 另据…: another regulation's rule, which the row's citation is not
    if not said:
        return ""
    return f"在{rule.province}：{''.join(said)}（《{rule.source}》{rule.article}）"


# Pressed to resign in the three periods, she asks what happens if she refuses (不签的话能硬把我辞了吗): her
# protection, which the entry on signing does not say (劳动合同法 第四十二条、第四十八条、第八十七条).
PROTECTED_IF_SHE_REFUSES = ("你在孕期、产期或哺乳期，不签的话，单位不能因此辞退你，也不能用不能胜任、裁员、"
                            "客观情况变化这些理由单方解除；硬要辞退就是违法解除，你可以要求继续上班，"
                            "或者要求经济补偿二倍的赔偿金（2N）。")
PROTECTED_BASIS = [LegalBasis("劳动合同法", "第四十二条"), LegalBasis("劳动合同法", "第四十八条"),
                   LegalBasis("劳动合同法", "第八十七条")]


# How the job ended, by issue: which compensation rule applies to her (劳动合同法 Art. 40–48, 87). The
# most specific cause first: a closure or a layoff told beside 被辞退 is what decides N or 2N.
ENDINGS = {
    "closure": "employer_closed", "closure_three_period": "employer_closed", "layoff": "layoff_art41",
    "contract_expiry_three_period": "contract_expired_not_renewed",
    "contract_not_renewed": "contract_expired_not_renewed",
    "mutual_termination": "mutual_agreement_employer_proposed", "resign_for_cause": "she_resigned_art38",
    "dismissal_pregnant": "unlawful_dismissal", "dismissal_probation_pregnant": "unlawful_dismissal",
    "dismissal_unable_performance": "unlawful_dismissal", "dismissal_general": "unlawful_dismissal",
    "pressured_to_resign": "unlawful_dismissal",  # what she is owed if she refuses and is dismissed anyway
}
# A workplace moved far away is a change of circumstances (第四十条第三项), not a layoff under 第四十一条.
_RELOCATION = re.compile(r"搬迁|搬厂|迁(到|往|去)|搬(到|去|往)(外地|外省|外市|.{1,6}(省|市|县|区))"
                         r"|异地|整体(搬|迁)|搬(到|去|往)[^，。,]{0,12}(公里|郊区|外地)")


_CONTRACT_END = re.compile(r"合同[^，。,；]{0,14}?(到期|期满)|(到期|期满)[^，。,；]{0,4}合同")
_DUE = re.compile(r"预产期|要生|生产|分娩")


def _deadline_part(found: list[Issue], question: str, known: Facts, today: date | None) -> str | None:
    """Her last day to act, or the day a rule takes effect, when she gave the date it runs from."""
    today = today or date.today()
    ids = {i.id for i in found}
    when = facts.parse_date(question, today)
    if "arbitration_deadline" in ids:
        return _arbitration_deadline_part(question, when, today)
    if "resignation" in ids and when and re.search(r"(交|递|提|发|写)了?.{0,6}辞职|辞职(信|报告|申请|通知)", question):
        return "按你说的日期算一下：\n" + deadlines.render_deadline(
            deadlines.resignation_effective_date(when, probation=bool(known.probation)))
    if "contract_expiry_three_period" in ids:
        return _extension_part(question, known, today)
    return None


def _month_start(told: tuple[date, bool] | None) -> date | None:
    return told[0] if told else None


def _arbitration_deadline_part(question: str, when: date | None, today: date) -> str | None:
    """Her last day for arbitration from the day she told, or the month (2024年6月底离职): a reviewer
    found 「现在还来得及吗」 answered with the general one-year rule when her year had run out."""
    assumed = False
    if when is None and (told := dates.parse_year_month(question, today)):
        when, assumed = told
    if when is None or when > today:
        return None
    head = f"你只说了月份，按{when.month}月{when.day}日算（宁早勿晚）。\n" if assumed else ""
    worked_out = deadlines.render_deadline(deadlines.arbitration_deadline(when, today=today))
    return "按你说的日期算一下：\n" + head + worked_out


def _extension_part(question: str, known: Facts, today: date) -> str | None:
    """The day her fixed-term contract really ends: extended to the baby's first birthday."""
    m = _CONTRACT_END.search(question)
    # around 合同到期: the day or the month it ends (合同下个月底到期), not 昨天 of whoever told her
    window = dates.RELATIVE.sub("", question[max(0, m.start() - 14):m.end() + 14]) if m else ""
    end = facts.parse_date(window, today) or _month_start(dates.parse_year_month(window, today)) if m else None
    due_match = _DUE.search(question)
    due = facts.parse_date(question[due_match.end():due_match.end() + 14], today) if due_match else None
    if end is None or not (known.birth_date or due):
        return None
    result = deadlines.contract_extension(end, birth_date=known.birth_date, due_date=None if known.birth_date else due)
    return "按你说的日期算一下：\n" + deadlines.render_deadline(result)


DOUBLE_WAGE_MAX_MONTHS = 11  # 劳动合同法实施条例 第七条: from the day after the first month to the day before a year
DOUBLE_WAGE_BASIS = [LegalBasis("劳动合同法", "第八十二条"), LegalBasis("劳动合同法实施条例", "第六条"),
                     LegalBasis("劳动合同法实施条例", "第七条")]


def _double_wage_part(found: list[Issue], known: Facts) -> str | None:
    """The extra month's wage for each month without a written contract, from the second month,
    at most 11 months (Art. 82; 实施条例 Arts. 6, 7), when she gave how long and how much."""
    if "no_written_contract" not in {i.id for i in found} or not known.tenure_months or not known.monthly_wage:
        return None
    months = min(max(known.tenure_months - 1, 0), DOUBLE_WAGE_MAX_MONTHS)
    if months == 0:
        return None
    lines = [f"没签书面合同，从用工第二个月起每月应多付一倍工资，最多{DOUBLE_WAGE_MAX_MONTHS}个月",
             f"你工作{facts.describe(Facts(tenure_months=known.tenure_months)).removeprefix('工作')}，"
             f"算{months}个月：{months}个月×{known.monthly_wage}元＝{months * known.monthly_wage}元"]
    tail = "用工满一年还没签的，视为已经订立无固定期限劳动合同。" if known.tenure_months >= 12 else ""
    return (f"按你说的情况算一下：\n没签合同的二倍工资差额，你可以要{months * known.monthly_wage}元。\n"
            f"计算方法：{'；'.join(lines)}。{tail}\n二倍工资的仲裁时效怎么起算各地做法不同，请尽早申请。\n"
            f"法律依据：{cite_grouped(DOUBLE_WAGE_BASIS)}")


def _worked_out_parts(found: list[Issue], known: Facts, question: str, today: date | None) -> list[str]:
    """Her own figures, worked out from what she told: compensation, deadlines, the double wage,
    annual leave and overtime pay. Each goes right after the issue it belongs to is named."""
    ids = {i.id for i in found}
    parts = [_compensation_part(found, known, question), _deadline_part(found, question, known, today),
             _double_wage_part(found, known)]
    if ids & {"annual_leave", "annual_leave_pay"}:  # what the unpaid days are worth starts from how many
        parts.append(annual_leave.days_part(question, known.career_months, known.tenure_months))
    if "annual_leave_pay" in ids:
        worked = known.career_months or known.tenure_months or 0
        parts.append(annual_leave.pay_part(question, known.monthly_wage, annual_leave.entitled_days(worked)))
    if "overtime_pay" in ids:
        parts.append(overtime.pay_part(question, known.monthly_wage))
    if ids & {"overtime_limits", "overtime_pay"}:  # her hours against the ceiling of 劳动法 第四十一条
        parts.append(overtime.limits_part(question))
    return [p for p in parts if p]


def _compensation_part(found: list[Issue], known: Facts, question: str) -> str | None:
    """Her compensation computed from the tenure and wage she gave, for the way her job ended."""
    ids = {i.id for i in found}
    cause, ending = next(((issue_id, ending) for issue_id, ending in ENDINGS.items() if issue_id in ids), (None, None))
    if not known.tenure_months:
        return None
    if ending is None:  # she asks how N is counted and gave her years: her months, whatever the ending
        if "compensation_amount" not in ids:
            return None
        return "按你说的情况算一下：\n" + compensation.standard_months(known.tenure_months, known.monthly_wage)
    if ending == "layoff_art41" and _RELOCATION.search(question):
        ending = "employer_terminates_art40"
    protected = known.stage in facts.THREE_PERIODS
    ten_years = ending == "contract_expired_not_renewed" and not protected and known.tenure_months >= 120
    if ten_years:  # 第十四条第二款第一项: ten years' service, she asks to renew, the employer must (2N if not)
        ending = "unlawful_dismissal"
    result = compensation.economic_compensation(
        compensation.Situation(ending), monthly_wage=known.monthly_wage, tenure_months=known.tenure_months,
        protected=protected)
    text = compensation.render_compensation(result)
    if cause == "pressured_to_resign":  # nothing is ended yet: what refusing keeps open for her
        text = "如果你不签、公司仍然辞退你（属于违法解除）：" + text
    elif ten_years:
        text = ("你在这家单位连续工作已满十年，你提出续订的，单位应当跟你签无固定期限合同（劳动合同法第十四条）；"
                "如果单位仍坚持到期终止（属于违法终止）：" + text)
    elif ending == "unlawful_dismissal" and not protected:
        text = "如果公司没有法定理由就辞退你（属于违法解除）：" + text
    elif ending == "she_resigned_art38":  # N only when she left for the employer's fault, never for her own reasons
        text = "如果你是因为单位拖欠工资、不交社保等法定原因辞职的（个人原因辞职没有经济补偿）：" + text
    elif ending == "contract_expired_not_renewed" and protected:
        text = "如果单位在你孕期、产期、哺乳期内以合同到期为由终止合同（属于违法终止）：" + text
    return "按你说的情况算一下：\n" + text


def _topic_of(issue: Issue, searcher: Searcher) -> str | None:
    entry = searcher.get(issue.entry_id)
    return entry.topic if entry else None


def _closing(found: list[Issue], searcher: Searcher, regions_seen: set[str], more: list[Issue]) -> str:
    """What to do now: the first step of the issue given (her most urgent, when its curated entry
    answers it; a calculated answer already says what follows for her), and a person to help. Issues
    beyond the three a phone screen takes are named, so she knows they were heard and can ask next."""
    step = None
    entry = searcher.get(found[0].entry_id) if found else None
    m = _FIRST_STEP.search(entry.text) if entry else None
    if m:
        step = m.group(1).strip()
    now = f"现在先做：{step}。" if step else ""
    where = "、".join(sorted(r for r in regions_seen if r)) or "全国"
    also = "".join(f"「{i.label}」" for i in more)
    later = f"\n你还提到了{also}，想了解就接着问我。" if also else ""
    return (f"{now}需要有人帮你跟进，点「转人工」找工会维权专员，或拨打全国职工服务热线12351。{later}"
            f"\n适用地区：{where}（各地另有规定的，以当地为准）")


def _with_safety(danger: str, reply: Reply, known: Facts) -> Reply:
    """The emergency numbers first, then the answer to what she asked: never one without the other.
    Someone writing for her gets words for the one at risk; what to do now starts with safety."""
    safety = SAFETY_TEXT.get(danger, SAFETY_TEXT["threat"])
    if danger == "self_harm" and known.third_person():
        safety = SELF_HARM_FOR_SOMEONE.format(who=facts.ASKERS[known.asker].removeprefix("你"))
    for n, part in enumerate(reply.parts):
        if part.startswith("现在先做："):
            reply.parts[n] = re.sub(r"^现在先做：[^。]*。", f"现在先做：{SAFETY_FIRST_STEP.get(danger, '')}。", part)
    if reply.kind in (K.ACK, K.EMPTY, K.OUT_OF_SCOPE, K.ABSTAIN):
        reply.parts, reply.text = [safety], safety
    else:
        reply.parts = [safety, *reply.messages()]
        reply.text = "\n\n".join(reply.parts)
    reply.kind = K.EMERGENCY
    reply.response = None
    titles = {b["title"] for b in reply.buttons}
    reply.buttons = [b for b in SAFETY_BUTTONS if b["title"] not in titles] + [
        b for b in reply.buttons if b["payload"] != "/human_handover"]
    return reply


def _resolve_question(clean: str, intent: str | None, stated: Facts, conv: Conversation) -> tuple[str, str | None]:
    """A follow-up that only adds a fact (那广东呢, 双胞胎呢) re-asks the previous question. After she
    told of violence, talk of divorce is how she speaks of leaving him: still the violence question.
    A short "what if" (要是到期不续，我能拿到什么) asks about the situation she just told, so it is read
    with it even when it names an issue of its own."""
    if conv.last_question and _continues(clean, intent, stated, conv):
        return f"{conv.last_question} {clean}", conv.last_topic
    return clean, INTENT_TOPICS.get(intent or "")


def _continues(clean: str, intent: str | None, stated: Facts, conv: Conversation) -> bool:
    """Whether the message is read together with the question before it (see _resolve_question)."""
    if conv.last_topic == "violence" and issues.OUTSIDE_WORK.search(clean):
        return True
    if len(clean) <= FOLLOW_UP_MAX_CHARS and _HYPOTHETICAL.search(clean):
        return True
    own = {i.id for i in issues.spot(clean, stated, limit=0, use_model=False)}
    if own and len(clean) <= 20 and _FOLLOW_UP_REF.search(clean) and own <= issues.PROCEDURE:
        return True  # how to pursue what she just told: 那去法院申请的话要带什么
    if own:
        return False
    adds_fact = any(getattr(stated, name) is not None for name in FOLLOW_UP_FACTS)
    is_follow_up = adds_fact and (intent == "inform" or len(clean) <= FOLLOW_UP_MAX_CHARS)
    return bool(is_follow_up or (len(clean) <= 20 and _FOLLOW_UP_REF.search(clean)))


def _calculate(question: str, intent: str | None, known: Facts) -> Reply | None:
    if facts.parse_stage(question) == "miscarriage" and known.pregnancy_months is not None:  # not 先兆流产, 保胎
        return _miscarriage_reply(known)
    if _BREASTFEEDING_TIME.search(question):
        return _breastfeeding_reply(question, known)
    if known.pregnancy_months and known.pregnancy_months >= 7 and _LATE_PREGNANCY_DUTY.search(question) \
            and not _MISCARRIAGE.search(question) and known.stage != "nursing":
        return _late_pregnancy_reply(known.pregnancy_months)
    birth_detail = known.difficult_birth or (known.babies or 1) > 1
    asks_length = (_LEAVE_LENGTH.search(question) or (intent == "calculate_leave" and known.birth_date)
                   or (birth_detail and _DAYS_Q.search(question)))
    if asks_length and not _NOT_LENGTH.search(question) and not _MISCARRIAGE.search(question):
        return _maternity_reply(known)
    return None


def _miscarriage_reply(known: Facts) -> Reply:
    calc = calculators.miscarriage_leave(known.pregnancy_months)
    return _calculation_reply(calc, f"怀孕{_months(known.pregnancy_months)}流产，可以休{calc.total_days}天产假。",
                              "miscarriage")


def _breastfeeding_reply(question: str, known: Facts) -> Reply:
    calc = calculators.breastfeeding_time(known.babies or 1)
    text = (f"孩子满1周岁前，单位每天要在工作时间内给你{calc.total_days}小时哺乳时间"
            "，哺乳时间算作劳动时间，不能扣工资。")
    if _AFTER_FIRST_BIRTHDAY.search(question) or (known.baby_months or 0) >= 12:
        text = ("孩子满1周岁以后，国家规定的每天哺乳时间就结束了；孩子体弱等情况，有的地方或单位另有规定，"
                "可以问人事或找工会维权专员核实。" + text)
    return _calculation_reply(calc, text, "breastfeeding")


def _calculate_issue(issue: Issue, question: str, intent: str | None, known: Facts) -> Reply | None:
    """The calculator of this issue, when her facts are enough to compute it."""
    if issue.calculator == "miscarriage_leave" and known.pregnancy_months is not None:
        return _miscarriage_reply(known)
    if issue.calculator == "breastfeeding_time":
        return _breastfeeding_reply(question, known)
    if issue.calculator == "regional_leave" and known.province:
        return _regional_leave(question, known, spotted=True)
    if issue.calculator == "maternity_leave" and (known.province or known.birth_date or known.babies
                                                    or known.difficult_birth):
        return _maternity_reply(known)
    return None


def _late_pregnancy_reply(months: float) -> Reply:
    """From the 7th month the rule is absolute: no overtime, no night shifts, rest time at work."""
    head = (f"你已经怀孕{_months(months)}，单位不得安排你加班，也不得安排夜班，还应当在上班时间内给你安排休息时间。"
            "\n怎么做：1. 书面（微信、邮件）告诉主管和人事你的孕周，要求停止加班和夜班；2. 保存排班表、加班记录；"
            "3. 单位不改的，找工会维权专员、拨打12351，或向劳动保障监察（12333）投诉。")
    rule = "怀孕7个月以上，用人单位不得延长劳动时间或者安排夜班劳动，并应当在劳动时间内安排一定的休息时间"
    return _rule_reply(head, [rule], [], [calculators.LATE_PREGNANCY_BASIS], "全国", "pregnancy", "规定")


def _months(value: float) -> str:
    return f"{int(value)}个半月" if value % 1 else f"{int(value)}个月"


def _maternity_reply(known: Facts) -> Reply:
    calc = calculators.maternity_leave(known.province, known.babies or 1, bool(known.difficult_birth),
                                       known.child_order, known.birth_date)
    verified = calc.region != NATIONAL
    if verified:
        head = f"在{calc.region}，你的产假一共{calc.total_days}天。"
    elif known.province:
        head = (f"国家规定的产假是{calc.total_days}天。{known.province}另有延长的生育假，天数本助手还没有核对到"
                "现行的地方条例，不能告诉你总天数，请问当地工会、拨打12351，或点「转人工」。")
    else:
        head = f"按国家规定，你的产假是{calc.total_days}天。"
    if calc.end_date:
        which = "" if verified else "国家规定的"
        head += f"从{_cn_date(known.birth_date)}分娩算起，{which}产假到{_cn_date(calc.end_date)}结束。"
    reply = _calculation_reply(calc, head, "maternity")
    if not known.province:
        reply.kind = K.CLARIFY
        reply.text += ("\n各省还另有延长的生育假（比如上海多60天，广东多80天）。"
                       "你在哪个省份工作？告诉我可以帮你算总天数。")
        reply.buttons = [{"title": p, "payload": f"我在{p}"} for p in PROVINCE_BUTTONS] + [HANDOVER]
    return reply


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _calculation_reply(calc: calculators.Calculation, head: str, topic: str) -> Reply:
    return _rule_reply(head, calc.lines, calc.caveats, calc.basis, calc.region, topic, "计算方法")


def _rule_reply(head: str, lines: list[str], caveats: list[str], basis: list, region: str, topic: str,
                label: str) -> Reply:
    """A deterministic answer: the result, how it follows from the rules, caveats, basis, region."""
    body = [head, f"{label}：" + "；".join(lines) + "。", *caveats,
            "法律依据：" + cite_grouped(list(basis)), f"适用地区：{region}"]
    return Reply(K.CALCULATION, "\n".join(body), [HANDOVER, LEGAL_CONSULT], topic=topic,
                 sources=[{"citation": b.cite()} for b in basis], confidence=1.0, region=region)


def _fathers_leave(question: str, known: Facts) -> bool:
    """A husband asking about his own leave means 陪产假, never her maternity leave."""
    return bool(_FATHER_ASKS.search(question) or (known.asker == "husband" and _HE_ASKS.search(question)))


def _regional_leave(question: str, known: Facts, spotted: bool = False) -> Reply | None:
    """陪产假/育儿假/婚假 are set by each province: answer from the table or ask where she works.
    `spotted`: the issue spotter already read the message as about these leaves (in any wording)."""
    if not (spotted or _REGIONAL_LEAVE.search(question) or _fathers_leave(question, known)):
        return None
    if not known.province:
        return Reply(K.CLARIFY, "陪产假（护理假）、育儿假和婚假的天数由各省规定，国家没有统一天数。你在哪个省份工作？",
                     [{"title": p, "payload": f"我在{p}"} for p in PROVINCE_BUTTONS] + [HANDOVER], topic="leave")
    rule = regions.rules().get(known.province)
    if rule is None:
        return None
    basis = "；".join(b.cite() for b in rule.basis) or "（未核实）"
    about = regions.describe(rule)
    # his days (and the parents' 育儿假), not the whole table: when he asks, or when she asked about her own
    # leave and the province's table is added beside her total (the table would repeat it)
    if (_fathers_leave(question, known) or not _REGIONAL_LEAVE.search(question)) and rule.verified \
            and rule.paternity_days:
        about = f"在{rule.province}，男方（配偶）陪产假/护理假{rule.paternity_days}天。" + (
            f"育儿假：{rule.parental_leave}" if rule.parental_leave else "")
    text = f"{about}\n法律依据：{basis}\n适用地区：{rule.province}"
    return Reply(K.ANSWER, text, [HANDOVER, LEGAL_CONSULT], topic="leave",
                 sources=[{"citation": basis, "region": rule.province}], confidence=1.0, region=rule.province)


def _retrieve(question: str, topic: str | None, intent: str | None, known: Facts,
              searcher: Searcher, intent_confidence: float = 0.0) -> Reply:
    result = searcher.search(question, k=3, province=known.province, topic=topic)
    if result.decision == "abstain" and _confident_rights_story(question, intent, intent_confidence, result):
        result.decision = "caveat"
    if result.decision == "abstain" or result.top is None:
        if intent == "out_of_scope" or (intent is None and result.confidence < 0.1):
            return Reply(K.OUT_OF_SCOPE, OUT_OF_SCOPE_TEXT, _starter_buttons(), confidence=result.confidence)
        seen = topic or (result.top.entry.topic if result.top else None)
        return Reply(K.ABSTAIN, abstain_text(seen), [HANDOVER, LEGAL_CONSULT], confidence=result.confidence,
                     sources=[h.source() for h in result.hits], topic=seen)
    return answer_reply(result)


def abstain_text(topic: str | None) -> str:
    """An honest refusal that still helps: the topic it recognised and her next step for it."""
    name = topics.label(topic)
    about = f"你问的是{name}方面的问题，但" if name else ""
    step = NEXT_STEPS.get(topic or "", DEFAULT_NEXT_STEP)
    return (f"抱歉，{about}这个具体问题我没有把握回答准确，不想给你不可靠的信息。\n下一步：{step}；"
            "也可以点「转人工」，由工会维权专员帮你分析。")


def _confident_rights_story(question: str, intent: str | None, confidence: float, result: SearchResult) -> bool:
    """A long message the NLU is sure is a rights question (its own out-of-scope class lost), with a
    best hit that is not far off: answer it, with the caveat, rather than turn her story away."""
    return (len(question) >= LONG_MESSAGE and intent in INTENT_TOPICS and confidence >= 0.8
            and result.top is not None and result.confidence >= STORY_FLOOR)


def _starter_buttons() -> list[dict]:
    return [{"title": t, "payload": t} for t in ("产假有多少天", "怀孕被辞退怎么办", "遇到性骚扰怎么办")]


def answer_reply(result: SearchResult) -> Reply:
    """The reply for a confident (or caveated) top hit; the console's FAQ preview uses it too, so
    a curator sees exactly the words the worker will read."""
    top = result.top
    text = render_hit(top)
    kind = K.ANSWER
    if result.decision == "caveat":
        kind = K.CAVEAT
        text = CAVEAT_PREFIX + text
    if top.entry.topic in HIGH_RISK_TOPICS:
        text += "\n这类情况最好有人帮你跟进：点「转人工」，我把你的情况交给工会维权专员。"
    buttons = [{"title": f"相关：{h.entry.title[:20]}", "payload": h.entry.title}
               for h in result.hits[1:2] if h.entry.kind == "faq"]
    return Reply(kind, text, buttons + [HANDOVER, LEGAL_CONSULT], topic=top.entry.topic or None,
                 sources=[h.source() for h in result.hits], confidence=result.confidence)
