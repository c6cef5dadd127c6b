"""Tables of the application database, shared by the action server and the staff console.

The schema itself is created and changed only by Alembic migrations (appdb/migrations); these
classes must stay in step with them (tests/unit/test_appdb.py compares the two).

Conventions:
- Every timestamp is a timezone-aware UTC datetime (`UTCDateTime`), also on SQLite, which has no
  time zone type: a naive datetime is refused on write rather than guessed.
- Slot days and times are local calendar values (settings.TIMEZONE, Asia/Shanghai by default),
  because that is what the union publishes and what a worker reads: "周二上午 09:00".
- Invariants that matter under concurrency (capacity, one booking per idempotency key, unique
  codes) are constraints in the database, not only checks in Python.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Index,
                        Integer, MetaData, String, Text, UniqueConstraint, text)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from knowledge.handover import Priority
from settings import get_settings

@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_tz() -> ZoneInfo:
    """The union's time zone (settings.TIMEZONE): the calendar slots are published in."""
    return _zone(get_settings().TIMEZONE)

# Codes a worker reads aloud or types from an SMS: no 0/O or 1/I to confuse.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

SLOT_STATUSES = ("open", "closed")
BOOKING_STATUSES = ("confirmed", "cancelled")
CASE_PRIORITIES = tuple(p.value for p in Priority)
CASE_STATUSES = ("new", "assigned", "closed")
ROLES = ("admin", "curator", "officer")
FAQ_STATUSES = ("draft", "reviewed", "published", "superseded", "withdrawn")
DOCUMENT_STATUSES = ("uploaded", "published", "retired")
PROPOSAL_STATUSES = ("proposed", "approved", "rejected", "superseded")
UNANSWERED_STATUSES = ("open", "handled", "dismissed")


MAX_ROW_ID = 2**63 - 1  # the largest integer id the database stores


def storable_id(value: int) -> bool:
    """Whether an id can name a row at all: a bigger one makes SQLite raise OverflowError (a 500)."""
    return 0 < value <= MAX_ROW_ID


def parse_row_id(text: str) -> int | None:
    """An id typed into a link or form, or None. `isdigit` alone would let "²" crash int(), and
    thirty nines overflow the database's integer: both a 500 from a hand-edited link."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    return int(text) if storable_id(int(text)) else None


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """DateTime that always goes in and comes out as aware UTC, whatever the backend stores."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware (UTC) datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite keeps no offset; we only ever wrote UTC
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    # Named constraints: Alembic can then alter them later (SQLite batch mode needs names).
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Service(Base):
    """A union service workers can book (两癌筛查, 法律咨询 …); rows come from services.yml."""

    __tablename__ = "services"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # stable slug, e.g. two_cancer_screening
    name: Mapped[str] = mapped_column(String(64))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)  # words workers use for it
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")  # who may book
    extra_fields: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. ["child_age"]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    slots: Mapped[list[Slot]] = relationship(back_populates="service")

    def __repr__(self) -> str:
        return f"Service({self.key!r}, {self.name!r})"


class Slot(Base):
    """A bookable period of one service on one day, with a capacity the database enforces."""

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("service_id", "day", "period", name="uq_slots_service_day_period"),
        CheckConstraint("booked >= 0", name="booked_not_negative"),
        CheckConstraint("booked <= capacity", name="booked_within_capacity"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(_in("status", SLOT_STATUSES), name="status"),
        Index("ix_slots_day", "day"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)  # local calendar day
    period: Mapped[str] = mapped_column(String(8))  # 上午 | 下午 | 晚上
    start_time: Mapped[str] = mapped_column(String(5))  # "09:00", local
    end_time: Mapped[str] = mapped_column(String(5))  # "11:30", local
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(8), default="open")

    service: Mapped[Service] = relationship(back_populates="slots", lazy="joined")

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def starts_at(self) -> datetime:
        """Local aware start of the slot (the moment after which it can no longer be booked)."""
        hour, minute = (int(x) for x in self.start_time.split(":"))
        return datetime(self.day.year, self.day.month, self.day.day, hour, minute, tzinfo=local_tz())

    def __repr__(self) -> str:
        when = f"{self.day} {self.period} {self.start_time}-{self.end_time}"
        return f"Slot({self.id}, {when}, {self.booked}/{self.capacity})"


class Booking(Base):
    """A worker's place in a slot. Cancelled bookings stay, for the record and for statistics."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(_in("status", BOOKING_STATUSES), name="status"),
        # One live booking per sender and slot, even if two confirmations race.
        Index("uq_bookings_slot_sender_confirmed", "slot_id", "sender_id", unique=True,
              sqlite_where=text("status = 'confirmed'"), postgresql_where=text("status = 'confirmed'")),
        Index("ix_bookings_sender_id", "sender_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # e.g. YY7K3Q2P, told to the worker
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="RESTRICT"), index=True)
    sender_id: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(16))  # normalised 11-digit mobile
    work_unit: Mapped[str] = mapped_column(String(128), default="")
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # service extra_fields values
    status: Mapped[str] = mapped_column(String(12), default="confirmed")
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    slot: Mapped[Slot] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"Booking({self.code!r}, slot={self.slot_id}, {self.status})"


class Case(Base):
    """A matter handed to a rights officer (转人工), with a snapshot of the conversation."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(_in("priority", CASE_PRIORITIES), name="priority"),
        CheckConstraint(_in("status", CASE_STATUSES), name="status"),
        Index("ix_cases_status_sla", "status", "sla_due_at"),
        Index("ix_cases_sender_id", "sender_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)  # "AJ" + 8, e.g. AJ7K3Q2PYY
    sender_id: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(32), default="")
    category: Mapped[str] = mapped_column(String(32), default="")  # dismissal, harassment, violence …
    risk: Mapped[str | None] = mapped_column(String(16))  # knowledge.safety category, if any
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="new")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)  # may an officer contact her
    # employer, city, what, when, wants, contact, contact_time — any may be missing
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"who": "worker"|"bot"|"officer", "text": ..., "at": ISO time}]
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(Text)
    sla_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    # When she last wrote to the case and the opening of what she wrote (masked): the inbox's unread
    # marker and summary line, written by the action server (appdb.cases.worker_wrote).
    worker_last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker_last_text: Mapped[str | None] = mapped_column(Text)

    notes: Mapped[list[CaseNote]] = relationship(back_populates="case", lazy="selectin",
                                                 order_by="CaseNote.id", cascade="all, delete-orphan")

    @property
    def overdue(self) -> bool:
        return self.status != "closed" and self.sla_due_at < utcnow()

    def __repr__(self) -> str:
        return f"Case({self.code!r}, {self.priority}, {self.status})"


class CaseNote(Base):
    """An officer's note on a case (what was done, what was agreed)."""

    __tablename__ = "case_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="notes")


class CaseView(Base):
    """When an officer last looked at a case: what she wrote after it is unread for that officer."""

    __tablename__ = "case_views"
    __table_args__ = (UniqueConstraint("case_id", "username", name="uq_case_views_case_id_username"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """A console account. Only an argon2 hash of the password is ever stored."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How a worker reads this officer's name (「王老师」); empty = the username (appdb.users.display_name)
    display_name: Mapped[str | None] = mapped_column(String(32))

    def __repr__(self) -> str:  # never the hash
        return f"User({self.username!r}, {self.role}, active={self.active})"


class AuditLog(Base):
    """Who looked at or changed what: staff access to workers' data must be traceable."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128), index=True)
    action: Mapped[str] = mapped_column(String(64))  # e.g. case.view, case.take, booking.cancel
    target: Mapped[str] = mapped_column(String(128), default="", index=True)  # e.g. a case code
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class UnansweredQuestion(Base):
    """A question the bot abstained on, answered with low confidence, or got thumbs-down for."""

    __tablename__ = "unanswered_questions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    conversation: Mapped[str] = mapped_column(String(64), index=True)
    question: Mapped[str] = mapped_column(Text)  # masked
    reason: Mapped[str] = mapped_column(String(32))  # abstain | caveat | feedback
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    top_entry: Mapped[str] = mapped_column(String(200), default="")
    # open until a curator answers it with an FAQ entry (handled) or sets it aside (dismissed)
    status: Mapped[str] = mapped_column(String(12), default="open", server_default="open")
    handled_entry: Mapped[str] = mapped_column(String(200), default="", server_default="")


class StaffSession(Base):
    """A console login. Only a hash of the cookie's token is stored, so a copy of the database
    cannot be used to log in; the CSRF token of the session's forms lives here too."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # absolute end, whatever the activity

    user: Mapped[User] = relationship(lazy="joined")


class FaqVersion(Base):
    """One version of a curated FAQ entry. Versions are never edited once reviewed: a change is
    a new version, so the history shows who wrote, reviewed and published each text."""

    __tablename__ = "faq_versions"
    __table_args__ = (
        UniqueConstraint("entry_id", "version", name="uq_faq_versions_entry_version"),
        CheckConstraint(_in("status", FAQ_STATUSES), name="status"),
        Index("ix_faq_versions_status", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(100), index=True)  # the YAML id, e.g. maternity-leave-length
    version: Mapped[int] = mapped_column(Integer)  # 0 = the text shipped in knowledge/content/faq
    status: Mapped[str] = mapped_column(String(12), default="draft")
    # topic, questions, answer, basis [{law, article, paragraph}], region, effective, review_by, related
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")  # what changed and why
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Document(Base):
    """An official text or policy document managed in the console: uploaded, published into the
    index, or retired (repealed; kept for the record, no longer answered from)."""

    __tablename__ = "documents"
    __table_args__ = (CheckConstraint(_in("status", DOCUMENT_STATUSES), name="status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(12), default="upload")  # upload | import (the official folders)
    filename: Mapped[str] = mapped_column(String(300), default="")  # under KNOWLEDGE_OVERLAY_DIR/documents
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # issuer, level, region, effective …
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="uploaded")
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_by: Mapped[str | None] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_reason: Mapped[str] = mapped_column(Text, default="")


class RegionProposal(Base):
    """One province's leave figures read from an uploaded regulation and corrected by the curator
    who proposed them. A second curator approves them (never the proposer); the approved row is
    then written to the knowledge overlay, where knowledge.regions reads it (workflows.leave_figures)."""

    __tablename__ = "region_proposals"
    __table_args__ = (CheckConstraint(_in("status", PROPOSAL_STATUSES), name="status"),
                      Index("ix_region_proposals_status", "status"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province: Mapped[str] = mapped_column(String(20), index=True)
    doc_id: Mapped[str] = mapped_column(String(120))  # the uploaded document the figures were read from
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    # row (the table row as submitted), extracted (what the extractor read), notes, warnings, form_token
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")  # the proposer's remark
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))  # who approved or rejected it
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str] = mapped_column(Text, default="")  # why it was rejected


class AnswerLog(Base):
    """One answered (or not answered) question, without its text: what the dashboard counts.

    `conversation` is a keyed hash of the sender id, so counts per conversation need no identity."""

    __tablename__ = "answer_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    conversation: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(String(16))  # answer | caveat | abstain | calculation | clarify | safety …
    topic: Mapped[str] = mapped_column(String(64), default="")
    entry_id: Mapped[str] = mapped_column(String(200), default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
