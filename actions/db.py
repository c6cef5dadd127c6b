"""The application database (SQLAlchemy): what the bot could not answer, for staff to review.

SQLite file by default (APP_DB_URL in settings.py); any SQLAlchemy URL such as PostgreSQL works.
"""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import DateTime, Float, Integer, String, Text, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from actions.privacy import mask
from settings import get_settings


class Base(DeclarativeBase):
    pass


class UnansweredQuestion(Base):
    """A question the bot abstained on, answered with low confidence, or got thumbs-down for."""

    __tablename__ = "unanswered_questions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    conversation: Mapped[str] = mapped_column(String(64), index=True)
    question: Mapped[str] = mapped_column(Text)  # masked
    reason: Mapped[str] = mapped_column(String(32))  # abstain | caveat | feedback
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    top_entry: Mapped[str] = mapped_column(String(200), default="")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL keeps readers and the writer apart; a killed writer leaves the file consistent."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@lru_cache(maxsize=1)
def engine() -> Engine:
    url = get_settings().APP_DB_URL
    if url.startswith("sqlite:///"):
        from pathlib import Path
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    eng = create_engine(url, pool_pre_ping=True)
    if eng.dialect.name == "sqlite":
        event.listen(eng, "connect", _sqlite_pragmas)
    Base.metadata.create_all(eng)
    return eng


def log_unanswered(conversation: str, question: str, reason: str, confidence: float = 0.0,
                   top_entry: str = "") -> None:
    with sessionmaker(engine()).begin() as session:
        session.add(UnansweredQuestion(
            created_at=datetime.now(timezone.utc), conversation=conversation[:64],
            question=mask(question)[:2000], reason=reason, confidence=round(confidence, 4),
            top_entry=top_entry[:200]))
