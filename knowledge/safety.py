"""Recognise wording that means danger (violence, threats, sexual assault, self-harm), before anything else.

A lexicon, not a model: a missed emergency is the worst error this product can make, so the
rule is explicit, testable and shared by the NLU pipeline and the action server.
"""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from knowledge.normalize import LEXICON_DIR, normalize

CATEGORIES = ("self_harm", "sexual_assault", "threat", "violence")  # checked in this order: most urgent first

# What she is told first when she uses danger wording (then her question is still answered: danger never
# ends the conversation). Also said by the Rasa server when the answer cannot be computed (bot/channels/fallback.py).
SAFETY_TEXT = {
    "self_harm": ("听到你这么难受，我很担心你。你的安全最要紧："
                  "如果你现在有伤害自己的念头或已经受伤，请马上拨打120或110；"
                  "心理援助热线12356可以随时打过去说说。你不是一个人，你说的事我们一起想办法。"),
    "sexual_assault": ("发生这样的事不是你的错。如果你现在不安全，请立刻拨打110报警；"
                       "先不要洗澡、不要换洗衣物，保留衣物、"
                       "聊天记录等证据，尽快去医院检查并告诉医生发生了什么，留好病历。妇联热线12338可以陪你求助，"
                       "工会维权专员也可以帮你；心里难受可以打心理援助热线12356。"),
    "threat": ("你的安全最重要。如果你现在有危险，请立刻拨打110报警。妇联维权热线12338可以提供帮助和庇护信息；"
               "心理援助热线12356全天可以倾诉。受到家暴或威胁，可以向法院申请人身安全保护令。"),
}
SAFETY_TEXT["violence"] = SAFETY_TEXT["threat"]


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    table = yaml.safe_load((LEXICON_DIR / "safety.yml").read_text(encoding="utf-8"))
    return {cat: re.compile("|".join(f"(?:{p})" for p in table.get(cat) or [])) for cat in CATEGORIES}


def detect(text: str) -> str | None:
    """The danger category a message expresses, or None."""
    text = normalize(text)
    for category, pattern in _patterns().items():
        if pattern.pattern and pattern.search(text):
            return category
    return None
