"""Rasa's REST channel with input checks: a malformed request is a clear 400, never a 500.

Same URL and payload as Rasa's own (`POST /webhooks/rest/webhook` with {"sender", "message"}),
so outside tools keep working; only requests Rasa would crash on are refused with a reason.
"""
from __future__ import annotations

from typing import Any, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage as BadRequest  # 400 in the Sanic that Rasa 3.6 pins
from sanic.request import Request

MAX_SENDER = 128


def _body(req: Request) -> dict[str, Any]:
    body = req.json  # Sanic answers 400 itself for text that is not JSON
    if not isinstance(body, dict):
        raise BadRequest('请求体必须是 JSON 对象：{"sender": "...", "message": "..."}')
    return body


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        if not isinstance(sender, (str, int)) or not str(sender).strip() or len(str(sender)) > MAX_SENDER:
            raise BadRequest(f'"sender" 必须是 1–{MAX_SENDER} 个字符的字符串')
        return str(sender)

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _body(req).get("message")
        if message is None:
            raise BadRequest('缺少 "message"')
        if not isinstance(message, str):
            raise BadRequest('"message" 必须是字符串')
        return message
