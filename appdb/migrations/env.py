"""Alembic environment: the models' metadata, and the URL from settings (or from the caller).

Run from the command line (`alembic upgrade head`, with alembic.ini at the project root) or from
`appdb.session.upgrade()`, which passes its own connection in `config.attributes`.

On SQLite each run is one `BEGIN IMMEDIATE` transaction: SQLite can roll back DDL, so a failed
migration leaves the file as it was, and a second process migrating at the same time waits for the
first (busy_timeout) and then finds nothing left to do. Foreign keys are off while migrating
because batch mode rebuilds tables by copy-and-rename.
"""
from __future__ import annotations

import logging.config
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlalchemy.engine import Connection

from appdb.models import Base
from appdb.session import database_url, make_engine

config = context.config
if config.config_file_name and config.file_config.has_section("loggers"):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("url") or database_url()


@contextmanager
def _sqlite_manual_transactions(connection: Connection) -> Iterator[None]:
    """Let us issue BEGIN ourselves (pysqlite would otherwise run DDL outside any transaction)."""
    raw = connection.connection.driver_connection
    previous = raw.isolation_level
    raw.isolation_level = None
    raw.execute("PRAGMA foreign_keys=OFF")  # only takes effect outside a transaction
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")
        raw.isolation_level = previous


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    # transactional_ddl on SQLite: true here, because we wrap the run in BEGIN IMMEDIATE.
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=sqlite, compare_type=True, transactional_ddl=True)
    if not sqlite:
        with context.begin_transaction():
            context.run_migrations()
        return
    if connection.in_transaction():  # autobegun by the caller: nothing is pending at DB level
        connection.commit()
    with _sqlite_manual_transactions(connection):
        with context.begin_transaction():  # its commit/rollback end the BEGIN IMMEDIATE below
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE")
            context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, render_as_batch=_url().startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
