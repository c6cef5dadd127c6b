"""Where the answer is chosen: safety first, then a calculator, then retrieval, else honesty.

Pure functions of (message, what we know of the conversation, the index), so the same logic
serves the Rasa action, the tests and the staff console's "what would the bot say".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from answering import calculators, facts
from answering.facts import Facts
from knowledge import regions
from knowledge.normalize import normalize
from knowledge.safety import detect
from knowledge.search import Hit, Searcher, SearchResult

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
_BREASTFEEDING_TIME = re.compile(r"哺乳时间|喂奶时间|哺乳假?.{0,4}(几|多少|多久)|每天.{0,6}(哺乳|喂奶)")
_REGIONAL_LEAVE = re.compile(r"陪产|护理假|育儿假|婚假")
_FOLLOW_UP = re.compile(r"^(那|那么|如果|要是|换成|假如)?.{0,10}(呢|的话|怎么样|怎么算)?[?？。!！]*$")

OUT_OF_SCOPE_TEXT = ("抱歉，这个问题超出了我的服务范围。我主要解答女职工劳动权益方面的问题，比如产假、"
                     "孕期和哺乳期保护、生育津贴、性骚扰、就业歧视、劳动仲裁，也可以介绍工会服务。")
ABSTAIN_TEXT = ("抱歉，这个问题我还没有把握回答准确，不想给你不可靠的信息。你可以换个说法再问我，"
                "或者转人工，由工会维权专员帮你分析。")
EMPTY_TEXT = "我没看懂这条消息。请用文字说说你遇到的情况，比如「产假有多少天」「怀孕了公司要辞退我怎么办」。"
LONG_MESSAGE = 60  # characters: a story rather than a question
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
    kind: str  # emergency | empty | calculation | clarify | answer | caveat | abstain | out_of_scope | ack
    text: str = ""
    buttons: list[dict] = field(default_factory=list)
    response: str | None = None  # a domain response to utter instead of text
    topic: str | None = None
    question: str | None = None  # the question this reply answered (for follow-ups)
    sources: list[dict] = field(default_factory=list)
    confidence: float | None = None
    facts: Facts | None = None


def compose(text: str, intent: str | None, entities: list[dict], conv: Conversation,
            searcher: Searcher, today: date | None = None, intent_confidence: float = 0.0) -> Reply:
    """The bot's reply to one message. `intent_confidence` is the NLU's: a confident rights intent
    lets a long story, which never matches one entry word for word, get an answer with a caveat."""
    clean = normalize(text)
    if detect(clean):
        return Reply("emergency", response="utter_emergency")
    if not _MEANINGFUL.search(clean):
        return Reply("empty", EMPTY_TEXT)
    stated = facts.extract(clean, entities, today)
    known = stated.merged_over(conv.facts)
    if intent in ("affirm", "deny", "skip") and not stated.any():
        return Reply("ack", "好的，有需要随时找我。" if intent == "deny" else "好的。还有什么想了解的，直接问我就行。",
                     facts=known)
    question, topic = _resolve_question(clean, intent, stated, conv)
    reply = (_regional_leave(question, known)
             or _calculate(question, intent, known)
             or _retrieve(question, topic, intent, known, searcher, intent_confidence))
    reply.facts = known
    reply.question = reply.question or question
    reply.topic = reply.topic or topic
    return reply


def _resolve_question(clean: str, intent: str | None, stated: Facts, conv: Conversation) -> tuple[str, str | None]:
    """A follow-up that only adds a fact (那广东呢, 双胞胎呢) re-asks the previous question."""
    is_follow_up = conv.last_question and stated.any() and (
        intent == "inform" or (len(clean) <= 14 and _FOLLOW_UP.match(clean)))
    if is_follow_up:
        return f"{conv.last_question} {clean}", conv.last_topic
    return clean, INTENT_TOPICS.get(intent or "")


def _calculate(question: str, intent: str | None, known: Facts) -> Reply | None:
    if _MISCARRIAGE.search(question) and known.pregnancy_months is not None:
        calc = calculators.miscarriage_leave(known.pregnancy_months)
        return _calculation_reply(calc, f"怀孕{_months(known.pregnancy_months)}流产，可以休{calc.total_days}天产假。",
                                  "miscarriage")
    if _BREASTFEEDING_TIME.search(question):
        calc = calculators.breastfeeding_time(known.babies or 1)
        text = (f"孩子满1周岁前，单位每天要在工作时间内给你{calc.total_days}小时哺乳时间"
                "（可以分两次用），哺乳时间算作劳动时间，不能扣工资。")
        return _calculation_reply(calc, text, "breastfeeding")
    if known.pregnancy_months and known.pregnancy_months >= 7 and _LATE_PREGNANCY_DUTY.search(question) \
            and not _MISCARRIAGE.search(question):
        return _late_pregnancy_reply(known.pregnancy_months)
    birth_detail = known.difficult_birth or (known.babies or 1) > 1
    asks_length = (_LEAVE_LENGTH.search(question) or (intent == "calculate_leave" and known.birth_date)
                   or (birth_detail and _DAYS_Q.search(question)))
    if asks_length and not _NOT_LENGTH.search(question) and not _MISCARRIAGE.search(question):
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
    where = f"在{calc.region}" if known.province else "按国家规定"
    head = f"{where}，你的产假一共{calc.total_days}天。"
    if calc.end_date:
        head += f"从{_cn_date(known.birth_date)}分娩算起，产假到{_cn_date(calc.end_date)}结束。"
    reply = _calculation_reply(calc, head, "maternity")
    if not known.province:
        reply.kind = "clarify"
        reply.text += "\n各省还另有延长的生育假（比如上海、北京多60天，广东多80天）。你在哪个省份工作？告诉我可以帮你算总天数。"
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
            "法律依据：" + "；".join(b.cite() for b in basis), f"适用地区：{region}"]
    return Reply("calculation", "\n".join(body), [HANDOVER, LEGAL_CONSULT], topic=topic,
                 sources=[{"citation": b.cite()} for b in basis], confidence=1.0)


def _regional_leave(question: str, known: Facts) -> Reply | None:
    """陪产假/育儿假/婚假 are set by each province: answer from the table or ask where she works."""
    if not _REGIONAL_LEAVE.search(question):
        return None
    if not known.province:
        return Reply("clarify", "陪产假（护理假）、育儿假和婚假的天数由各省规定，国家没有统一天数。你在哪个省份工作？",
                     [{"title": p, "payload": f"我在{p}"} for p in PROVINCE_BUTTONS] + [HANDOVER], topic="leave")
    rule = regions.rules().get(known.province)
    if rule is None:
        return None
    basis = "；".join(b.cite() for b in rule.basis) or "（未核实）"
    text = f"{regions.describe(rule)}\n法律依据：{basis}\n适用地区：{rule.province}"
    return Reply("answer", text, [HANDOVER, LEGAL_CONSULT], topic="leave",
                 sources=[{"citation": basis, "region": rule.province}], confidence=1.0)


def _retrieve(question: str, topic: str | None, intent: str | None, known: Facts,
              searcher: Searcher, intent_confidence: float = 0.0) -> Reply:
    result = searcher.search(question, k=3, province=known.province, topic=topic)
    if result.decision == "abstain" and _confident_rights_story(question, intent, intent_confidence, result):
        result.decision = "caveat"
    if result.decision == "abstain" or result.top is None:
        if intent == "out_of_scope" or (intent is None and result.confidence < 0.1):
            return Reply("out_of_scope", OUT_OF_SCOPE_TEXT, _starter_buttons(), confidence=result.confidence)
        return Reply("abstain", ABSTAIN_TEXT, [HANDOVER, LEGAL_CONSULT], confidence=result.confidence,
                     sources=[h.source() for h in result.hits])
    return answer_reply(result)


def _confident_rights_story(question: str, intent: str | None, confidence: float, result: SearchResult) -> bool:
    """A long message the NLU is sure is a rights question (its own out-of-scope class lost), with a
    best hit that is not far off: answer it, with the caveat, rather than turn her story away."""
    return (len(question) >= LONG_MESSAGE and intent in INTENT_TOPICS and confidence >= 0.8
            and result.top is not None and result.confidence >= STORY_FLOOR)


def _starter_buttons() -> list[dict]:
    return [{"title": t, "payload": t} for t in ("产假有多少天", "怀孕被辞退怎么办", "遇到性骚扰怎么办")]


def render_hit(hit: Hit) -> str:
    """An entry as the worker reads it: answer, then basis, then where it applies."""
    e = hit.entry
    if e.kind == "law":
        para = e.paragraphs[hit.paragraph] if hit.paragraph is not None else e.text
        body = f"相关法律规定（{hit.citation()}）：{para[:400]}\n如需结合你的具体情况分析，可以转人工。"
    elif e.kind == "case":
        body = f"类似案例：{e.title}\n{e.text}"
    elif e.kind == "policy":
        body = f"{e.title}：{e.text[:400]}"
    else:
        body = e.text
    lines = [body]
    citation = hit.citation()
    if citation and e.kind != "law":
        lines.append(f"法律依据：{citation}")
    lines.append("适用地区：" + ("全国" if e.region in ("", "全国") else e.region))
    return "\n".join(lines)


def answer_reply(result: SearchResult) -> Reply:
    """The reply for a confident (or caveated) top hit; the console's FAQ preview uses it too, so
    a curator sees exactly the words the worker will read."""
    top = result.top
    text = render_hit(top)
    kind = "answer"
    if result.decision == "caveat":
        kind = "caveat"
        text = CAVEAT_PREFIX + text
    if top.entry.topic in HIGH_RISK_TOPICS:
        text += "\n这类情况最好有人帮你跟进：点「转人工」，我把你的情况交给工会维权专员。"
    buttons = [{"title": f"相关：{h.entry.title[:20]}", "payload": h.entry.title}
               for h in result.hits[1:2] if h.entry.kind == "faq"]
    return Reply(kind, text, buttons + [HANDOVER, LEGAL_CONSULT], topic=top.entry.topic or None,
                 sources=[h.source() for h in result.hits], confidence=result.confidence)
