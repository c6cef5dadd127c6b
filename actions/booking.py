"""Booking union services in the chat: the form's questions, their validation, the booking itself,
and looking up, changing or cancelling a booking. The rules (capacity, idempotency, atomic
change, who may reach a booking) live in appdb/booking.py; this module only talks.

A booking is hers in the conversation that made it ("查询我的预约", "取消预约", "改到周五" need
nothing more there). From any other conversation -- her WeChat booking looked up in the web widget,
or someone who learnt the code -- the code and the last four digits of the mobile number must come
in one message: 「取消预约 K7M3Q2PY 尾号5678」 (appdb/proof.py).
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.options import chosen_payload, chosen_yes_no, payload_entity
from answering.when import describe, parse_when
from appdb import booking as bk
from appdb.catalogue import bookable_services, find_service, get_service, local_today
from appdb.models import Slot
from appdb.session import session_scope
from knowledge.normalize import normalize

REQUEST = "bk_request"  # one id per booking attempt
FORM_SLOTS = ("bk_service", "bk_slot", "bk_name", "bk_phone", "bk_unit", "bk_child_age", "bk_confirmed",
              "bk_request")
# Intents that mean "not an answer to your question". Names, phone numbers and work units are
# arbitrary text on which the NLU's guess means nothing, so only these and confident, long rights
# questions interrupt the form.
INTERRUPTING = {"deny", "human_handover", "emergency"}
# Not \b: in 「预约K7M3Q2PY改时间」 the code touches Chinese letters, which \b counts as word characters.
CODE = re.compile(r"(?<![A-Z0-9])[A-HJ-NP-Z2-9]{8}(?![A-Z0-9])")
MAX_FIELD = 60


def slot_label(slot: Slot) -> str:
    """12月5日（周五）上午 09:00-11:30"""
    from answering.when import When
    return f"{describe(When(slot.day, slot.period))} {slot.start_time}-{slot.end_time}"


def slot_buttons(slots: list[Slot], intent: str = "choose_slot") -> list[dict]:
    return [{"title": f"{slot_label(s)}（余{s.capacity - s.booked}）",
             "payload": f'/{intent}{{"slot_id":"{s.id}"}}'} for s in slots]


def _entity(tracker: Tracker, name: str) -> str | None:
    return next((str(e["value"]) for e in tracker.latest_message.get("entities", []) if e.get("entity") == name), None)


def _requested_service(tracker: Tracker) -> str | None:
    """The service a 「我想预约两癌筛查」 names; None for any other message (her work unit may well
    contain a service's word, so the intent must say she asks to book)."""
    if tracker.latest_message.get("intent", {}).get("name") != "book_service":
        return None
    service = find_service(normalize(tracker.latest_message.get("text", "")))
    return service.key if service else None


def _interrupts(tracker: Tracker) -> bool:
    """A message that is not an answer to the form's question (算了, 转人工, a rights question,
    a request to book a service)."""
    intent = tracker.latest_message.get("intent", {})
    name, confidence = intent.get("name", ""), intent.get("confidence", 0.0)
    return name in INTERRUPTING or _requested_service(tracker) is not None or (
        name.startswith("ask_") and confidence >= 0.8 and len(tracker.latest_message.get("text", "")) > 8)


def _chosen_slot(tracker: Tracker) -> str | None:
    """The slot a button press names, or the one she picked by number (「1」「第一个」) among those offered."""
    return _entity(tracker, "slot_id") or payload_entity(chosen_payload(tracker), "slot_id")


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: dict) -> list[str]:
        """Services that need more (child's age for 托育/托管) ask for it before the confirmation.

        The attempt's idempotency key comes first: rasa_sdk extracts and keeps only the slots listed
        here, and the key is extracted, never asked (a retried confirmation books once, a new attempt
        never reuses an old key)."""
        key = tracker.get_slot("bk_service")
        if not key:
            return [REQUEST, *domain_slots]
        with session_scope() as session:
            service = get_service(session, key)
            extra = [f"bk_{f}" for f in (service.extra_fields or [])] if service else []
        slots = [s for s in domain_slots if s != "bk_confirmed"]
        return [REQUEST, *slots, *(s for s in extra if s not in slots), "bk_confirmed"]

    async def extract_bk_request(self, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        return {} if tracker.get_slot(REQUEST) else {REQUEST: uuid.uuid4().hex}

    async def extract_bk_service(self, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        current = tracker.get_slot("bk_service")
        if current:
            return self._switch(dispatcher, tracker, current)
        key = self._service_in_message(tracker)
        return {"bk_service": key} if key else {}

    async def extract_bk_slot(self, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        chosen = _chosen_slot(tracker)
        if chosen:
            return {"bk_slot": chosen}
        key = tracker.get_slot("bk_service") or self._service_in_message(tracker)
        when = parse_when(normalize(tracker.latest_message.get("text", "")), local_today())
        if not key or when is None or when.day is None:
            return {}
        if when.past:
            dispatcher.utter_message(text=f"{describe(when)}已经过去了，请选一个以后的时间。")
            return {}
        with session_scope() as session:
            matches = bk.free_slots(session, key, when.day, when.period)
            if len(matches) == 1:
                return {"bk_slot": str(matches[0].id)}
            if not matches:
                others = bk.free_slots(session, key)
                dispatcher.utter_message(text=f"{describe(when)}没有可约的名额（已满或没有安排）。可以选这些时间：",
                                         buttons=slot_buttons(others))
                return {}
            dispatcher.utter_message(text=f"{describe(when)}有几个时段，请选一个：", buttons=slot_buttons(matches))
        return {}

    @staticmethod
    def _switch(dispatcher: CollectingDispatcher, tracker: Tracker, current: str) -> dict[str, Any]:
        """「我想预约两癌筛查」 in the middle of another booking: that service from its time question on
        (her name, phone and unit stay); the same service again: its current question again."""
        wanted = _requested_service(tracker)
        if wanted is None:
            return {}
        if wanted == current:
            return {"bk_service": current}
        with session_scope() as session:
            dispatcher.utter_message(text=f"好的，改为预约{get_service(session, wanted).name}。")
        return {"bk_service": wanted, "bk_slot": None, "bk_child_age": None, "bk_confirmed": None,
                REQUEST: uuid.uuid4().hex}

    @staticmethod
    def _service_in_message(tracker: Tracker) -> str | None:
        """Named in her words, or picked by number among the services offered (「1」)."""
        text = chosen_payload(tracker) or tracker.latest_message.get("text", "")
        service = find_service(normalize(text))
        return service.key if service else None

    def _text_answer(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != slot or _interrupts(tracker):
            return {}
        text = normalize(tracker.latest_message.get("text", ""))
        return {slot: text} if text and not text.startswith("/") else {}

    async def extract_bk_name(self, dispatcher, tracker, domain):
        return self._text_answer(tracker, "bk_name")

    async def extract_bk_phone(self, dispatcher, tracker, domain):
        return self._text_answer(tracker, "bk_phone")

    async def extract_bk_unit(self, dispatcher, tracker, domain):
        return self._text_answer(tracker, "bk_unit")

    async def extract_bk_child_age(self, dispatcher, tracker, domain):
        return self._text_answer(tracker, "bk_child_age")

    async def extract_bk_confirmed(self, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        """「1」 for 确认预约, 「2」 for 先不约了 (the buttons' order)."""
        if tracker.get_slot("requested_slot") != "bk_confirmed":
            return {}
        answer = chosen_yes_no(tracker)
        return {} if answer is None else {"bk_confirmed": answer}

    def validate_bk_slot(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        if value is None:  # reset by a change of service
            return {"bk_slot": None}
        with session_scope() as session:
            slot = session.get(Slot, int(value)) if str(value).isdigit() else None
            if slot is None or slot.service.key != tracker.get_slot("bk_service"):
                dispatcher.utter_message(text="没有找到这个时段，请从下面的按钮里选。")
                return {"bk_slot": None}
            if slot.booked >= slot.capacity or slot.status != "open":
                others = bk.free_slots(session, slot.service.key, exclude=slot.id)
                dispatcher.utter_message(text="这个时段已满。可以选这些时间：", buttons=slot_buttons(others))
                return {"bk_slot": None}
        return {"bk_slot": str(value)}

    def validate_bk_name(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        if not 1 <= len(str(value)) <= 20:
            dispatcher.utter_message(text="姓名请在20个字以内，可以只写姓，比如「王女士」。")
            return {"bk_name": None}
        return {"bk_name": str(value)}

    def validate_bk_phone(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        phone = bk.validate_phone(str(value))
        if phone is None:
            dispatcher.utter_message(text="这个号码好像不对，请输入11位手机号，比如 13800138000。")
            return {"bk_phone": None}
        return {"bk_phone": phone}

    def validate_bk_unit(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"bk_unit": str(value)[:MAX_FIELD]}

    def validate_bk_child_age(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"bk_child_age": None if value is None else str(value)[:MAX_FIELD]}


class StartBooking(Action):
    """A new booking starts empty: nothing of a booking that 转人工, danger or a restart cut short is
    carried into it (it would book the old service at the old time)."""

    def name(self) -> str:
        return "action_start_booking"

    async def run(self, dispatcher, tracker, domain) -> list:
        return [SlotSet(s, None) for s in FORM_SLOTS]


class AskService(Action):
    def name(self) -> str:
        return "action_ask_bk_service"

    async def run(self, dispatcher, tracker, domain) -> list:
        with session_scope() as session:  # what the bot offers is what can be booked: the database
            buttons = [{"title": s.name, "payload": f"预约{s.name}"} for s in bookable_services(session)]
        if not buttons:
            dispatcher.utter_message(text="现在没有可以在线预约的工会服务。需要帮忙可以说「转人工」，或拨打12351。")
            return [ActiveLoop(None), *(SlotSet(s, None) for s in FORM_SLOTS)]
        dispatcher.utter_message(text="想预约哪项工会服务？", buttons=buttons)
        return []


class AskSlot(Action):
    def name(self) -> str:
        return "action_ask_bk_slot"

    async def run(self, dispatcher, tracker, domain) -> list:
        with session_scope() as session:
            service = get_service(session, tracker.get_slot("bk_service"))
            slots = bk.free_slots(session, service.key)
            if not slots:
                dispatcher.utter_message(text=f"{service.name}近期的名额都约满了。你可以过几天再来，或者说「转人工」请工作人员帮你安排。")
                return [ActiveLoop(None), *(SlotSet(s, None) for s in FORM_SLOTS)]
            dispatcher.utter_message(
                text=f"预约{service.name}：{service.description}\n地点：{service.location}\n请选择时间（也可以直接说「明天下午」「12月5日上午」）：",
                buttons=slot_buttons(slots))
        return []


class AskConfirmed(Action):
    def name(self) -> str:
        return "action_ask_bk_confirmed"

    async def run(self, dispatcher, tracker, domain) -> list:
        with session_scope() as session:
            slot = session.get(Slot, int(tracker.get_slot("bk_slot")))
            lines = [f"请确认预约：{slot.service.name}", f"时间：{slot_label(slot)}", f"地点：{slot.service.location}",
                     f"姓名：{tracker.get_slot('bk_name')}　手机：{tracker.get_slot('bk_phone')}",
                     f"单位：{tracker.get_slot('bk_unit')}"]
        if tracker.get_slot("bk_child_age"):
            lines.append(f"孩子年龄：{tracker.get_slot('bk_child_age')}")
        dispatcher.utter_message(text="\n".join(lines), buttons=[{"title": "确认预约", "payload": "/affirm"},
                                                                {"title": "先不约了", "payload": "/deny"}])
        return []


class ActionBook(Action):
    """After the form: book once (idempotent per form run), or offer other slots when it is full."""

    def name(self) -> str:
        return "action_book"

    async def run(self, dispatcher, tracker, domain) -> list:
        reset = [SlotSet(s, None) for s in FORM_SLOTS]
        if not tracker.get_slot("bk_confirmed"):
            dispatcher.utter_message(response="utter_booking_stopped")
            return reset
        extra = {"child_age": tracker.get_slot("bk_child_age")} if tracker.get_slot("bk_child_age") else {}
        result = bk.book(int(tracker.get_slot("bk_slot")), sender_id=tracker.sender_id,
                         channel=tracker.get_latest_input_channel() or "rest", name=tracker.get_slot("bk_name"),
                         phone=tracker.get_slot("bk_phone"), work_unit=tracker.get_slot("bk_unit") or "",
                         extra=extra, idempotency_key=f"{tracker.sender_id}:{tracker.get_slot(REQUEST)}")
        if result.status in ("booked", "duplicate", "already_booked"):
            dispatcher.utter_message(text=booking_text(result.booking, "预约成功！" if result.status != "already_booked"
                                                       else "你已经约过这个时段了。"))
            return reset
        dispatcher.utter_message(text="很抱歉，这个时段刚刚已满。可以改约下面的时间，选一个后我再跟你确认：",
                                 buttons=slot_buttons(result.alternatives))
        return [SlotSet("bk_slot", None), SlotSet("bk_confirmed", None), FollowupAction("booking_form")] \
            if result.alternatives else reset


def booking_text(booking, head: str) -> str:
    with session_scope() as session:
        slot = session.get(Slot, booking.slot_id)
        return (f"{head}预约编号：{booking.code}\n{slot.service.name}，{slot_label(slot)}\n"
                f"地点：{slot.service.location}\n查询、改期或取消，请说「查询我的预约」或告诉我预约编号。")


CONFIRM_CANCEL = "确认取消"  # the confirmation button's words; 「取消预约 CODE」 alone only asks
ASK_FOR_CODE = ("如果是在别处（比如微信）或以前预约的，请把预约编号和预约时留的手机号后四位一起发给我，"
                "例如「K7M3Q2PY 尾号5678」。")
PROOF_TEXT = {
    "needs_proof": "为了保护你的信息，在另一个对话里查询、改期或取消预约，需要预约编号加上预约时留的手机号后四位，"
                   "请在一条消息里一起发给我，例如：「取消预约 K7M3Q2PY 尾号5678」。",
    "wrong": "没有查到这个预约：预约编号或手机号后四位不对。请核对后再发一次，"
             "例如：「查询我的预约 K7M3Q2PY 尾号5678」。",
    "locked": "这个预约编号核对失败的次数太多，今天不能再在其他对话里查询了。请回到当初预约的对话里查询，"
              "或联系工会工作人员（12351）。",
}


def _my_upcoming(tracker: Tracker, dispatcher: CollectingDispatcher) -> list | None:
    """The bookings this message is about: the one whose code it names (if this conversation may reach
    it), else her upcoming ones. None when the answer was already given (proof needed or wrong)."""
    text = tracker.latest_message.get("text") or ""
    code = CODE.search(unicodedata.normalize("NFKC", text).upper())
    if code:
        outcome, found = bk.access(code.group(0), tracker.sender_id, text)
        if found is None:
            dispatcher.utter_message(text=PROOF_TEXT[outcome])
            return None
        return [found] if found.status == "confirmed" else []
    return bk.reachable_bookings(tracker.sender_id)


def _show(mine: list, dispatcher: CollectingDispatcher) -> list:
    if not mine:
        dispatcher.utter_message(text="这个对话里没有查到你即将参加的预约。" + ASK_FOR_CODE
                                 + "想预约服务可以直接说「预约+服务名」。")
        return []
    for b in mine:
        dispatcher.utter_message(text=booking_text(b, ""), buttons=[
            {"title": "取消这个预约", "payload": f"取消预约 {b.code}"},
            {"title": "改时间", "payload": f"预约{b.code}改时间"}])
    return []


class MyBookings(Action):
    def name(self) -> str:
        return "action_my_bookings"

    async def run(self, dispatcher, tracker, domain) -> list:
        mine = _my_upcoming(tracker, dispatcher)
        return [] if mine is None else _show(mine, dispatcher)


def _list_or_explain(mine: list, explanation: str, dispatcher) -> list:
    """Several bookings: list them with buttons to pick one; none: say what we need."""
    if mine:
        return _show(mine, dispatcher)
    dispatcher.utter_message(text=explanation)
    return []


class CancelBooking(Action):
    def name(self) -> str:
        return "action_cancel_booking"

    async def run(self, dispatcher, tracker, domain) -> list:
        mine = _my_upcoming(tracker, dispatcher)
        if mine is None:
            return []
        if len(mine) != 1:
            return _list_or_explain(mine, "没有查到可以取消的预约。" + ASK_FOR_CODE, dispatcher)
        booking = mine[0]
        if CONFIRM_CANCEL not in (tracker.latest_message.get("text") or ""):
            dispatcher.utter_message(text=booking_text(booking, "确定要取消这个预约吗？取消后名额会让给别人。\n"),
                                     buttons=[{"title": "确认取消", "payload": f"{CONFIRM_CANCEL}预约 {booking.code}"},
                                              {"title": "不取消", "payload": "/keep_booking"}])
            return []
        # Reached by this conversation (its own, or proven): acted on as the owner's, audited as this one.
        result = bk.cancel(booking.code, booking.sender_id, actor=tracker.sender_id)
        text = f"已取消预约 {booking.code}，名额已释放。" if result.status in ("cancelled", "already_cancelled") \
            else "这个预约已经开始或过期，不能在线取消了，请联系工会工作人员。"
        dispatcher.utter_message(text=text)
        return []


CHANGE_REFUSED = {
    "full": "那个时间已满。", "closed": "那个时间不开放预约。", "past": "那个时间已经过去了。",
    "same_slot": "你约的就是这个时间，不用改。", "already_booked": "你在那个时间已经有预约了。",
    "not_found": "没有查到这个预约。", "already_cancelled": "这个预约已经取消了，可以重新预约。",
}


class ChangeBooking(Action):
    def name(self) -> str:
        return "action_change_booking"

    async def run(self, dispatcher, tracker, domain) -> list:
        mine = _my_upcoming(tracker, dispatcher)
        if mine is None:
            return []
        if len(mine) != 1:
            return _list_or_explain(mine, "没有查到可以改期的预约。" + ASK_FOR_CODE, dispatcher)
        booking = mine[0]
        target = self._target_slot(tracker, booking)
        with session_scope() as session:
            old = session.get(Slot, booking.slot_id)
            key = old.service.key
            if target is None:
                others = bk.free_slots(session, key, exclude=old.id)
                dispatcher.utter_message(text="想改到什么时间？可以选：",
                                         buttons=slot_buttons(others, "change_booking"))
                return []
        result = bk.change(booking.code, target, booking.sender_id, actor=tracker.sender_id)
        if result.status == "changed":
            dispatcher.utter_message(text=booking_text(result.booking, "已改好。"))
        elif result.alternatives:
            dispatcher.utter_message(text=f"{CHANGE_REFUSED.get(result.status, '那个时间不能预约。')}可以选这些时间：",
                                     buttons=slot_buttons(result.alternatives, "change_booking"))
        else:
            dispatcher.utter_message(text=CHANGE_REFUSED.get(result.status,
                                                             "这个预约现在不能在线改期，请联系工会工作人员。"))
        return []

    @staticmethod
    def _target_slot(tracker: Tracker, booking) -> int | None:
        chosen = _entity(tracker, "slot_id")
        if chosen and chosen.isdigit():
            return int(chosen)
        when = parse_when(normalize(tracker.latest_message.get("text", "")), local_today())
        if when is None or when.day is None or when.past:
            return None
        with session_scope() as session:
            old = session.get(Slot, booking.slot_id)
            period = when.period or old.period
            matches = bk.free_slots(session, old.service.key, when.day, period, exclude=old.id)
            return matches[0].id if matches else None
