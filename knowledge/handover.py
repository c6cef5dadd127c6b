"""The vocabulary of a case handed to a rights officer (转人工), defined once: its category, read from
her words or her last topic, and its priority with the deadline an officer answers within.

The words are data (knowledge/content/handover.yml, read here only); the action server files her case
by them and appdb/cases.py prioritises it by them, so the two cannot disagree. Standard library and
yaml only, like the other vocabularies.
"""
from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HANDOVER_FILE = Path(__file__).resolve().parent / "content" / "handover.yml"
OTHER = "other"  # the category of a case her words do not place
OFFICER_TITLE = "维权专员"  # who speaks to her once a case is taken, as she reads it on every channel
# The custom action the Rasa server runs for her message while an officer holds her case
# (bot/paused.py calls it, actions/cases.py answers it).
ACK_ACTION = "action_officer_ack"


class Priority(str, Enum):
    """How soon an officer answers: the order of the officers' queue and the case's deadline (SLA)."""

    URGENT = "urgent"  # danger, or a dismissal about to happen
    HIGH = "high"  # dismissal and sexual harassment
    NORMAL = "normal"  # everything else

    def __str__(self) -> str:
        return self.value

    @property
    def hours(self) -> int:
        """Hours within which an officer answers (the SLA)."""
        return {"urgent": 2, "high": 24, "normal": 72}[self.value]

    @property
    def label(self) -> str:
        """The word staff and the worker read."""
        return {"urgent": "紧急", "high": "优先", "normal": "一般"}[self.value]


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    return yaml.safe_load(HANDOVER_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _category_patterns() -> dict[str, re.Pattern[str]]:
    return {cat: re.compile(words) for cat, words in _table()["categories"].items()}


def named_category(text: str) -> str | None:
    """The category her words name (the first that matches, in the table's order), or None."""
    return next((cat for cat, pattern in _category_patterns().items() if pattern.search(text)), None)


def category_of_topic(topic: str | None) -> str | None:
    """The category of the topic she last asked about, or None."""
    return _table()["topics"].get(topic or "")


def imminent_dismissal(text: str) -> bool:
    """She is being dismissed today, tomorrow or right away (words of both kinds in the text)."""
    words = _table()["imminent"]
    return bool(re.search(words["soon"], text) and re.search(words["dismissal"], text))


def is_high(category: str | None) -> bool:
    """A category answered within 24 h (danger and an imminent dismissal are urgent: appdb/cases.py)."""
    return category in _table()["high"]


def officer_label(name: str | None = None) -> str:
    """Who is speaking, as she reads it: 「维权专员 王老师」, or 「维权专员」 when no name is known. The
    widget shows it above an officer's message; WeChat and WeCom (text only) put it before the text."""
    name = (name or "").strip()
    return f"{OFFICER_TITLE} {name}" if name else OFFICER_TITLE
