"""Talk to the running Rasa server's HTTP API on an officer's behalf.

Officer replies are appended to the worker's conversation as bot events with
`output_channel=latest&execute_side_effects=true`, so Rasa delivers them through the channel she
last used (the web widget or WeChat push; over REST they are stored in her conversation).
Pausing the conversation keeps the bot silent while an officer holds the case.
"""
from __future__ import annotations

import time

import httpx

from console.labels import tapped
from settings import get_settings


def _url(path: str) -> str:
    return f"{get_settings().RASA_URL.rstrip('/')}{path}"


def _params(**extra) -> dict:
    return {"token": get_settings().RASA_TOKEN, **extra}


def tracker(sender_id: str) -> dict:
    r = httpx.get(_url(f"/conversations/{sender_id}/tracker"), params=_params(), timeout=10)
    r.raise_for_status()
    return r.json()


def append_events(sender_id: str, events: list[dict]) -> dict:
    r = httpx.post(_url(f"/conversations/{sender_id}/tracker/events"), json=events, timeout=10,
                   params=_params(output_channel="latest", execute_side_effects="true"))
    r.raise_for_status()
    return r.json()


def bot_event(text: str, officer_name: str | None = None) -> dict:
    """A message from the officers' side. `officer_name` (the display name of the officer who wrote
    it) is shown with it: the widget labels it 「维权专员 王老师」, WeChat and WeCom put that before the
    text (bot/channels/text_channel.py). Notices (taken, handed back, closed) carry no name."""
    metadata = {"from": "officer", **({"officer_name": officer_name} if officer_name else {})}
    return {"event": "bot", "text": text, "timestamp": time.time(), "metadata": metadata}


def pause(sender_id: str, notice: str) -> None:
    append_events(sender_id, [bot_event(notice), {"event": "pause", "timestamp": time.time()}])


def say(sender_id: str, text: str, officer_name: str | None = None) -> None:
    append_events(sender_id, [bot_event(text, officer_name)])


def resume(sender_id: str, notice: str) -> None:
    append_events(sender_id, [{"event": "resume", "timestamp": time.time()}, bot_event(notice)])


def transcript(sender_id: str) -> list[dict]:
    """User and bot turns of her conversation, including what she wrote while it was paused."""
    return turns(tracker(sender_id).get("events", []))


def turns(events: list[dict]) -> list[dict]:
    """The user and bot turns of a tracker's events; a button she tapped is said by its title
    (「点了：确认预约」), found among the buttons of the bot's message before, not as its payload."""
    lines: list[dict] = []
    offered: list[dict] = []
    for event in events:
        if event.get("event") in ("user", "bot") and event.get("text"):
            metadata = event.get("metadata") or {}
            who = "worker" if event["event"] == "user" else ("officer" if metadata.get("from") == "officer" else "bot")
            text = tapped(event["text"], offered) if who == "worker" else event["text"]
            line = {"who": who, "text": text, "at": event.get("timestamp")}
            if who == "officer" and metadata.get("officer_name"):
                line["name"] = metadata["officer_name"]
            lines.append(line)
        if event.get("event") == "bot" and (event.get("data") or {}).get("buttons"):
            offered = event["data"]["buttons"]
    return lines
