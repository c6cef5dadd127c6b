"""WeCom (企业微信) app callback channel: `GET/POST /webhooks/wecom/webhook`.

WeCom callbacks are always encrypted. GET is the URL check (msg_signature/timestamp/nonce/echostr →
decrypt and echo; answered at once, WeCom allows 1 s). POST messages are decrypted, answered at once
with an empty 200, and the bot's answer goes asynchronously through the WeCom message API
(`message/send`, agent WECOM_AGENT_ID). Sender ids are "wecom:" + UserID. Turns, numbered options,
dedupe of retries, message splitting, API error handling and officer pushes are shared with the
WeChat channel (`bot/channels/text_channel.py: TextChannel`).
"""
from __future__ import annotations

import logging
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.shared import fetch_token_once, token_storage
from bot.channels.text_channel import ApiSender, PushOutput, TextChannel
from settings import get_settings

logger = logging.getLogger(__name__)


def _client(corp_id: str, secret: str, api_base: str) -> Any:
    """wechatpy's enterprise WeChatClient with a configurable API base (also for the token endpoint)."""
    from wechatpy.enterprise import WeChatClient

    base = api_base.rstrip("/") + "/cgi-bin/"

    class Client(WeChatClient):
        API_BASE_URL = base

        def fetch_access_token(self):
            return fetch_token_once(self, "wecom", lambda: self._fetch_access_token(
                url=base + "gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}))

    return Client(corp_id, secret, session=token_storage("wecom"), timeout=10, auto_retry=False)


class WeComOutput(PushOutput):
    platform = "wecom"


class WeComInput(TextChannel):
    platform = "wecom"
    sender_prefix = "wecom:"
    output_class = WeComOutput

    def __init__(self) -> None:
        s = get_settings()
        self.crypto = None
        if not (s.WECOM_TOKEN and s.WECOM_AES_KEY and s.WECOM_CORP_ID):
            logger.warning("wecom: WECOM_TOKEN/WECOM_AES_KEY/WECOM_CORP_ID not set: every request to "
                           "/webhooks/wecom/webhook gets 403")
        else:
            try:
                from wechatpy.enterprise.crypto import WeChatCrypto

                self.crypto = WeChatCrypto(s.WECOM_TOKEN, s.WECOM_AES_KEY, s.WECOM_CORP_ID)
            except Exception as e:  # noqa: BLE001 (a wrong key must not stop Rasa)
                logger.error("wecom: WECOM_AES_KEY is not a valid EncodingAESKey (%r): requests refused", e)
        missing = ("WECOM_CORP_ID/WECOM_SECRET/WECOM_AGENT_ID not set"
                   if not (s.WECOM_CORP_ID and s.WECOM_SECRET and s.WECOM_AGENT_ID) else "")
        client = None if missing else _client(s.WECOM_CORP_ID, s.WECOM_SECRET, s.WECOM_API_BASE)
        agent_id = s.WECOM_AGENT_ID
        sender = ApiSender("wecom", client,
                           lambda user, text: client.message.send_text(agent_id, user, text), missing)
        super().__init__(sender, reply_budget=0.0, dedupe_ttl=s.WECHAT_DEDUPE_TTL)

    def _decrypt(self, req: Request, payload: str, check: bool) -> tuple[int, str]:
        """(status, plaintext): 200 with the decrypted text, 403 bad signature/CorpID, 400 malformed."""
        from wechatpy.enterprise.exceptions import InvalidCorpIdException
        from wechatpy.exceptions import InvalidSignatureException

        if self.crypto is None:
            logger.warning("wecom: request refused: channel not configured")
            return 403, ""
        args = req.args
        signature, timestamp, nonce = (args.get(k, "") for k in ("msg_signature", "timestamp", "nonce"))
        if not signature or not self.timely(req):
            return 403, ""
        try:
            if check:
                return 200, self.crypto.check_signature(signature, timestamp, nonce, payload)
            plain = self.crypto.decrypt_message(payload, signature, timestamp, nonce)
            return (200, plain) if self.first_use(req, signature) else (403, "")
        except InvalidSignatureException:
            logger.warning("wecom: bad msg_signature from %s", req.ip)
            return 403, ""
        except InvalidCorpIdException:
            logger.warning("wecom: message for another CorpID refused")
            return 403, ""
        except Exception as e:  # noqa: BLE001
            logger.warning("wecom: malformed request: %r", e)
            return 400, ""

    def verify(self, req: Request) -> HTTPResponse:
        status, echo = self._decrypt(req, req.args.get("echostr", ""), check=True)
        return response.text(echo if status == 200 else "refused", status=status)

    async def receive(self, req: Request, on_new_message) -> HTTPResponse:
        from wechatpy.enterprise import parse_message

        body = req.body.decode("utf-8", "replace") if req.body else ""
        status, xml = self._decrypt(req, body, check=False)
        if status != 200:
            return response.text("refused", status=status)
        message = self.parsed(parse_message, xml)
        if message is None:
            return response.text("bad request", status=400)
        data, user = message._data, message._data["FromUserName"]
        planned = self.plan(data, on_new_message)
        if planned is not None:
            key, work = planned
            await self.answer_once(key, user, work, 0.0)  # budget 0: always through the message API
        return response.text("")
