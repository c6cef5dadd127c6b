"""What the bot could not answer (curators): low-confidence answers, abstentions and thumbs-down
from the widget, grouped by similarity so the most asked gap comes first.

Each group links to a new FAQ entry pre-filled with its questions (the FAQ form marks them handled
when the entry is saved) or can be dismissed. Questions were masked before they were stored.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from appdb.models import UnansweredQuestion, parse_row_id, utcnow
from appdb.session import session_scope
from appdb.unanswered import set_status
from console.auth import Staff, require
from console.templating import render
from knowledge.cluster import cluster
from workflows import faq_review

router = APIRouter(prefix="/admin", include_in_schema=False)
Curator = Annotated[Staff, Depends(require("curator"))]
REASONS = {"abstain": "没有回答", "caveat": "回答但不确定", "feedback": "用户点了 👎"}
PERIODS = {"7": "最近 7 天", "30": "最近 30 天", "90": "最近 90 天", "all": "全部"}
MAX_ROWS = 3000  # newest first; enough for months of a union's traffic, cheap to cluster
EXAMPLES = 5


@dataclass
class Group:
    """Similar questions counted together."""

    ids: list[int]
    examples: list[str]
    reasons: Counter
    last_seen: datetime
    top_entry: str  # what the bot found best, e.g. faq:dismissal-001
    tried: tuple[str, str] = ("", "")  # the same for staff: (its question or title, its page or "")

    @property
    def count(self) -> int:
        return len(self.ids)

    def faq_link(self) -> str:
        """The FAQ engineer's new-entry form, pre-filled with these questions."""
        query = [("question", q) for q in self.examples] + [("from_unanswered", ",".join(map(str, self.ids)))]
        return "/admin/faq/new?" + urlencode(query)


def open_questions(reason: str, period: str) -> list[UnansweredQuestion]:
    query = select(UnansweredQuestion).where(UnansweredQuestion.status == "open")
    if reason in REASONS:
        query = query.where(UnansweredQuestion.reason == reason)
    if period in PERIODS and period != "all":
        query = query.where(UnansweredQuestion.created_at >= utcnow() - timedelta(days=int(period)))
    query = query.order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc()).limit(MAX_ROWS)
    with session_scope() as s:
        rows = list(s.scalars(query))
        s.expunge_all()
    return rows


def _group(members: list[UnansweredQuestion]) -> Group:
    examples = list(dict.fromkeys(m.question for m in members if m.question.strip()))[:EXAMPLES]
    tried = Counter(m.top_entry for m in members if m.top_entry).most_common(1)
    return Group(ids=[m.id for m in members], examples=examples or ["（空白消息）"],
                 reasons=Counter(m.reason for m in members), last_seen=max(m.created_at for m in members),
                 top_entry=tried[0][0] if tried else "")


def grouped(rows: list[UnansweredQuestion]) -> list[Group]:
    """Similar questions together, biggest group first."""
    groups = [_group([rows[i] for i in members]) for members in cluster([r.question for r in rows])]
    with session_scope() as s:
        for group in groups:
            group.tried = tried_entry(s, group.top_entry)
    return groups


def tried_entry(session: Session, top_entry: str) -> tuple[str, str]:
    """A FAQ entry the bot tried, by its main question with a link to it; anything else (a law
    article) by its id, which names the law and article."""
    kind, _, entry_id = top_entry.partition(":")
    if kind != "faq":
        return top_entry, ""
    try:
        return faq_review.main_question(faq_review.history(session, entry_id)[-1]), f"/admin/faq/{entry_id}"
    except faq_review.FaqError:
        return top_entry, ""


@router.get("/unanswered")
def unanswered(request: Request, staff: Curator, reason: Annotated[str, Query()] = "",
               period: Annotated[str, Query()] = "30") -> Response:
    rows = open_questions(reason, period)
    return render(request, "unanswered.html", staff, groups=grouped(rows), total=len(rows), reason=reason,
                  period=period if period in PERIODS else "all", reasons=REASONS, periods=PERIODS,
                  truncated=len(rows) >= MAX_ROWS)


def parse_ids(raw: str, limit: int = MAX_ROWS) -> list[int]:
    """Question ids from a form field or link ("3,5，8 13"), at most `limit`; anything that is not a
    storable id is skipped, not an error."""
    ids = (parse_row_id(part) for part in re.split(r"[,，\s]+", raw or ""))
    return [i for i in ids if i is not None][:limit]


@router.post("/unanswered/dismiss")
def dismiss(staff: Curator, ids: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
            period: Annotated[str, Form()] = "30") -> Response:
    """Dismiss a group (questions nobody needs to answer: greetings, tests, spam); back to the same filters."""
    chosen = parse_ids(ids)
    filters = urlencode({"reason": reason if reason in REASONS else "",
                         "period": period if period in PERIODS else "30"})
    if not chosen:
        return RedirectResponse(f"/admin/unanswered?{filters}&err={quote('没有选中任何问题。')}", 303)
    with session_scope() as s:  # only those still open: a second click changes nothing
        still_open = list(s.scalars(select(UnansweredQuestion.id).where(
            UnansweredQuestion.id.in_(chosen), UnansweredQuestion.status == "open")))
    changed = set_status(still_open, "dismissed", staff.username)
    return RedirectResponse(f"/admin/unanswered?{filters}&msg={quote(f'已忽略 {changed} 条问题。')}", 303)
