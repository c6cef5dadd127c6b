"""Login and logout pages, and /admin itself (which sends each role to its first page)."""
from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from console import auth
from console.auth import Staff, require
from console.templating import nav_for, render
from settings import get_settings

router = APIRouter(prefix="/admin", include_in_schema=False)


def safe_next(target: str) -> str:
    """Only a path of this console: a login link cannot send her to another site."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or target.startswith("//"):
        return "/admin"
    return target


def _cookie_args() -> dict:
    return {"httponly": True, "samesite": "strict", "path": "/",
            "secure": get_settings().CONSOLE_COOKIE_SECURE == "on"}


def _login_page(request: Request, next_path: str, reason: str = "", status_code: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, status_code=status_code, login_csrf=token,
                      next=safe_next(next_path), reason=reason)
    response.set_cookie(auth.LOGIN_CSRF_COOKIE, token, max_age=3600, **_cookie_args())
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/admin") -> Response:
    if auth.staff_for(request.cookies.get(auth.COOKIE)):
        return RedirectResponse(safe_next(next), 303)
    return _login_page(request, next)


MAX_USERNAME, MAX_PASSWORD = 200, 1000  # far above any real one; longer is a paste gone wrong


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/admin") -> Response:
    """Her name and password checked; an overlong one gets the form back with a message (not a
    bare 422 in English), and is not hashed at all."""
    if not auth.tokens_match(request.cookies.get(auth.LOGIN_CSRF_COOKIE, ""), csrf_token):
        return _login_page(request, next, "登录页面已过期，请重新输入。", 403)
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        return _login_page(request, next, "用户名或密码太长了，请检查后重新输入。", 422)
    ip = request.client.host if request.client else ""
    token, reason = auth.login(username, password, ip)
    if token is None:
        return _login_page(request, next, reason, 401)
    response = RedirectResponse(safe_next(next), 303)
    response.set_cookie(auth.COOKIE, token, **_cookie_args())  # a session cookie: gone with the browser
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, staff: Annotated[Staff, Depends(require())]) -> Response:
    auth.logout(request.cookies.get(auth.COOKIE))
    response = RedirectResponse("/admin/login?msg=已退出", 303)
    response.delete_cookie(auth.COOKIE, path="/")
    return response


@router.get("")
@router.get("/")
def home(staff: Annotated[Staff, Depends(require())]) -> Response:
    return RedirectResponse(nav_for(staff)[0][0], 303)
