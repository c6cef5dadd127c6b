"""👎 on an answer: the union's curators get the question she asked and the answer she rated.

The widget sends 「/feedback_negative」 with the opening of the answer she rated (entity `rated`),
which may be an earlier one than the last. Her question is the message she wrote before that answer
(a button that only carries an intent, such as 「/feedback_negative」 itself, is not a question); the
answer is named by the knowledge entry it was taken from (appdb.answer_log), which the curators'
page shows beside her question. The apology is the rule's next step.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from appdb.answer_log import entry_answered
from appdb.unanswered import log_unanswered
from knowledge.normalize import normalize

RATED = "rated"  # the entity with the opening of the rated answer (console/widget/public/widget.js)
OPENING_CHARS = 100  # enough of an answer's opening to tell it from the others


def _said(event: dict[str, Any], who: str) -> str:
    return (event.get("text") or "") if event.get("event") == who else ""


def _rated_index(events: list[dict[str, Any]], opening: str) -> int | None:
    """Where the rated answer is: the last bot message beginning with `opening`, else the last answer."""
    said = [(i, _said(e, "bot")) for i, e in enumerate(events)]
    answers = [(i, text) for i, text in said if text]
    wanted = normalize(opening)[:OPENING_CHARS]  # her message went through the NLU's normalizer: compare alike
    if wanted:
        named = [i for i, text in answers if normalize(text).startswith(wanted)]
        if named:
            return named[-1]
    return answers[-1][0] if answers else None


def rated_exchange(tracker: Tracker) -> tuple[str, float | None]:
    """Her question before the rated answer, and when that answer was sent (epoch seconds)."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    earlier = events[:last_user]  # not the 👎 itself
    opening = next((str(e["value"]) for e in tracker.latest_message.get("entities", []) if e.get("entity") == RATED),
                   "")
    at = _rated_index(earlier, opening)
    if at is None:
        return "", None
    question = next((text for e in reversed(earlier[:at]) if (text := _said(e, "user")) and not text.startswith("/")),
                    "")
    return question, earlier[at].get("timestamp")


class ActionFeedback(Action):
    """Log, for the curators, the question and the answer she gave a thumbs-down."""

    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        question, sent_at = rated_exchange(tracker)
        if not question:  # nothing she wrote to go on (she rated a greeting): the slot's last question
            question = tracker.get_slot("last_question") or ""
        if question:
            when = datetime.fromtimestamp(sent_at, timezone.utc) if sent_at else datetime.now(timezone.utc)
            log_unanswered(tracker.sender_id, question, "feedback", top_entry=entry_answered(tracker.sender_id, when))
        return []
