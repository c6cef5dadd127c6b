"""WeChat Official Account (微信公众号) channel: `GET/POST /webhooks/wechat/webhook`.

- GET: URL verification (sha1 of sorted token/timestamp/nonce) → echo `echostr`; bad signature → 403.
- POST: plain and safe (AES) mode. Bad signature or wrong AppId → 403 with nothing processed,
  malformed XML → 400; anything unexpected is logged and answered "success", never a 5xx.
  Safe mode is the one to deploy: plain mode's signature does not cover the body, so a captured
  signature is refused with any other body (`TextChannel.first_use`) and only within a timestamp
  window bounded on both sides (`fresh`); safe mode's msg_signature covers the encrypted body.
- Text goes to Rasa as sender "wx:" + OpenID. A turn runs with a time budget (WECHAT_REPLY_BUDGET,
  WeChat waits 5 s): done in time → a passive reply (one message ≤ 2048 bytes) and the rest through
  the customer-service API; too slow → "success" at once and the whole answer through that API.
- Duplicate deliveries (same MsgId; FromUserName+CreateTime for events) are processed once: a retry
  waits for the first run (within its budget) and gets the same reply, or "success" if it went async.
- Buttons become "回复 1 …" lines; a later "1" sends that button's payload (bot/channels/textsplit.py).
- Officer replies pushed through Rasa's HTTP API (output_channel=latest) reach the user through
  `get_output_channel()` → the customer-service API.

The parts that do not depend on WeChat's reply model (running a turn, numbering, API sending with
token refresh, dedupe, pushes) live in bot/channels/text_channel.py, shared with the WeCom channel.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from settings import get_settings

from bot.channels.shared import fetch_token_once, token_storage
from bot.channels.text_channel import (ApiSender, PushOutput, TextChannel)

logger = logging.getLogger(__name__)


class WeChatOutput(PushOutput):
    platform = "wechat"



class _WeChatClient:
    """wechatpy's WeChatClient with a configurable API base (also for the token endpoint)."""

    @staticmethod
    def create(appid: str, secret: str, api_base: str) -> Any:
        from wechatpy.client import WeChatClient

        base = api_base.rstrip("/") + "/cgi-bin/"

        class Client(WeChatClient):
            API_BASE_URL = base

            def fetch_access_token(self):
                return fetch_token_once(self, "wechat", lambda: self._fetch_access_token(url=base + "token", params={
                    "grant_type": "client_credential", "appid": self.appid, "secret": self.secret}))

        # auto_retry off: wechatpy would retry a refused token forever; ApiSender retries once.
        return Client(appid, secret, session=token_storage("wechat"), timeout=10, auto_retry=False)


def _xml(body: str) -> HTTPResponse:
    return response.text(body, content_type="application/xml; charset=utf-8")


class WeChatInput(TextChannel):
    platform = "wechat"
    sender_prefix = "wx:"
    output_class = WeChatOutput

    def __init__(self) -> None:
        s = get_settings()
        self.token = s.WECHAT_TOKEN
        self.appid = s.WECHAT_APPID
        self.crypto = None
        if not self.token:
            logger.warning("wechat: WECHAT_TOKEN is not set: every request to /webhooks/wechat/webhook gets 403")
        if s.WECHAT_AES_KEY:
            try:
                from wechatpy.crypto import WeChatCrypto

                self.crypto = WeChatCrypto(self.token, s.WECHAT_AES_KEY, self.appid)
            except Exception as e:  # noqa: BLE001 (a wrong key must not stop Rasa)
                logger.error("wechat: WECHAT_AES_KEY is not a valid EncodingAESKey (%r): safe mode refused", e)
        missing = "WECHAT_APPID/WECHAT_SECRET not set" if not (s.WECHAT_APPID and s.WECHAT_SECRET) else ""
        client = None if missing else _WeChatClient.create(s.WECHAT_APPID, s.WECHAT_SECRET, s.WECHAT_API_BASE)
        sender = ApiSender("wechat", client, lambda user, text: client.message.send_text(user, text), missing)
        super().__init__(sender, s.WECHAT_REPLY_BUDGET, s.WECHAT_DEDUPE_TTL)

    def _signed(self, req: Request) -> bool:
        from wechatpy.exceptions import InvalidSignatureException
        from wechatpy.utils import check_signature

        if not self.token:
            logger.warning("wechat: request refused: WECHAT_TOKEN is not set")
            return False
        try:
            check_signature(self.token, req.args.get("signature", ""), req.args.get("timestamp", ""),
                            req.args.get("nonce", ""))
        except InvalidSignatureException:
            logger.warning("wechat: bad signature from %s", req.ip)
            return False
        return self.timely(req)

    failed_reply = "success"  # WeChat shows her an error for anything else

    def verify(self, req: Request) -> HTTPResponse:
        if not self._signed(req):
            return response.text("forbidden", status=403)
        return response.text(req.args.get("echostr", ""))

    async def receive(self, req: Request, on_new_message) -> HTTPResponse:
        from wechatpy import parse_message
        from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
        from wechatpy.replies import create_reply

        started = time.monotonic()
        args = req.args
        safe = args.get("encrypt_type", "raw").lower() == "aes"
        body = req.body.decode("utf-8", "replace") if req.body else ""
        if safe:
            if not self.token or self.crypto is None:
                logger.warning("wechat: encrypted message refused: WECHAT_TOKEN/WECHAT_AES_KEY/WECHAT_APPID not set")
                return response.text("forbidden", status=403)
            if not args.get("msg_signature") or not self.timely(req):
                return response.text("forbidden", status=403)
            try:
                xml = self.crypto.decrypt_message(body, args.get("msg_signature"), args.get("timestamp", ""),
                                                  args.get("nonce", ""))
            except InvalidSignatureException:
                logger.warning("wechat: bad msg_signature from %s", req.ip)
                return response.text("forbidden", status=403)
            except InvalidAppIdException:
                logger.warning("wechat: encrypted message for another AppId refused")
                return response.text("forbidden", status=403)
            except Exception as e:  # noqa: BLE001 (not XML, no <Encrypt>, not decryptable)
                logger.warning("wechat: malformed encrypted message: %r", e)
                return response.text("bad request", status=400)
            if not self.first_use(req, args.get("msg_signature")):
                return response.text("forbidden", status=403)
        else:
            if not self._signed(req) or not self.first_use(req, args.get("signature", "")):
                return response.text("forbidden", status=403)
            xml = body
        message = self.parsed(parse_message, xml)
        if message is None:
            return response.text("bad request", status=400)
        data, user = message._data, message._data["FromUserName"]

        planned = self.plan(data, on_new_message)
        if planned is None:
            return response.text("success")
        key, work = planned
        budget = max(0.0, self.reply_budget - (time.monotonic() - started))
        passive = await self.answer_once(key, user, work, budget)
        if not passive:
            return response.text("success")
        reply = create_reply(passive, message).render()
        if safe:
            reply = self.crypto.encrypt_message(reply, args.get("nonce", ""), args.get("timestamp") or None)
        return _xml(reply)
