"""The FAQ schema and its validator, defined once (docs/CONTENT_GUIDE.md describes it for curators).

The shipped YAML (knowledge/content/faq, loaded by knowledge.content), the build (every record, the
console's published ones too) and the console's editor (workflows.faq_review.validate, before a draft is saved)
all check a record here, so an entry the console refuses cannot ship and one that ships can be edited.
The problems are said in plain Chinese, for the curator who must fix them.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from knowledge.models import NATIONAL
from knowledge.places import province_names
from knowledge.topics import TOPICS

REQUIRED = ("id", "topic", "questions", "answer", "basis", "region", "effective", "review_by", "status")
# What curators call each field, wherever the console names one (the history's diff, the problems below).
FIELD_LABELS = {"topic": "主题", "questions": "问法", "answer": "回答", "basis": "法律依据", "region": "适用地区",
                "effective": "生效日期", "review_by": "复核日期", "related": "相关条目"}
MIN_VARIANTS = 6
MAX_VARIANTS = 60
MAX_QUESTION = 200  # characters
MAX_ANSWER = 2000  # characters; the guide asks for about 300, longer texts are refused, not cut


def problems(record: Mapping[str, Any], *, laws: Collection[str] | None = None,
             today: date | None = None) -> list[str]:
    """Every problem with one FAQ record, in words a curator can act on (empty: it is fine).

    `laws`: the law names a basis may cite (None: not checked); `today`: a review date before it
    has passed."""
    found = _topic_problems(record) + _question_problems(record) + _answer_problems(record)
    found += _basis_problems(record.get("basis") or [], laws)
    region = str(record.get("region") or "")
    if region != NATIONAL and region not in province_names():
        found.append(f"适用地区「{region[:20]}」不认识：请填「全国」或省份简称，如 上海、广东。")
    return found + _date_problems(record, today or date.today())


def _topic_problems(record: Mapping[str, Any]) -> list[str]:
    return [] if record.get("topic") in TOPICS else ["请选择主题。"]


def _question_problems(record: Mapping[str, Any]) -> list[str]:
    questions = [str(q) for q in record.get("questions") or [] if str(q).strip()]
    found = []
    if len(questions) < MIN_VARIANTS:
        found.append(f"问法至少要写 {MIN_VARIANTS} 种（每行一种），现在是 {len(questions)} 种。")
    if len(set(questions)) < len(questions):
        found.append("有重复的问法，请删掉重复的行。")
    if len(questions) > MAX_VARIANTS or any(len(q) > MAX_QUESTION for q in questions):
        found.append(f"问法最多 {MAX_VARIANTS} 种，每种不超过 {MAX_QUESTION} 字。")
    return found


def _answer_problems(record: Mapping[str, Any]) -> list[str]:
    answer = str(record.get("answer") or "").strip()
    if not answer:
        return ["请填写回答。"]
    if len(answer) > MAX_ANSWER:
        return [f"回答太长（{len(answer)} 字），请控制在 {MAX_ANSWER} 字以内，最好 300 字左右。"]
    return []


def _basis_problems(basis: list[Mapping[str, Any]], laws: Collection[str] | None) -> list[str]:
    if not basis:
        return ["请至少写一条法律依据，如：女职工劳动保护特别规定 第七条。"]
    unknown = [str(b.get("law")) for b in basis if laws is not None and b.get("law") not in laws]
    return [f"不认识的法规名称：{'、'.join(unknown)}。请用法规简称，如 劳动合同法、女职工劳动保护特别规定。"] \
        if unknown else []


def _date_problems(record: Mapping[str, Any], today: date) -> list[str]:
    found, parsed = [], {}
    for key in ("effective", "review_by"):
        label = FIELD_LABELS[key]
        value = str(record.get(key) or "").strip()
        try:
            parsed[key] = date.fromisoformat(value)
        except ValueError:
            found.append(f"{label}请按 年-月-日 填写，如 2026-12-31。" if value else f"请填写{label}。")
    if "review_by" in parsed and parsed["review_by"] < today:
        found.append("复核日期已经过了，请填一个以后的日期。")
    return found
