"""A typed choice among the buttons the bot just offered: 「1」「第一个」「第1个」「选2」.

WeChat shows buttons as numbered options and its channel maps a bare number back to the payload
(bot/channels/textsplit.OptionMemory); people used to that type 「1」 in the web widget too, and
say 「第一个」 everywhere. A form reads such a reply through `chosen_payload` instead of taking the
number as her answer or failing to understand it.
"""
from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Tracker

from knowledge.numerals import NUMERAL_CHARS, cn_to_int
from knowledge.normalize import normalize

_ORDINAL = re.compile(rf"^(?:我?选|要)?第?([0-9]{{1,2}}|[{NUMERAL_CHARS}]{{1,3}})"
                      r"(?:个|项|条|号|种)?(?:吧|好了)?[。.!！]?$")


def ordinal(text: str) -> int | None:
    """1 for 「1」「１」「第一个」「第1个」「选1」; None for anything else (「一个月」 is not a choice)."""
    match = _ORDINAL.match(normalize(text or "").strip().replace(" ", ""))
    if not match:
        return None
    try:
        number = cn_to_int(match.group(1))
    except ValueError:
        return None
    return number or None


def offered_buttons(tracker: Tracker) -> list[dict[str, Any]]:
    """The buttons of the bot's last message with buttons since her previous message."""
    events = list(tracker.events)
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    start = users[-2] if len(users) >= 2 else 0
    end = users[-1] if users else len(events)
    for event in reversed(events[start:end]):
        buttons = (event.get("data") or {}).get("buttons") if event.get("event") == "bot" else None
        if buttons:
            return buttons
    return []


def chosen_payload(tracker: Tracker) -> str | None:
    """The payload of the offered button her message picks by number, else None."""
    number = ordinal(tracker.latest_message.get("text") or "")
    buttons = offered_buttons(tracker) if number else []
    return buttons[number - 1].get("payload") if number and number <= len(buttons) else None


def payload_entity(payload: str | None, name: str) -> str | None:
    """An entity value written into a button payload: '/choose_slot{"slot_id":"96"}' -> '96'."""
    if not payload or not payload.startswith("/") or "{" not in payload:
        return None
    try:
        value = json.loads(payload[payload.index("{"):]).get(name)
    except (ValueError, AttributeError):
        return None
    return None if value is None else str(value)


def chosen_yes_no(tracker: Tracker) -> bool | None:
    """True or False when her number picks a 「同意」/「确认」 (/affirm) or 「不同意」 (/deny) button."""
    return {"/affirm": True, "/deny": False}.get(chosen_payload(tracker) or "")
