"""Server-rendered pages: one Jinja2 environment (autoescaped) and the navigation by role."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from appdb.models import local_tz
from console.auth import Staff
from console.labels import channel_name, tapped

TEMPLATES = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))

# (path, label, role that may see it; admin sees everything)
NAV = (
    ("/admin/dashboard", "概览", None),
    ("/admin/faq", "知识条目", "curator"),
    ("/admin/documents", "法规文件", "curator"),
    ("/admin/leave-figures", "地方假期", "curator"),
    ("/admin/hit-test", "命中测试", "curator"),
    ("/admin/unanswered", "未答问题", "curator"),
    ("/admin/services", "服务与预约", "curator"),
    ("/admin/cases", "案件", "officer"),
    ("/admin/audit", "审计日志", "admin"),
    ("/admin/users", "账号", "admin"),
)
ROLE_LABELS = {"admin": "管理员", "curator": "内容编辑", "officer": "维权专员"}


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Times are stored in UTC and shown in the union's time zone: the one way the console writes a time."""
    return value.astimezone(local_tz()).strftime(fmt) if value else ""


def instant(at: Any) -> datetime | None:
    """A conversation turn's time as an instant: Rasa gives epoch seconds, a case's stored snapshot
    keeps them as text (and older snapshots ISO text, UTC when it has no zone)."""
    if isinstance(at, (int, float)) and not isinstance(at, bool):
        return datetime.fromtimestamp(at, timezone.utc)
    text = str(at or "").strip()
    try:
        return datetime.fromtimestamp(float(text), timezone.utc)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


templates.env.filters["local"] = local_time
templates.env.filters["channel"] = channel_name
templates.env.filters["tapped"] = tapped
templates.env.globals["ROLE_LABELS"] = ROLE_LABELS


def nav_for(staff: Staff | None) -> list[tuple[str, str]]:
    if staff is None:
        return []
    return [(path, label) for path, label, role in NAV if role is None or staff.can(role)]


def render(request: Request, name: str, staff: Staff | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page with the layout's context: who is logged in, their menu, their CSRF token, and the
    one-line message a redirect after a POST carries in `?msg=`."""
    return templates.TemplateResponse(request, name, {
        "staff": staff, "nav": nav_for(staff), "csrf_token": staff.csrf_token if staff else "",
        "message": request.query_params.get("msg", "")[:200], "error": request.query_params.get("err", "")[:200],
        **context}, status_code=status_code)
