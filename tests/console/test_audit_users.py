"""The audit log page and the accounts page, against a real console and its database: admin only,
filters by person / action / target / days, pagination, no secrets on screen; accounts are created,
re-roled, deactivated (their sessions stop working at once), reactivated and given new passwords."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from appdb.models import AuditLog, StaffSession, User, utcnow
from staff import csrf_of, login

_ROW = re.compile(r'<tr data-actor="([^"]*)" data-action="([^"]*)">')


def audit_rows(client, **params) -> tuple[int, list[tuple[str, str]], str]:
    r = client.get("/admin/audit", params=params)
    assert r.status_code == 200
    total = int(re.search(r'data-total="(\d+)"', r.text).group(1))
    return total, _ROW.findall(r.text), r.text


def user_row(client, username: str) -> dict[str, str] | None:
    match = re.search(rf'<tr data-user="{re.escape(username)}" data-role="(\w+)" data-active="(\d)">',
                      client.get("/admin/users").text)
    return {"role": match.group(1), "active": match.group(2)} if match else None


def flash(response: httpx.Response) -> str:
    return re.search(r'class="flash (?:ok|err)"[^>]*>([^<]*)<', response.text).group(1)


def try_login(console_url: str, username: str, password: str) -> int:
    with httpx.Client(base_url=console_url) as client:
        token = csrf_of(client.get("/admin/login").text)
        return client.post("/admin/login", data={"username": username, "password": password,
                                                 "csrf_token": token}).status_code


@pytest.mark.parametrize("user", ["cora", "olga"])
@pytest.mark.parametrize("page", ["/admin/audit", "/admin/users"])
def test_only_admins_open_audit_and_accounts(as_user, console_url, user, page):
    assert as_user(user).get(page).status_code == 403
    anonymous = httpx.get(console_url + page, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/admin/login")


def test_audit_filters_by_person_action_target_and_days(as_user, app_db):
    as_user("carl")  # a login: audited as carl
    admin = as_user("admin")
    total, rows, html = audit_rows(admin, actor="carl")
    assert total >= 1 and rows and all(actor == "carl" for actor, _ in rows)
    assert '<option value="carl"' in html and ("carl", "login") in rows
    logins = audit_rows(admin, actor="carl", action="login")[1]
    assert logins and set(logins) == {("carl", "login")}
    target = f"AJ{uuid.uuid4().hex[:8].upper()}"
    app_db.add_all([AuditLog(at=utcnow(), actor="olga", action="case.view", target=target, detail={}),
                AuditLog(at=utcnow() - timedelta(days=3), actor="olga", action="case.take", target=target, detail={})])
    app_db.commit()
    assert audit_rows(admin, target=target[2:8])[1] == [("olga", "case.view"), ("olga", "case.take")]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    two_days_ago = (today - timedelta(days=2)).isoformat()
    assert audit_rows(admin, target=target, since=two_days_ago)[1] == [("olga", "case.view")]
    assert audit_rows(admin, target=target, until=two_days_ago)[1] == [("olga", "case.take")]
    assert audit_rows(admin, actor="carl", since=(today + timedelta(days=2)).isoformat())[0] == 0


def test_audit_pages_and_odd_filters(as_user, app_db):
    action = f"test.page.{uuid.uuid4().hex[:6]}"
    app_db.add_all([AuditLog(at=utcnow(), actor="admin", action=action, target=str(i), detail={"n": i})
                    for i in range(60)])
    app_db.commit()
    admin = as_user("admin")
    total, first, html = audit_rows(admin, action=action)
    assert total == 60 and len(first) == 50 and "下一页" in html
    assert len(audit_rows(admin, action=action, page="2")[1]) == 10
    _, rows, html = audit_rows(admin, action=action, since="2026-13-45", page="9" * 5000, target="😀" * 300)
    assert "不是有效日期" in html and rows == []


def test_audit_detail_is_named_lines_and_never_shows_secrets(as_user, app_db):
    """Chinese names for the action and each detail, one 名称：值 a line, never raw JSON (issue 13)."""
    target = f"x-{uuid.uuid4().hex[:8]}"
    app_db.add(AuditLog(at=utcnow(), actor="admin", action="case.view", target=target,
                    detail={"password": "hunter2hunter2", "csrf_token": "abc", "count": 3, "note": "<b>改动</b>"}))
    app_db.commit()
    _, _, html = audit_rows(as_user("admin"), target=target)
    row = re.search(r"<tr data-actor=\"admin\" data-action=\"case.view\">.*?</tr>", html, re.S).group(0)
    assert "<td>查看案件</td>" in row
    assert re.findall(r"<div>([^<]*)</div>", row) == ["条数：3", "备注：&lt;b&gt;改动&lt;/b&gt;"]
    assert "hunter2" not in html and "{&#34;" not in html


def test_create_accounts_with_clear_messages_for_bad_input(as_user, console_url, app_db):
    admin = as_user("admin")
    name = f"tess{uuid.uuid4().hex[:6]}"
    secret = "初始密码-long-enough"
    for data, message in (({"username": name, "role": "officer", "password": "short"}, "密码至少要 10 个字符"),
                          ({"username": "😀", "role": "officer", "password": secret}, "用户名要 1 到 64 个字符"),
                          ({"username": "x" * 65, "role": "officer", "password": secret}, "用户名要 1 到 64 个字符"),
                          ({"username": name, "role": "boss", "password": secret}, "请选择角色"),
                          ({"username": "cora", "role": "officer", "password": secret}, "已被使用")):
        r = admin.form("/admin/users", data, follow_redirects=True)
        assert message in flash(r)
    assert user_row(admin, name) is None
    assert "已创建账号" in flash(admin.form("/admin/users", {"username": name, "role": "officer", "password": secret},
                                          follow_redirects=True))
    assert "已被使用" in flash(admin.form("/admin/users", {"username": name, "role": "officer", "password": secret},
                                        follow_redirects=True))  # a double click creates one account
    assert user_row(admin, name) == {"role": "officer", "active": "1"}
    login(console_url, name, secret).close()
    pages = admin.get("/admin/users").text + admin.get("/admin/audit").text
    assert secret not in pages and "$argon2" not in pages
    assert app_db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "user.create", AuditLog.target == name, AuditLog.actor == "admin")) == 1


def test_role_change_deactivation_and_password_reset(as_user, console_url, app_db):
    admin = as_user("admin")
    name, first, second = f"tina{uuid.uuid4().hex[:6]}", "first password 1", "second password 2"
    admin.form("/admin/users", {"username": name, "role": "officer", "password": first})
    tina = login(console_url, name, first)
    try:
        admin.form(f"/admin/users/{name}/role", {"role": "curator"})
        assert user_row(admin, name)["role"] == "curator"
        assert "内容编辑" in tina.get("/admin/dashboard").text  # her live session sees the new role
        assert tina.get("/admin/users").status_code == 403

        r = admin.form(f"/admin/users/{name}/active", {"active": "0"}, follow_redirects=True)
        assert "已停用" in flash(r) and user_row(admin, name)["active"] == "0"
        user_id = app_db.scalar(select(User.id).where(User.username == name))
        assert app_db.scalar(select(func.count()).select_from(StaffSession).where(StaffSession.user_id == user_id)) == 0
        gone = tina.get("/admin/dashboard", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"].startswith("/admin/login")
        assert try_login(console_url, name, first) == 401

        admin.form(f"/admin/users/{name}/active", {"active": "1"})
        tina.close()
        tina = login(console_url, name, first)
        admin.form(f"/admin/users/{name}/password", {"password": second})
        assert tina.get("/admin/dashboard", follow_redirects=False).status_code == 303  # reset ends her sessions
        assert try_login(console_url, name, first) == 401 and try_login(console_url, name, second) == 303
    finally:
        tina.close()
    actions = set(app_db.scalars(select(AuditLog.action).where(AuditLog.target == name)))
    assert {"user.create", "user.role", "user.deactivate", "user.activate", "user.set_password"} <= actions


def test_the_name_workers_read_beside_an_officers_replies(as_user, app_db):
    """The display name (issue 13, finding 5): set, too long refused with the limit, cleared back to
    the username; each change audited."""
    admin = as_user("admin")
    assert "已改为「欧 阿姨」" in flash(admin.form("/admin/users/otto/display-name", {"display_name": " 欧  阿姨 "},
                                                 follow_redirects=True))
    assert 'value="欧 阿姨"' in admin.get("/admin/users").text
    assert "最多 32 个字" in flash(admin.form("/admin/users/otto/display-name", {"display_name": "欧" * 33},
                                            follow_redirects=True))
    assert "没有这个账号" in flash(admin.form("/admin/users/nobody-here/display-name", {"display_name": "王老师"},
                                          follow_redirects=True))
    assert "看到的是用户名" in flash(admin.form("/admin/users/otto/display-name", {"display_name": ""},
                                           follow_redirects=True))
    assert app_db.scalar(select(User.display_name).where(User.username == "otto")) is None
    assert app_db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.target == "otto", AuditLog.action == "user.display_name")) == 2


def test_an_admin_cannot_lock_herself_out(as_user):
    admin = as_user("admin")
    r = admin.form("/admin/users/admin/active", {"active": "0"}, follow_redirects=True)
    assert "不能停用自己的账号" in flash(r)
    r = admin.form("/admin/users/admin/role", {"role": "officer"}, follow_redirects=True)
    assert "不能修改自己的角色" in flash(r)
    assert user_row(admin, "admin") == {"role": "admin", "active": "1"}
    assert "没有这个账号" in flash(admin.form("/admin/users/nobody-here/password", {"password": "a long password"},
                                        follow_redirects=True))


def test_account_changes_need_the_csrf_token(as_user):
    admin = as_user("admin")
    r = admin.post("/admin/users/olga/active", data={"active": "0", "csrf_token": "forged"})
    assert r.status_code == 403 and user_row(admin, "olga") == {"role": "officer", "active": "1"}
