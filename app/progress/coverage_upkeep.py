"""Checking and rebuilding the trigger-kept coverage tables (`flask coverage check|rebuild`).

Why: the dashboard's numbers are only as right as these tables. Triggers keep them exact under
every write the app makes, but a few operations go around triggers: a SQLite batch migration that
recreates `training_records` (it drops them), a data generator killed midway (it pauses them), a
bulk fix typed by hand in psql. `check` tells whether every trigger is in place and enabled and
whether each table equals a recomputation from the records; `rebuild` reinstalls the triggers and
recomputes the tables, in one transaction. Both reuse the migration's own backfill statements.

Both rewrite the tables inside their transaction (`check` then rolls back), so on PostgreSQL
writers of training records wait until they finish: a maintenance-window command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import text

from app.extensions import db
from app.progress import coverage_counts, coverage_officers, coverage_stamps

# Each table's columns, and the condition of rows that count (the triggers leave rows whose
# count fell to zero; a recomputation has none).
_TABLES = {
    "coverage_counts": (
        "unit_id, year, course_id, officer_type, due_on, done_month, records",
        "records <> 0",
    ),
    "coverage_officers": (
        "user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month",
        "1 = 1",
    ),
    "coverage_officer_counts": (
        "unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers",
        "officers <> 0",
    ),
}
_TRIGGER_NAME = re.compile(r"CREATE TRIGGER (\w+)")


@dataclass
class CoverageHealth:
    trigger_problems: dict[str, str] = field(default_factory=dict)  # name: "missing"/"disabled"
    # table: (rows it has that a recomputation has not, rows a recomputation has that it has not);
    # a wrong count shows on both sides
    differing_rows: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.trigger_problems and not any(
            extra or missing for extra, missing in self.differing_rows.values()
        )


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _trigger_statements(dialect: str) -> list[str]:
    return [
        *coverage_counts.triggers(dialect),
        *coverage_officers.triggers(dialect),
        *coverage_stamps.record_triggers(dialect),
    ]


def expected_triggers(dialect: str) -> list[str]:
    return [m.group(1) for s in _trigger_statements(dialect) for m in _TRIGGER_NAME.finditer(s)]


def trigger_problems() -> dict[str, str]:
    dialect = _dialect()
    if dialect == "postgresql":
        found = dict(
            db.session.execute(
                text(
                    "SELECT tgname, tgenabled FROM pg_trigger "
                    "WHERE tgrelid = 'training_records'::regclass AND NOT tgisinternal"
                )
            ).all()
        )
        enabled = {name for name, state in found.items() if state != "D"}
    else:
        found = set(
            db.session.scalars(
                text(
                    "SELECT name FROM sqlite_master "
                    "WHERE type = 'trigger' AND tbl_name = 'training_records'"
                )
            )
        )
        enabled = found
    return {
        name: "missing" if name not in found else "disabled"
        for name in expected_triggers(dialect)
        if name not in enabled
    }


def recompute(dialect: str) -> None:
    """Both tables from the records, with the migrations' own statements. Does not commit."""
    for statement in [*coverage_counts.backfill(dialect), *coverage_officers.backfill(dialect)]:
        db.session.execute(text(statement))


def check() -> CoverageHealth:
    """Triggers in place, and each table against a recomputation (rolled back: changes nothing)."""
    dialect = _dialect()
    health = CoverageHealth(trigger_problems=trigger_problems())
    db.session.rollback()  # one fresh transaction: snapshot and recomputation see the same records
    try:
        for table, (columns, counted) in _TABLES.items():
            snapshot = f"SELECT {columns} FROM {table} WHERE {counted}"
            db.session.execute(text(f"CREATE TEMP TABLE kept_{table} AS {snapshot}"))
        recompute(dialect)
        for table, (columns, counted) in _TABLES.items():
            now = f"SELECT {columns} FROM {table} WHERE {counted}"
            kept = f"SELECT {columns} FROM kept_{table}"
            health.differing_rows[table] = tuple(
                db.session.execute(
                    text(
                        f"SELECT (SELECT count(*) FROM ({kept} EXCEPT {now}) a),"
                        f" (SELECT count(*) FROM ({now} EXCEPT {kept}) b)"
                    )
                ).one()
            )
    finally:
        db.session.rollback()  # the recomputation and the temporary tables go
    return health


def rebuild() -> None:
    """Reinstall every coverage trigger (enabled) and recompute the tables. The caller commits."""
    dialect = _dialect()
    for name in expected_triggers(dialect):
        on = " ON training_records" if dialect == "postgresql" else ""
        db.session.execute(text(f"DROP TRIGGER IF EXISTS {name}{on}"))
    connection = db.session.connection()
    for statement in _trigger_statements(dialect):
        connection.exec_driver_sql(statement)  # as the migrations do: DDL, no parameters
    recompute(dialect)
    for statement in coverage_stamps.BUMP_ALL:  # rendered pages were made from the old tables
        db.session.execute(text(statement))
