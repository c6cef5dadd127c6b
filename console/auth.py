"""Console logins: server-side sessions that expire, roles, and CSRF protection.

A login gives the browser a random token in an HttpOnly, SameSite=Strict cookie; the database
keeps only its SHA-256 (appdb.models.StaffSession), so a copy of the database logs nobody in, and
a session ends server-side on logout, after CONSOLE_SESSION_IDLE_MINUTES without a request, after
CONSOLE_SESSION_MAX_HOURS in any case, and when the account is deactivated.

Every state-changing request must carry the session's CSRF token (a form field `csrf_token` or the
header `X-CSRF-Token`), compared in constant time. The login form itself is protected by a
double-submit cookie, since there is no session yet.

Routes declare who may use them with `Depends(require("curator"))`: an admin may do everything.
Without a session, a page redirects to the login form and an API call gets 401; with the wrong
role, 403.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from fastapi import Request
from sqlalchemy import func, select

from appdb import audit
from appdb.models import AuditLog, StaffSession, User, utcnow
from appdb.session import session_scope
from appdb.staff_sessions import idle_limit
from appdb.users import authenticate, normalize_username
from settings import get_settings

COOKIE = "wr_console"
LOGIN_CSRF_COOKIE = "wr_login_csrf"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Guessing is throttled by address, and a name is locked only for the address that guessed it: five
# wrong passwords from an outsider must not keep an officer out of her own account (a lever for a
# denial of service). The address is the client's, or the one a proxy on this host forwards
# (uvicorn trusts X-Forwarded-For from FORWARDED_ALLOW_IPS, 127.0.0.1 by default).
MAX_FAILED_LOGINS = 5  # per username and address within LOCKOUT_WINDOW, then refused until the window passes
MAX_FAILED_PER_ADDRESS = 30  # refusals of one address, whatever the names, within LOCKOUT_WINDOW
LOCKOUT_WINDOW = timedelta(minutes=15)
REFUSALS = ("login.failed", "login.locked", "login.throttled")
TOUCH_EVERY = timedelta(seconds=30)  # last_seen is written at most this often


@dataclass(frozen=True)
class Staff:
    """Who is making this request."""

    username: str
    role: str
    csrf_token: str

    def can(self, role: str) -> bool:
        return self.role == "admin" or self.role == role


class LoginRequired(Exception):
    """No valid session: pages redirect to the login form, API calls answer 401."""


class Forbidden(Exception):
    """Logged in, but this role may not use this page (403)."""


class CsrfRejected(Exception):
    """A state-changing request without the session's CSRF token (403)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _max_age() -> timedelta:
    return timedelta(hours=get_settings().CONSOLE_SESSION_MAX_HOURS)


def _refusals(ip: str, actions: tuple[str, ...], username: str | None = None) -> int:
    """Audited refusals from this address within LOCKOUT_WINDOW (of this username, if given)."""
    query = select(func.count()).select_from(AuditLog).where(
        AuditLog.action.in_(actions), AuditLog.at >= utcnow() - LOCKOUT_WINDOW, AuditLog.detail["ip"].as_string() == ip)
    if username is not None:
        query = query.where(AuditLog.actor == username)
    with session_scope() as s:
        return s.scalar(query)


def _refusal(name: str, ip: str) -> tuple[str, str] | None:
    """(audit action, reason) when this attempt is refused before its password is checked."""
    if _refusals(ip, REFUSALS) >= MAX_FAILED_PER_ADDRESS:
        return "login.throttled", THROTTLED
    if _refusals(ip, ("login.failed",), name) >= MAX_FAILED_LOGINS:
        return "login.locked", LOCKED
    return None


LOCKED = "失败次数过多，请 15 分钟后再试，或联系管理员。"
THROTTLED = "这个网络地址登录失败次数过多，请 15 分钟后再试，或联系管理员。"
WRONG = "用户名或密码错误。"


def check_password(username: str, password: str, ip: str = "", *, via: str = "") -> tuple[User | None, str]:
    """(user, "") or (None, reason): the one password check of both doors, the login form and the
    officers' HTTP Basic API, so the lockout after MAX_FAILED_LOGINS counts the failures of both
    and a password cannot be guessed through the API after the form has locked the name.
    Refusals are audited with the address (`via` says which door); a success is audited by the caller."""
    name = normalize_username(username)[:64]
    detail = {"ip": ip, **({"via": via} if via else {})}
    if refused := _refusal(name, ip):
        with session_scope() as s:
            audit.record(s, name or "?", refused[0], **detail)
        return None, refused[1]
    user = authenticate(name, password)
    if user is None:
        with session_scope() as s:
            audit.record(s, name or "?", "login.failed", **detail)
        return None, WRONG
    return user, ""


def login(username: str, password: str, ip: str = "") -> tuple[str | None, str]:
    """(cookie token, "") on success, (None, reason for the form) otherwise. Both are audited."""
    user, reason = check_password(username, password, ip)
    if user is None:
        return None, reason
    with session_scope() as s:
        token, now = secrets.token_urlsafe(32), utcnow()
        s.add(StaffSession(token_hash=_digest(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                           created_at=now, last_seen_at=now, expires_at=now + _max_age()))
        audit.record(s, user.username, "login", ip=ip)
        return token, ""


def logout(token: str | None) -> None:
    if not token:
        return
    with session_scope() as s:
        row = s.scalar(select(StaffSession).where(StaffSession.token_hash == _digest(token)))
        if row is not None:
            audit.record(s, row.user.username, "logout")
            s.delete(row)


def staff_for(token: str | None, *, touch: bool = True) -> Staff | None:
    """The staff member behind a session cookie, or None if it is unknown, expired or disabled.
    `touch=False` checks without counting as activity: a page's live updates (console/admin/live.py)
    must not keep an unattended session open past its idle limit."""
    if not token:
        return None
    now = utcnow()
    with session_scope() as s:
        row = s.scalar(select(StaffSession).where(StaffSession.token_hash == _digest(token)))
        if row is None:
            return None
        if row.expires_at <= now or row.last_seen_at + idle_limit() <= now or not row.user.active:
            s.delete(row)
            return None
        if touch and now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
        return Staff(row.user.username, row.user.role, row.csrf_token)


async def _submitted_csrf(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").split(";")[0] in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()  # cached by Starlette: the endpoint reads the same form
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


def tokens_match(expected: str, submitted: str) -> bool:
    return bool(expected) and bool(submitted) and hmac.compare_digest(expected.encode(), submitted.encode())


def require(*roles: str) -> Callable:
    """A dependency: the logged-in Staff, if their role is one of `roles` (admin always is);
    on POST/PUT/DELETE the CSRF token is checked as well."""

    async def dependency(request: Request) -> Staff:
        staff = staff_for(request.cookies.get(COOKIE))
        if staff is None:
            raise LoginRequired()
        request.state.staff = staff  # the error pages show her menu too
        if roles and not any(staff.can(r) for r in roles):
            raise Forbidden()
        if request.method not in SAFE_METHODS and not tokens_match(staff.csrf_token, await _submitted_csrf(request)):
            raise CsrfRejected()
        return staff

    return dependency
