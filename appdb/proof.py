"""Proof for reaching a booking or a case from a conversation that did not make it.

A booking or a case belongs to the conversation (sender id) that made it: there it needs no proof.
Any other conversation -- the same worker on another channel, or anyone who learnt the code -- must
send the code *and* the last four digits of the mobile number left with it, in one message:
- a success lets that conversation act on it for GRANT (so buttons and follow-up turns work);
- MAX_FAILURES wrong tails for one code within FAILURE_WINDOW lock the code for every other
  conversation (its own conversation still works), so the 10,000 tails cannot be tried in turn;
- a message with several candidate tails proves nothing (no guessing many at once).
Successes and failures are rows of the audit log (actor = the conversation, target = the code), so
every access by proof is on record next to the change it allowed.
"""
from __future__ import annotations

import hmac
import re
import unicodedata
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from appdb import audit
from appdb.models import AuditLog, utcnow

VERIFIED, FAILED = "access.verified", "access.failed"
GRANT = timedelta(hours=2)
FAILURE_WINDOW = timedelta(hours=24)
MAX_FAILURES = 5

Outcome = Literal["own", "verified", "needs_proof", "wrong", "locked"]

# Booking codes (8) and case codes (AJ + 8) are taken out before looking for the tail: their digits
# are not a phone number.
_CODES = re.compile(r"(?<![A-Z0-9])(?:AJ)?[A-HJ-NP-Z2-9]{8}(?![A-Z0-9])")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s\-]?)?1[3-9]\d[\s\-]?\d{4}[\s\-]?(\d{4})(?!\d)")
_TAIL = re.compile(r"(?<![0-9A-Z])(\d{4})(?![0-9A-Z年月日号点时:])")


def phones_in(text: str) -> list[str]:
    """The mainland mobile numbers in free text (spaces and dashes allowed), as 11 digits."""
    s = unicodedata.normalize("NFKC", text or "")
    return [re.sub(r"\D", "", m.group(0))[-11:] for m in _PHONE.finditer(s)]


def tails_in(text: str) -> set[str]:
    """Every candidate "last four digits" in a message: of a whole mobile number, or a lone 4-digit group."""
    s = _CODES.sub(" ", unicodedata.normalize("NFKC", text or "").upper())
    tails = {m.group(1) for m in _PHONE.finditer(s)}
    return tails | {m.group(1) for m in _TAIL.finditer(_PHONE.sub(" ", s))}


def _since(now: datetime | None, span: timedelta) -> datetime:
    return (now or utcnow()) - span


def granted(session: Session, sender_id: str, target: str, now: datetime | None = None) -> bool:
    return session.scalar(select(AuditLog.id).where(
        AuditLog.actor == sender_id[:128], AuditLog.action == VERIFIED, AuditLog.target == target,
        AuditLog.at >= _since(now, GRANT)).limit(1)) is not None


def granted_targets(session: Session, sender_id: str, now: datetime | None = None) -> set[str]:
    """Codes this conversation proved access to within GRANT."""
    return set(session.scalars(select(AuditLog.target).where(
        AuditLog.actor == sender_id[:128], AuditLog.action == VERIFIED, AuditLog.at >= _since(now, GRANT))))


def locked(session: Session, target: str, now: datetime | None = None) -> bool:
    failures = session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == FAILED, AuditLog.target == target, AuditLog.at >= _since(now, FAILURE_WINDOW)))
    return failures >= MAX_FAILURES


def check(session: Session, *, sender_id: str, text: str, target: str | None, owner: str | None,
          phone: str | None, now: datetime | None = None) -> Outcome:
    """May conversation `sender_id` reach `target` (a code; None = no such code), owned by `owner`
    with mobile `phone`, given the message `text`? Records successes and failures in the audit log
    (in `session`). An unknown code answers like a wrong tail, so codes cannot be probed."""
    if target is not None and owner == sender_id:
        return "own"
    if target is not None and granted(session, sender_id, target, now):
        return "verified"
    if target is not None and locked(session, target, now):
        return "locked"
    tails = tails_in(text)
    if len(tails) != 1:
        return "needs_proof"
    if target is None:
        return "wrong"
    if phone and hmac.compare_digest(tails.pop(), phone[-4:]):
        audit.record(session, sender_id, VERIFIED, target)
        return "verified"
    audit.record(session, sender_id, FAILED, target)
    return "wrong"
