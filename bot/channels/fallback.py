"""She always gets a message, on every channel, even when part of the bot is broken (issue 12, finding 6).

Two failures used to end a turn with no bot message at all (`[]` on REST, nothing on the widget,
WeChat or WeCom):
- the turn raises before any answer, e.g. the NLU pipeline on a lone surrogate character: `answered`
  catches it and sends `fallback_text` through the turn's own output channel;
- a custom action fails (the action server is down or answers an error): Rasa logs it and carries
  on silently. `answered` also makes every remote action answer `fallback_text` instead (installed
  once, the first time a channel is built), so the processor sends it on and records it in her
  conversation like any bot message.
`fallback_text` says the system has a problem and gives 12351; when her message uses danger
wording (knowledge/safety.py decides what that is) the emergency numbers come first, with the very
words of the normal emergency answer: they must never depend on the action server.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, List, Optional

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, Event, UserUttered

from knowledge.safety import SAFETY_TEXT, detect

logger = logging.getLogger(__name__)

UNAVAILABLE_TEXT = "抱歉，系统暂时有问题，请稍后再试；急事请拨打全国职工服务热线12351。"


def fallback_text(user_text: Optional[str]) -> str:
    """What she is told when her message could not be answered: emergency numbers first if needed."""
    try:
        danger = detect(user_text or "")
    except Exception:  # noqa: BLE001 (the fallback itself must never fail)
        logger.exception("fallback: danger check failed")
        danger = "threat"  # unsure: the emergency numbers cost nothing, missing them could
    return f"{SAFETY_TEXT[danger]}\n{UNAVAILABLE_TEXT}" if danger else UNAVAILABLE_TEXT


def _this_turn(events: List[Event]) -> List[Event]:
    """The events after her latest message."""
    for i in range(len(events) - 1, -1, -1):
        if isinstance(events[i], UserUttered):
            return events[i + 1:]
    return events


async def _run_or_fallback(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
                           ) -> List[Event]:
    """RemoteAction.run, answering `fallback_text` (once a turn) when the action server fails."""
    try:
        return await _remote_run(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise  # a form's validation said no: the normal flow, not a failure
    except Exception as e:  # noqa: BLE001
        # The type only: an error body may echo the whole conversation, her phone number included.
        logger.error("fallback: custom action %s failed (%s): she gets the fallback reply",
                     self.name(), type(e).__name__)
        text = fallback_text(tracker.latest_message.text if tracker.latest_message else "")
        if any(isinstance(ev, BotUttered) and ev.text == text for ev in _this_turn(list(tracker.events))):
            return []  # said already this turn (a form runs several actions)
        return [BotUttered(text, metadata={"fallback": True})]


_remote_run = RemoteAction.run


def _install() -> None:
    if RemoteAction.run is not _run_or_fallback:
        RemoteAction.run = _run_or_fallback


def answered(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """`on_new_message` after which she has been answered, whatever failed (see the module docstring)."""
    _install()

    async def handle(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except Exception:  # noqa: BLE001
            logger.exception("%s: turn failed: she gets the fallback reply", message.input_channel)
            await message.output_channel.send_text_message(message.sender_id, fallback_text(message.text))
            return None

    return handle

