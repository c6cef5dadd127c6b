"""Cases handed to rights officers (转人工): priority, deadline, and who is handling them.

Priority decides the order of the officers' queue and the response deadline (SLA):
- urgent (2 h): danger (violence, threats, self-harm — from knowledge.safety) or a dismissal that
  is about to happen (today / tomorrow / right away), when there is still time to act;
- high (24 h): dismissal and sexual harassment;
- normal (72 h): everything else.
The words and the hours are knowledge/handover.py (and its handover.yml), defined once.
State changes are conditional UPDATEs, so two officers clicking "take" together cannot both get
the case. Every staff action is written to the audit log in the same transaction.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from appdb import audit, proof
from appdb.booking import new_code, normalize_code
from appdb.models import Case, CaseNote, CaseView, utcnow
from appdb.session import session_scope
from knowledge import handover
from knowledge.handover import Priority
from knowledge.privacy import mask
from knowledge.safety import CATEGORIES as DANGER

SUMMARY_FIELDS = ("employer", "city", "what", "when", "wants", "contact", "contact_time")
_MAX_TRANSCRIPT = 500
OPENING_CHARS = 40  # how much of her latest message the inbox shows
_PRIORITY_RANK = sql_case({p.value: rank for rank, p in enumerate(Priority)}, value=Case.priority, else_=len(Priority))


class CaseNotFound(LookupError):
    pass


class CaseConflict(RuntimeError):
    """The case is closed, or handled by another officer (the message says which)."""


def _summary_text(summary: Mapping[str, Any]) -> str:
    return " ".join(str(v) for v in summary.values() if v)


def priority_for(category: str, summary: Mapping[str, Any], risk: str | None) -> Priority:
    """Urgent for danger (in her words or as the category) or a dismissal about to happen (in her
    summary); high for the categories handover.yml names; normal otherwise."""
    if risk in DANGER or category in DANGER or handover.imminent_dismissal(_summary_text(summary)):
        return Priority.URGENT
    return Priority.HIGH if handover.is_high(category) else Priority.NORMAL


def _clean_summary(summary: Mapping[str, Any] | None) -> dict[str, str]:
    """Her answers, numbers masked but in `contact` (the number she left to be called back)."""
    cleaned = {str(k): str(v).strip() for k, v in (summary or {}).items() if v is not None and str(v).strip()}
    return {k: (v if k == "contact" else mask(v))[:2000] for k, v in cleaned.items()}


def _clean_transcript(transcript: Iterable[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    turns = [{"who": str(t.get("who", "")), "text": mask(str(t.get("text", "")))[:4000], "at": str(t.get("at", ""))}
             for t in transcript or []]
    return turns[-_MAX_TRANSCRIPT:]


def _opening(text: str) -> str:
    """The first words of her message, masked (the inbox's summary line)."""
    text = " ".join(mask(text).split())
    return text if len(text) <= OPENING_CHARS else text[:OPENING_CHARS] + "…"


def _last_worker_text(turns: list[dict[str, str]]) -> str:
    """Her last message, for a case whose summary has no story (what happened, in her words, is the
    inbox's first line of a new case: her last message then is only her answer to 「怎么联系你」)."""
    return next((t["text"] for t in reversed(turns) if t["who"] == "worker" and not t["text"].startswith("/")), "")


def _by_key(session: Session, key: str) -> Case | None:
    return session.scalar(select(Case).where(Case.idempotency_key == key))


def create_case(*, sender_id: str, channel: str, category: str, summary: Mapping[str, Any] | None,
                consent: bool, transcript: Iterable[Mapping[str, Any]] | None, risk: str | None,
                idempotency_key: str, now: datetime | None = None) -> Case:
    """Open a case, or return the one already opened with this idempotency key."""
    if not idempotency_key:
        raise ValueError("idempotency_key is required")
    summary = _clean_summary(summary)
    turns = _clean_transcript(transcript)
    opening = _opening(summary.get("what") or _last_worker_text(turns))
    now = now or utcnow()
    priority = priority_for(category, summary, risk)
    for _attempt in range(5):  # retried only on a case-code collision
        try:
            with session_scope() as session:
                if (existing := _by_key(session, idempotency_key)) is not None:
                    return existing
                case = Case(code="AJ" + new_code(), sender_id=sender_id, channel=channel, category=category or "",
                            risk=risk, priority=priority.value, status="new", consent=bool(consent), summary=summary,
                            transcript=turns, sla_due_at=now + timedelta(hours=priority.hours),
                            created_at=now, updated_at=now, idempotency_key=idempotency_key,
                            worker_last_at=now, worker_last_text=opening)
                session.add(case)
                session.flush()
                audit.record(session, sender_id, "case.create", case.code, priority=priority.value, category=category)
                return case
        except IntegrityError:
            with session_scope() as session:
                if (existing := _by_key(session, idempotency_key)) is not None:
                    return existing
    raise RuntimeError("could not allocate a unique case code")


def _load(session: Session, code: str) -> Case:
    case = session.scalar(select(Case).where(Case.code == normalize_code(code)))
    if case is None:
        raise CaseNotFound(code)
    return case


def _transition(code: str, officer: str, action: str, allowed, values: dict[str, Any],
                idempotent, **detail: Any) -> Case:
    """Apply `values` only if the row still satisfies `allowed` (checked by the database)."""
    with session_scope() as session:
        case = _load(session, code)
        if idempotent(case):
            return case
        changed = session.execute(update(Case).where(Case.id == case.id, *allowed)
                                  .values(**values, updated_at=utcnow())
                                  .execution_options(synchronize_session=False))
        session.refresh(case)
        if changed.rowcount != 1:
            who = f"由 {case.assigned_to} 处理" if case.assigned_to else "无人处理"
            raise CaseConflict(f"{case.code}: status={case.status}, {who}")
        audit.record(session, officer, action, case.code, **detail)
        return case


def take(code: str, officer: str, *, force: bool = False) -> Case:
    """Assign a new case to `officer`. `force` (admins) takes it over from another officer."""
    allowed = [Case.status != "closed"] if force else [Case.status == "new"]
    return _transition(code, officer, "case.take", allowed, {"status": "assigned", "assigned_to": officer},
                       lambda c: c.status == "assigned" and c.assigned_to == officer)


def hand_back(code: str, officer: str, *, force: bool = False) -> Case:
    """Put an assigned case back into the queue (status new, nobody assigned)."""
    allowed = [Case.status == "assigned"] + ([] if force else [Case.assigned_to == officer])
    return _transition(code, officer, "case.hand_back", allowed, {"status": "new", "assigned_to": None},
                       lambda c: c.status == "new")


def close(code: str, officer: str, outcome: str, *, force: bool = False) -> Case:
    """Close a case with its outcome. Only its officer may (or anyone if unassigned, or `force`)."""
    allowed = [Case.status != "closed"]
    if not force:
        allowed.append((Case.assigned_to == officer) | Case.assigned_to.is_(None))
    # assigned_to becomes the closing officer: who closed it stays visible in the queue.
    values = {"status": "closed", "assigned_to": officer, "outcome": outcome.strip(), "closed_at": utcnow()}
    return _transition(code, officer, "case.close", allowed, values,
                       lambda c: c.status == "closed" and c.assigned_to == officer)


def add_note(code: str, author: str, text: str) -> CaseNote:
    if not text.strip():
        raise ValueError("empty note")
    with session_scope() as session:
        case = _load(session, code)
        note = CaseNote(case_id=case.id, author=author, text=text.strip())
        session.add(note)
        case.updated_at = utcnow()
        session.flush()
        audit.record(session, author, "case.note", case.code)
        return note


def by_code(code: str, *, viewer: str | None = None) -> Case | None:
    """The case with its notes; a `viewer` (console user) is recorded in the audit log."""
    with session_scope() as session:
        case = session.scalar(select(Case).where(Case.code == normalize_code(code)))
        if case is not None and viewer:
            audit.record(session, viewer, "case.view", case.code)
        return case


def cases_of(sender_id: str) -> list[Case]:
    """A worker's cases, newest first."""
    with session_scope() as session:
        return list(session.scalars(select(Case).where(Case.sender_id == sender_id)
                                    .order_by(Case.created_at.desc(), Case.id.desc())))


def access(code: str, sender_id: str, text: str, *, now: datetime | None = None) -> tuple[proof.Outcome, Case | None]:
    """May conversation `sender_id` see case `code`, given her message `text`? Its own conversation
    may; any other needs the code plus the last four digits of the mobile number she left as her
    contact (appdb/proof.py). A case without a mobile number is reachable only from its own conversation."""
    with session_scope() as session:
        case = session.scalar(select(Case).where(Case.code == normalize_code(code)))
        phones = proof.phones_in(str((case.summary or {}).get("contact") or "")) if case else []
        outcome = proof.check(session, sender_id=sender_id, text=text, target=case.code if case else None,
                              owner=case.sender_id if case else None, phone=phones[0] if phones else None,
                              now=now)
        return outcome, case if outcome in ("own", "verified") else None


def reachable_cases(sender_id: str) -> list[Case]:
    """Her cases, and those this conversation recently proved access to, newest first."""
    with session_scope() as session:
        codes = proof.granted_targets(session, sender_id)
        query = select(Case).where(Case.sender_id == sender_id)
        if codes:
            query = select(Case).where((Case.sender_id == sender_id) | Case.code.in_(codes))
        return list(session.scalars(query.order_by(Case.created_at.desc(), Case.id.desc())))


def open_case_of(sender_id: str) -> Case | None:
    """Her most recent case that is not closed (so the bot does not open a second one)."""
    with session_scope() as session:
        return session.scalar(select(Case).where(Case.sender_id == sender_id, Case.status != "closed")
                              .order_by(Case.created_at.desc(), Case.id.desc()).limit(1))


def assign(code: str, officer: str, *, actor: str) -> Case:
    """An admin hands a case that is not closed to `officer`; the admin is the one audited."""
    return _transition(code, actor, "case.assign", [Case.status != "closed"],
                       {"status": "assigned", "assigned_to": officer},
                       lambda c: c.status == "assigned" and c.assigned_to == officer, to=officer)


def find_cases(*, status: str | None = None, priority: str | None = None, assigned_to: str | None = None,
               unassigned: bool = False, overdue: bool = False, category: str | None = None,
               now: datetime | None = None, limit: int = 500) -> list[Case]:
    """The officers' queue, most urgent first, then the nearest deadline, with the filters an officer
    sorts her day with. `status="open"` means every case not closed yet (the inbox's default view)."""
    query = select(Case).order_by(_PRIORITY_RANK, Case.sla_due_at, Case.id).limit(limit)
    if status == "open":
        query = query.where(Case.status != "closed")
    elif status:
        query = query.where(Case.status == status)
    if priority:
        query = query.where(Case.priority == priority)
    if assigned_to:
        query = query.where(Case.assigned_to == assigned_to)
    if unassigned:
        query = query.where(Case.assigned_to.is_(None))
    if overdue:
        query = query.where(Case.status != "closed", Case.sla_due_at < (now or utcnow()))
    if category:
        query = query.where(Case.category == category)
    with session_scope() as session:
        return list(session.scalars(query))


def categories() -> list[str]:
    """The categories cases have been filed under, for the inbox's filter."""
    with session_scope() as session:
        return sorted(c for c in session.scalars(select(Case.category).distinct()) if c)


def repeated_note(code: str, author: str, text: str, within: timedelta = timedelta(seconds=10)) -> bool:
    """Did `author` just write this very note on this case? (a double-clicked form, sent twice)"""
    since = utcnow() - within
    with session_scope() as session:
        case = _load(session, code)
        return session.scalar(select(CaseNote.id).where(
            CaseNote.case_id == case.id, CaseNote.author == author, CaseNote.text == text.strip(),
            CaseNote.created_at >= since).limit(1)) is not None


def worker_wrote(sender_id: str, text: str, *, now: datetime | None = None) -> Case | None:
    """She wrote to her open case (the action server calls this for each message while an officer
    holds it): the case's change marker for the officers' live pages, and its unread marker."""
    with session_scope() as session:
        case = session.scalar(select(Case).where(Case.sender_id == sender_id, Case.status != "closed")
                              .order_by(Case.created_at.desc(), Case.id.desc()).limit(1))
        if case is not None:
            case.worker_last_at = now or utcnow()
            case.worker_last_text = _opening(text)
        return case


def mark_viewed(code: str, username: str, *, now: datetime | None = None) -> None:
    """`username` has seen the case as it is now: what she wrote before this is read for that officer."""
    now = now or utcnow()
    with session_scope() as session:
        case = _load(session, code)
        view = session.scalar(select(CaseView).where(CaseView.case_id == case.id, CaseView.username == username))
        if view is None:
            session.add(CaseView(case_id=case.id, username=username, viewed_at=now))
        else:
            view.viewed_at = now


def unread(rows: Iterable[Case], username: str) -> set[str]:
    """The codes among `rows` with something `username` has not seen: a case never opened by her, or
    one she wrote to after that officer last looked."""
    by_id = {c.id: c for c in rows}
    with session_scope() as session:
        seen = dict(session.execute(select(CaseView.case_id, CaseView.viewed_at).where(
            CaseView.username == username, CaseView.case_id.in_(list(by_id)))).all())
    return {c.code for c in by_id.values()
            if c.id not in seen or (c.worker_last_at is not None and c.worker_last_at > seen[c.id])}
