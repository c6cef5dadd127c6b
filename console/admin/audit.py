"""The audit log (/admin/audit, admins): who looked at which case and who changed what, by person.

Filters are person, action, target (part of it) and a range of local days; pages of PAGE_SIZE,
newest first. Passwords are never recorded (appdb.audit), and the page drops any detail key that
looks like a secret all the same, so a future careless `record` cannot put one on screen.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import distinct, func, select
from sqlalchemy.sql import Select

from appdb.audit import ACTION_LABELS, DETAIL_LABELS
from appdb.models import AuditLog, local_tz
from console.admin.cases import CATEGORY_CN, PRIORITY_CN
from console.labels import CHANNEL_LABELS
from appdb.session import session_scope
from console.auth import Staff, require
from console.templating import ROLE_LABELS, render
from knowledge.topics import TOPICS

router = APIRouter(prefix="/admin", include_in_schema=False)

PAGE_SIZE = 50
MAX_CHOICES = 500  # people and actions offered in the selects
SECRET_WORDS = ("password", "secret", "token", "hash")
# Stored values that are codes, by the detail key they come under (old/new: a role change's roles;
# the display names user.display_name records there are not codes and stay as they are).
VALUE_LABELS = {"channel": CHANNEL_LABELS, "role": ROLE_LABELS, "old": ROLE_LABELS, "new": ROLE_LABELS,
                "priority": PRIORITY_CN, "category": CATEGORY_CN, "via": {"api": "维权专员接口"}, "topic": TOPICS}
# Actors that are not people: the server's command line and the scheduled purge.
SYSTEM_ACTORS = {"cli": "服务器命令行", "retention": "定期清理"}


@dataclass
class Filters:
    """The query string of the page, checked: what is wrong becomes a message, not an error page."""

    actor: str = ""
    action: str = ""
    target: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1

    def where(self) -> list[Any]:
        clauses: list[Any] = []
        if self.actor:
            clauses.append(AuditLog.actor == self.actor)
        if self.action:
            clauses.append(AuditLog.action == self.action)
        if self.target:
            clauses.append(AuditLog.target.contains(self.target, autoescape=True))
        if self.since:
            clauses.append(AuditLog.at >= _local_midnight(self.since))
        if self.until:
            clauses.append(AuditLog.at < _local_midnight(self.until + timedelta(days=1)))
        return clauses

    def link(self, page: int) -> str:
        """The same filters on another page."""
        values = {"actor": self.actor, "action": self.action, "target": self.target,
                  "since": self.since.isoformat() if self.since else "",
                  "until": self.until.isoformat() if self.until else "", "page": page}
        return "?" + urlencode({k: v for k, v in values.items() if v})


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), local_tz()).astimezone(timezone.utc)


FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)  # inside what datetime can shift by a zone and a day


def _day(raw: str, name: str, problems: list[str]) -> date | None:
    """A day typed in the filter; a malformed one, or one so far off (0001-01-01, 9999-12-31) that
    turning it into a UTC instant would overflow, is dropped with a message instead of a 500."""
    try:
        day = date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        problems.append(f"{name}不是有效日期（格式 2026-11-24），已忽略。")
        return None
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        problems.append(f"{name}要在 {FIRST_DAY.year} 年到 {LAST_DAY.year} 年之间，已忽略。")
        return None
    return day


def parse_filters(actor: str, action: str, target: str, since: str, until: str, page: str) -> tuple[Filters, list[str]]:
    problems: list[str] = []
    filters = Filters(actor=actor.strip()[:128], action=action.strip()[:64], target=target.strip()[:128],
                      since=_day(since, "开始日期", problems), until=_day(until, "结束日期", problems),
                      page=int(page) if page.isdigit() and len(page) <= 6 and int(page) > 0 else 1)
    if filters.since and filters.until and filters.since > filters.until:
        problems.append("开始日期晚于结束日期，已对调。")
        filters.since, filters.until = filters.until, filters.since
    return filters, problems


def readable(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """The detail as (name, value) lines in words staff read, secrets left out: never raw JSON or
    the stored keys."""
    return [(DETAIL_LABELS.get(k, "其他"), _value(k, v)) for k, v in (detail or {}).items()
            if not any(w in k.lower() for w in SECRET_WORDS)]


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "" or value == [] or value == {}:
        return "无"
    if isinstance(value, dict):  # e.g. the leave figures, or the days by child ({"2": 60})
        return "，".join(f"{f'第{k}个孩子' if str(k).isdigit() else DETAIL_LABELS.get(k, '其他')}：{_value(k, v)}"
                        for k, v in value.items())
    if isinstance(value, list):
        return "、".join(_value(key, v) for v in value)
    return VALUE_LABELS.get(key, {}).get(str(value), str(value))


def _choices(column: Any) -> list[str]:
    with session_scope() as session:
        return list(session.scalars(select(distinct(column)).order_by(column).limit(MAX_CHOICES)))


def _page(query: Select, filters: Filters) -> tuple[list[AuditLog], int]:
    with session_scope() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(AuditLog.at.desc(), AuditLog.id.desc())
                               .offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
        return list(rows), total


@router.get("/audit")
def audit_log(request: Request, staff: Annotated[Staff, Depends(require("admin"))], actor: str = "",
              action: str = "", target: str = "", since: str = "", until: str = "", page: str = "1") -> Response:
    filters, problems = parse_filters(actor, action, target, since, until, page)
    rows, total = _page(select(AuditLog).where(*filters.where()), filters)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    context: dict[str, Any] = {
        "rows": [(row, readable(row.detail)) for row in rows], "filters": filters, "total": total, "pages": pages,
        "actors": _choices(AuditLog.actor), "actions": _choices(AuditLog.action), "action_labels": ACTION_LABELS,
        "actor_labels": SYSTEM_ACTORS}
    if problems:
        context["error"] = " ".join(problems)
    return render(request, "audit.html", staff, **context)
