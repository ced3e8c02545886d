"""Database helpers every feature shares: timestamps, SQLite pragmas, read-only and write-intent
transactions. (The declarative base lives in `app.extensions`, the bottom of the package map.)"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import JSON, Table, event
from sqlalchemy.engine import Engine

from app.extensions import db


def utcnow() -> datetime:
    """Naive UTC timestamp: the same stored value on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL + busy_timeout: concurrent quiz submits never see "database is locked"."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# SQLite upgrades a read transaction to a write one lazily, and two such upgrades deadlock
# with an immediate "database is locked" (the busy handler is not consulted). Requests that
# may write (POST and the CLI) therefore start their transactions with BEGIN IMMEDIATE.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


@contextmanager
def reading_only() -> Iterator[None]:
    """Transactions begun inside start as plain BEGIN (readers): for a long read in a job or a
    command that writes later, so that other writers are not held off while it reads. End the
    read transaction (commit) before writing: SQLite cannot upgrade it safely."""
    token = write_intent.set(False)
    try:
        yield
    finally:
        write_intent.reset(token)


def configure_sqlite_transactions(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _no_pysqlite_begin(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves below

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def copy_rows(table: Table, rows: list[dict]) -> None:
    """PostgreSQL: COPY … FROM STDIN in the session's transaction (executemany sends one
    statement per row there: several times slower). For bulk loads of generated data."""
    columns = list(rows[0])
    as_json = {c.name for c in table.c if isinstance(c.type, JSON)}
    conn = db.session.connection().connection.driver_connection
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with conn.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c in as_json else row[c] for c in columns])
