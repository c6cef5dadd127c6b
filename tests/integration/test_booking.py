"""Booking union services through the REST channel against the running servers."""
import concurrent.futures
import json
import re
import signal
import sqlite3
import uuid


from conftest import joined


def buttons(reply: list[dict]) -> list[dict]:
    return [b for m in reply for b in m.get("buttons") or []]


def slot_payloads(reply: list[dict]) -> list[str]:
    return [b["payload"] for b in buttons(reply) if b["payload"].startswith(("/choose_slot", "/change_booking"))]


def db(stack) -> sqlite3.Connection:
    return sqlite3.connect(stack.var_dir / "app.db")


def fill_form(stack, sender: str, payload: str | None = None, service: str = "两癌筛查") -> list[dict]:
    """Run the booking form up to the confirmation question; returns that reply."""
    reply = stack.say(sender, f"我想预约{service}")
    payload = payload or slot_payloads(reply)[0]
    stack.say(sender, payload)
    stack.say(sender, "王丽")
    stack.say(sender, "13800138000")
    return stack.say(sender, "深圳某电子厂")


def test_full_booking_then_change_then_cancel(stack, sender):
    first = stack.say(sender, "我想预约两癌筛查")
    assert "预约两癌筛查" in joined(first) and len(slot_payloads(first)) >= 2
    assert "姓名" in joined(stack.say(sender, slot_payloads(first)[0]))
    stack.say(sender, "王丽")
    assert "号码好像不对" in joined(stack.say(sender, "12345"))
    assert "单位" in joined(stack.say(sender, "138 0013 8000"))
    confirm = stack.say(sender, "深圳某电子厂")
    assert "请确认预约" in joined(confirm) and "13800138000" in joined(confirm)
    done = joined(stack.say(sender, "/affirm"))
    code = re.search(r"预约编号：([A-Z0-9]{8})", done).group(1)
    stack.say(sender, "/affirm")  # a double click books nothing more
    assert db(stack).execute("select count(*) from bookings where sender_id=?", (sender,)).fetchone()[0] == 1

    mine = stack.say(sender, "查询我的预约")
    assert code in joined(mine)
    options = stack.say(sender, f"预约{code}改时间")
    target = slot_payloads(options)[0]
    changed = joined(stack.say(sender, target))
    assert "已改好" in changed and code in changed
    new_slot = json.loads(target[target.index("{"):])["slot_id"]
    row = db(stack).execute("select slot_id, status from bookings where code=?", (code,)).fetchone()
    assert (str(row[0]), row[1]) == (new_slot, "confirmed")

    asked = stack.say(sender, f"取消预约 {code}")
    assert "确定要取消" in joined(asked)
    assert db(stack).execute("select status from bookings where code=?", (code,)).fetchone()[0] == "confirmed"
    cancelled = joined(stack.say(sender, buttons(asked)[0]["payload"]))  # 确认取消
    assert "已取消" in cancelled
    status, booked = db(stack).execute(
        "select b.status, s.booked from bookings b join slots s on s.id=b.slot_id where b.code=?", (code,)).fetchone()
    assert status == "cancelled" and booked == 0


def test_rights_question_in_the_middle_then_the_form_goes_on(stack, sender):
    reply = stack.say(sender, "帮我预约一次心理疏导")
    stack.say(sender, slot_payloads(reply)[0])
    middle = joined(stack.say(sender, "怀孕了公司能不能辞退我"))
    assert "法律依据" in middle and "姓名" in middle  # answered, then asked again


def test_leaving_the_form_books_nothing(stack, sender):
    reply = stack.say(sender, "我要报名两癌筛查")
    stack.say(sender, slot_payloads(reply)[0])
    assert "先不办了" in joined(stack.say(sender, "算了"))
    assert db(stack).execute("select count(*) from bookings where sender_id=?", (sender,)).fetchone()[0] == 0
    assert "98天" in joined(stack.say(sender, "产假多少天"))


def test_bad_dates_and_slots_are_explained(stack, sender):
    stack.say(sender, "我想预约法律咨询")
    assert "已经过去" in joined(stack.say(sender, "2025年1月1日上午"))
    assert "没有找到这个时段" in joined(stack.say(sender, '/choose_slot{"slot_id":"999999"}'))


def test_fifty_workers_race_for_ten_places(stack):
    con = db(stack)
    slot_id, = con.execute("select s.id from slots s join services v on v.id=s.service_id "
                           "where v.name='婚恋交友活动' and s.booked=0 order by s.day desc limit 1").fetchone()
    con.execute("update slots set capacity=10 where id=?", (slot_id,))
    con.commit()
    senders = [f"race-{uuid.uuid4().hex[:8]}" for _ in range(50)]
    payload = f'/choose_slot{{"slot_id":"{slot_id}"}}'
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda s: fill_form(stack, s, payload, "婚恋交友活动"), senders))
    with concurrent.futures.ThreadPoolExecutor(25) as pool:
        replies = list(pool.map(lambda s: joined(stack.say(s, "/affirm")), senders))
    assert sum("预约成功" in r for r in replies) == 10
    full = [r for r in replies if "已满" in r]
    assert len(full) == 40
    booked = con.execute("select booked, capacity from slots where id=?", (slot_id,)).fetchone()
    assert booked == (10, 10)
    assert con.execute("select count(*) from bookings where slot_id=? and status='confirmed'",
                       (slot_id,)).fetchone()[0] == 10


def test_action_server_killed_mid_booking(stack, sender):
    """Killed when she confirms: her confirmation is not lost, and repeating it books once."""
    confirm = fill_form(stack, sender)
    assert "请确认预约" in joined(confirm)
    stack.stop("actions", signal.SIGKILL)
    assert "12351" in joined(stack.say(sender, "/affirm"))  # cannot book now: she is told, never silence
    stack.start_actions()
    done = joined(stack.say(sender, "/affirm"))
    assert "预约成功" in done
    again = joined(stack.say(sender, "/affirm"))
    assert again and "预约成功" not in again
    assert db(stack).execute("select count(*) from bookings where sender_id=?", (sender,)).fetchone()[0] == 1
    assert "98天" in joined(stack.say(sender, "产假多少天"))


def test_the_services_offered_are_the_bookable_ones_in_the_database(stack, sender):
    """A service staff created in the console is offered as a button; a deactivated one is not."""
    import subprocess
    import sys

    script = """
from appdb.catalogue import ServiceForm, save_service
save_service("knit_class", ServiceForm("编织课", ("编织",), "工会编织兴趣课", "工会活动室", "", True),
             actor="test", create=True)
save_service("paper_cut", ServiceForm("剪纸课", ("剪纸",), "工会剪纸兴趣课", "工会活动室", "", True),
             actor="test", create=True)
save_service("paper_cut", ServiceForm("剪纸课", ("剪纸",), "工会剪纸兴趣课", "工会活动室", "", False),
             actor="test", create=False)
"""
    subprocess.run([sys.executable, "-c", script], env=stack.env, cwd=str(stack.env["PYTHONPATH"]), check=True)
    titles = [b["title"] for b in buttons(stack.say(sender, "我想预约工会服务"))]
    assert "编织课" in titles
    assert "剪纸课" not in titles and "两癌筛查" in titles
