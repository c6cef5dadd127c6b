"""Flows that never loop or strand her (issue 13, findings 1, 3 and 8), over REST against the real Rasa
and action servers: switching service in the middle of a booking, a booking cut short by 转人工, a typed
「1」 for an offered option, a booking code typed alone in another conversation, cancelling only after a
confirmation, out-of-date buttons, and what a booking or a case promises her."""
import json
import re
import sqlite3
import uuid

from conftest import joined
from test_booking import buttons, slot_payloads


def texts(reply: list[dict]) -> list[str]:
    return [m.get("text") or "" for m in reply]


def app_db(stack) -> sqlite3.Connection:
    return sqlite3.connect(stack.var_dir / "app.db")


def slot_id(payload: str) -> int:
    return int(json.loads(payload[payload.index("{"):])["slot_id"])


def service_of_slot(stack, slot: int) -> str:
    return app_db(stack).execute("select v.name from slots s join services v on v.id = s.service_id "
                                 "where s.id = ?", (slot,)).fetchone()[0]


def finish(stack, sender: str, confirm: str = "/affirm") -> str:
    """Name, phone, unit, confirmation; returns the booking code."""
    stack.say(sender, "王丽")
    stack.say(sender, "13800138000")
    assert "请确认预约" in joined(stack.say(sender, "深圳某电子厂"))
    done = joined(stack.say(sender, confirm))
    return re.search(r"预约编号：([A-Z0-9]{8})", done).group(1)


def booked_service(stack, code: str) -> str:
    return app_db(stack).execute("select v.name from bookings b join slots s on s.id = b.slot_id "
                                 "join services v on v.id = s.service_id where b.code = ?", (code,)).fetchone()[0]


# --- finding 1: booking loops and wrong services ---------------------------------------------------------------

def test_switching_service_in_the_middle_of_a_booking(stack, sender):
    first = stack.say(sender, "预约法律咨询")
    assert "预约法律咨询" in joined(first)
    switched = stack.say(sender, "我想预约两癌筛查")
    assert len(switched) <= 3 and len(set(texts(switched))) == len(switched), texts(switched)  # no repeats
    assert "预约两癌筛查：" in joined(switched)
    offered = slot_payloads(switched)
    assert offered and all(service_of_slot(stack, slot_id(p)) == "两癌筛查" for p in offered)
    stack.say(sender, offered[0])
    assert booked_service(stack, finish(stack, sender)) == "两癌筛查"


def test_a_booking_cut_short_by_handover_does_not_come_back(stack, sender):
    first = stack.say(sender, "预约法律咨询")
    stack.say(sender, slot_payloads(first)[0])
    assert "同意" in joined(stack.say(sender, "转人工"))
    stack.say(sender, "/deny")  # she does not want a case after all
    again = stack.say(sender, "我想预约两癌筛查")
    assert "预约两癌筛查：" in joined(again) and "法律咨询" not in joined(again)
    stack.say(sender, slot_payloads(again)[0])
    assert booked_service(stack, finish(stack, sender)) == "两癌筛查"


def test_typing_the_number_of_an_option_picks_it(stack):
    for choice in ("1", "第一个", "第1个"):
        sender = "ordinal-" + uuid.uuid4().hex[:8]
        offered = stack.say(sender, "我想预约心理疏导")
        first = slot_id(slot_payloads(offered)[0])
        picked = joined(stack.say(sender, choice))
        assert "姓名" in picked and "祝你一切顺利" not in picked, (choice, picked)
        code = finish(stack, sender, confirm="1")  # 「1」 under 确认预约 / 先不约了 confirms
        slot = app_db(stack).execute("select slot_id from bookings where code = ?", (code,)).fetchone()[0]
        assert slot == first, choice


# --- finding 3: code lookups, confirmation, old buttons ----------------------------------------------------------

def test_a_booking_code_typed_alone_in_a_new_conversation(stack, sender):
    offered = stack.say(sender, "我想预约两癌筛查")
    stack.say(sender, slot_payloads(offered)[0])
    code = finish(stack, sender)

    other = "newsession-" + uuid.uuid4().hex[:8]
    asked = joined(stack.say(other, "查询我的预约"))
    assert "预约编号" in asked and "后四位" in asked  # she is told what to send
    needs_tail = joined(stack.say(other, code))
    assert "后四位" in needs_tail and "没有把握" not in needs_tail and "两癌筛查" not in needs_tail
    shown = joined(stack.say(other, f"{code} 尾号8000"))
    assert code in shown and "两癌筛查" in shown
    assert code in joined(stack.say(sender, code.lower()))  # her own conversation needs no more


def test_cancelling_asks_first_and_keeping_keeps(stack, sender):
    offered = stack.say(sender, "我想预约两癌筛查")
    stack.say(sender, slot_payloads(offered)[0])
    code = finish(stack, sender)
    status = lambda: app_db(stack).execute("select status from bookings where code = ?", (code,)).fetchone()[0]  # noqa: E731
    asked = stack.say(sender, f"取消预约 {code}")
    assert "确定要取消" in joined(asked) and status() == "confirmed"
    keep, confirm = buttons(asked)[1]["payload"], buttons(asked)[0]["payload"]
    assert "保留" in joined(stack.say(sender, keep)) and status() == "confirmed"
    stack.say(sender, f"取消预约 {code}")
    assert "已取消" in joined(stack.say(sender, confirm)) and status() == "cancelled"


def test_a_time_button_of_a_finished_booking_starts_nothing(stack, sender):
    offered = stack.say(sender, "我想预约两癌筛查")
    old_buttons = slot_payloads(offered)
    stack.say(sender, old_buttons[0])
    finish(stack, sender)
    stale = joined(stack.say(sender, old_buttons[1]))
    assert "失效" in stale and "姓名" not in stale
    assert "98天" in joined(stack.say(sender, "产假多少天"))
    count = app_db(stack).execute("select count(*) from bookings where sender_id = ?", (sender,)).fetchone()[0]
    assert count == 1


# --- finding 8: promises --------------------------------------------------------------------------------------

def test_a_booking_promises_no_text_message(stack, sender):
    offered = stack.say(sender, "我想预约法律咨询")
    stack.say(sender, slot_payloads(offered)[0])
    stack.say(sender, "王丽")
    stack.say(sender, "13800138000")
    said = joined(offered) + joined(stack.say(sender, "深圳某电子厂")) + joined(stack.say(sender, "/affirm"))
    assert "预约成功" in said and "短信" not in said


def test_a_typed_pregnancy_dismissal_is_a_dismissal_case(stack, sender):
    stack.say(sender, "转人工")
    assert "哪一类" in joined(stack.say(sender, "1"))  # 「1」 = 同意
    asked = joined(stack.say(sender, "我怀孕三个月，老板让我明天不用来了"))
    assert "发生了什么" not in asked  # she has just said it
    while "案件编号" not in (done := joined(stack.say(sender, "/skip"))):
        pass
    assert not re.search(r"（(一般|优先|紧急)）", done)  # no priority label for her
    category, priority, summary = app_db(stack).execute(
        "select category, priority, summary from cases where sender_id = ?", (sender,)).fetchone()
    assert category == "dismissal" and priority in ("high", "urgent")
    assert "不用来了" in json.loads(summary)["what"]  # her story reaches the officer


def test_a_second_booking_and_a_second_case_in_one_conversation_are_new(stack, sender):
    """Each run of a form has its own idempotency key: a second booking is booked (not answered with the
    first one's code), and a second case is opened (not the first one again)."""
    codes = []
    for service in ("两癌筛查", "法律咨询"):
        stack.say(sender, f"我想预约{service}")
        stack.say(sender, "1")
        codes.append(finish(stack, sender))
    assert codes[0] != codes[1] and [booked_service(stack, c) for c in codes] == ["两癌筛查", "法律咨询"]
    cases = []
    for _ in range(2):
        stack.say(sender, "转人工")
        stack.say(sender, "/affirm")
        while "案件编号" not in (done := joined(stack.say(sender, "/skip"))):
            pass
        cases.append(re.search(r"案件编号：(AJ[A-Z0-9]{8})", done).group(1))
    assert cases[0] != cases[1]
