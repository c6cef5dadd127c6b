"""Words the console shows for the bot's internal names: the channel a conversation came through
and the buttons she tapped (Rasa stores a tap as its payload, `/affirm`, which means nothing to an
officer reading her conversation)."""
from __future__ import annotations

# The input channels' names (bot/channels: name() or platform), as staff call them.
CHANNEL_LABELS = {"socketio": "网页小窗", "rest": "接口", "wechat": "微信公众号", "wecom": "企业微信",
                  "push": "消息推送", "cmdline": "命令行测试"}
# What a tap says when the message that offered the button is no longer known (a stored transcript).
INTENT_LABELS = {"affirm": "是", "deny": "否", "human_handover": "转人工", "keep_booking": "不取消",
                 "feedback_positive": "👍 有用", "feedback_negative": "👎 没用", "choose_slot": "选了一个时间",
                 "change_booking": "选了新的时间"}


def channel_name(name: str | None) -> str:
    """网页小窗 for socketio …; an unknown name is said as 其他渠道, never shown raw."""
    return CHANNEL_LABELS.get(name or "", "其他渠道" if name else "—")


def tapped(text: str, buttons: list[dict] | None = None) -> str:
    """Her message as an officer should read it: a button payload (`/affirm`, `/book{"slot_id":"7"}`)
    becomes 「点了：确认预约」 with the title of the button she tapped, else a plain description."""
    if not text.startswith("/"):
        return text
    title = next((b.get("title") for b in buttons or [] if b.get("payload") == text and b.get("title")), None)
    intent = text[1:].split("{", 1)[0]
    return f"点了：{title or INTENT_LABELS.get(intent, '一个按钮')}"
