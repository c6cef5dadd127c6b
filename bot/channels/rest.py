"""Rasa's REST channel for trusted back ends, with input checks: a malformed request is a clear 4xx,
never a 500.

Same URL and payload as Rasa's own (`POST /webhooks/rest/webhook` with {"sender", "message"}), so
outside tools keep working. The REST channel lets the caller name the conversation, so it is only for
trusted back ends (issue 12):
- with REST_TOKEN set, every request needs it (`Authorization: Bearer TOKEN`, or `?token=TOKEN`): 401;
- without it (the default), only loopback clients are served, and not through a proxy on this host
  (a request carrying X-Forwarded-For / X-Real-IP / Forwarded came from someone else): 403;
- a sender id in another channel's namespace (wx:, wecom:, web:) is refused (403), and the channel
  recorded is always "rest", whatever `input_channel` the body names;
- a body too large for any message within MAX_MESSAGE_CHARS is refused (413) before it is parsed, and
  a longer message is answered with the "too long" reply without reaching Rasa (bot/channels/guard.py).
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import Forbidden, PayloadTooLarge, Unauthorized
from sanic.exceptions import InvalidUsage as BadRequest  # 400 in the Sanic that Rasa 3.6 pins
from sanic.request import Request

from bot.channels.fallback import answered
from bot.channels.guard import bounded, foreign_sender, max_body_bytes, too_long_text, unprintable
from settings import get_settings

logger = logging.getLogger(__name__)

MAX_SENDER = 128
PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-host")


def _body(req: Request) -> dict[str, Any]:
    body = req.json  # Sanic answers 400 itself for text that is not JSON
    if not isinstance(body, dict):
        raise BadRequest('请求体必须是 JSON 对象：{"sender": "...", "message": "..."}')
    return body


def loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def _given_token(req: Request) -> str:
    header = req.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return req.args.get("token", "")


class CheckedRestInput(RestInput):
    def __init__(self, token: str = "") -> None:
        self.token = token
        if not token:
            logger.info("rest: REST_TOKEN is not set: /webhooks/rest/webhook serves loopback clients only")

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[dict[Text, Any]]) -> InputChannel:
        return cls(get_settings().REST_TOKEN)  # from settings.py (environment), not credentials.yml

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(bounded(answered(on_new_message)))

    def _trusted(self, req: Request) -> None:
        if self.token:
            if not hmac.compare_digest(_given_token(req).encode(), self.token.encode()):
                logger.warning("rest: request from %s without the right REST_TOKEN refused", req.ip)
                raise Unauthorized("REST 渠道只供受信任的后端使用：请带上 REST_TOKEN（Authorization: Bearer …）",
                                   scheme="Bearer", realm="rest")
            return
        if not loopback(req.ip) or any(h in req.headers for h in PROXY_HEADERS):
            logger.warning("rest: request from %s refused: not a loopback client and REST_TOKEN is not set",
                           req.headers.get("x-forwarded-for") or req.ip)
            raise Forbidden("REST 渠道只供受信任的后端使用：未设置 REST_TOKEN 时只接受本机请求")

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        self._trusted(req)  # receive() calls this first: nothing is parsed for an untrusted client
        if len(req.body or b"") > max_body_bytes():
            raise PayloadTooLarge(too_long_text())
        sender = _body(req).get("sender")
        if not isinstance(sender, (str, int)) or not str(sender).strip() or len(str(sender)) > MAX_SENDER:
            raise BadRequest(f'"sender" 必须是 1–{MAX_SENDER} 个字符的字符串')
        sender = str(sender)
        if unprintable(sender):
            raise BadRequest('"sender" 不能含控制字符')
        if foreign_sender(sender):
            raise Forbidden('"sender" 不能用其他渠道的会话编号（wx:、wecom:、web: 开头）：'
                            "微信、企业微信和网页小窗的对话只能从各自的渠道进入")
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _body(req).get("message")
        if message is None:
            raise BadRequest('缺少 "message"')
        if not isinstance(message, str):
            raise BadRequest('"message" 必须是字符串')
        return message

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()  # never the body's "input_channel": a REST turn is never WeChat's
