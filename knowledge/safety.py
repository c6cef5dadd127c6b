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
