"""Keep nothing longer than configured: purge personal data older than RETENTION_DAYS.

What goes: closed cases (with their notes) closed before the cut-off, bookings whose day is before
it, unanswered questions and answer-log rows logged before it, the conversations themselves — every
event of a Rasa conversation whose last event is older than the cut-off (the tracker store's `events`
table) — and console logins that have expired (they would end when next presented anyway).
Open cases are kept whatever their age: an officer is still working on them. The purge itself is
written to the audit log (counts only), and the audit log is kept: it holds no conversation text.

On SQLite a deleted row would stay on disk: in the write-ahead log until a checkpoint, and in the
freed pages of the database file. The purge deletes with secure_delete (freed content is overwritten)
and then checkpoints both databases with TRUNCATE, so nothing purged lingers (issue 12).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import URL, Connection, Engine, create_engine, delete, inspect, select, text
from sqlalchemy.orm import Session

from appdb import audit, staff_sessions
from appdb.models import AnswerLog, Booking, Case, CaseNote, Slot, UnansweredQuestion, utcnow
from appdb.session import get_engine, session_scope
from settings import get_settings

log = logging.getLogger(__name__)


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


def _overwrite_deleted(conn: Connection) -> None:
    """SQLite: what this connection deletes is overwritten with zeros, not only marked free."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete=ON")


def _checkpoint(engine: Engine) -> None:
    """SQLite: write the write-ahead log back into the database file and empty it, so the pages of
    purged rows are gone from disk (a reader in the middle of a read makes it wait, then give up)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    if busy:
        log.warning("retention: %s is busy; its WAL was not emptied, run the purge again", engine.url.database)


def _purge_app(session: Session, cutoff: datetime, report: PurgeReport) -> None:
    _overwrite_deleted(session.connection())
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
            _overwrite_deleted(conn)
            stale = conn.execute(text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cut"),
                                 {"cut": cutoff.timestamp()}).scalars().all()
            for sender in stale:
                report.events += conn.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender}).rowcount
            report.conversations = len(stale)
        _checkpoint(engine)
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
        audit.record(session, actor, "retention.purge", f"{days} 天以前的数据",
                     cases=report.cases, bookings=report.bookings, unanswered=report.unanswered,
                     answers=report.answers, conversations=report.conversations, events=report.events,
                     sessions=report.sessions)
    _checkpoint(get_engine())
    return report

