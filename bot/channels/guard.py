"""Checks every input channel makes before a message reaches Rasa (issue 12: trust boundaries).

Conversation ids: each channel has its own namespace, and only that channel can produce it.
- WeChat: "wx:" + OpenID, WeCom: "wecom:" + UserID -- only from callbacks whose signature checked out;
- the web widget: "web:" + 32 hex digits -- only from its socket.io session (bot/channels/socketio.py);
- REST (trusted back ends: REST_TOKEN, or loopback clients when no token is set): any other id; an
  id in another channel's namespace is refused (403).
Length: a message longer than MAX_MESSAGE_CHARS never reaches Rasa: the sender gets TOO_LONG back
and nothing of it is stored. Neither does a message whose conversation id holds control characters
(a NUL, DEL …): REST refuses it with 400, the other channels answer BAD_SENDER.
"""
from __future__ import annotations

import logging
import unicodedata
from functools import lru_cache
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from settings import get_settings

logger = logging.getLogger(__name__)

RESERVED_PREFIXES = ("wx:", "wecom:", "web:")


@lru_cache(maxsize=1)
def max_message_chars() -> int:
    return max(1, get_settings().MAX_MESSAGE_CHARS)  # typed and checked when settings load


def too_long_text(limit: int | None = None) -> str:
    return (f"消息太长了（超过{limit or max_message_chars()}字），请分几次发，"
            "或者简单说说你遇到的主要问题。")


def max_body_bytes() -> int:
    """A request body that cannot hold a message within the limit (JSON may spend 12 bytes on one
    character as \\ud83d\\ude00) plus a sender and some metadata."""
    return 64 * 1024 + 12 * max_message_chars()


def foreign_sender(sender_id: str) -> bool:
    """Is this id in a namespace that only another channel may produce (wx:, wecom:, web:)?
    Look-alikes (full-width, upper case, leading blanks) are refused too."""
    folded = unicodedata.normalize("NFKC", sender_id).lstrip().lower()
    return folded.startswith(RESERVED_PREFIXES)


def unprintable(sender_id: str) -> bool:
    """Control characters or lone surrogates in an id (a NUL breaks logs and some databases)."""
    return any(unicodedata.category(c) in ("Cc", "Cs") for c in sender_id)


BAD_SENDER = "会话编号含有控制字符，无法处理这条消息。"


def bounded(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """`on_new_message` that answers an over-long message, or one whose conversation id holds control
    characters (a NUL breaks logs and some databases), itself instead of passing it to Rasa: every
    channel wraps its `on_new_message` in this, so none stores such a message."""
    limit = max_message_chars()

    async def handle(message: UserMessage) -> Any:
        if unprintable(message.sender_id or ""):
            logger.warning("%s: conversation id with control characters refused: %.40r",
                           message.input_channel, message.sender_id)
            await message.output_channel.send_text_message(message.sender_id, BAD_SENDER)
            return None
        if len(message.text or "") > limit:
            logger.info("%s: message of %d characters refused (MAX_MESSAGE_CHARS=%d)",
                        message.input_channel, len(message.text), limit)
            await message.output_channel.send_text_message(message.sender_id, too_long_text(limit))
            return None
        return await on_new_message(message)

    return handle
