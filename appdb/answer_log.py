"""One row per bot answer turn, for the dashboard: what kind of answer, on which topic, how sure.

No question text and no sender id are stored. `conversation` is an HMAC-SHA256 of the sender id
under a key kept in VAR_DIR/secrets: the dashboard can count conversations, but nobody holding the
table can tell whose they were or link them to the tracker store without that key.

Logging serves statistics only, so it must never cost a worker her answer or her time: a turn only
puts the row on a queue; one background thread writes what has queued up in one transaction
(measured: a synchronous insert per turn cost the action server ~4 ms a turn and a fifth of its
throughput under 20 concurrent conversations). Failures are logged and swallowed; rows still queued
are written when the process exits normally.
"""
from __future__ import annotations

import atexit
import hashlib
import hmac
import logging
import queue
import threading
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select

from appdb.models import AnswerLog, utcnow
from appdb.session import ensure_schema, session_scope
from settings import _persistent_secret, get_settings

log = logging.getLogger(__name__)

KEY_FILE = "answer_log_key"
BATCH = 500  # rows per transaction at most
_STOP = object()


@lru_cache(maxsize=4)
def _key(var_dir: str) -> bytes:
    """The HMAC key of this installation, created on first use (cached per VAR_DIR for tests)."""
    return _persistent_secret(Path(var_dir) / "secrets" / KEY_FILE).encode()


def conversation_key(sender_id: str) -> str:
    """A stable pseudonym of one conversation: 64 hex characters, useless without the key."""
    return hmac.new(_key(get_settings().VAR_DIR), sender_id.encode(), hashlib.sha256).hexdigest()


class _Writer:
    """A daemon thread that drains the queue into the database, a batch per transaction."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="answer-log", daemon=True)
        self.thread.start()
        atexit.register(self.close)

    def _run(self) -> None:
        while True:
            rows, stop = [self.queue.get()], False
            while len(rows) < BATCH:
                try:
                    rows.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            if _STOP in rows:
                rows, stop = [r for r in rows if r is not _STOP], True
            _write(rows)
            if stop:
                return

    def close(self, timeout: float = 5.0) -> None:
        self.queue.put(_STOP)
        self.thread.join(timeout)


def _write(rows: list[AnswerLog]) -> None:
    if not rows:
        return
    try:
        ensure_schema()  # the action server may start on a fresh var/ before anyone ran setup
        with session_scope() as session:
            session.add_all(rows)
    except Exception:  # noqa: BLE001 - any database trouble: log it, the answers went out anyway
        log.warning("answer log: %d rows not written", len(rows), exc_info=True)


_writer: _Writer | None = None
_writer_lock = threading.Lock()


def _queue() -> queue.Queue:
    global _writer
    with _writer_lock:
        if _writer is None or not _writer.thread.is_alive():
            _writer = _Writer()
        return _writer.queue


def record_answer(sender_id: str, channel: str, kind: str, topic: str = "", entry_id: str = "",
                  confidence: float = 0.0) -> None:
    """Queue one answer turn for writing; never raises, because a statistic must not break a conversation."""
    try:
        _queue().put(AnswerLog(at=utcnow(), conversation=conversation_key(sender_id), channel=channel[:32],
                               kind=kind[:16], topic=topic[:64], entry_id=entry_id[:200],
                               confidence=round(confidence, 4)))
    except Exception:  # noqa: BLE001
        log.warning("answer log: row not queued (kind=%s)", kind, exc_info=True)


def flush(timeout: float = 5.0) -> None:
    """Write everything queued so far and stop the writer (a later record starts a new one)."""
    global _writer
    with _writer_lock:
        writer, _writer = _writer, None
    if writer is not None:
        writer.close(timeout)


def entry_answered(sender_id: str, before: datetime) -> str:
    """The entry this conversation's last answer before `before` was taken from ("" when none): what a
    👎 on that answer is about, for the curators."""
    flush()  # this process's answers still queued are written first
    with session_scope() as session:
        row = session.scalar(select(AnswerLog.entry_id).where(
            AnswerLog.conversation == conversation_key(sender_id), AnswerLog.at <= before)
            .order_by(AnswerLog.at.desc(), AnswerLog.id.desc()).limit(1))
    return row or ""
