"""The topic keys of the knowledge base and the words curators and workers know them by.

Defined once: the FAQ schema (knowledge.faq_schema), the console's filters and the bot's abstention text
("你问的是关于经济补偿的问题……") all read this table. Standard library only, so both Python
environments can import it.
"""
from __future__ import annotations

TOPICS: dict[str, str] = {
    "maternity": "产假", "miscarriage": "流产假", "breastfeeding": "哺乳", "pregnancy": "孕期保护",
    "dismissal": "三期解雇/劳动合同", "benefit": "生育保险与津贴", "prohibited": "禁忌劳动",
    "harassment": "性骚扰", "discrimination": "就业歧视/同工同酬", "procedure": "维权途径",
    "leave": "其他假期", "services": "工会服务", "union": "工会与女职工组织",
    "new_employment": "新就业形态劳动者", "violence": "家庭暴力与人身安全",
    "resign": "辞职与离职", "wages": "工资与工时", "contract": "劳动合同", "compensation": "经济补偿与赔偿",
    "insurance": "社会保险与工伤",
}


def label(topic: str | None) -> str:
    """The Chinese name of a topic key; empty for none or an unknown key."""
    return TOPICS.get(topic or "", "")
