"""Rasa custom actions: the entry point from the dialogue into answering (see answering/compose.py).

action_answer turns the tracker into a `Conversation`, asks `compose` for the reply, sends it, and
stores back what the conversation should remember. Questions the bot could not answer well are
logged (masked) for staff, and every answer turn is counted, without its text, for the dashboard.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import ActionBook
from appdb.answer_log import record_answer
from appdb.unanswered import log_unanswered
from answering import issues
from answering.compose import Conversation, Reply, compose
from answering.facts import Facts
from knowledge.live import from_settings as live_index
from knowledge.privacy import mask
from knowledge.replies import FOR_CURATORS, KEEPS_TOPIC, ReplyKind

log = logging.getLogger(__name__)
issues.warm()  # the learned issue spotter, from the build cache, before the first message


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def conversation_from(tracker: Tracker) -> Conversation:
    slot = tracker.get_slot
    birth = slot("birth_date")
    babies, order, months = _float(slot("babies")), _float(slot("child_order")), _float(slot("pregnancy_months"))
    told = Facts(province=slot("province"), birth_date=_iso_date(birth),
                 babies=int(babies) if babies else None, difficult_birth=slot("difficult_birth"),
                 child_order=int(order) if order else None, pregnancy_months=months)
    situation = slot("situation")
    return Conversation(
        facts=told.merged_over(Facts.from_slot(situation if isinstance(situation, dict) else None)),
        last_topic=slot("last_topic"), last_question=slot("last_question"),
        abstain_count=int(_float(slot("abstain_count")) or 0))


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def slot_events(reply: Reply, conv: Conversation, current: dict[str, Any]) -> list[SlotSet]:
    """Only the slots whose value changes: every event is stored and re-sent on later turns."""
    f = reply.facts or conv.facts
    wanted: dict[str, Any] = {
        "province": f.province, "babies": f.babies, "difficult_birth": f.difficult_birth,
        "birth_date": f.birth_date.isoformat() if f.birth_date else None,
        "child_order": f.child_order, "pregnancy_months": f.pregnancy_months,
        "situation": f.as_slot() or None,
    }
    if reply.kind in KEEPS_TOPIC:
        wanted.update(last_topic=reply.topic, last_question=reply.question, abstain_count=0.0)
    elif reply.kind == ReplyKind.ABSTAIN:
        wanted["abstain_count"] = float(conv.abstain_count + 1)
    return [SlotSet(name, value) for name, value in wanted.items() if current.get(name) != value]


def pending_booking(tracker: Tracker) -> bool:
    """She confirmed a booking whose action never finished (the action server went down): a new
    "yes" completes it, once, thanks to the booking's idempotency key."""
    return bool(tracker.get_slot("bk_confirmed") and tracker.get_slot("bk_slot") and tracker.get_slot("bk_request")
                and tracker.active_loop_name is None)


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """One message per part (safety first, then each issue), the buttons under the last one. The
    safety part is marked (message metadata `alert`), so the widget can set the emergency numbers apart."""
    if reply.response:
        dispatcher.utter_message(response=reply.response)
        return
    messages = reply.messages() or [reply.text]
    for n, text in enumerate(messages):
        marks = {"alert": "emergency"} if n == 0 and reply.kind == ReplyKind.EMERGENCY else {}
        dispatcher.utter_message(text=text, buttons=reply.buttons if n == len(messages) - 1 else None, **marks)


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        intent = (message.get("intent") or {}).get("name")
        if intent == "affirm" and pending_booking(tracker):
            # Booked here, not by a FollowupAction: no rule follows action_answer → action_book, so the
            # policies' fallback predicted action_answer over and over until Rasa stopped the turn.
            return await ActionBook().run(dispatcher, tracker, domain)
        conv = conversation_from(tracker)
        confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
        reply = compose(text, intent, message.get("entities") or [], conv, live_index().get(),
                        intent_confidence=confidence)
        if reply.kind == ReplyKind.ABSTAIN and conv.abstain_count + 1 >= 2:
            reply.text += "\n已经连续两次没能回答好你的问题，建议转人工，由维权专员直接帮你。"
        send(dispatcher, reply)
        top = reply.sources[0]["id"] if reply.sources and "id" in reply.sources[0] else ""
        if reply.kind in FOR_CURATORS:
            log_unanswered(tracker.sender_id, text, reply.kind.value, reply.confidence or 0.0, top)
        record_answer(tracker.sender_id, tracker.get_latest_input_channel() or "", reply.kind.value, reply.topic or "",
                      top, reply.confidence or 0.0)
        log.info("answer kind=%s intent=%s conf=%s q=%s", reply.kind.value, intent, reply.confidence, mask(text)[:80])
        return slot_events(reply, conv, tracker.slots)
