"""Live officers' pages (issue 13, finding 5): the open case page shows her new messages as they
arrive, and the open inbox shows new cases, her new messages (unread marker, summary line) and
changes of status, without a reload. Server-sent events (text/event-stream; the browser's
EventSource reconnects by itself), behind login and the officer role like the pages themselves.

Why each stream polls, every POLL_SECONDS, the store the page itself is rendered from, and sends
only what changed, rather than being notified:
- the case page reads her conversation from Rasa's tracker (console/rasa_client.py), which holds
  every message she sent, whether the bot answered it or an officer holds the case;
- the inbox reads the application database: new cases, their status, and `worker_last_at`, which
  the action server writes for each message she sends while an officer holds her case
  (actions/cases.py, ActionOfficerAck), against when this officer last looked (case_views).
Both stores are shared by every console process and every Rasa replica, so any number of console
processes serve live pages with no message bus between them and nothing is lost when one restarts;
a poll is one indexed query or one tracker read per open page, little for a union's officers.

Every text pushed is masked (knowledge/privacy.py). Each poll checks the session without counting
as activity, so a page left open does not keep an unattended session alive: the stream ends when
the session does, and the page says so. A stream never ends by itself, so the console runs with
uvicorn's `--timeout-graceful-shutdown 3` (Procfile): a stop does not wait for the officers' open
pages, which reconnect to the next console.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from appdb import cases
from appdb.models import utcnow
from console import casework, rasa_client
from console.admin.cases import OfficerStaff, conversation_lines, inbox_filters, inbox_list
from console.auth import COOKIE, Staff, staff_for
from console.templating import local_time, templates

router = APIRouter(prefix="/admin/live", include_in_schema=False)

POLL_SECONDS = 1.5
KEEPALIVE_POLLS = 10  # a comment line now and then, so a dead connection is noticed
RETRY_MS = 3000  # how soon the browser reconnects after a dropped connection


def event(name: str, data: Any) -> str:
    """One server-sent event."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _stream(request: Request, staff: Staff, poll: Callable[[], list[str]]) -> AsyncIterator[str]:
    """Run `poll` (in a worker thread: it reads a database or Rasa) every POLL_SECONDS and send what
    it returns, until the browser goes away or the session ends."""
    token = request.cookies.get(COOKIE)
    yield f"retry: {RETRY_MS}\n\n"
    quiet = 0
    while not await request.is_disconnected():
        if await run_in_threadpool(staff_for, token, touch=False) != staff:
            yield event("ended", {"text": "登录已过期，实时更新已停止。请刷新页面重新登录。"})
            return
        messages = await run_in_threadpool(poll)
        for message in messages:
            yield message
        quiet = 0 if messages else quiet + 1
        if quiet >= KEEPALIVE_POLLS:
            quiet = 0
            yield ": keepalive\n\n"
        await asyncio.sleep(POLL_SECONDS)


def _response(stream: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(stream, media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


class CaseFeed:
    """What changed on one case page since the last poll: her conversation's new lines, and the case
    changing hands (the page's buttons then no longer fit: it asks for a reload)."""

    def __init__(self, code: str, officer: str, shown: int) -> None:
        self.code, self.officer, self.shown = code, officer, shown
        case = casework.load(code)
        self.state = (case.status, case.assigned_to)

    def poll(self) -> list[str]:
        out = []
        case = casework.load(self.code)
        try:
            lines = rasa_client.transcript(case.sender_id)
        except httpx.HTTPError:
            lines = []  # Rasa away for a moment: the next poll tries again
        if len(lines) > self.shown:
            out.append(event("lines", conversation_lines(lines[self.shown:], pushed=True)))
            self.shown = len(lines)
            cases.mark_viewed(self.code, self.officer)  # on her screen now
        if (case.status, case.assigned_to) != self.state:
            self.state = (case.status, case.assigned_to)
            out.append(event("changed", {"text": f"案件状态已变为「{casework.STATUS_CN[case.status]}」"
                                                 f"（{case.assigned_to or '无人接手'}），请刷新页面再操作。"}))
        return out


@router.get("/cases/{code}")
def case_feed(request: Request, code: str, staff: OfficerStaff, after: int = 0) -> Response:
    """The case page's live conversation. Opening it is a view of the case, audited as one."""
    try:
        feed = CaseFeed(casework.load(code, viewer=staff.username).code, staff.username, max(after, 0))
    except casework.NotFound:
        return Response("没有这个案件", 404, media_type="text/plain; charset=utf-8")
    return _response(_stream(request, staff, feed.poll))


class InboxFeed:
    """The inbox's list whenever anything it shows changed: the list is sent whole (rendered as the
    page renders it), so a new case lands in its place in the order and nothing can drift."""

    def __init__(self, staff: Staff, filters: dict[str, Any]) -> None:
        self.staff, self.filters = staff, filters
        self.seen: tuple | None = None  # nothing sent yet

    def poll(self) -> list[str]:
        shown = inbox_list(self.staff, self.filters)
        state = tuple((c.code, c.status, c.assigned_to, c.worker_last_at, c.code in shown["unread"])
                      for c, _left in shown["rows"])
        if state == self.seen:
            return []
        before = self.seen or ()
        fresh = {row[0] for row in state} - {row[0] for row in before}
        news = self.seen is not None and (bool(fresh) or len(shown["unread"]) > sum(1 for row in before if row[4]))
        self.seen = state
        html = templates.get_template("cases_list.html").render(**shown)
        return [event("list", {"html": html, "news": f"有新的案件或新消息（{local_time(utcnow(), '%H:%M')}）。"
                               if news else ""})]


@router.get("/cases")
def inbox_feed(request: Request, staff: OfficerStaff, status: str = "open", priority: str = "",
               assigned: str = "all", overdue: bool = False, category: str = "") -> Response:
    """The inbox's live list, with the filters of the page that opened it."""
    feed = InboxFeed(staff, inbox_filters(status, priority, assigned, overdue, category))
    return _response(_stream(request, staff, feed.poll))
