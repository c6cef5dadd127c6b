"""Facts a worker states in passing: where she works, when the baby came, how many, which month.

Deterministic parsing of the normalized text (with the NLU's entities as hints), because a leave
calculation must never depend on a statistical guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

import cn2an

from answering.dates import YEARS_FROM_NOW, parse_date
from knowledge import places
from knowledge.numerals import DIGIT_CHARS, DIGITS, YEAR_DIGIT_CHARS, range_low, year_to_int

_DIGIT = rf"[0-9{DIGIT_CHARS}十]"
_NUM = _DIGIT + "+"
NUMBER = _NUM  # a number in digits or Chinese numerals, for the other parsers of her story
_BABIES = {"双胞胎": 2, "双胎": 2, "龙凤胎": 2, "三胞胎": 3, "四胞胎": 4, "五胞胎": 5}
_DIFFICULT = re.compile(r"难产|剖腹产|剖宫产|剖腹|顺转剖|产钳|胎吸|大出血")
_NOT_DIFFICULT = re.compile(r"(不是|没有|非|不算|不属于|不按)(难产|剖)|顺产")
_ORDER = re.compile(rf"第({_NUM})(胎|个孩子|个宝宝|孩|个娃|个小孩|个小囡"
                    rf"|个囡|个伢)|([一二三头])胎|([二三])宝|老([二三])")
_MONTHS = re.compile(rf"({_NUM})(个半|个)?多?月")


def to_int(text: str, low: bool = False) -> int | None:
    """'12' / '十二' / '二〇二五' -> int; None when it is not a number. Two neighbouring digits say "about"
    (两三年, 六七十个小时): None, or the lower end (2, 60) with `low` -- never 23 or 67."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if (about := range_low(text)) is not None:
        return about if low else None
    if re.fullmatch(f"[{YEAR_DIGIT_CHARS}]{{4}}", text):  # year read digit by digit
        return year_to_int(text)
    try:
        return int(cn2an.cn2an(text.replace("两", "二"), "smart"))
    except (ValueError, KeyError):
        return None


# A relative named in her own story is not whom she asks for: 我妈身体不好，我要回去照顾她; 我姐说…;
# 我女儿才三个月 (her baby). The relative is the subject when the words go on about her work or pregnancy.
_NOT_HER_STORY = (r"(?!说|讲|身体|生病|病了|住院|[0-9一二两三四五六七八九十]+(岁|个多?月)|才|刚出生|出生|上学"
                  r"|觉得|告诉|让我|叫我|劝我|帮我|照顾|带孩子|带娃|退休了?[，,]\s*我|在家)")
ASKERS = {"self": "", "husband": "你爱人", "parent": "你女儿", "partner": "你女朋友", "relative": "你家人",
          "colleague": "你同事"}
_ASKER = (("husband", r"我(老婆|媳妇|妻子|爱人|太太|内人|孩子他妈|孩子妈)"),
          ("parent", rf"我(女儿|闺女|姑娘家|家姑娘|家闺女){_NOT_HER_STORY}"),
          ("partner", r"我(女朋友|对象|女友)"),
          ("relative", rf"我(妈|母亲|姐|妹|嫂子|儿媳|儿媳妇|表姐|表妹|堂姐|小姨|姨|亲戚){_NOT_HER_STORY}"),
          ("colleague", r"(我(的)?同事|我们厂.{0,2}(一个|有个)女|工友)"))


@dataclass(frozen=True)
class Facts:
    """Her situation as she told it: what the leave, compensation and deadline rules need, and
    what decides which rule's verdict applies to her (pregnant or nursing, closure or dismissal,
    in probation or not). Kept across the conversation; a later statement wins."""

    province: str | None = None
    birth_date: date | None = None
    babies: int | None = None
    difficult_birth: bool | None = None
    child_order: int | None = None
    pregnancy_months: float | None = None
    asker: str | None = None  # self | husband | parent | partner | relative | colleague
    stage: str | None = None  # pregnant | maternity_leave | nursing | miscarriage
    baby_months: float | None = None
    tenure_months: int | None = None  # with this employer: what compensation counts
    career_months: int | None = None  # across employers: what annual leave counts
    monthly_wage: int | None = None
    probation: bool | None = None
    dispatch: bool | None = None
    platform: bool | None = None
    part_time: bool | None = None  # paid by the hour, a few hours a day (非全日制用工, 劳动合同法 第六十八条)
    closing: bool | None = None

    def merged_over(self, older: "Facts") -> "Facts":
        """New facts win; what she said earlier stays when not restated."""
        return replace(older, **{k: v for k, v in self.__dict__.items() if v is not None})

    def any(self) -> bool:
        return any(v is not None for v in self.__dict__.values())

    def as_slot(self) -> dict:
        """A JSON-safe dict for the conversation's memory (dates as ISO strings)."""
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_slot(cls, data: dict | None) -> "Facts":
        """The inverse of `as_slot`; unknown or malformed values are dropped, never trusted."""
        known = {}
        for name, value in (data or {}).items():
            if name not in cls.__dataclass_fields__ or value is None:
                continue
            if name == "birth_date":
                try:
                    value = date.fromisoformat(str(value))
                except ValueError:
                    continue
            known[name] = value
        return cls(**known)

    def third_person(self) -> bool:
        return self.asker not in (None, "self")


_BIRTH_WORD = re.compile(r"(出生|生的|生了|生下|分娩|出世|产下|剖的|顺产|剖腹产"
                         r"|剖宫产|生完|生产|生)(?!育|活|病|气|意|日快乐)")


def parse_birth_date(text: str, today: date | None = None) -> date | None:
    """The day the baby was born: a date told together with a birth word (6月20号出生, 2025年5月10日
    剖的, 昨天刚生), never the due date (预产期) or another date in her story (合同到期, 辞退)."""
    for m in _BIRTH_WORD.finditer(text):
        if "预产" in text[max(0, m.start() - 12):m.start()]:
            continue
        window = text[max(0, m.start() - 14):m.start()]
        window = re.split(r"[，。,；;！!？?]", window)[-1]  # the same clause only
        found = parse_date(window, today)
        if found:
            return found
    return None


def parse_babies(text: str) -> int | None:
    for word, n in _BABIES.items():
        if word in text:
            return n
    m = re.search(rf"(生|怀)了?({_NUM})个(宝宝|孩子|婴儿|娃)", text)
    if m and (n := to_int(m.group(2))) and 1 <= n <= 6 and "第" not in text[max(0, m.start() - 1):m.start() + 1]:
        return n
    return None


def parse_difficult(text: str) -> bool | None:
    if _NOT_DIFFICULT.search(text):
        return False
    return True if _DIFFICULT.search(text) else None


def parse_child_order(text: str) -> int | None:
    m = _ORDER.search(text)
    if not m:
        return None
    raw = next(g for g in m.groups()[:1] + m.groups()[2:] if g)
    return 1 if raw == "头" else to_int(raw)


def parse_pregnancy_months(text: str) -> float | None:
    """'怀孕五个半月' -> 5.5; only when the sentence is about pregnancy, not a baby's age."""
    if not re.search(r"怀孕|孕|身孕|怀|揣|流产|引产|胎停|小产|停育", text):
        return None
    weeks = re.search(rf"(孕|怀孕)({_NUM})(周|个?星期)", text)
    if weeks and (w := to_int(weeks.group(2))) is not None and w <= 42:
        return round(w / 4.345 * 2) / 2  # weeks to months, to the half month
    told = [m.group("span") for m in _MONTHS_AFTER.finditer(text)] + [m.group(1) for m in _MONTHS_BEFORE.finditer(text)]
    # a story runs forward: 入职时怀孕一个月…四个月时胎停了 is a loss at four months
    return max((n for near in told if (n := _pregnancy_span(near)) is not None), default=None)


_MONTHS_AFTER = re.compile(rf"(怀孕|孕|身孕|怀了|怀着|怀起|(怀|揣)(上|起|了)?(娃儿?|孩子|宝宝|崽)"
                           rf"|流产|引产|胎停|小产|停育)[^，。,；！？]{{0,6}}?"
                           rf"(?P<span>{_NUM}(个半|个)?多?月)")
_MONTHS_BEFORE = re.compile(rf"({_NUM}(个半|个)?多?月)(的)?(身孕|大的?时候|的时候)?[^，。,；！？]{{0,4}}"
                            rf"(流产|引产|胎停|小产|停育|身孕)")


def _pregnancy_span(near: str) -> float | None:
    m = _MONTHS.search(near)
    n = to_int(m.group(1)) if m else None
    if n is None or n > 10:
        return None
    return n + (0.5 if m.group(2) == "个半" else 0.0)


_PREGNANT = re.compile(r"怀孕|怀了|身孕|有孕|孕期|孕妇|孕[0-9一二三四五六七八九十]"
                       r"|大肚子|有喜|怀着|怀上|挺着肚子|准妈妈|预产期|有(咗|了)?(BB|bb|宝宝了|小孩了|娃了)"
                       # 我有了 (Cantonese 我有咗), 怀娃, 揣崽: pregnant
                       r"|(我|她|俺|老婆|媳妇)有了(?=[，,。！!？?\s]|$)|(怀|揣)(上|起|了)?(娃儿?|孩子|宝宝|崽|小孩)")
# A pregnancy she imagines or plans is not one: 我要是怀孕了会不会被辞, 打算明年要孩子.
_IMAGINED_PREGNANCY = re.compile(r"(要是|如果|万一|假如|假设|以后|将来|打算|准备|计划|想)(我|她|俺)?(再)?"
                                 r"(怀孕|怀了|怀上|要孩子|要二胎|生孩子|生二胎)")
# A pregnancy she denies is not one either: 我没犯错也没怀孕, 还没怀上 (a reviewer found 没怀孕 read as 怀孕中).
_DENIED_PREGNANCY = re.compile(r"(没|没有|未|不是|并没有?|还没有?|也没有?|又没有?)(在)?(怀孕|怀上|怀了|有孕)")
_MATERNITY_LEAVE = re.compile(r"(在|正在|还在|刚|正)休产假|坐月子|月子里|刚生(完|了)|生完孩子|生完娃|刚出月子")
_LEAVE_SPOKEN_OF = re.compile(r"产假(中|期间|还没)")
_NURSING = re.compile(r"哺乳|喂奶|背奶|吸奶|母乳|吃奶|(休|修)完产假|产假(结束|休完|到期)|休了产假[^。]{0,4}回来")
_MISCARRIAGE_WORDS = re.compile(r"流产|引产|胎停|小产|停育|胎死|没保住|(孩子|胎儿|宝宝|娃)(没了|掉了)"
                                r"|(怀孕|怀).{0,8}(时候|时)(没的|没了|掉的|掉了)")
# A risk she is guarding against is not a loss: 先兆流产, 习惯性流产, 怕流产, 流产的风险 (she is still pregnant).
_MISCARRIAGE_RISK = re.compile(r"(先兆|习惯性|怕|担心|防止|避免|容易|差点|险些|有)流产(的)?(风险|迹象|征兆|史)?"
                               r"|流产(的)?(风险|迹象|征兆|史)")
# 孕期、产期、哺乳期 (劳动合同法 第四十二条第四项, 第四十五条): the stages in which she may not be dismissed under
# 第四十条/第四十一条 and her fixed-term contract runs on. 产期 includes the leave after a miscarriage, which
# 女职工劳动保护特别规定 第七条 grants as 产假 (15 or 42 days), so "miscarriage" is one of them.
THREE_PERIODS = frozenset({"pregnant", "maternity_leave", "nursing", "miscarriage"})
_AGE_HEDGE = r"(才|刚|刚刚|现在|已经|都|已|快)?"  # 娃都十四个月了, 孩子才满月
_BABY_AGE = re.compile(rf"(?<!怀)(?<!揣)(孩子|宝宝|娃儿|娃|小孩|儿子|女儿|闺女|宝|娃娃|小宝){_AGE_HEDGE}"
                       rf"(满)?({_NUM})(个半|个)?多?月")
_BABY_YEARS = re.compile(rf"(孩子|宝宝|娃儿|娃|小孩|儿子|女儿|闺女){_AGE_HEDGE}(满)?({_NUM}|半)(周)?岁(半)?")
# Between the verb and the number people put aspect and hedges: 干了整整四年, 做咗4年, 入职已经一年了.
_TENURE_FILLER = (r"(?:[了过有咗满整足共都就才也快近]|已经|整整|足足|一共|总共|累计|前后|加起来|将近|差不多"
                  r"|大概|大约|刚好|正好|刚刚)*")
# What she did, between the verb and the span (做保洁整八年, 干出纳六年): a few characters, never a
# word of pregnancy or a baby's age, which have spans of their own.
_TENURE_OBJECT = r"[^\s\d，。,.!！?？;；、孕怀生产岁宝娃孩月年天周零一二两三四五六七八九十半不没未]{0,4}?"
_TENURE = re.compile(
    rf"(干|做|工作|上班|入职|进厂|进公司|进单位|进来|呆|待|在这|在厂里|在公司|在单位|工龄|司龄|来了|打工|返工"
    rf"|参加工作|到现在|到今天|到如今|至今|算下来|算起来)"
    rf"{_TENURE_OBJECT}({_TENURE_FILLER})({_NUM}|半)(年|个月)(半|多)?(零?({_NUM})个?月)?"
    # 入职三年内不得怀孕 is a clause's period, not her service
    r"(?!内|之内|以内|期间|里不|后才|以后才)")
# A span told alone, right after the job (在公司当行政，2年2个月了): years only, so that 怀孕3个月了 is not one.
# Its groups are numbered as _TENURE's, for _span_months.
_TENURE_BARE = re.compile(rf"(公司|厂|单位|店|上班|工作|当.{{1,4}}|做.{{1,4}})[^。？！?!]{{0,10}}[，,]\s*()"
                          rf"({_NUM})(年)(半|多)?(零?({_NUM})个?月)?(?(6)[了，,。]|了)")
# A span across several employers (一共工作了12年, 参加工作二十年, 社会工龄): what annual leave counts
# (企业职工带薪年休假实施办法 第四条), never what compensation counts (only this employer's years).
# Only a story that names other employers makes a span her working life: 一共干了5年 alone is this one.
_CAREER = re.compile(r"参加工作|社会工龄|(?<!没)(?<!没有)(?<!未)(?<!从没)(换|跳槽)(了|过|到)?.{0,3}(公司|单位|厂|工作)"
                     r"|[几两三四五六七八九]家(公司|单位|厂)|(这家|现在的?|新)(公司|单位|厂).{0,2}(才|刚|今年)"
                     r"|以前(的|在)?[^，。,]{0,6}(单位|公司|厂)")
_TENURE_SINCE = re.compile(rf"({_DIGIT}{{4}}\s*年|今年|去年|前年)\s*(({_DIGIT}{{1,2}})\s*月)?.{{0,6}}"
                           rf"(入职|进厂|进的|进公司|进来|开始上班|开始工作|来的|干到(现在|今天|如今)|做到(现在|今天|如今))")
# Hourly work, told in any turn: a later 以后不用来了 is the end of part-time work (第七十一条).
_PART_TIME = re.compile(r"非全日制|小时工|钟点工|按小时(算|计|结|给)|时薪")
_UNTIL_NOW = frozenset({"到现在", "到今天", "到如今", "至今"})
_LEFT = re.compile(r"离职|辞职|辞工|走了|走的|辞退|开除|解除|被裁|离开|出事|受伤|生完|生了")
_CONTRACT_YEARS = re.compile(rf"(签了|签的|签过|订了)(?:一份|份)?({_NUM})年"
                             rf"(?:的)?(?:劳动)?合同.{{0,12}}(到期|期满|满了)")
_WAGE = re.compile(
    r"(月薪|月工资|工资|人工|每个?月|一个月|底薪|税前|到手|平均工资|每月工资|平均|月收入)"  # 人工: Cantonese for wage
    r"(?:是|有|才|在|大概|大约|差不多|就|能拿|拿|发|平均|下来|到手|税前|一般|工资|都|也|一直|基本上?|固定|从|原来|本来"
    r"|一个月|每个?月)*"  # 平均一个月4800
    r"([0-9]+(?:\.[0-9]+)?[kK千万]?[0-9]?|[零一二两三四五六七八九十百千万]+)(元|块|块钱)?")
_WAGE_BEFORE = re.compile(rf"([0-9]+(?:\.[0-9]+)?[kK千万]?[0-9]?"
                          rf"|[一二两三四五六七八九十][千万][{DIGITS}]?)(元|块)?(钱)?(一|每)个?月")
# What the employer pays her after a cut, not her wage: 产假只发基本工资1800, 降到3000一个月 (a reviewer found
# the 1800 the boss offered used as her wage for her compensation).
_CUT_TO = re.compile(r"(只(发|给|按|有|剩|开)|降(到|成|为|至)|减(到|成|为|至)|改(成|为)|变成|砍(到|成)|压到)"
                     r"[^，。,；;]{0,4}$")
_CLOSING = re.compile(r"倒闭|破产|注销|解散|吊销|关门|关停|黄了|不开了")


def parse_asker(text: str) -> str | None:
    """Who is asking: a husband, a parent, a partner, a relative or a colleague asking for her."""
    for asker, pattern in _ASKER:
        if re.search(pattern, text):
            return asker
    return None


def parse_stage(text: str) -> str | None:
    """Where she is in pregnancy, childbirth and nursing: the rules differ for each."""
    if _MISCARRIAGE_WORDS.search(_MISCARRIAGE_RISK.sub("", text)):
        return "miscarriage"
    if _NURSING.search(text) or (m := parse_baby_months(text)) is not None and m < 12:
        return "nursing"
    pregnant = bool(_PREGNANT.search(_DENIED_PREGNANCY.sub("", _IMAGINED_PREGNANCY.sub("", text)))
                    or _MISCARRIAGE_RISK.search(text) or "保胎" in text)
    # 产假期间 spoken of by a woman who tells her months of pregnancy is the leave ahead of her
    if _MATERNITY_LEAVE.search(text) or (_LEAVE_SPOKEN_OF.search(text) and not pregnant):
        return "maternity_leave"
    return "pregnant" if pregnant else None


# Probation is over: 转正了, 过了试用期, 试用期已经结束.
_PROBATION_OVER = re.compile(r"转正了|已经转正|过了试用期|试用期(已经|早就?|早都)?(过了|结束|满了|到了)")


def parse_probation(text: str, tenure_months: int | None) -> bool | None:
    """She is in probation now: she names it, has not passed it, and has worked no longer than the
    longest probation there is (six months, 劳动合同法 第十九条) -- 干了9个月 is past any probation."""
    if "试用期" not in text or _PROBATION_OVER.search(text) or (tenure_months or 0) > 6:
        return None
    return True


def parse_baby_months(text: str) -> float | None:
    """The baby's age in months: 孩子8个月, 娃刚满月, 宝宝一岁半."""
    if re.search(r"(孩子|宝宝|娃|小孩)(刚|才)?满月", text):
        return 1.0
    m = _BABY_AGE.search(text)
    if m and (n := to_int(m.group(4))) is not None and n <= 72:
        return n + (0.5 if m.group(5) == "个半" else 0.0)
    m = _BABY_YEARS.search(text)
    if m:
        years = 0.5 if m.group(4) == "半" else to_int(m.group(4))
        if years is not None and years <= 18:
            return float(years) * 12 + (6.0 if m.group(6) else 0.0)
    return None


def parse_tenure_months(text: str, today: date | None = None) -> int | None:
    """How long she has worked there, in months: 干了四年, 工作2年7个月, 入职一年半, 2019年入职.
    A span she gives for her whole working life (一共工作了12年) is not this employer's."""
    m = _TENURE.search(text) or _TENURE_BARE.search(text)
    if m and m.group(1) in _UNTIL_NOW and _LEFT.search(text[max(0, m.start() - 8):m.start()]):
        return None  # 辞职到现在一年零三个月: the time since she left, not her service
    if m:
        return None if _CAREER.search(text) else _span_months(m)
    m = _CONTRACT_YEARS.search(text)
    if m and (n := to_int(m.group(2))) is not None and 0 < n <= 40:
        return n * 12  # a fixed-term contract that ran its course: she worked its length
    m = _TENURE_SINCE.search(text)
    if m:
        today = today or date.today()
        told = m.group(1)
        if told in YEARS_FROM_NOW and not m.group(3):
            return None  # 去年入职 alone is anything from one month to two years (a reviewer found 22 months)
        year = today.year + YEARS_FROM_NOW[told] if told in YEARS_FROM_NOW else to_int(told.rstrip("年 "))
        month = to_int(m.group(3)) if m.group(3) else 1
        if year and month and 1950 < year <= today.year and 1 <= month <= 12:
            return max(0, (today.year - year) * 12 + today.month - month)
    return None


def parse_career_months(text: str) -> int | None:
    """Her working life across employers, in months (一共工作了12年, 我工作满二十年了，刚换了家公司):
    what the days of annual leave depend on."""
    m = _TENURE.search(text)
    return _span_months(m) if m and _CAREER.search(text) else None


def _span_months(m: re.Match) -> int | None:
    n = 0.5 if m.group(3) == "半" else to_int(m.group(3))
    if n is None:
        return None
    months = n * 12 if m.group(4) == "年" else n
    if m.group(5) == "半" and m.group(4) == "年":
        months += 6
    if m.group(7) and (extra := to_int(m.group(7))) is not None and m.group(4) == "年":
        months += extra
    return int(months) if 0 < months <= 600 else None


def parse_wage(text: str) -> int | None:
    """Her monthly wage in yuan: 月薪6000, 工资五千, 一个月4千5, 6k, 7000元一个月."""
    averaged = sorted(_WAGE.finditer(text), key=lambda m: "平均" not in m.group(0))  # 底薪三千…平均七千五
    for matches, group in ((averaged, 2), (_WAGE_BEFORE.finditer(text), 1)):
        for m in matches:
            if _CUT_TO.search(text[max(0, m.start() - 8):m.start()]):
                continue
            value = _money(m.group(group))
            if value is not None and 500 <= value <= 200_000:
                return value
    return None


def _money(raw: str) -> int | None:
    raw = raw.replace("k", "千").replace("K", "千")
    if raw.isdigit():
        return int(raw)
    try:
        return int(float(cn2an.cn2an(raw.replace("两", "二"), "smart")))
    except (ValueError, KeyError, TypeError):
        return None


def describe(f: Facts) -> str:
    """Her facts said back in one line, so she can correct what the bot understood."""
    parts = []
    if f.asker and f.asker != "self":
        parts.append(f"问的是{ASKERS[f.asker]}的情况")
    if f.stage == "pregnant":
        parts.append(f"怀孕{_months_cn(f.pregnancy_months)}" if f.pregnancy_months else "怀孕中")
    elif f.stage == "maternity_leave":
        parts.append("在休产假")
    elif f.stage == "nursing":
        parts.append(f"孩子{_months_cn(f.baby_months)}、在哺乳期" if f.baby_months is not None else "在哺乳期")
    elif f.stage == "miscarriage":
        parts.append("流产或引产后")
    if f.tenure_months:
        parts.append("工作" + span_cn(f.tenure_months))
    if f.career_months:
        parts.append("累计工作" + span_cn(f.career_months))
    if f.monthly_wage:
        parts.append(f"月工资{f.monthly_wage}元")
    for flag, label in ((f.probation, "在试用期"), (f.dispatch, "劳务派遣"), (f.platform, "平台接单工作"),
                        (f.closing, "单位倒闭或注销")):
        if flag:
            parts.append(label)
    if f.province:
        parts.append(f"在{f.province}")
    return "、".join(parts)


def _months_cn(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 12 and value % 12 == 0:
        return f"{int(value // 12)}岁"
    return f"{int(value)}个半月" if value % 1 else f"{int(value)}个月"


def span_cn(months: int) -> str:
    """29 -> 2年5个月: a span of work said as she would."""
    years, rest = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{rest}个月" if rest else "")


# A place that is not where she works: a friend's city, her hometown (在上海的同学说…, 我老家河南的).
_NOT_HER_PLACE = re.compile(r"(老家|户口|户籍|娘家|婆家)(是|在)?[^，。,；;？?！!]{0,8}"
                            r"|在[^，。,；;？?！!的]{1,8}的?(朋友|同事|同学|亲戚|闺蜜|老乡|姐妹|网友|熟人)"
                            r"|(朋友|同学|亲戚|闺蜜|老乡|网友|熟人)(在|说|那边)[^，。,；;？?！!]{0,8}")


def blanked(pattern: re.Pattern[str], text: str) -> str:
    """The text with what the pattern matches replaced by spaces: read as if unsaid, offsets kept (for
    NLU entity spans and for where an issue is first raised)."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def parse_province(text: str, entities: list[dict] | None = None) -> str | None:
    """The province where she works: an NLU entity or a named place, never a friend's city or her
    hometown (a reviewer found a Foshan mother's leave counted for Beijing, where her friend lives)."""
    hers = blanked(_NOT_HER_PLACE, text)
    province = None
    for ent in entities or []:
        start = ent.get("start")
        elsewhere = isinstance(start, int) and hers[start:start + 1] == " " != text[start:start + 1]
        if ent.get("entity") == "province" and not elsewhere:
            province = places.canonical_province(str(ent.get("value", "")))
    return province or places.find_province(hers)


def extract(text: str, entities: list[dict] | None = None, today: date | None = None) -> Facts:
    """All facts stated in one message. Entity values from the NLU are used as hints."""
    return Facts(
        province=parse_province(text, entities),
        birth_date=parse_birth_date(text, today),
        babies=parse_babies(text),
        difficult_birth=parse_difficult(text),
        child_order=parse_child_order(text),
        pregnancy_months=parse_pregnancy_months(text),
        asker=parse_asker(text),
        stage=parse_stage(text),
        baby_months=parse_baby_months(text),
        tenure_months=parse_tenure_months(text, today),
        career_months=parse_career_months(text),
        monthly_wage=parse_wage(text),
        probation=parse_probation(text, parse_tenure_months(text, today)),
        dispatch=True if re.search(r"派遣|劳务公司|人力资源公司", text) else None,
        platform=True if re.search(r"骑手|外卖|网约车|跑单|平台派单|众包|快递员", text) else None,
        part_time=True if _PART_TIME.search(text) else None,
        closing=True if _CLOSING.search(text) else None,
    )
