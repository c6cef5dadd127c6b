"""Read a province's leave figures out of its 人口与计划生育条例, as a proposal for a curator.

The provincial leave table (content/regions.yml, knowledge.regions) states a figure only when it
was read in an official text the knowledge base holds. When a curator uploads a province's
regulation in the console, this module reads the articles the importer cut it into and proposes
that province's row:

    maternity_extra_days       延长生育假 / 奖励假 / 增加产假 … N 天 beyond the national 98 days
    maternity_extra_by_order   where the text gives another figure for the 2nd or 3rd child
    paternity_days             男方 陪产假 / 护理假 N 天
    parental_leave             the 育儿假 sentence (with its pay rule when the text gives one)
    marriage_leave             the 婚假 sentence, when the regulation adds marriage leave

each with the article and the words it was read from, plus the regulation's title and revision
date. It proposes, never decides: a figure it cannot find is left empty, two different figures
for the same thing are both shown and flagged as a conflict (nothing proposed), and wording it
cannot turn into days (三个月, 延长至一百八十天, 难产 or 晚育 extras) becomes a note. The curator
corrects and submits, a second curator approves (workflows.leave_figures), and only then does the
row reach the table.

Standard library only: the input is (article label, article text) pairs, which is what the
importer's law chunks are (Entry.article, Entry.text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from knowledge.numerals import NUMERAL_CHARS, cn_to_int
from knowledge.regions import NATIONAL_MATERNITY_DAYS

NATIONAL_DAYS = NATIONAL_MATERNITY_DAYS
FIELDS = ("maternity_extra_days", "maternity_extra_by_order", "paternity_days", "parental_leave", "marriage_leave")
LABELS = {"maternity_extra_days": "延长生育假（第一个孩子）", "maternity_extra_by_order": "按孩次不同的延长天数",
          "paternity_days": "男方陪产假/护理假", "parental_leave": "育儿假", "marriage_leave": "婚假"}
MAX_DAYS = 365

_NUM = rf"[0-9]+|[{NUMERAL_CHARS}]+"
# a count of days (or of something a curator must convert: months, weeks, working days)
_AMOUNT = re.compile(rf"(?P<num>{_NUM})(?P<unit>个工作日|工作日|天|日|个月|周(?!岁)|年(?!满|龄|以))")
_TOTAL = re.compile(rf"(?:(?:延长|增加)(?:至|到)|延至|增至)(?P<num>{_NUM})(?P<unit>天|日)")

_MATERNITY = re.compile(r"延长生育假|延长产假|生育奖励假|奖励假|生育假|增加产假|增加生育假|产假增加|产假延长|奖励产假")
_PATERNITY = re.compile(r"陪产假|护理假|看护假|陪护假")
_MAN = re.compile(r"男方|配偶|丈夫|男职工|父亲")
_ELDER = re.compile(r"父母|老人|住院|年满六十|六十周岁|独生子女")
_PARENTAL = re.compile(r"育儿假")
_MARRIAGE = re.compile(r"婚假")
_OTHER_LEAVE = re.compile(r"陪产|护理假|育儿假|婚假|流产|节育|哺乳|产前假|绝育|引产")
_CONDITIONAL = re.compile(r"难产|多胞胎|双胞胎|剖宫产|晚育|晚婚")
# which child a clause speaks of: 一孩, 二孩、三孩, 第一个子女, 第一、二个孩子, 生育三孩及以上
_ORDERS = re.compile(r"第?(?P<list>[一二两三四1-4](?:[、和及或至][一二三四1-4])*)个?(?:孩|胎|子女)")
_PREAMBLE = re.compile(r"^(?:[（(][一二三四五六七八九十]+[)）]\s*)?"  # （三） and 符合法律规定生育的夫妻，
                       r"(?:(?:符合|按|按照|依法)[^，。；]*?的(?:公民|夫妻|职工)?，)?")
_SENTENCE = re.compile(r"[^。；]+[。；]?")
_CLAUSE = re.compile(r"[^，,；;。：:]+")


def plain_numbers(text: str) -> str:
    """Chinese numerals before a unit written as digits, 日 as 天: '十日的育儿假' -> '10天的育儿假'."""
    def digits(match: re.Match) -> str:
        unit = match["unit"]
        return f"{cn_to_int(match['num'])}{'天' if unit == '日' else unit}"

    return re.sub(rf"(?P<num>{_NUM})(?P<unit>周岁|个工作日|工作日|个月|天|日|周)", digits, text)


@dataclass(frozen=True)
class Reading:
    """One figure as the text states it, and where."""

    value: Any  # days (int) or the sentence (str)
    article: str  # 第三十条
    quote: str  # the sentence it was read from
    orders: tuple[int, ...] = ()  # maternity: the children it is for (empty: every child)


@dataclass
class Figure:
    """What the extractor proposes for one field of the row."""

    field: str
    value: Any = None  # None: nothing proposed (not found, or conflicting readings)
    article: str = ""
    readings: list[Reading] = field(default_factory=list)
    conflict: bool = False

    @property
    def label(self) -> str:
        return LABELS[self.field]


@dataclass
class Proposal:
    """A proposed row of the leave table, with the evidence for each figure and notes for the curator."""

    province: str
    source: str  # the regulation's title
    revised: date | None  # the date of its latest revision
    figures: dict[str, Figure]
    notes: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Figure]:
        return [f for f in self.figures.values() if f.conflict]

    @property
    def found(self) -> bool:
        return any(f.value not in (None, "", {}) for f in self.figures.values())

    def articles(self) -> dict[str, str]:
        return {name: f.article for name, f in self.figures.items() if f.article and f.value not in (None, "", {})}

    def row(self) -> dict[str, Any]:
        """The proposal in the schema of content/regions.yml (not verified: that is the reviewer's word)."""
        values = {name: self.figures[name].value for name in FIELDS}
        articles = self.articles()
        main = articles.get("maternity_extra_days") or next(iter(articles.values()), "")
        return {"province": self.province, "verified": False, "source": self.source, "article": main,
                "revised": self.revised, "maternity_extra_days": values["maternity_extra_days"],
                "maternity_extra_by_order": values["maternity_extra_by_order"] or {},
                "paternity_days": values["paternity_days"], "parental_leave": values["parental_leave"] or "",
                "marriage_leave": values["marriage_leave"] or "", "articles": articles}


def _orders(text: str) -> tuple[int, ...]:
    """The children a clause speaks of: '二孩、三孩' -> (2, 3), '生育第一、二个子女的' -> (1, 2)."""
    found: set[int] = set()
    for match in _ORDERS.finditer(text):
        found.update(cn_to_int(ch) for ch in match["list"] if ch in "一二两三四1234")
    return tuple(sorted(found))


def _sentence_text(sentence: str) -> str:
    """A sentence as the table words it: no item number or eligibility preamble, digits, no full stop."""
    text = _PREAMBLE.sub("", sentence.strip())
    return plain_numbers(text).rstrip("。；; ")


def _days(clause: str) -> tuple[int | None, str]:
    """The number of days a clause gives, or (None, why it is not a day count)."""
    match = _AMOUNT.search(clause)
    if match is None:
        return None, ""
    try:
        number = cn_to_int(match["num"])
    except ValueError:
        return None, ""
    if match["unit"] in ("天", "日"):
        return number, ""
    return None, f"{match['num']}{match['unit']}"


class _Reader:
    def __init__(self) -> None:
        self.readings: dict[str, list[Reading]] = {name: [] for name in FIELDS}
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def article(self, label: str, text: str) -> None:
        for paragraph in text.split("\n"):
            sentences = [s for s in _SENTENCE.findall(paragraph) if s.strip()]
            for index, sentence in enumerate(sentences):
                self._sentence(label, sentence, sentences[index + 1:])

    def _sentence(self, label: str, sentence: str, following: list[str]) -> None:
        quote = sentence.strip().rstrip("。；;")
        if _PARENTAL.search(sentence) and _AMOUNT.search(sentence):
            pay = following[0] if following and re.search(r"工资|待遇", following[0]) \
                and re.search(r"育儿假|假期", following[0]) else ""
            self.readings["parental_leave"].append(
                Reading(_sentence_text(sentence) + ("。" + _sentence_text(pay) if pay else ""), label, quote + pay))
        pending: tuple[int, ...] = ()  # 生育第一、二个子女的，增加产假六十天: the child comes a clause early
        condition = False  # 难产的，增加产假十五天: so does the condition
        for clause in _CLAUSE.findall(sentence):
            days, other_unit = _days(clause)
            if days is None and not other_unit:
                pending = _orders(clause) or pending
                condition = condition or bool(_CONDITIONAL.search(clause))
                continue
            conditional = condition or bool(_CONDITIONAL.search(clause))
            if _MARRIAGE.search(clause):
                if conditional:
                    self.note(f"{label}另有附条件的婚假规定：“{quote}”。需要时请写进婚假说明或“其他”。")
                elif days is None:
                    self.note(f"{label}的婚假写作“{other_unit}”，请换算后填写。")
                else:
                    self.readings["marriage_leave"].append(Reading(_sentence_text(sentence), label, quote))
            elif _PATERNITY.search(clause) and not _ELDER.search(sentence) and _MAN.search(sentence):
                if days is None:
                    self.note(f"{label}的男方陪产假/护理假写作“{other_unit}”，表里按天记：请核对后手动填写天数。")
                else:
                    self.readings["paternity_days"].append(Reading(days, label, quote))
            elif _MATERNITY.search(clause) and not _OTHER_LEAVE.search(clause):
                self._maternity(label, clause, quote, days, other_unit, _orders(clause) or pending, conditional)

    def _maternity(self, label: str, clause: str, quote: str, days: int | None, other_unit: str,
                   orders: tuple[int, ...], conditional: bool) -> None:
        if conditional:
            self.note(f"{label}另有附条件的产假规定（如难产、多胞胎、晚育）：“{quote}”。表里没有这一栏，"
                      "需要时请写进“其他”。")
            return
        total = _TOTAL.search(clause)
        if total is not None:
            whole = cn_to_int(total["num"])
            self.note(f"{label}写的是产假延长到{whole}天（合计），不是另加的天数：请核对后按合计减98天填写"
                      f"（{whole} − {NATIONAL_DAYS} = {whole - NATIONAL_DAYS}）。")
            return
        if days is None:
            self.note(f"{label}的延长产假写作“{other_unit}”，表里按天记：请核对后手动填写天数。")
            return
        self.readings["maternity_extra_days"].append(Reading(days, label, quote, orders))


def _single(name: str, readings: list[Reading]) -> Figure:
    """One value from the readings of a field: the same figure read twice is one, two figures conflict."""
    figure = Figure(name, readings=readings)
    values = list(dict.fromkeys(_figures_of(r.value) if isinstance(r.value, str) else r.value for r in readings))
    if len(values) > 1:
        figure.conflict = True
    elif readings:
        figure.value, figure.article = readings[0].value, readings[0].article
    return figure


def _figures_of(text: str) -> tuple[tuple[int, str], ...]:
    """The numbers a sentence states with their units, to compare two readings by what they say."""
    return tuple(sorted((cn_to_int(m["num"]), "天" if m["unit"] == "日" else m["unit"])
                        for m in re.finditer(rf"(?P<num>{_NUM})(?P<unit>周岁|个工作日|工作日|个月|天|日|周)", text)))


def _maternity(readings: list[Reading]) -> tuple[Figure, Figure]:
    """The first child's extension and the other children's where they differ (per-child figures)."""
    first = Figure("maternity_extra_days", readings=readings)
    others = Figure("maternity_extra_by_order", value={}, readings=[r for r in readings if r.orders])
    general = {r.value for r in readings if not r.orders}
    by_order: dict[int, set[int]] = {}
    for r in readings:
        for order in r.orders:
            by_order.setdefault(order, set()).add(r.value)
    default = general or by_order.get(1, set())
    if len(default) > 1 or (general and by_order.get(1) and by_order[1] != general):
        first.conflict = True
    elif default:
        first.value = next(iter(default))
        first.article = next(r.article for r in readings if r.value == first.value and (not r.orders or 1 in r.orders))
    for order, values in sorted(by_order.items()):
        if order == 1:
            continue
        if len(values) > 1:
            others.conflict = True
        elif next(iter(values)) != first.value:
            others.value[order] = next(iter(values))
            others.article = others.article or next(r.article for r in readings if order in r.orders)
    if first.conflict or others.conflict:
        others.value = {}
    return first, others


def extract(articles: Iterable[tuple[str, str]], province: str, source: str,
            revised: date | None = None) -> Proposal:
    """The proposed row for `province` from its regulation's (article, text) pairs."""
    reader = _Reader()
    for label, text in articles:
        if label and text:
            reader.article(label, text)
    first, others = _maternity(reader.readings["maternity_extra_days"])
    figures = {"maternity_extra_days": first, "maternity_extra_by_order": others,
               "paternity_days": _single("paternity_days", reader.readings["paternity_days"]),
               "parental_leave": _single("parental_leave", reader.readings["parental_leave"]),
               "marriage_leave": _single("marriage_leave", reader.readings["marriage_leave"])}
    for name in ("maternity_extra_days", "paternity_days"):
        value = figures[name].value
        if value is not None and not 0 < value <= MAX_DAYS:
            reader.note(f"{figures[name].label}读到 {value} 天，不像是另加的天数：请核对。")
            figures[name].value, figures[name].article = None, ""
    for figure in figures.values():
        if figure.conflict:
            where = "；".join(f"{r.article}：“{r.quote}”" for r in figure.readings)
            reader.note(f"{figure.label}在条文里有不同的数字，没有自动填写，请对照原文选定：{where}")
    if not any(f.readings for f in figures.values()) and not reader.notes:
        reader.note("没有在条文里找到延长生育假、陪产假、育儿假或婚假的天数。请确认这是该省的人口与计划生育条例。")
    return Proposal(province, source, revised, figures, reader.notes)


def from_import(meta: Any, entries: Iterable[Any]) -> Proposal:
    """The proposal for an imported document: `meta` a DocumentMeta, `entries` its law chunks."""
    pairs = [(e.article, e.text) for e in entries if getattr(e, "article", "")]
    return extract(pairs, meta.region, meta.title, meta.effective)
