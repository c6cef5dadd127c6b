"""Keep nothing longer than configured: purge personal data older than RETENTION_DAYS.

What goes: closed cases (with their notes) closed before the cut-off, bookings whose day is before
it, unanswered questions and answer-log rows logged before it, the conversations themselves — every
event of a Rasa conversation whose last event is older than the cut-off (the tracker store's `events`
table) — and console logins that have expired (they would end when next presented anyway).
Open cases are kept whatever their age: an officer is still working on them. The purge itself is
written to the audit log (counts only), and the audit log is kept: it holds no conversation text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import URL, create_engine, delete, inspect, select, text
from sqlalchemy.orm import Session

from appdb import audit, staff_sessions
from appdb.models import AnswerLog, Booking, Case, CaseNote, Slot, UnansweredQuestion, utcnow
from appdb.session import session_scope
from settings import get_settings


@dataclass
class PurgeReport:
    cutoff: datetime
    cases: int = 0
    bookings: int = 0
    unanswered: int = 0
    answers: int = 0  # answer-log rows
    conversations: int = 0
    events: int = 0
    sessions: int = 0  # expired console logins


def tracker_url() -> URL:
    """The tracker store's database as Rasa reaches it (bot/stores.py); a URL object, so a password
    with @, : or / in it is never misread as part of the address."""
    s = get_settings()
    if s.TRACKER_DIALECT == "sqlite":
        return URL.create("sqlite", database=s.TRACKER_DB)
    return URL.create(s.TRACKER_DIALECT, username=s.TRACKER_USER or None, password=s.TRACKER_PASSWORD or None,
                      host=s.TRACKER_HOST or None, port=s.TRACKER_PORT, database=s.TRACKER_DB,
                      query={"sslmode": s.TRACKER_SSLMODE} if s.TRACKER_SSLMODE else {})


def _purge_app(session: Session, cutoff: datetime, report: PurgeReport) -> None:
    old_cases = select(Case.id).where(Case.status == "closed", Case.closed_at < cutoff)
    session.execute(delete(CaseNote).where(CaseNote.case_id.in_(old_cases)))
    report.cases = session.execute(delete(Case).where(Case.id.in_(old_cases))).rowcount
    old_slots = select(Slot.id).where(Slot.day < cutoff.date())
    report.bookings = session.execute(delete(Booking).where(Booking.slot_id.in_(old_slots))).rowcount
    report.unanswered = session.execute(
        delete(UnansweredQuestion).where(UnansweredQuestion.created_at < cutoff)).rowcount
    report.answers = session.execute(delete(AnswerLog).where(AnswerLog.at < cutoff)).rowcount


def _purge_conversations(cutoff: datetime, report: PurgeReport) -> None:
    """Whole conversations idle since before the cut-off; a live one keeps its history."""
    engine = create_engine(tracker_url())
    try:
        if "events" not in inspect(engine).get_table_names():
            return
        with engine.begin() as conn:
            stale = conn.execute(text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cut"),
                                 {"cut": cutoff.timestamp()}).scalars().all()
            for sender in stale:
                report.events += conn.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender}).rowcount
            report.conversations = len(stale)
    finally:
        engine.dispose()


def purge(days: int | None = None, now: datetime | None = None, actor: str = "retention") -> PurgeReport:
    days = get_settings().RETENTION_DAYS if days is None else days
    report = PurgeReport(cutoff=(now or utcnow()) - timedelta(days=days))
    with session_scope() as session:
        _purge_app(session, report.cutoff, report)
    _purge_conversations(report.cutoff, report)
    report.sessions = staff_sessions.purge_expired()
    with session_scope() as session:
        audit.record(session, actor, "retention.purge", f"older than {days} days",
                     cases=report.cases, bookings=report.bookings, unanswered=report.unanswered,
                     answers=report.answers, conversations=report.conversations, events=report.events,
                     sessions=report.sessions)
    return report

