"""The web widget's socket.io channel: Rasa's, with conversation ids that belong to the session.

Rasa's own channel takes the conversation id from every message (`session_id` in the payload), so a
script could speak in any conversation, a WeChat user's included (issue 12). Here:
- a socket gets its conversation id once, at `session_request`, and every message on that socket is
  in that conversation, whatever the message claims;
- the id is the widget's: "web:" + 32 hex digits. The widget's own id (32 hex digits it keeps in
  localStorage, so the conversation survives a reload) is accepted with or without the prefix;
  anything else -- "wx:…", "wecom:…", junk -- gets a fresh random id, which `session_confirm` tells the
  widget (it keeps the confirmed id). Only this channel produces "web:" ids (bot/channels/guard.py);
- a message longer than MAX_MESSAGE_CHARS is answered with the "too long" reply and not stored; a
  frame far beyond it closes the connection (max_http_buffer_size); a message that is not text gets
  MALFORMED_TEXT, never silence; a failed turn gets the fallback reply (bot/channels/fallback.py);
- the room is joined with `enter_room` awaited when python-socketio makes it a coroutine (≥ 5.10,
  RasaHQ/rasa#13027), so pushes (an officer's reply) reach the open widget on 5.9 and later.
- a message goes out with the little the widget shows differently (`WidgetOutput`): who speaks (an
  officer, and her name) and whether it is the emergency reply; Rasa's own output drops it.
The channel keeps Rasa's name "socketio" (trackers, `output_channel=latest`) and its credentials
(bot/credentials.yml).
"""
from __future__ import annotations

import inspect
import json
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import rasa.core.channels.channel
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.channels.fallback import answered
from bot.channels.guard import bounded, max_body_bytes
from settings import get_settings

logger = logging.getLogger(__name__)

PREFIX = "web:"
MALFORMED_TEXT = "这条消息的格式不对，没能读到文字。请直接输入你的问题，例如：产假有多少天？"
_WIDGET_ID = re.compile(r"(?:web:)?([0-9a-f]{32})")


def shared_manager() -> Optional[AsyncRedisManager]:
    """With several replicas (LOCK_STORE=redis) every emit goes through Redis, so an officer's reply
    that arrives through one replica's HTTP API reaches her widget connected to another; one replica
    keeps python-socketio's in-process manager."""
    s = get_settings()
    if s.LOCK_STORE != "redis":
        return None
    return AsyncRedisManager(s.redis_url, channel=f"{s.REDIS_KEY_PREFIX}socketio")


async def _maybe_await(result: Any) -> None:
    if inspect.isawaitable(result):
        await result


def widget_session_id(requested: Any) -> Optional[str]:
    """The conversation id for a widget's requested session id, or None if it is not one."""
    match = _WIDGET_ID.fullmatch(requested) if isinstance(requested, str) else None
    return PREFIX + match.group(1) if match else None


def shown_metadata(message: Dict[str, Any]) -> Dict[str, Any]:
    """What the widget needs to know about a bot message, and nothing else of its metadata (action
    names and other internals stay on the server): an officer speaks (`from`, `officer_name`, set by
    the console) or it is the emergency reply (`alert`, set by action_answer, or utter_emergency)."""
    shown = {key: message[key] for key in ("from", "officer_name") if message.get(key)}
    if message.get("alert") == "emergency" or message.get("utter_action") == "utter_emergency":
        shown["alert"] = "emergency"
    return shown


class WidgetOutput(SocketIOOutput):
    """Rasa's socket.io output, each message carrying its `shown_metadata` as `metadata`."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text, metadata: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.metadata = metadata or {}

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        # A copy per message: one output serves concurrent turns, so the metadata is not kept on self.
        tagged = WidgetOutput(self.sio, self.bot_message_evt, shown_metadata(message))
        await SocketIOOutput.send_response(tagged, recipient_id, message)

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        if self.metadata and isinstance(response, dict):
            response = {**response, "metadata": self.metadata}
        await super()._send_message(socket_id, response)


class WidgetSocketIOInput(SocketIOInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: Dict[str, str] = {}  # socket id -> conversation id

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    async def _bind(self, sio: AsyncServer, sid: str, requested: Any) -> str:
        """Give socket `sid` its conversation (and room); returns the conversation id."""
        session_id = widget_session_id(requested) if self.session_persistence else None
        if session_id is None:
            if requested:
                logger.warning("socketio: session id refused (not a widget session id): %.40r", requested)
            session_id = PREFIX + uuid.uuid4().hex
        previous = self.sessions.get(sid)
        if previous and previous != session_id:
            await _maybe_await(sio.leave_room(sid, previous, namespace=self.namespace))
        self.sessions[sid] = session_id
        await _maybe_await(sio.enter_room(sid, session_id, namespace=self.namespace))
        return session_id

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = bounded(answered(on_new_message))
        # cors_allowed_origins=[]: Sanic's CORS (rasa run --cors) answers cross-origin requests, as in Rasa.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=max_body_bytes(),
                          client_manager=shared_manager())
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio  # for get_output_channel (pushes through Rasa's HTTP API)

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            payload = rasa.core.channels.channel.decode_bearer_token(token, self.jwt_key, self.jwt_algorithm) \
                if token else None
            return bool(payload)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            self.sessions.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = await self._bind(sio, sid, requested)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                logger.warning("socketio: malformed message from %s not passed on", sid)
                await sio.emit(self.bot_message_evt, {"text": MALFORMED_TEXT}, room=sid, namespace=self.namespace)
                return
            sender_id = self.sessions.get(sid) or await self._bind(sio, sid, data.get("session_id"))
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            await on_new_message(UserMessage(
                data.get("message", ""), WidgetOutput(sio, self.bot_message_evt), sender_id,
                input_channel=self.name(), metadata=metadata if isinstance(metadata, dict) else {}))

        return socketio_webhook

    def get_output_channel(self) -> Optional[WidgetOutput]:
        """Pushes through Rasa's HTTP API (an officer's reply) carry their metadata too."""
        return WidgetOutput(self.sio, self.bot_message_evt) if self.sio is not None else None
