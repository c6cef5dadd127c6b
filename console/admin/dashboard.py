"""The dashboard (/admin/dashboard), every role's landing page: how the bot and the staff are doing.

All figures are aggregated in SQL (GROUP BY over indexed timestamps), so the page stays fast with
hundreds of thousands of answer-log rows; days are the union's local days (settings.TIMEZONE).
Questions come from the answer log (appdb.answer_log: no text, conversations as keyed hashes);
escalations, bookings, unanswered questions and the last retention purge from their own tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from knowledge.topics import TOPICS as TOPIC_LABELS
from knowledge import replies
from appdb.models import (AnswerLog, AuditLog, Booking, Case, Service, Slot, UnansweredQuestion, local_tz,
                          utcnow)
from appdb.session import session_scope
from console.auth import Staff, require
from console.charts import bar_chart, line_chart
from console.templating import render
from settings import get_settings

router = APIRouter(prefix="/admin", include_in_schema=False)

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
NOT_QUESTIONS = ("ack", "empty")  # "好的" and blank messages are turns, not questions
ANSWERED = tuple(k.value for k in replies.ANSWERED)
ABSTAINED = tuple(k.value for k in replies.NOT_ANSWERED)
TOP_TOPICS = 10


@dataclass
class Insight:
    """Everything the dashboard shows for one period, ready for the template."""

    days: list[date]
    conversations: int = 0
    per_day: dict[str, dict[date, int]] = field(default_factory=dict)  # series name -> day -> count
    kinds: dict[str, int] = field(default_factory=dict)
    topics: list[tuple[str, int]] = field(default_factory=list)
    cases_open: int = 0
    cases_overdue: int = 0
    bookings_by_service: list[tuple[str, int]] = field(default_factory=list)
    unanswered_open: int = 0
    last_purge: AuditLog | None = None

    @property
    def questions(self) -> int:
        return sum(n for kind, n in self.kinds.items() if kind not in NOT_QUESTIONS)

    def count(self, kinds: tuple[str, ...]) -> int:
        return sum(self.kinds.get(k, 0) for k in kinds)

    @property
    def answer_rate(self) -> float | None:
        return self.count(ANSWERED) / self.questions if self.questions else None

    def series(self, name: str) -> list[int]:
        """One value per day of the period, zero where nothing happened."""
        counts = self.per_day.get(name, {})
        return [counts.get(day, 0) for day in self.days]

    def total(self, name: str) -> int:
        return sum(self.per_day.get(name, {}).values())


def local_day(column: Any, session: Session) -> ColumnElement:
    """The local calendar day of a UTC timestamp column, computed by the database.

    PostgreSQL converts with the zone's own rules; SQLite knows no zones, so the zone's current
    offset is applied (exact for Asia/Shanghai, which has no daylight saving time)."""
    zone = get_settings().TIMEZONE
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(zone, column))
    offset = datetime.now(local_tz()).utcoffset() or timedelta(0)
    return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _per_day(session: Session, column: Any, start: datetime, *where: Any,
             measure: Any = None) -> dict[date, int]:
    """day -> count (or `measure`) of the rows whose `column` falls in the period."""
    day = local_day(column, session)
    rows = session.execute(select(day, measure if measure is not None else func.count())
                           .where(column >= start, *where).group_by(day))
    return {_as_date(d): int(n or 0) for d, n in rows}


def _grouped(session: Session, label: Any, *where: Any, limit: int | None = None) -> list[tuple[str, int]]:
    """(label, count) pairs, most first."""
    n = func.count().label("n")
    query = select(label, n).where(*where).group_by(label).order_by(n.desc(), label)
    return [(str(k), int(v)) for k, v in session.execute(query.limit(limit))]


def _answers(session: Session, start: datetime, insight: Insight) -> None:
    is_question = case((AnswerLog.kind.in_(NOT_QUESTIONS), 0), else_=1)
    insight.per_day["conversations"] = _per_day(session, AnswerLog.at, start,
                                                measure=func.count(distinct(AnswerLog.conversation)))
    insight.per_day["questions"] = _per_day(session, AnswerLog.at, start, measure=func.sum(is_question))
    insight.conversations = session.scalar(
        select(func.count(distinct(AnswerLog.conversation))).where(AnswerLog.at >= start)) or 0
    insight.kinds = dict(_grouped(session, AnswerLog.kind, AnswerLog.at >= start))
    topics = _grouped(session, AnswerLog.topic, AnswerLog.at >= start, AnswerLog.topic != "",
                      AnswerLog.kind.not_in(NOT_QUESTIONS), limit=TOP_TOPICS)
    insight.topics = [(TOPIC_LABELS.get(key, key), n) for key, n in topics]


def _casework(session: Session, start: datetime, now: datetime, insight: Insight) -> None:
    insight.per_day["cases"] = _per_day(session, Case.created_at, start)
    insight.cases_open = session.scalar(select(func.count()).where(Case.status != "closed")) or 0
    insight.cases_overdue = session.scalar(
        select(func.count()).where(Case.status != "closed", Case.sla_due_at < now)) or 0
    confirmed = Booking.status == "confirmed"
    insight.per_day["bookings"] = _per_day(session, Booking.created_at, start, confirmed)
    insight.bookings_by_service = _grouped(
        session, Service.name, Booking.created_at >= start, confirmed,
        Booking.slot_id == Slot.id, Slot.service_id == Service.id)
    insight.unanswered_open = session.scalar(
        select(func.count()).where(UnansweredQuestion.status == "open")) or 0
    insight.last_purge = session.scalar(select(AuditLog).where(AuditLog.action == "retention.purge")
                                        .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(1))


def gather(days: int, now: datetime | None = None) -> Insight:
    """The figures of the last `days` local days, today included."""
    now = now or utcnow()
    today = now.astimezone(local_tz()).date()
    period = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = datetime.combine(period[0], time(0), local_tz()).astimezone(timezone.utc)
    insight = Insight(days=period)
    with session_scope() as session:
        _answers(session, start, insight)
        _casework(session, start, now, insight)
    return insight


def charts(insight: Insight) -> dict[str, Any]:
    labels = [f"{d:%m-%d}" for d in insight.days]
    return {
        "activity": line_chart("每天的对话数和提问数", labels, [("对话", insight.series("conversations")),
                                                            ("提问", insight.series("questions"))]),
        "cases": bar_chart("每天转人工的案件数", list(zip(labels, insight.series("cases")))),
        "bookings": bar_chart("每天新增的预约数", list(zip(labels, insight.series("bookings")))),
    }


def _period(raw: str) -> tuple[int, str]:
    """The chosen period, or the default with a message saying so (a hand-edited link)."""
    if raw.strip() in {str(p) for p in PERIODS}:
        return int(raw), ""
    return DEFAULT_PERIOD, f"时间段只能选 7、30 或 90 天，下面显示的是最近 {DEFAULT_PERIOD} 天。"


@router.get("/dashboard")
def dashboard(request: Request, staff: Annotated[Staff, Depends(require())],
              days: str = str(DEFAULT_PERIOD)) -> Response:
    period, problem = _period(days)
    insight = gather(period)
    context: dict[str, Any] = {"insight": insight, "period": period, "periods": PERIODS, "charts": charts(insight)}
    if problem:
        context["error"] = problem
    return render(request, "dashboard.html", staff, **context)
