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
