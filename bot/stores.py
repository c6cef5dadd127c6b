"""Tracker and lock stores configured from settings.py instead of restating values in YAML.

Conversations persist in SQL (a SQLite file by default; PostgreSQL by TRACKER_DIALECT=postgresql
and TRACKER_HOST/PORT/USER/PASSWORD/DB/SSLMODE). Several Rasa replicas need LOCK_STORE=redis so that
two replicas never process the same conversation at once (bot/lock_store.py, on REDIS_*).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.lock_store import SharedLockStore
from settings import get_settings


class ConfiguredTrackerStore(SQLTrackerStore):
    def __init__(self, domain=None, host=None, event_broker=None, **_: Any) -> None:
        s = get_settings()
        if s.TRACKER_DIALECT == "sqlite":
            Path(s.TRACKER_DB).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain, dialect=s.TRACKER_DIALECT, host=s.TRACKER_HOST or None,
            port=s.TRACKER_PORT, db=s.TRACKER_DB,
            username=s.TRACKER_USER or None, password=s.TRACKER_PASSWORD or None,
            query={"sslmode": s.TRACKER_SSLMODE} if s.TRACKER_SSLMODE else None, event_broker=event_broker,
        )
        if s.TRACKER_DIALECT == "sqlite":
            self._pool_sqlite_connections()

    def _pool_sqlite_connections(self) -> None:
        """Keep SQLite connections open between turns. SQLAlchemy 1.4 (Rasa 3.6's) gives a SQLite file
        NullPool: every read and write of a tracker opened and closed a connection and set its pragmas
        again, about a tenth of the Rasa server's CPU per turn (profiled under 20 conversations).
        The pool SQLAlchemy 2 uses for files; connections may move between threads, one at a time."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = create_engine(url, poolclass=QueuePool, connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", _sqlite_wal)
        self.sessionmaker = sessionmaker(bind=self.engine)


def _sqlite_wal(dbapi_connection, _record) -> None:
    """WAL with synchronous=NORMAL: a commit no longer waits for two fsyncs on the event loop,
    and a killed server still leaves a consistent file (only a power cut can lose the last turn)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class ConfiguredLockStore(LockStore):
    """Factory: returns the shared Redis lock store or an in-memory one depending on LOCK_STORE."""

    def __new__(cls, *args: Any, **kwargs: Any) -> LockStore:  # type: ignore[misc]
        s = get_settings()
        if s.LOCK_STORE == "redis":
            return SharedLockStore(s.redis_url, s.REDIS_KEY_PREFIX, s.LOCK_LEASE_SECONDS)
        return InMemoryLockStore()
