"""The officers' case inbox and case pages over HTTP, against the real console process and its
database. Cases are opened with appdb.cases on that same database. No Rasa runs here, so every
message to the worker fails: the pages must say so plainly, keep what was typed, and fall back to
the conversation stored with the case (the browser test covers the live path)."""
from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import update

from appdb import audit, cases
from appdb.models import Case, utcnow
from appdb.session import session_scope
from staff import PASSWORD, flash_of, submit

PHONE = "13812345678"


def new_case(category: str = "dismissal", hours_ago: float = 0, **summary: str) -> str:
    case = cases.create_case(
        sender_id="w-" + uuid.uuid4().hex[:8], channel="rest", category=category, consent=True, risk=None,
        summary={"employer": "某电子厂", "what": "怀孕后被通知调岗降薪", "contact": PHONE, **summary},
        transcript=[{"who": "worker", "text": "公司要把我调岗降薪", "at": "2026-11-24T09:00:00"},
                    {"who": "bot", "text": "我先帮你登记", "at": "2026-11-24T09:00:05"}],
        idempotency_key=uuid.uuid4().hex, now=utcnow() - timedelta(hours=hours_ago))
    return case.code


def actions_on(code: str) -> list[tuple[str, str]]:
    with session_scope() as s:
        return [(e.actor, e.action) for e in audit.entries(s, target=code, limit=50)]


def row(page: str, code: str) -> str:
    """The inbox's table row of one case."""
    return re.search(rf'<tr class="[^"]*" data-code="{code}"[^>]*>.*?</tr>', page, re.S).group(0)


def test_curators_and_strangers_cannot_open_cases(on_console_db, as_user, console_url):
    code = new_case()
    cora = as_user("cora")
    for path in ("/admin/cases", f"/admin/cases/{code}"):
        assert cora.get(path).status_code == 403
        r = httpx.get(console_url + path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/login")
    assert submit(cora, f"/admin/cases/{code}/take").status_code == 403
    assert submit(cora, f"/admin/cases/{code}/note", {"text": "x"}).status_code == 403
    assert httpx.post(f"{console_url}/admin/cases/{code}/take").status_code == 401
    assert cases.by_code(code).status == "new" and not cases.by_code(code).notes
    assert ("cora", "case.view") not in actions_on(code)


def test_inbox_sorts_by_priority_then_deadline_and_filters(on_console_db, as_user):
    tag = "t" + uuid.uuid4().hex[:6]  # a category of their own, so other tests' cases stay out
    normal = new_case(tag)
    late = new_case(tag, hours_ago=100)  # normal, 72 h deadline long past
    high = new_case(tag, hours_ago=1)
    urgent = new_case(tag)
    with session_scope() as s:  # the priority comes from the category; set it as the bot's would be
        s.execute(update(Case).where(Case.code == high).values(priority="high"))
        s.execute(update(Case).where(Case.code == urgent).values(priority="urgent"))
    olga = as_user("olga")
    page = olga.get("/admin/cases", params={"category": tag}).text
    order = [page.index(c) for c in (urgent, high, late, normal)]
    assert order == sorted(order)
    assert "超时" in row(page, late) and 'class="overdue"' in row(page, late)  # highlighted, by how much
    assert "剩余" in row(page, normal) and "超时" not in row(page, normal)

    only_late = olga.get("/admin/cases", params={"category": tag, "overdue": "true"}).text
    assert late in only_late and normal not in only_late and urgent not in only_late
    only_urgent = olga.get("/admin/cases", params={"category": tag, "priority": "urgent"}).text
    assert urgent in only_urgent and high not in only_urgent

    cases.take(high, "olga")
    mine = olga.get("/admin/cases", params={"category": tag, "assigned": "mine"}).text
    assert high in mine and normal not in mine
    unassigned = olga.get("/admin/cases", params={"category": tag, "assigned": "unassigned"}).text
    assert high not in unassigned and normal in unassigned
    # nonsense filters are ignored, not a crash
    assert olga.get("/admin/cases", params={"status": "💥", "priority": "x" * 5000}).status_code == 200


def test_case_page_shows_summary_and_stored_conversation_and_is_audited(on_console_db, as_user, console):
    code = new_case(city="深圳", contact_time="工作日晚上")
    r = as_user("olga").get(f"/admin/cases/{code}")
    assert r.status_code == 200
    for text in ("某电子厂", "深圳", "怀孕后被通知调岗降薪", "工作日晚上", PHONE, "同意由工会维权专员联系",
                 "公司要把我调岗降薪", "对话服务暂时连不上"):
        assert text in r.text, text
    assert 'class="bubble worker"' in r.text and 'class="bubble bot"' in r.text
    assert "接手这个案件后才能回复" in r.text and 'action="/admin/cases/%s/reply"' % code not in r.text
    assert ("olga", "case.view") in actions_on(code)
    assert PHONE not in (console.var_dir / "console.log").read_text(errors="replace")
    assert as_user("olga").get("/admin/cases/AJNOTHERE1").status_code == 404


def test_take_conflict_and_reply_rules(on_console_db, as_user):
    code = new_case()
    olga, otto = as_user("olga"), as_user("otto")
    r = submit(olga, f"/admin/cases/{code}/take")
    assert "对话服务暂时连不上" in flash_of(r)  # taken, but the worker could not be told: said plainly
    assert cases.by_code(code).assigned_to == "olga"
    r = submit(otto, f"/admin/cases/{code}/take")
    assert "已由 olga 接手" in flash_of(r)
    assert cases.by_code(code).assigned_to == "olga"

    r = submit(otto, f"/admin/cases/{code}/reply", {"text": "我是小欧"})
    assert r.status_code == 409 and "已由 olga 接手" in r.text and "我是小欧</pre>" in r.text
    r = submit(olga, f"/admin/cases/{code}/reply", {"text": "请先别签字 🙏"})
    assert r.status_code == 409 and "没有送到" in r.text and "请先别签字 🙏</textarea>" in r.text  # kept
    assert not cases.by_code(code).notes  # nothing claims to have been sent
    r = submit(olga, f"/admin/cases/{code}/reply", {"text": "   "})
    assert "回复不能为空" in r.text


def test_two_officers_taking_at_once_get_one_owner(on_console_db, as_user):
    code = new_case()
    clients = {"olga": as_user("olga"), "otto": as_user("otto")}
    results = {}
    barrier = threading.Barrier(2)

    def take(name):
        barrier.wait()
        results[name] = flash_of(submit(clients[name], f"/admin/cases/{code}/take"))

    threads = [threading.Thread(target=take, args=(n,)) for n in clients]
    [t.start() for t in threads]
    [t.join() for t in threads]
    owner = cases.by_code(code).assigned_to
    loser = "otto" if owner == "olga" else "olga"
    assert owner in clients and f"已由 {owner} 接手" in results[loser]
    assert [a for a in actions_on(code) if a[1] == "case.take"] == [(owner, "case.take")]


def test_notes_keep_bad_input_and_a_double_click_adds_one(on_console_db, as_user):
    code = new_case()
    olga = as_user("olga")
    assert "备注不能为空" in flash_of(submit(olga, f"/admin/cases/{code}/note", {"text": ""}))
    huge = "长" * 5000
    r = submit(olga, f"/admin/cases/{code}/note", {"text": huge})
    assert r.status_code == 409 and "太长" in r.text and huge in r.text
    for _ in range(2):
        assert "备注已保存" in flash_of(submit(olga, f"/admin/cases/{code}/note", {"text": f"已电话联系 {PHONE} 😊"}))
    notes = cases.by_code(code).notes
    assert [n.text for n in notes] == [f"已电话联系 {PHONE} 😊"]
    page = olga.get(f"/admin/cases/{code}").text
    assert f"已电话联系 {PHONE} 😊" in page
    with session_scope() as s:
        assert all(PHONE not in str(e.detail) for e in audit.entries(s, target=code))


def test_close_hand_back_and_closing_a_closed_case(on_console_db, as_user):
    code = new_case()
    olga, otto = as_user("olga"), as_user("otto")
    cases.take(code, "olga")
    assert "只有 TA" in flash_of(submit(otto, f"/admin/cases/{code}/hand-back"))
    r = submit(olga, f"/admin/cases/{code}/hand-back")
    assert cases.by_code(code).status == "new" and "案件已更新" in flash_of(r)
    assert "办理结果不能为空" in submit(olga, f"/admin/cases/{code}/close", {"outcome": " "}).text
    submit(olga, f"/admin/cases/{code}/close", {"outcome": "已协调单位撤回调岗"})
    case = cases.by_code(code)
    assert case.status == "closed" and case.outcome == "已协调单位撤回调岗"
    r = submit(otto, f"/admin/cases/{code}/close", {"outcome": "再关一次"})
    assert r.status_code == 409 and "已经办结" in r.text
    assert cases.by_code(code).outcome == "已协调单位撤回调岗"
    assert ("olga", "case.close") in actions_on(code) and ("olga", "case.hand_back") in actions_on(code)


def test_admin_assigns_to_an_active_officer_only(on_console_db, as_user):
    code = new_case()
    admin = as_user("admin")
    page = admin.get(f"/admin/cases/{code}").text
    assert '<option value="olga"' in page and '<option value="cora"' not in page
    assert "维权专员" in flash_of(submit(admin, f"/admin/cases/{code}/assign", {"officer": "cora"}))
    assert cases.by_code(code).status == "new"
    assert "案件已更新" in flash_of(submit(admin, f"/admin/cases/{code}/assign", {"officer": "otto"}))
    assert cases.by_code(code).assigned_to == "otto"
    assert ("admin", "case.assign") in actions_on(code)
    assert submit(as_user("olga"), f"/admin/cases/{code}/assign", {"officer": "olga"}).status_code == 403


def test_the_officer_api_still_works_on_the_same_actions(on_console_db, console_url):
    code = new_case()
    with httpx.Client(base_url=console_url, auth=("olga", PASSWORD), timeout=30) as api:
        assert any(c["code"] == code for c in api.get("/api/cases").json())
        body = api.get(f"/api/cases/{code}").json()
        assert body["conversation"][0]["text"] == "公司要把我调岗降薪"  # the snapshot, Rasa being down
        r = api.post(f"/api/cases/{code}/take")
        assert r.status_code == 502 and "对话服务" in r.json()["detail"]
        assert api.post(f"/api/cases/{code}/reply", json={"text": ""}).status_code == 422
        assert api.get("/api/cases/AJNOTHERE1").status_code == 404
    with httpx.Client(base_url=console_url, auth=("otto", PASSWORD), timeout=30) as api:
        assert api.post(f"/api/cases/{code}/take").status_code == 409
