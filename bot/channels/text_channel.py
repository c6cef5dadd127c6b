"""What the WeChat and WeCom channels share, apart from each platform's reply model and crypto:
running a turn within a time budget, numbered options ("回复 1 …"), dedupe of retried deliveries,
sending through a platform's message API with token refresh, and pushes of officers' replies.

`TextChannel`, `ApiSender` and `PushOutput` are subclassed by bot/channels/wechat.py and
bot/channels/wecom.py; nothing here knows either platform's XML or signatures.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Type

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.fallback import UNAVAILABLE_TEXT, answered, fallback_text
from bot.channels.guard import bounded
from bot.channels.shared import memory
from bot.channels.textsplit import (MAX_AHEAD, OPTIONS_TTL, OptionMemory, fresh, mask, pack,
                                      render_messages)
from knowledge.handover import officer_label

logger = logging.getLogger(__name__)

TOKEN_ERRORS = {40001, 40014, 42001}  # invalid / malformed / expired access token: refresh once
OUT_OF_WINDOW = 45015  # the user has not written for 48 h: customer-service messages refused

WELCOME_TEXT = ("您好，欢迎关注女职工权益助手！我是工会的自动问答助手（不是真人），可以帮您：")
WELCOME_OPTIONS = [
    ("产假、流产假、哺乳时间有多少天", "产假有多少天"),
    ("怀孕、产期、哺乳期被辞退或降薪怎么办", "怀孕被辞退怎么办"),
    ("生育津贴怎么领", "生育津贴怎么领"),
    ("遭遇性骚扰或就业歧视怎么办", "遭遇职场性骚扰怎么办"),
    ("转人工：联系工会维权专员", "/human_handover"),
]
WELCOME_FOOTER = "回复数字选择，或直接用文字输入您的问题。如有人身危险，请立即拨打110。"
ONLY_TEXT = ("抱歉，我目前只能看懂文字消息，暂时无法识别图片、语音、视频、位置或链接。"
             "请直接用文字输入您的问题，例如：产假有多少天？")


def welcome() -> tuple[str, list[str]]:
    lines = [WELCOME_TEXT] + [f"回复 {i}：{title}" for i, (title, _) in enumerate(WELCOME_OPTIONS, 1)]
    return "\n".join(lines + [WELCOME_FOOTER]), [payload for _, payload in WELCOME_OPTIONS]


class TurnCollector(CollectingOutputChannel):
    """Collects a turn's bot messages, each text whole (Rasa's collector splits at blank lines)."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text))


class ApiSender:
    """Sends text messages through a wechatpy client in worker threads; errors are logged, never raised.

    The client keeps its access token in its session storage and fetches a new one on expiry; an
    answer of 40001/40014/42001 (token invalid) refreshes the token once and retries, 45015 (user
    outside the 48 h window) is logged as such.
    """

    def __init__(self, label: str, client: Any, send: Callable[[str, str], Any], missing: str = "") -> None:
        self.label = label
        self.client = client
        self._send = send
        self.missing = missing  # why sending is off ("" = configured)
        if missing:
            logger.warning("%s: message API off (%s): nothing can be sent through it", label, missing)

    def _call(self, user: str, text: str) -> bool:
        from wechatpy.exceptions import WeChatClientException

        for attempt in (1, 2):
            try:
                self._send(user, text)
                return True
            except WeChatClientException as e:
                code = e.errcode
                if code in TOKEN_ERRORS and attempt == 1:
                    logger.warning("%s: access token refused (%s), fetching a new one", self.label, code)
                    try:
                        self.client.fetch_access_token()
                    except Exception as fetch_error:  # noqa: BLE001
                        logger.error("%s: cannot fetch access token: %s", self.label, fetch_error)
                        return False
                    continue
                if code == OUT_OF_WINDOW:
                    logger.warning("%s: user %s outside the 48 h window (45015), message not sent",
                                   self.label, mask(user))
                else:
                    logger.error("%s: message API error %s %s for %s", self.label, code, e.errmsg, mask(user))
                return False
            except Exception as e:  # noqa: BLE001 (network errors, bad answers: log, never crash)
                logger.error("%s: message API unreachable for %s: %r", self.label, mask(user), e)
                return False
        return False

    async def send(self, user: str, pieces: List[str]) -> None:
        if self.missing:
            logger.error("%s: cannot send %d message(s) to %s: %s", self.label, len(pieces), mask(user),
                         self.missing)
            return
        loop = asyncio.get_running_loop()
        for piece in pieces:
            if not await loop.run_in_executor(None, self._call, user, piece):
                break  # keep the order: never send a later part without the earlier one


def signed(text: Text, metadata: Dict[Text, Any]) -> Text:
    """An officer's reply says who wrote it in its text (「维权专员 王老师：…」): WeChat and WeCom show
    only text, and the console names the officer in the message's metadata (console/rasa_client.py)."""
    name = metadata.get("officer_name") if metadata.get("from") == "officer" else None
    return f"{officer_label(name)}：{text}" if name else text


class PushOutput(OutputChannel):
    """Bot messages outside a webhook turn (officer replies via Rasa's HTTP API) → the message API."""

    platform = "push"  # the name Rasa knows this output channel by

    def __init__(self, channel: "TextChannel") -> None:
        self.channel = channel

    @classmethod
    def name(cls) -> Text:
        return cls.platform

    async def send_messages(self, recipient_id: Text, messages: List[Dict[Text, Any]]) -> None:
        user = self.channel.user_of(recipient_id)
        if user is None:
            logger.error("%s: cannot push to %s: not one of this channel's senders", self.name(), mask(recipient_id))
            return
        await self.channel.sender.send(user, self.channel.render(user, messages))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_messages(recipient_id, [{"text": signed(text, kwargs)}])

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self.send_messages(recipient_id, [{"text": signed(text, kwargs), "buttons": buttons}])

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_messages(recipient_id, [{"image": image}])

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self.send_messages(recipient_id, [{"text": str(attachment)}])



PENDING = {"decided": False}  # a delivery whose first copy is still running its turn
RETRY_POLL = 0.05  # seconds between a retry's looks at what its first copy decided


class TextChannel(InputChannel):
    """What the WeChat and WeCom channels share: turns, numbering, dedupe, API sending, pushes."""

    platform = ""  # the channel's name: its webhook path (/webhooks/<platform>/webhook) and its logs
    sender_prefix = ""
    output_class: Type[PushOutput] = PushOutput

    @classmethod
    def name(cls) -> Text:
        return cls.platform

    def __init__(self, sender: ApiSender, reply_budget: float, dedupe_ttl: float) -> None:
        self.sender = sender
        self.reply_budget = reply_budget
        self.options = OptionMemory(memory(f"{self.name()}:options", OPTIONS_TTL))
        self.window = dedupe_ttl  # how old a signed request may be
        # What this channel has seen, remembered as long as a request stays acceptable (window + MAX_AHEAD),
        # so that no replay outlives its memory: deliveries by MsgId (PENDING, then what was decided), and
        # each signed POST's (timestamp, nonce, signature) with the digest of its body. In this process,
        # or in Redis for several replicas (bot/channels/shared.py): a retry may reach another replica.
        self.deliveries = memory(f"{self.name()}:deliveries", dedupe_ttl + MAX_AHEAD)
        self.signatures = memory(f"{self.name()}:signatures", dedupe_ttl + MAX_AHEAD)
        self._tasks: set = set()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls()  # everything comes from settings.py (environment), nothing from credentials.yml

    def get_output_channel(self) -> Optional[OutputChannel]:
        return self.output_class(self)

    failed_reply = ""  # what the webhook answers when a turn fails unexpectedly (never a 5xx: it would retry)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The webhook both platforms call: GET verifies the URL, POST brings a message. Over
        MAX_MESSAGE_CHARS she gets the "too long" reply and nothing is stored; a failed turn gets the
        fallback reply."""
        on_new_message = bounded(answered(on_new_message))
        bp = Blueprint(f"{self.name()}_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(req: Request) -> HTTPResponse:
            return self.verify(req)

        @bp.route("/webhook", methods=["POST"])
        async def receive(req: Request) -> HTTPResponse:
            try:
                return await self.receive(req, on_new_message)
            except Exception:  # noqa: BLE001
                logger.exception("%s: unexpected error", self.name())
                return response.text(self.failed_reply)

        return bp

    def parsed(self, parse: Callable[[str], Any], xml: str) -> Any:
        """The platform's message object (wechatpy's parser), or None when the XML is not a message
        from a user: answered 400, never a turn."""
        try:
            message = parse(xml)
            user = message._data["FromUserName"]
            if not isinstance(user, str) or not user:
                raise ValueError("no FromUserName")
            return message
        except Exception as e:  # noqa: BLE001
            logger.warning("%s: malformed message XML: %r", self.name(), e)
            return None

    def verify(self, req: Request) -> HTTPResponse:
        """The platform's check of the callback URL (GET with echostr)."""
        raise NotImplementedError

    async def receive(self, req: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """One message POSTed by the platform."""
        raise NotImplementedError

    def timely(self, req: Request) -> bool:
        """Refuse a signed request dated more than the window ago, or more than MAX_AHEAD ahead."""
        if fresh(req.args.get("timestamp", ""), self.window):
            return True
        logger.warning("%s: stale, future or missing timestamp from %s (replay?) refused", self.name(), req.ip)
        return False

    def first_use(self, req: Request, signature: str) -> bool:
        """Refuse a signed POST whose (timestamp, nonce, signature) came before with another body.

        WeChat's plain-mode signature covers only token, timestamp and nonce, not the body: a captured
        signature would carry any message, as anyone, while its timestamp is acceptable. The same
        body again is a retry (or a replay, answered once by the MsgId dedupe) and passes."""
        key = f'{req.args.get("timestamp", "")}:{req.args.get("nonce", "")}:{signature}'
        digest = hashlib.sha256(req.body or b"").hexdigest()
        first, _ = self.signatures.setdefault(key, digest)
        if first == digest:
            return True
        logger.warning("%s: a used signature with another body from %s refused (replay?)", self.name(), req.ip)
        return False

    def user_of(self, sender_id: str) -> Optional[str]:
        return sender_id[len(self.sender_prefix):] if sender_id.startswith(self.sender_prefix) else None

    def render(self, user: str, messages: List[Dict[str, Any]]) -> List[str]:
        """Pieces of ≤ 2048 bytes; the buttons' payloads remembered for "1", "2", …"""
        texts, payloads = render_messages(messages)
        self.options.remember(user, payloads)
        return pack(texts)

    def fixed(self, user: str, text: str, payloads: Optional[List[str]] = None) -> List[str]:
        self.options.remember(user, payloads or [])
        return pack([text])

    def background(self, coro: Awaitable) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)  # keep a reference until done
        task.add_done_callback(self._tasks.discard)

    async def turn(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], user: str, text: str,
                   message_id: Optional[str]) -> List[str]:
        """Run one text through Rasa; returns the pieces to send (never raises)."""
        try:
            chosen = self.options.resolve(user, text)
            collector = TurnCollector()
            await on_new_message(UserMessage(chosen or text, collector, self.sender_prefix + user,
                                             input_channel=self.name(), message_id=message_id))
            return self.render(user, collector.messages)
        except Exception:  # noqa: BLE001 (Rasa's failures are answered by `answered`; this is our own code)
            logger.exception("%s: turn failed for %s", self.name(), mask(user))
            return self.fixed(user, fallback_text(text))

    async def answer_once(self, key: str, user: str, work: Callable[[], Awaitable[List[str]]],
                          budget: float) -> Optional[str]:
        """The passive reply text for this delivery (None = "success"), running `work` once per key.

        The first delivery waits up to `budget` seconds: in time → first piece passive, the rest by
        API; too slow → None now and everything by API when ready. A retry, on this replica or
        another, waits for that decision.
        """
        started = time.monotonic()
        _, new = self.deliveries.setdefault(key, PENDING)
        if not new:
            logger.info("%s: duplicate delivery %s", self.name(), mask(key))
            return await self._decision(key, started + budget)
        passive = None
        task = asyncio.ensure_future(work())
        try:
            done, _ = await asyncio.wait({task}, timeout=budget) if budget > 0 else (set(), None)
            if task in done:
                pieces = task.result()
                passive = pieces[0] if pieces else None
                if pieces[1:]:
                    self.background(self._send_later(user, pieces[1:]))
            else:
                logger.info("%s: turn for %s over the %.3f s budget, answering via the message API",
                            self.name(), mask(user), budget)
                self.background(self._send_when_done(user, task))
        finally:
            self.deliveries.set(key, {"decided": True, "passive": passive})
        return passive

    async def _decision(self, key: str, deadline: float) -> Optional[str]:
        """What the first copy of a delivery answered passively, once it has decided; None ("success":
        its answer goes by the message API) when `deadline` passes first."""
        while True:
            decision = self.deliveries.get(key) or PENDING
            if decision["decided"]:
                return decision["passive"]
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(RETRY_POLL)

    def plan(self, data: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
             ) -> Optional[tuple[str, Callable[[], Awaitable[List[str]]]]]:
        """(dedupe key, work producing the pieces) for one parsed message; None = ignore it."""
        user = data["FromUserName"]
        msg_type = (data.get("MsgType") or "").lower()
        if msg_type == "text":
            key = f"msg:{data.get('MsgId') or user + ':' + str(data.get('CreateTime'))}"
            text = (data.get("Content") or "").strip()
            # %r: a newline or control character she typed cannot start a forged line in the log
            logger.info("%s: text from %s: %r", self.name(), mask(user), mask(text[:200]))

            async def work() -> List[str]:
                return await self.turn(on_new_message, user, text, str(data.get("MsgId") or "") or None)
            return key, work
        key = f"evt:{user}:{data.get('CreateTime')}:{data.get('MsgId', '')}"
        event = (data.get("Event") or "").lower()
        if msg_type == "event" and event in ("subscribe", "subscribe_scan"):
            text_, payloads = welcome()

            async def work() -> List[str]:
                return self.fixed(user, text_, payloads)
            return key, work
        if msg_type == "event":
            logger.info("%s: event %s from %s ignored", self.name(), event, mask(user))
            return None
        logger.info("%s: %s message from %s: only text is understood", self.name(), msg_type, mask(user))

        async def work() -> List[str]:
            return pack([ONLY_TEXT])
        return key, work

    async def _send_later(self, user: str, pieces: List[str]) -> None:
        await asyncio.sleep(0.3)  # let the passive reply arrive first
        await self.sender.send(user, pieces)

    async def _send_when_done(self, user: str, task: "asyncio.Future[List[str]]") -> None:
        try:
            pieces = await task
        except Exception:  # noqa: BLE001
            logger.exception("%s: turn failed for %s", self.name(), mask(user))
            pieces = [UNAVAILABLE_TEXT]
        await self.sender.send(user, pieces)
