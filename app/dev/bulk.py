"""Bulk writing for the generator: rows buffered per table and inserted by chunks (COPY on
PostgreSQL), the coverage triggers paused meanwhile, sequences and statistics fixed after.

Why not ORM objects: 200,000 officers with their records and attempts are millions of rows;
one ORM object per row would take an hour instead of a couple of minutes.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import func, insert, select, text

from app.core.db import copy_rows
from app.extensions import db
from app.org.models import OrgUnit, RoleGrant, UnitMembership, User
from app.progress import coverage_upkeep, records
from app.progress.models import PlanItem
from app.quizzes.models import Attempt

CHUNK = 5_000


class BulkWriter:
    """Buffers rows per table and inserts them by chunks, parents before children."""

    ORDER = [
        "org_units",
        "plan_items",
        "users",
        "role_grants",
        "unit_memberships",
        "attempts",
        "training_records",
    ]

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in self.ORDER}
        self.tables = {
            "org_units": OrgUnit.__table__,
            "plan_items": PlanItem.__table__,
            "users": User.__table__,
            "role_grants": RoleGrant.__table__,
            "unit_memberships": UnitMembership.__table__,
            "attempts": Attempt.__table__,
        }  # training_records: written by app.progress.records.bulk_load

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)
        if len(self.rows[table]) >= CHUNK:
            self.flush(upto=table)

    def flush(self, upto: str = "training_records") -> None:
        copy = db.session.get_bind().dialect.name == "postgresql"
        for name in self.ORDER[: self.ORDER.index(upto) + 1]:
            rows = self.rows[name]
            for start in range(0, len(rows), CHUNK):
                if name == "training_records":
                    records.bulk_load(rows[start : start + CHUNK])
                elif copy:
                    copy_rows(self.tables[name], rows[start : start + CHUNK])
                else:
                    db.session.execute(insert(self.tables[name]), rows[start : start + CHUNK])
            rows.clear()


def max_id(model) -> int:
    return db.session.scalar(select(func.max(model.id))) or 0


@contextlib.contextmanager
def coverage_triggers_paused():
    """The triggers that keep the coverage tables exact (`coverage_counts`,
    `coverage_officers`) are costly under a bulk load: with the earlier PostgreSQL row triggers
    ~1 ms a record under COPY (200k officers: over 20 minutes), on SQLite 3½ minutes instead of
    about one and a half; one recomputation at the end is cheaper still.
    Pause them, and afterwards (also if generation fails midway) reinstall them and recompute
    the tables in one pass: what `flask coverage rebuild` does. PostgreSQL disables them;
    SQLite, which cannot, drops them. A run killed outright leaves them paused: the next run,
    or `flask coverage rebuild`, restores them."""
    dialect = db.session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        yield
        return
    for name in coverage_upkeep.expected_triggers(dialect):
        if dialect == "postgresql":
            db.session.execute(text(f"ALTER TABLE training_records DISABLE TRIGGER {name}"))
        else:
            db.session.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()  # whatever a failure left half-done
        coverage_upkeep.rebuild()
        db.session.commit()


def fix_sequences() -> None:
    """PostgreSQL: ids were given explicitly, so move the serial sequences past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(text("ANALYZE"))
        return
    for table in ("org_units", "users", "attempts"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )
    for table in ("org_units", "users", "attempts", "training_records", "plan_items"):
        db.session.execute(text(f"ANALYZE {table}"))
