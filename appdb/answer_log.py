"""One row per bot answer turn, for the dashboard: what kind of answer, on which topic, how sure.

No question text and no sender id are stored. `conversation` is an HMAC-SHA256 of the sender id
under a key kept in VAR_DIR/secrets: the dashboard can count conversations, but nobody holding the
table can tell whose they were or link them to the tracker store without that key.

Logging serves statistics only, so it must never cost a worker her answer: any failure is logged
and swallowed, and a turn pays one short insert.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from functools import lru_cache
from pathlib import Path

from appdb.models import AnswerLog, utcnow
from appdb.session import ensure_schema, session_scope
from settings import _persistent_secret, get_settings

log = logging.getLogger(__name__)

KEY_FILE = "answer_log_key"


@lru_cache(maxsize=4)
def _key(var_dir: str) -> bytes:
    """The HMAC key of this installation, created on first use (cached per VAR_DIR for tests)."""
    return _persistent_secret(Path(var_dir) / "secrets" / KEY_FILE).encode()


def conversation_key(sender_id: str) -> str:
    """A stable pseudonym of one conversation: 64 hex characters, useless without the key."""
    return hmac.new(_key(get_settings().VAR_DIR), sender_id.encode(), hashlib.sha256).hexdigest()


def record_answer(sender_id: str, channel: str, kind: str, topic: str = "", entry_id: str = "",
                  confidence: float = 0.0) -> None:
    """Store one answer turn; never raises, because a statistic must not break a conversation."""
    try:
        ensure_schema()  # the action server may start on a fresh var/ before anyone ran setup
        with session_scope() as session:
            session.add(AnswerLog(at=utcnow(), conversation=conversation_key(sender_id), channel=channel[:32],
                                  kind=kind[:16], topic=topic[:64], entry_id=entry_id[:200],
                                  confidence=round(confidence, 4)))
    except Exception:  # noqa: BLE001 - any database trouble: log it and let the answer go out
        log.warning("answer log not written (kind=%s)", kind, exc_info=True)
