"""Questions the bot could not answer well, stored (masked) for curators to review."""
from __future__ import annotations

from appdb.models import UnansweredQuestion, utcnow
from appdb.session import ensure_schema, session_scope
from knowledge.privacy import mask


def log_unanswered(conversation: str, question: str, reason: str, confidence: float = 0.0,
                   top_entry: str = "") -> None:
    """Store one question; phone and ID numbers are masked before they reach the database."""
    ensure_schema()  # the action server may start on a fresh var/ before anyone ran setup
    with session_scope() as session:
        session.add(UnansweredQuestion(
            created_at=utcnow(), conversation=conversation[:64], question=mask(question)[:2000],
            reason=reason[:32], confidence=round(confidence, 4), top_entry=top_entry[:200]))


def set_status(ids: list[int], status: str, actor: str, entry_id: str = "") -> int:
    """Mark questions handled (answered by FAQ entry `entry_id`) or dismissed; audited."""
    from sqlalchemy import update

    from appdb import audit
    from appdb.models import UNANSWERED_STATUSES

    if status not in UNANSWERED_STATUSES:
        raise ValueError(f"status must be one of {UNANSWERED_STATUSES}")
    if not ids:
        return 0
    with session_scope() as session:
        changed = session.execute(update(UnansweredQuestion).where(UnansweredQuestion.id.in_(ids)).values(
            status=status, handled_entry=entry_id[:200])).rowcount
        audit.record(session, actor, f"unanswered.{status}", entry_id, ids=list(ids)[:50], count=changed)
    return changed
