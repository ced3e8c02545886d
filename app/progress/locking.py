"""Officers' rows are locked before their training records are written (PostgreSQL).

Why: the triggers that keep `coverage_officers` exact lock an officer's `users` row after one
of his records is written, while a roster edit locks the `users` row first (it updates the
officer) and then rewrites his records. Two transactions taking the same two locks in opposite
orders deadlock, and PostgreSQL aborts one of them: an officer submitting a quiz while a manager
edits him, or a plan line applied during a roster import, would end in an error. So every
service that writes records takes its officers' rows first, in id order; then transactions
wait for each other instead. SQLite runs one writer at a time: nothing to do there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select

from app.extensions import db
from app.org.models import User


def lock_officers(officers: Iterable[int] | Select) -> None:
    """Row-lock these officers (ids, or a SELECT of ids) in id order until the transaction ends.

    FOR NO KEY UPDATE: the lock an UPDATE of the officer takes, so it waits for a roster edit;
    foreign-key checks against `users` are not blocked."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    ids = officers if isinstance(officers, Select) else sorted(set(officers))
    if not isinstance(ids, Select) and not ids:
        return
    db.session.execute(
        select(User.id)
        .where(User.id.in_(ids))
        .order_by(User.id)
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE
    ).all()
