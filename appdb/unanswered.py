"""Questions the bot could not answer well, stored (masked) for curators to review."""
from __future__ import annotations

from appdb.models import UnansweredQuestion, utcnow
from appdb.privacy import mask
from appdb.session import ensure_schema, session_scope


def log_unanswered(conversation: str, question: str, reason: str, confidence: float = 0.0,
                   top_entry: str = "") -> None:
    """Store one question; phone and ID numbers are masked before they reach the database."""
    ensure_schema()  # the action server may start on a fresh var/ before anyone ran setup
    with session_scope() as session:
        session.add(UnansweredQuestion(
            created_at=utcnow(), conversation=conversation[:64], question=mask(question)[:2000],
            reason=reason[:32], confidence=round(confidence, 4), top_entry=top_entry[:200]))
