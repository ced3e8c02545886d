"""The run-time half of "only app/progress/records.py writes training records" (the source
half is tests/progress/test_records_owner.py).

With `CHECK_RECORD_WRITERS` on (the test configuration), a statement on `training_records`
(INSERT, UPDATE, DELETE) fails unless one of records' operations (decorated with `writes`) is
running, and a flush fails when it carries a new, changed or deleted `TrainingRecord` object
that records did not hand over with `own`: objects are flushed later, by the caller's commit,
so the flag alone would not do for them. What it cannot see: a caller changing a record
object that records returned, before the flush (the source check is there for that).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from weakref import WeakSet

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.progress.models import TrainingRecord

_writing: ContextVar[bool] = ContextVar("records_writing", default=False)
_OWNED = "tdkt_owned_records"  # key in Session.info: record objects changed by this module


class UnownedRecordWrite(RuntimeError):
    """A training record was written outside app/progress/records.py (see module doc)."""


def writes(function):
    """Mark an operation of app/progress/records.py: its statements on `training_records`
    are allowed."""

    @wraps(function)
    def run(*args, **kwargs):
        token = _writing.set(True)
        try:
            return function(*args, **kwargs)
        finally:
            _writing.reset(token)

    return run


def own(record: TrainingRecord) -> TrainingRecord:
    """Record objects are flushed later (by the caller's commit): records' operations hand
    over each one they change, so that the flush lets them through and nothing else."""
    db.session.info.setdefault(_OWNED, WeakSet()).add(record)
    return record


@contextmanager
def hand_written() -> Iterator[None]:
    """For tests that set a scene with their own records: what is added and flushed inside
    passes the guard. Application code never uses it (the source check forbids it)."""
    token = _writing.set(True)
    try:
        yield
        db.session.flush()
    finally:
        _writing.reset(token)


def _guarding() -> bool:
    return has_app_context() and current_app.config.get("CHECK_RECORD_WRITERS", False)


def _check_record_objects(session, flush_context, instances) -> None:
    if not _guarding():
        return
    owned = session.info.get(_OWNED, ())
    for record in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(record, TrainingRecord) or record in owned or _writing.get():
            continue
        if record in session.dirty and not session.is_modified(record):
            continue
        raise UnownedRecordWrite(
            f"training record of officer {record.user_id} written outside app/progress/records.py"
        )


def _forget_owned(session, *args) -> None:
    session.info.pop(_OWNED, None)  # flushed (or gone): a later change must be owned again


def _check_record_statements(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete) or _writing.get():
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == TrainingRecord.__tablename__ and _guarding():
        raise UnownedRecordWrite("statement on training_records outside app/progress/records.py")


_GUARD = {
    "before_flush": _check_record_objects,
    "after_flush": _forget_owned,
    "after_soft_rollback": _forget_owned,
    "do_orm_execute": _check_record_statements,
}


def install_checks() -> None:
    """Listen to every session (once per process); each listener returns at once unless the
    app sets CHECK_RECORD_WRITERS."""
    for name, listener in _GUARD.items():
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
