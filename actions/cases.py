"""Escalation to a human rights officer: consent, a short skippable summary, the case itself,
and telling the worker how her case stands. Priority, SLA and storage are in appdb/cases.py;
officers are notified by appdb-independent channels in actions/notify.py.

"我的案件进展" shows the cases of this conversation. Another conversation sees a case only with its
code plus the last four digits of the mobile number she left as her contact, in one message
(「我的案件进展 AJK7M3Q2PY 尾号5678」, appdb/proof.py).
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import notify
from actions.office_hours import reply_expectation
from actions.options import chosen_payload, chosen_yes_no, offered_buttons
from answering import issues
from appdb import cases, users
from appdb.models import Case, utcnow
from knowledge import handover
from knowledge.normalize import normalize
from knowledge.safety import SAFETY_TEXT, detect

REQUEST = "cs_request"  # one id per run of the form
FORM_SLOTS = ("cs_consent", "cs_category", "cs_where", "cs_what", "cs_wants", "cs_contact", "cs_request")
SKIPPED = "（未提供）"
CASE_CODE = re.compile(r"(?<![A-Z0-9])AJ[A-HJ-NP-Z2-9]{8}(?![A-Z0-9])")  # not \b: touches Chinese
STATUS_CN = {"new": "已登记，等待维权专员接手", "assigned": "维权专员正在处理", "closed": "已办结"}
PROOF_TEXT = {
    "needs_proof": "为了保护你的信息，在另一个对话里查询案件，需要案件编号加上登记时留的手机号后四位，请在一条消息里"
                   "一起发给我，例如：「我的案件进展 AJK7M3Q2PY 尾号5678」。登记时没有留手机号的，请回到当初的对话里"
                   "查询，或拨打12351。",
    "wrong": "没有查到这个案件：案件编号或手机号后四位不对。请核对后再发一次；着急请拨打12351。",
    "locked": "这个案件编号核对失败的次数太多，今天不能再在其他对话里查询了。请回到当初的对话里查询，或拨打12351。",
}


STORY_MIN_CHARS = 8  # a typed answer to 「哪一类问题」 this long is her story, kept for the officer


def category_of(text: str) -> str:
    """Her words for the category; else the issue her story raises (「老板让我明天不用来了」 after
    「我怀孕三个月」 is a dismissal in pregnancy, though no category word is in it)."""
    named = handover.named_category(text)
    if named:
        return named
    spotted = (handover.category_of_topic(issue.answer.split("-")[0]) for issue in issues.spot(normalize(text)))
    return next((cat for cat in spotted if cat), handover.OTHER)


def transcript_of(tracker: Tracker) -> list[dict[str, Any]]:
    """Her conversation as the officer will read it (user and bot turns, in order)."""
    lines = []
    for event in tracker.events:
        if event.get("event") == "user" and event.get("text"):
            lines.append({"who": "worker", "text": event["text"], "at": event.get("timestamp")})
        elif event.get("event") == "bot" and event.get("text"):
            lines.append({"who": "bot", "text": event["text"], "at": event.get("timestamp")})
    return lines


class ValidateCaseForm(FormValidationAction):
    def name(self) -> str:
        return "validate_case_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        """Without consent nothing more is asked or stored. The run's idempotency key comes first:
        rasa_sdk extracts and keeps only the slots listed here, and the key is extracted, never asked
        (a retried last answer opens one case; a second case of the conversation is a new one)."""
        return [] if tracker.get_slot("cs_consent") is False else [REQUEST, *domain_slots]

    async def extract_cs_request(self, dispatcher, tracker: Tracker, domain) -> dict[str, Any]:
        return {} if tracker.get_slot(REQUEST) else {REQUEST: uuid.uuid4().hex}

    @staticmethod
    def _answer(tracker: Tracker, slot: str) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != slot:
            return {}
        intent = tracker.latest_message.get("intent", {}).get("name")
        if intent == "skip":
            return {slot: SKIPPED}
        if intent == "deny":
            return {}
        text = normalize(tracker.latest_message.get("text", ""))
        return {slot: text[:1000]} if text and not text.startswith("/") else {}

    async def extract_cs_consent(self, dispatcher, tracker, domain):
        """「1」 for 同意, 「2」 for 不同意 (the buttons' order)."""
        answer = chosen_yes_no(tracker) if tracker.get_slot("requested_slot") == "cs_consent" else None
        return {} if answer is None else {"cs_consent": answer}

    async def extract_cs_category(self, dispatcher, tracker, domain):
        """A tapped (or numbered) category, or her own words: a typed story is also what happened."""
        chosen = chosen_payload(tracker) if tracker.get_slot("requested_slot") == "cs_category" else None
        answer = {"cs_category": normalize(chosen)} if chosen else self._answer(tracker, "cs_category")
        if not answer or answer["cs_category"] == SKIPPED:
            return answer
        words = answer["cs_category"]
        offered = {normalize(b.get("payload") or "") for b in offered_buttons(tracker)}  # as her text was read
        tapped = chosen or normalize(tracker.latest_message.get("text") or "") in offered
        story = {"cs_what": words} if not tapped and len(words) >= STORY_MIN_CHARS else {}
        return {"cs_category": category_of(words), **story}

    async def extract_cs_where(self, dispatcher, tracker, domain):
        return self._answer(tracker, "cs_where")

    async def extract_cs_what(self, dispatcher, tracker, domain):
        return self._answer(tracker, "cs_what")

    async def extract_cs_wants(self, dispatcher, tracker, domain):
        return self._answer(tracker, "cs_wants")

    async def extract_cs_contact(self, dispatcher, tracker, domain):
        return self._answer(tracker, "cs_contact")

    def validate_cs_what(self, value, dispatcher: CollectingDispatcher, tracker, domain) -> dict[str, Any]:
        """Danger in her story gets the emergency numbers at once; the case becomes urgent."""
        if detect(str(value)):
            dispatcher.utter_message(response="utter_emergency")
        return {"cs_what": value}


class ActionCreateCase(Action):
    def name(self) -> str:
        return "action_create_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        reset = [SlotSet(s, None) for s in FORM_SLOTS]
        if not tracker.get_slot("cs_consent") or tracker.latest_message.get("intent", {}).get("name") == "deny":
            dispatcher.utter_message(response="utter_case_stopped")
            return reset
        worker_text = " ".join(e.get("text") or "" for e in tracker.events if e.get("event") == "user")
        category = tracker.get_slot("cs_category")
        if category in (None, SKIPPED, handover.OTHER):
            category = handover.category_of_topic(tracker.get_slot("last_topic")) or category or handover.OTHER
        summary = {"employer": tracker.get_slot("cs_where"), "what": tracker.get_slot("cs_what"),
                   "wants": tracker.get_slot("cs_wants"), "contact": tracker.get_slot("cs_contact")}
        case = cases.create_case(
            sender_id=tracker.sender_id, channel=tracker.get_latest_input_channel() or "rest",
            category=category, summary={k: v for k, v in summary.items() if v and v != SKIPPED},
            consent=True, transcript=transcript_of(tracker), risk=detect(worker_text),
            idempotency_key=f"{tracker.sender_id}:{tracker.get_slot(REQUEST)}")
        notify.case_created(case)
        dispatcher.utter_message(text=(
            f"已为你登记，案件编号：{case.code}。\n"
            f"{reply_expectation(case.sla_due_at)}\n维权专员会在这里直接回复你；你可以继续留言补充情况，"
            "也可以随时说「我的案件进展」查询。遇到危险请立即拨打110。"))
        return reset


class ActionCaseStatus(Action):
    def name(self) -> str:
        return "action_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        text = tracker.latest_message.get("text") or ""
        code = CASE_CODE.search(unicodedata.normalize("NFKC", text).upper())
        if code:
            outcome, case = cases.access(code.group(0), tracker.sender_id, text)
            if case is None:
                dispatcher.utter_message(text=PROOF_TEXT[outcome])
                return []
            found = [case]
        else:
            found = cases.reachable_cases(tracker.sender_id)
        if not found:
            dispatcher.utter_message(text="没有查到你的案件。需要工会维权专员帮忙，可以说「转人工」；着急请拨打12351。")
            return []
        for case in found[:3]:
            line = f"案件 {case.code}：{STATUS_CN.get(case.status, case.status)}。"
            if case.status == "closed" and case.outcome:
                line += f"处理结果：{case.outcome}"
            elif case.status != "closed":
                line += reply_expectation(case.sla_due_at)
            dispatcher.utter_message(text=line)
        return []


def acknowledgement(case: Case | None, now: datetime | None = None) -> str:
    """What she reads at once when she writes while an officer holds her case: who has it and when
    TA is expected (office hours; the case's deadline while it lies ahead)."""
    if case is None or case.status != "assigned":
        return "你的消息已收到，维权专员会在这里回复你。着急请拨打12351。"
    due = case.sla_due_at if case.sla_due_at > (now or utcnow()) else None
    who = handover.officer_label(users.display_name(case.assigned_to))
    return f"已转给{who}，TA 会在这里回复你。{reply_expectation(due, now)}"


class ActionOfficerAck(Action):
    """Her message while an officer holds her case. The conversation is paused then, so no policy
    predicts anything and she used to wait on typing dots for nothing; the Rasa server runs this one
    action for each such message (bot/paused.py), outside the domain and the policies. It tells her
    the message went to the officer, gives the emergency numbers first when her words call for them
    (an officer may not be reading right now), and marks the case for the officers' live pages."""

    def name(self) -> str:
        return handover.ACK_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        text = tracker.latest_message.get("text") or ""
        danger = detect(text)
        if danger:  # marked as action_answer marks it: the widget sets the emergency numbers apart
            dispatcher.utter_message(text=SAFETY_TEXT[danger], alert="emergency")
        case = cases.worker_wrote(tracker.sender_id, text) if text and not text.startswith("/") \
            else cases.open_case_of(tracker.sender_id)
        dispatcher.utter_message(text=acknowledgement(case))
        return []
