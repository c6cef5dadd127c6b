"""Console accounts (/admin/users, admins): create, change role, set the display name workers read
beside an officer's replies (「维权专员 王老师」), deactivate or reactivate, reset a password. Every
change is audited; password hashes never leave the database.

An admin cannot deactivate herself or change her own role, so the console always keeps at least
the admin who is using it. Deactivating an account, or resetting its password, ends its open
sessions at once: a lost laptop or a departed colleague is locked out without waiting for expiry.
"""
from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete, func, select

from appdb import audit
from appdb.models import ROLES, StaffSession, User
from appdb.session import session_scope
from appdb.users import (MAX_DISPLAY_NAME, MIN_PASSWORD_LENGTH, create_user, list_users, normalize_username,
                         set_active, set_display_name, set_password)
from console.auth import Staff, require
from console.templating import ROLE_LABELS, render

router = APIRouter(prefix="/admin", include_in_schema=False)

USERNAME = re.compile(r"^[\w.\-]{1,64}$")  # letters (汉字 too), digits, . _ -; no spaces or emoji
MAX_PASSWORD_LENGTH = 256
Admin = Annotated[Staff, Depends(require("admin"))]
Text = Annotated[str, Form()]


def _back(msg: str = "", err: str = "") -> RedirectResponse:
    return RedirectResponse("/admin/users?" + urlencode({"msg": msg} if msg else {"err": err}), 303)


def _password_problem(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少要 {MIN_PASSWORD_LENGTH} 个字符。"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"密码最多 {MAX_PASSWORD_LENGTH} 个字符。"
    return ""


def end_sessions(username: str) -> int:
    """Log the account out everywhere (its session rows go; the cookies then lead to the login form)."""
    with session_scope() as session:
        user_id = select(User.id).where(User.username == username).scalar_subquery()
        return session.execute(delete(StaffSession).where(StaffSession.user_id == user_id)).rowcount


def _set_role(username: str, role: str, actor: str) -> bool:
    with session_scope() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            return False
        if user.role != role:
            audit.record(session, actor, "user.role", username, old=user.role, new=role)
            user.role = role
        return True


def _logged_in_counts() -> dict[int, int]:
    with session_scope() as session:
        rows = session.execute(select(StaffSession.user_id, func.count()).group_by(StaffSession.user_id))
        return {user_id: n for user_id, n in rows}


@router.get("/users")
def users_page(request: Request, staff: Admin) -> Response:
    return render(request, "users.html", staff, users=list_users(), sessions=_logged_in_counts(), roles=ROLES,
                  min_password=MIN_PASSWORD_LENGTH, max_display_name=MAX_DISPLAY_NAME)


@router.post("/users")
def create(staff: Admin, username: Text = "", role: Text = "", password: Text = "") -> Response:
    name = normalize_username(username)
    if not USERNAME.match(name):
        return _back(err="用户名要 1 到 64 个字符，只能用字母、汉字、数字和 . _ -。")
    if role not in ROLES:
        return _back(err="请选择角色。")
    if problem := _password_problem(password):
        return _back(err=problem)
    try:
        create_user(name, password, role, actor=staff.username)
    except ValueError:
        return _back(err=f"用户名 {name} 已被使用。")
    return _back(msg=f"已创建账号 {name}，请把初始密码当面或用安全的方式告诉本人。")


def _account(username: str) -> str:
    """The account a URL names, spelled as stored: "Wang " and "wang" are one account, so the
    checks below ("not yourself") cannot be passed by changing the case of her own name."""
    return normalize_username(username)


@router.post("/users/{username}/role")
def change_role(staff: Admin, username: str, role: Text = "") -> Response:
    username = _account(username)
    if username == staff.username:
        return _back(err="不能修改自己的角色，请让另一位管理员操作。")
    if role not in ROLES:
        return _back(err="请选择角色。")
    if not _set_role(username, role, staff.username):
        return _back(err="没有这个账号。")
    return _back(msg=f"{username} 的角色已改为{ROLE_LABELS[role]}。")


@router.post("/users/{username}/active")
def change_active(staff: Admin, username: str, active: Text = "") -> Response:
    username = _account(username)
    if active not in ("0", "1"):
        return _back(err="操作无效。")
    if username == staff.username and active == "0":
        return _back(err="不能停用自己的账号。")
    if not set_active(username, active == "1", actor=staff.username):
        return _back(err="没有这个账号。")
    if active == "1":
        return _back(msg=f"已恢复 {username} 的账号。")
    end_sessions(username)
    return _back(msg=f"已停用 {username} 的账号，TA 的登录已全部退出。")


@router.post("/users/{username}/password")
def reset_password(staff: Admin, username: str, password: Text = "") -> Response:
    username = _account(username)
    if problem := _password_problem(password):
        return _back(err=problem)
    if not set_password(username, password, actor=staff.username):
        return _back(err="没有这个账号。")
    if username != staff.username:
        end_sessions(username)
    return _back(msg=f"已重设 {username} 的密码。")


@router.post("/users/{username}/display-name")
def change_display_name(staff: Admin, username: str, display_name: Text = "") -> Response:
    """The name workers read beside this officer's replies; empty means the username."""
    username = _account(username)
    try:
        found = set_display_name(username, display_name, actor=staff.username)
    except ValueError:
        return _back(err=f"显示名最多 {MAX_DISPLAY_NAME} 个字。")
    if not found:
        return _back(err="没有这个账号。")
    shown = " ".join(display_name.split())
    if not shown:
        return _back(msg=f"{username} 的显示名已清空，职工看到的是用户名。")
    return _back(msg=f"{username} 的显示名已改为「{shown}」。")
