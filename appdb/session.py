"""Engine, sessions and migrations of the application database.

The URL is read from settings when the engine is first needed (not at import), so tests and tools
can point APP_DB_URL at another database and call `reset_engine()`. SQLite (the default) is tuned
for one machine with several processes: WAL lets the console read while the action server writes,
busy_timeout makes a second writer wait instead of failing, foreign_keys makes SQLite honour them.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_lock = threading.Lock()
_engine: Engine | None = None
_factory: sessionmaker[Session] | None = None
_schema_ready: set[str] = set()
_schema_lock = threading.Lock()  # one upgrade at a time within a process (see ensure_schema)


def database_url() -> str:
    return get_settings().APP_DB_URL


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, nor it them
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
    cursor.execute("PRAGMA busy_timeout=5000")  # wait up to 5 s for the write lock
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the SQLite file's folder created and the pragmas applied."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine() -> Engine:
    """The process-wide engine, created on first use from the current settings."""
    global _engine, _factory
    with _lock:
        if _engine is None:
            _engine = make_engine(database_url())
            # expire_on_commit=False: objects returned by the helper functions stay readable
            # after their transaction ends (they are plain snapshots for the caller).
            _factory = sessionmaker(_engine, expire_on_commit=False)
        return _engine


def session_factory() -> sessionmaker[Session]:
    get_engine()
    assert _factory is not None
    return _factory


def reset_engine() -> None:
    """Forget the engine and re-read settings (tests that change APP_DB_URL call this)."""
    global _engine, _factory
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
        _factory = None
        _schema_ready.clear()
    get_settings.cache_clear()


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction: committed if the block succeeds, rolled back if it raises."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None):
    """An Alembic Config that finds the migrations wherever the process runs from."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.attributes["url"] = url
    return config


def upgrade(revision: str = "head", url: str | None = None) -> None:
    """Run the migrations up to `revision` on `url` (default: the settings' database)."""
    from alembic import command

    config = alembic_config(url)
    if url is None or url == database_url():
        with get_engine().connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    else:
        command.upgrade(config, revision)


def ensure_schema() -> None:
    """Migrate the current database once per process (for processes started without setup).

    Migrations run in one exclusive transaction on SQLite, so two processes starting together
    wait for each other instead of both creating the tables. Within a process a lock does the same
    for threads: alembic keeps its migration context in module globals, so two threads upgrading
    at once (the action server's first concurrent answers on a fresh database) break each other.
    """
    url = database_url()
    if url in _schema_ready:
        return
    with _schema_lock:
        if url not in _schema_ready:
            upgrade()
            _schema_ready.add(url)
