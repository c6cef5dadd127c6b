"""Booking rules. Each public function is one database transaction.

Correctness under concurrency rests on the database, not on Python checks done before writing:
- capacity: a place is taken by `UPDATE slots SET booked = booked + 1 WHERE id = :id AND
  booked < capacity AND status = 'open'`; if no row changed the slot was full (or closed). The
  CHECK constraint `booked <= capacity` backs this up.
- retries and double clicks: `idempotency_key` is unique; a second confirmation with the same
  key gets the first booking back ("duplicate"), even when both arrive at the same moment (the
  loser's INSERT fails, its transaction – including its place – rolls back, and it reads the
  winner's booking).
- one live booking per sender and slot: a partial unique index (status = 'confirmed').
The "checks" before the UPDATE only choose a friendlier answer; they are never what protects data.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from appdb import audit, proof
from appdb.models import CODE_ALPHABET, Booking, Service, Slot, local_tz
from appdb.session import session_scope

Status = Literal["booked", "duplicate", "full", "closed", "past", "already_booked",  # book
                 "cancelled", "changed", "not_found", "already_cancelled", "same_slot"]  # cancel/change


@dataclass
class BookingResult:
    """What happened, the booking concerned (if any), and other free slots when it did not work."""

    status: Status
    booking: Booking | None = None
    alternatives: list[Slot] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("booked", "duplicate", "cancelled", "changed")


def new_code(length: int = 8) -> str:
    """A random code from an alphabet without 0/O/1/I (40 bits for 8 characters)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(code: str) -> str:
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", code or "")).upper()


_PHONE = re.compile(r"1[3-9]\d{9}")


def validate_phone(text: str) -> str | None:
    """The 11-digit mainland mobile number in `text`, or None.

    Tolerates what people type: spaces, dashes, dots, brackets, full-width digits, and a +86 /
    0086 / 86 prefix. Anything else (letters, too few digits) is refused.
    """
    if not text:
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    s = re.sub(r"[\s\-.()（）]", "", s)
    s = re.sub(r"^(\+86|0086|86)(?=1\d{10}$)", "", s)
    return s if _PHONE.fullmatch(s) else None


def _local_now(now: datetime | None) -> datetime:
    zone = local_tz()
    return (now or datetime.now(zone)).astimezone(zone)


def _not_started(now: datetime):
    """SQL condition: the slot starts after `now` (local day and HH:MM are both sortable)."""
    day, hhmm = now.date(), now.strftime("%H:%M")
    return or_(Slot.day > day, and_(Slot.day == day, Slot.start_time > hhmm))


def _is_past(slot: Slot, now: datetime) -> bool:
    return slot.starts_at <= now


def free_slots(session: Session, service_key: str, day: date | None = None, period: str | None = None,
               limit: int = 6, today: date | None = None, *, now: datetime | None = None,
               exclude: int | None = None) -> list[Slot]:
    """Open, not full, not yet started slots of an active service, soonest first.

    `today` (or `now`) fixes "the present" for tests and reports; with `today` every slot of
    that day counts as not started.
    """
    now = _local_now(now) if today is None else datetime.combine(today, time.min, local_tz())
    query = (select(Slot).join(Slot.service)
             .where(Service.key == service_key, Service.active.is_(True), Slot.status == "open",
                    Slot.booked < Slot.capacity, _not_started(now))
             .order_by(Slot.day, Slot.start_time, Slot.id).limit(limit))
    if day is not None:
        query = query.where(Slot.day == day)
    if period is not None:
        query = query.where(Slot.period == period)
    if exclude is not None:
        query = query.where(Slot.id != exclude)
    return list(session.scalars(query))


def _by_key(session: Session, key: str) -> Booking | None:
    return session.scalar(select(Booking).where(Booking.idempotency_key == key))


def _live_booking(session: Session, slot_id: int, sender_id: str) -> Booking | None:
    return session.scalar(select(Booking).where(Booking.slot_id == slot_id, Booking.sender_id == sender_id,
                                                Booking.status == "confirmed"))


def _take_place(session: Session, slot_id: int) -> bool:
    result = session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.booked < Slot.capacity, Slot.status == "open")
        .values(booked=Slot.booked + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _free_place(session: Session, slot_id: int) -> None:
    session.execute(update(Slot).where(Slot.id == slot_id, Slot.booked > 0)
                    .values(booked=Slot.booked - 1).execution_options(synchronize_session=False))


def _refusal(slot: Slot, now: datetime) -> Status | None:
    if slot.status != "open" or not slot.service.active:
        return "closed"
    if _is_past(slot, now):
        return "past"
    return None


def _alternatives(session: Session, slot: Slot, now: datetime) -> list[Slot]:
    return free_slots(session, slot.service.key, now=now, exclude=slot.id)


def book(slot_id: int, *, sender_id: str, channel: str, name: str, phone: str, work_unit: str,
         extra: dict[str, Any] | None, idempotency_key: str, actor: str | None = None,
         now: datetime | None = None) -> BookingResult:
    """Take one place in a slot for a worker.

    Statuses: booked; duplicate (this idempotency key already booked — the same booking is
    returned); already_booked (she already holds a place in this slot); full / closed / past
    (with `alternatives`: other free slots of the service). An unknown slot is "closed".
    Raises ValueError for input the dialogue should have validated (phone, name, extra fields).
    """
    clean_phone = validate_phone(phone)
    if clean_phone is None:
        raise ValueError("phone is not a mainland mobile number")
    if not name.strip() or not idempotency_key:
        raise ValueError("name and idempotency_key are required")
    extra = dict(extra or {})
    now = _local_now(now)
    for _attempt in range(5):  # retried only on a (40-bit) booking-code collision
        try:
            with session_scope() as session:
                return _book_once(session, slot_id, sender_id=sender_id, channel=channel, name=name.strip(),
                                  phone=clean_phone, work_unit=work_unit.strip(), extra=extra,
                                  key=idempotency_key, actor=actor, now=now)
        except IntegrityError:
            with session_scope() as session:  # who won the race?
                if (mine := _by_key(session, idempotency_key)) is not None:
                    return BookingResult("duplicate", mine)
                if (mine := _live_booking(session, slot_id, sender_id)) is not None:
                    return BookingResult("already_booked", mine)
    raise RuntimeError("could not allocate a unique booking code")


def _book_once(session: Session, slot_id: int, *, sender_id: str, channel: str, name: str, phone: str,
               work_unit: str, extra: dict[str, Any], key: str, actor: str | None,
               now: datetime) -> BookingResult:
    if (mine := _by_key(session, key)) is not None:
        return BookingResult("duplicate", mine)
    slot = session.get(Slot, slot_id)
    if slot is None:
        return BookingResult("closed")
    if (refusal := _refusal(slot, now)) is not None:
        return BookingResult(refusal, alternatives=_alternatives(session, slot, now))
    missing = [f for f in slot.service.extra_fields or [] if extra.get(f) in (None, "")]
    if missing:
        raise ValueError(f"missing extra fields for {slot.service.key}: {missing}")
    if (mine := _live_booking(session, slot_id, sender_id)) is not None:
        # Her twin request (same key) may have committed since the first look: that is a duplicate.
        return BookingResult("duplicate" if mine.idempotency_key == key else "already_booked", mine)
    if not _take_place(session, slot_id):
        if (mine := _by_key(session, key)) is not None:  # a twin request took the last place
            return BookingResult("duplicate", mine)
        session.refresh(slot)
        status: Status = "closed" if slot.status != "open" else "full"
        return BookingResult(status, alternatives=_alternatives(session, slot, now))
    booking = Booking(code=new_code(), slot_id=slot_id, sender_id=sender_id, channel=channel, name=name,
                      phone=phone, work_unit=work_unit, extra=extra, status="confirmed", idempotency_key=key)
    session.add(booking)
    session.flush()  # unique violations surface here, inside this transaction
    session.refresh(slot)
    booking.slot = slot
    audit.record(session, actor or sender_id, "booking.create", booking.code, slot=slot_id, channel=channel)
    return BookingResult("booked", booking)


def _owned(session: Session, code: str, sender_id: str | None) -> Booking | None:
    """The booking with this code — only if it belongs to `sender_id` when one is given."""
    booking = session.scalar(select(Booking).where(Booking.code == normalize_code(code)))
    if booking is None or (sender_id is not None and booking.sender_id != sender_id):
        return None
    return booking


def cancel(code: str, sender_id: str | None = None, *, actor: str | None = None,
           now: datetime | None = None) -> BookingResult:
    """Cancel a booking and give its place back.

    `sender_id` restricts to her own bookings (the bot passes it; the console passes None and an
    `actor`). Statuses: cancelled, already_cancelled, not_found, past (the slot has started).
    """
    now = _local_now(now)
    with session_scope() as session:
        booking = _owned(session, code, sender_id)
        if booking is None:
            return BookingResult("not_found")
        if booking.status == "cancelled":
            return BookingResult("already_cancelled", booking)
        if _is_past(booking.slot, now):
            return BookingResult("past", booking)
        # Conditional, so two cancellations racing free the place only once.
        changed = session.execute(update(Booking).where(Booking.id == booking.id, Booking.status == "confirmed")
                                  .values(status="cancelled").execution_options(synchronize_session=False))
        if changed.rowcount != 1:
            session.refresh(booking)
            return BookingResult("already_cancelled", booking)
        _free_place(session, booking.slot_id)
        session.refresh(booking)
        session.refresh(booking.slot)
        audit.record(session, actor or booking.sender_id, "booking.cancel", booking.code, slot=booking.slot_id)
        return BookingResult("cancelled", booking)


def change(code: str, new_slot_id: int, sender_id: str | None = None, *, actor: str | None = None,
           now: datetime | None = None) -> BookingResult:
    """Move a booking to another slot of the same service: both places move, or nothing does.

    Statuses: changed; same_slot; not_found; already_cancelled; past (the old or the new slot has
    started); closed / full (with alternatives); already_booked (she holds the new slot already).
    Raises ValueError if the new slot belongs to another service.
    """
    now = _local_now(now)
    try:
        with session_scope() as session:
            return _change_once(session, code, new_slot_id, sender_id, actor, now)
    except IntegrityError:
        with session_scope() as session:
            booking = _owned(session, code, sender_id)
            return BookingResult("already_booked", booking)


def _change_once(session: Session, code: str, new_slot_id: int, sender_id: str | None, actor: str | None,
                 now: datetime) -> BookingResult:
    booking = _owned(session, code, sender_id)
    if booking is None:
        return BookingResult("not_found")
    if booking.status != "confirmed":
        return BookingResult("already_cancelled", booking)
    old_slot_id = booking.slot_id
    if new_slot_id == old_slot_id:
        return BookingResult("same_slot", booking)
    new_slot = session.get(Slot, new_slot_id)
    if new_slot is None:
        return BookingResult("closed", booking)
    if new_slot.service_id != booking.slot.service_id:
        raise ValueError("a booking can only move to a slot of the same service")
    if _is_past(booking.slot, now):
        return BookingResult("past", booking)
    if (refusal := _refusal(new_slot, now)) is not None:
        return BookingResult(refusal, booking, _alternatives(session, new_slot, now))
    if _live_booking(session, new_slot_id, booking.sender_id) is not None:
        return BookingResult("already_booked", booking)
    # Lock both slots in id order (PostgreSQL), so two opposite moves cannot deadlock.
    session.execute(select(Slot.id).where(Slot.id.in_(sorted({old_slot_id, new_slot_id})))
                    .order_by(Slot.id).with_for_update())
    if not _take_place(session, new_slot_id):
        session.refresh(new_slot)
        status: Status = "closed" if new_slot.status != "open" else "full"
        return BookingResult(status, booking, _alternatives(session, new_slot, now))
    moved = session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.status == "confirmed",
                              Booking.slot_id == old_slot_id)
        .values(slot_id=new_slot_id).execution_options(synchronize_session=False))
    if moved.rowcount != 1:  # cancelled or moved meanwhile: give back the place just taken
        _free_place(session, new_slot_id)
        session.refresh(booking)
        return BookingResult("already_cancelled" if booking.status != "confirmed" else "not_found", booking)
    _free_place(session, old_slot_id)
    session.flush()
    session.refresh(booking)
    session.refresh(new_slot)
    booking.slot = new_slot
    audit.record(session, actor or booking.sender_id, "booking.change", booking.code,
                 old_slot=old_slot_id, new_slot=new_slot_id)
    return BookingResult("changed", booking)


def bookings_of(sender_id: str, *, include_cancelled: bool = False, include_past: bool = False,
                now: datetime | None = None) -> list[Booking]:
    """Her bookings, soonest first; by default only confirmed ones whose slot has not started."""
    now = _local_now(now)
    with session_scope() as session:
        query = (select(Booking).join(Booking.slot).where(Booking.sender_id == sender_id)
                 .order_by(Slot.day, Slot.start_time, Booking.id))
        if not include_cancelled:
            query = query.where(Booking.status == "confirmed")
        if not include_past:
            query = query.where(_not_started(now))
        return list(session.scalars(query).unique())


def access(code: str, sender_id: str, text: str, *,
           now: datetime | None = None) -> tuple[proof.Outcome, Booking | None]:
    """May conversation `sender_id` see or change booking `code`, given her message `text`?

    Its own conversation may; any other needs the code plus the last four digits of the booking's
    mobile number in `text` (appdb/proof.py). Returns the outcome and, when allowed, the booking.
    """
    with session_scope() as session:
        booking = session.scalar(select(Booking).where(Booking.code == normalize_code(code)))
        outcome = proof.check(session, sender_id=sender_id, text=text, target=booking.code if booking else None,
                              owner=booking.sender_id if booking else None,
                              phone=booking.phone if booking else None, now=now)
        return outcome, booking if outcome in ("own", "verified") else None


def reachable_bookings(sender_id: str, *, now: datetime | None = None) -> list[Booking]:
    """Her upcoming bookings, and those this conversation recently proved access to, soonest first."""
    mine = bookings_of(sender_id, now=now)
    with session_scope() as session:
        codes = proof.granted_targets(session, sender_id) - {b.code for b in mine}
        if not codes:
            return mine
        others = list(session.scalars(
            select(Booking).join(Booking.slot).where(Booking.code.in_(codes), Booking.status == "confirmed",
                                                      _not_started(_local_now(now)))).unique())
    return sorted(mine + others, key=lambda b: (b.slot.day, b.slot.start_time, b.id))


def by_code(code: str) -> Booking | None:
    with session_scope() as session:
        return session.scalar(select(Booking).where(Booking.code == normalize_code(code)))


@dataclass(frozen=True)
class BookingFilter:
    """What the console's bookings list and its CSV export are narrowed to (empty = no limit)."""

    service: str = ""  # Service.key
    first: date | None = None  # slot days from …
    last: date | None = None  # … to, inclusive
    status: str = ""  # confirmed | cancelled
    slot_id: int | None = None

    def described(self) -> dict[str, str]:
        """The filter as plain values, for the audit log and for links."""
        values = {"service": self.service, "first": self.first.isoformat() if self.first else "",
                  "last": self.last.isoformat() if self.last else "", "status": self.status,
                  "slot": str(self.slot_id or "")}
        return {k: v for k, v in values.items() if v}


def find_bookings(f: BookingFilter, limit: int = 5000) -> list[Booking]:
    """Bookings in slot order (day, time), newest bookings last within a slot."""
    query = (select(Booking).join(Booking.slot).join(Slot.service)
             .order_by(Slot.day, Slot.start_time, Service.id, Booking.id).limit(limit))
    if f.service:
        query = query.where(Service.key == f.service)
    if f.first:
        query = query.where(Slot.day >= f.first)
    if f.last:
        query = query.where(Slot.day <= f.last)
    if f.status:
        query = query.where(Booking.status == f.status)
    if f.slot_id:
        query = query.where(Booking.slot_id == f.slot_id)
    with session_scope() as session:
        return list(session.scalars(query).unique())
