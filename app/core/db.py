"""Database helpers every feature shares: timestamps, SQLite pragmas, read-only and write-intent
transactions. (The declarative base lives in `app.extensions`, the bottom of the package map.)"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import JSON, Table, event, text
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


def upsert_insert(session):
    """`insert` of the session's database, the one with `on_conflict_do_nothing/update`.
    Imported when used: a worker on SQLite never loads PostgreSQL's dialect (~1.3 MB each)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def partial_index_where(table, index_name: str, where: str) -> None:
    """Make `table`'s index `index_name` partial (`WHERE where`) when `db.create_all()` creates
    it, on either database. Why not `postgresql_where=` in the model: naming a dialect's
    keyword makes SQLAlchemy import that dialect with all its drivers' modules, so every worker
    on SQLite carried PostgreSQL's (~2 MB, bench S7). Migrations carry their own SQL."""
    index = next(i for i in table.indexes if i.name == index_name)

    def _before_create(target, connection, **kw) -> None:
        index.dialect_options[connection.dialect.name]["where"] = text(where)

    event.listen(table, "before_create", _before_create)


_BEGAN_WRITING = "tdkt_began_immediate"  # Connection.info: how its transaction began (SQLite)


def reads_first(view):
    """Mark a view that may write as one that reads and computes first: its transactions begin
    as readers (plain BEGIN) even on a POST, and it writes inside `writing()`. For a request
    whose reads and work are most of its time (a quiz submit): on SQLite, one writer at a time
    holds the database, so the write lock should cover the writes only. (`functools.wraps`, as
    `login_required` uses, carries the mark to the wrapping view.)"""
    view.reads_first = True
    return view


@contextmanager
def writing(session) -> Iterator[None]:
    """Run the block in a write transaction (BEGIN IMMEDIATE on SQLite), after ending the
    plain read transaction the caller's reads ran in. What those reads loaded stays loaded (a
    read-only commit expires nothing), so the block does only its writes, and holds SQLite's
    write lock only for them. Another request may have written between the reads and the block:
    the block's writes must be conditional on what was read (`UPDATE … WHERE` the state read).

    A transaction that began as a writer, or has changes pending, goes on as it is (its writes
    stay one unit). PostgreSQL locks rows, not the database: its transaction goes on too. Call
    it before any write of the request: a reader's transaction that already flushed a write
    would be committed here, apart from the block's writes."""
    real = session() if callable(session) else session  # the scoped session's Session
    if real.in_transaction() and not (real.new or real.dirty or real.deleted):
        connection = real.connection()
        if connection.dialect.name == "sqlite" and connection.info.get(_BEGAN_WRITING) is False:
            keep, real.expire_on_commit = real.expire_on_commit, False
            try:
                real.commit()  # a reader's commit: nothing written, nothing to expire
            finally:
                real.expire_on_commit = keep
    token = write_intent.set(True)
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
        immediate = write_intent.get()
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        conn.info[_BEGAN_WRITING] = immediate


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
