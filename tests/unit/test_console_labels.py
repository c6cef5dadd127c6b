"""The console's words for the bot's internal names (issue 13, finding 9): every channel the bot has
is named in Chinese, and a tapped button never shows as its payload."""
from __future__ import annotations

import re
from pathlib import Path

from console.labels import CHANNEL_LABELS, channel_name, tapped

CHANNELS = Path(__file__).resolve().parents[2] / "bot" / "channels"


def test_every_channel_of_the_bot_has_a_chinese_name():
    source = "\n".join(p.read_text(encoding="utf-8") for p in CHANNELS.glob("*.py"))
    names = set(re.findall(r'def name\(cls\) -> Text:\s+return "(\w+)"', source))
    names |= set(re.findall(r'^\s+platform = "(\w+)"', source, re.M))
    assert {"socketio", "rest", "wechat", "wecom"} <= names
    assert names <= set(CHANNEL_LABELS), names - set(CHANNEL_LABELS)
    assert channel_name("socketio") == "网页小窗" and channel_name("telegram") == "其他渠道"


def test_a_tap_is_said_by_its_button_or_in_plain_words():
    buttons = [{"title": "确认预约", "payload": "/affirm"}, {"title": "先不约了", "payload": "/deny"}]
    assert tapped("/affirm", buttons) == "点了：确认预约"
    assert tapped("/affirm") == "点了：是"
    assert tapped('/choose_slot{"slot_id":"7"}') == "点了：选了一个时间"
    assert tapped("/something_new") == "点了：一个按钮"
    assert tapped("我怀孕了 /affirm") == "我怀孕了 /affirm"  # her own words stay hers


def test_the_case_pages_transcript_names_the_button_she_tapped():
    """Events as Rasa's tracker gives them: her tap is the title of a button of the bot's last offer."""
    from console.rasa_client import turns

    buttons = [{"title": "确认预约", "payload": "/affirm"}, {"title": "先不约了", "payload": "/deny"}]
    offer = {"event": "bot", "text": "确认预约吗？", "timestamp": 1.0, "data": {"buttons": buttons}}
    events = [{"event": "user", "text": "我想预约法律咨询", "timestamp": 0.5}, offer,
              {"event": "action", "name": "action_listen"}, {"event": "user", "text": "/affirm", "timestamp": 2.0},
              {"event": "bot", "text": "预约成功", "timestamp": 3.0},
              {"event": "user", "text": "/deny", "timestamp": 4.0}]  # an old button, still there
    assert [line["text"] for line in turns(events)] == [
        "我想预约法律咨询", "确认预约吗？", "点了：确认预约", "预约成功", "点了：先不约了"]
