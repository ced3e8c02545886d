"""Officers' rows are locked before their training records are written (PostgreSQL).

Why: the triggers that keep `coverage_officers` exact lock an officer's `users` row after one
of his records is written, while a roster edit locks the `users` row first (it updates the
officer) and then rewrites his records. Two transactions taking the same two locks in opposite
orders deadlock, and PostgreSQL aborts one of them: an officer submitting a quiz while a manager
edits him, or a plan line applied during a roster import, would end in an error. So every
service that writes records takes its officers' rows first, in id order; then transactions
wait for each other instead. SQLite runs one writer at a time: nothing to lock there.

A service that forgets would only deadlock under rare timing on PostgreSQL, which no test
would catch. So with `CHECK_RECORD_LOCKS` on (the test configuration), every write of a
training record is checked, on both databases, against the officers locked in the same
transaction: a new writer without `lock_officers` fails its own tests.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, has_app_context
from sqlalchemy import Select, event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.org.models import User
from app.progress.models import TrainingRecord

_LOCKED = "tdkt_locked_officers"  # key in Session.info: ids locked in this transaction


class UnlockedRecordWrite(RuntimeError):
    """A training record was written without locking its officer first (see module doc)."""


def _checking() -> bool:
    return has_app_context() and current_app.config.get("CHECK_RECORD_LOCKS", False)


def lock_officers(officers: Iterable[int] | Select) -> None:
    """Row-lock these officers (ids, or a SELECT of ids) in id order until the transaction ends.

    FOR NO KEY UPDATE: the lock an UPDATE of the officer takes, so it waits for a roster edit;
    foreign-key checks against `users` are not blocked."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    checking = _checking()
    if not postgres and not checking:
        return
    if isinstance(officers, Select):
        wanted = officers
    else:
        wanted = sorted(set(officers))
        if not wanted:
            return
        if not postgres:  # checking only: the ids are known without a statement
            db.session.info.setdefault(_LOCKED, set()).update(wanted)
            return
    statement = select(User.id).where(User.id.in_(wanted)).order_by(User.id)
    if postgres:
        statement = statement.with_for_update(key_share=True)  # FOR NO KEY UPDATE
    locked = db.session.scalars(statement).all()
    if checking:
        db.session.info.setdefault(_LOCKED, set()).update(locked)


def _forget_locks(session, transaction) -> None:
    if transaction.parent is None:  # row locks last until the outermost transaction ends
        session.info.pop(_LOCKED, None)


def _new_officers_are_locked(session, flush_context) -> None:
    # An officer inserted by this transaction is invisible to every other one until it
    # commits: nobody can wait on his row, so his records need no lock.
    if _checking():
        new = [x.id for x in session.new if isinstance(x, User)]
        if new:
            session.info.setdefault(_LOCKED, set()).update(new)


def _check_record_objects(session, flush_context, instances) -> None:
    if not _checking():
        return
    locked = session.info.get(_LOCKED, set())
    for record in (*session.new, *session.dirty, *session.deleted):
        if isinstance(record, TrainingRecord) and record.user_id not in locked:
            if record in session.dirty and not session.is_modified(record):
                continue
            raise UnlockedRecordWrite(
                f"training record of officer {record.user_id} written without lock_officers()"
            )


def _check_record_statements(state) -> None:
    # A bulk UPDATE / INSERT … SELECT / DELETE names no officers: the transaction must at
    # least have locked the ones it selected (each service locks with the same WHERE).
    if not (state.is_update or state.is_insert or state.is_delete) or not _checking():
        return
    mapper = state.bind_mapper
    if (
        mapper is not None
        and mapper.class_ is TrainingRecord
        and not state.session.info.get(_LOCKED)
    ):
        raise UnlockedRecordWrite("bulk write of training records without lock_officers()")


_CHECKS = {
    "after_transaction_end": _forget_locks,
    "after_flush": _new_officers_are_locked,
    "before_flush": _check_record_objects,
    "do_orm_execute": _check_record_statements,
}


def install_checks() -> None:
    """Listen to every session (once per process) when an app sets CHECK_RECORD_LOCKS: the
    production configuration adds nothing to each statement."""
    for name, listener in _CHECKS.items():
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
