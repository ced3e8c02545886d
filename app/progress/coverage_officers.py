"""Pre-aggregated coverage across all required courses, kept exact by database triggers on
`training_records` — the "every required course" view of the dashboard, where an officer counts
once a year: required when he has a required record in the year, trained only when every one is
completed (on the date of the last), late when any open one is overdue.

Two tables:

* `coverage_officers` — the fold of one officer's required records of one year, per *scope*:
  each ancestor unit (level 1–3) of the records' units counts the records in its subtree
  (`own` false), and a unit above the grassroots also gets a row for the records attached to
  the unit itself (`own` true: the dashboard's "officers of the unit itself" line). Folding
  per ancestor rather than per record unit is what keeps the numbers exact when an officer's
  records of one year sit in two units (a move: completed records stay where they were, open
  ones follow him), as the scan does: he counts once under a common ancestor.
* `coverage_officer_counts` — how many such folds per (scope unit, own, year, officer type,
  partial, first missing due date, done month): the dashboard reads a handful of these rows
  per child unit whatever the number of officers.

Officer type (the dashboard's filter keeps only the records of that type before folding): when
all the officer's records in a scope have one type T, one row (T, partial false) serves both the
unfiltered view and the filter T. When they have several types (the type changed during the
year), one row ('*', partial false) folds them all, for the unfiltered view, and one row per type
(T, partial true) folds that type's records, for the filter T. So the unfiltered view reads
`NOT partial`, the filter T reads `officer_type = T`: both exact.

`first_missing_due` is the earliest due date among the open required records (9999-12-31 when
none has one): late is `first_missing_due < today`, decided when reading. `done_month` is the
month of the last completion when all are completed, else 0.

The triggers refold the officer's year from his records (an indexed lookup: a few rows) and
apply the difference to the counts, so any write — one completion, a plan line's bulk
INSERT … SELECT, a roster move, a deleted officer — leaves both tables exact. Like
`coverage_counts`, the scope follows the units' level ids, which never change after a unit is
created (units are not moved in the tree).

Unlike `coverage_counts` (pure ±1 deltas, which commute), a refold reads the officer's fold
before rewriting it, so on PostgreSQL two transactions refolding one officer at once must not
both start from the same old fold: the refold first locks the officer's `users` row (FOR NO KEY
UPDATE: a row lock, so a plan line over 15,000 officers does not fill the lock table; foreign
key checks are not blocked). The second transaction waits for the first to commit. A
transaction that already holds that row (a roster edit) and then waits for a record another
transaction is completing can deadlock with it; PostgreSQL detects it and aborts one. SQLite
runs one writer at a time.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import DDL, Boolean, Date, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

NO_DUE_DATE = date(9999, 12, 31)  # part of the key, so never NULL
MIXED_TYPES = "*"  # officer_type of the fold over all types, when an officer has several


class CoverageOfficer(db.Model):
    """One officer's required records of one year, folded per scope unit (and type)."""

    __tablename__ = "coverage_officers"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    own: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    officer_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    partial: Mapped[bool] = mapped_column(Boolean)
    first_missing_due: Mapped[date] = mapped_column(Date)
    done_month: Mapped[int] = mapped_column(Integer)


class CoverageOfficerCount(db.Model):
    """How many officer folds per key: what the "all required courses" dashboard reads."""

    __tablename__ = "coverage_officer_counts"
    __table_args__ = (
        Index(
            "uq_coverage_officer_counts_key",
            "unit_id",
            "year",
            "own",
            "officer_type",
            "partial",
            "first_missing_due",
            "done_month",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    own: Mapped[bool] = mapped_column(Boolean)
    officer_type: Mapped[str] = mapped_column(String(20))
    partial: Mapped[bool] = mapped_column(Boolean)
    first_missing_due: Mapped[date] = mapped_column(Date)
    done_month: Mapped[int] = mapped_column(Integer)
    officers: Mapped[int] = mapped_column(Integer, default=0)


_KEY = "unit_id, year, own, officer_type, partial, first_missing_due, done_month"
_SUMMARY_COLUMNS = f"user_id, {_KEY}"

# Each required record once per scope: its level-1/2/3 ancestors (subtree, own false) and, for
# a unit above the grassroots (national included), the unit itself (own true).
_SCOPED = """
SELECT r.user_id, r.year, r.officer_type, r.completed_on, r.due_on,
       CASE k.n WHEN 1 THEN u.level1_id WHEN 2 THEN u.level2_id WHEN 3 THEN u.level3_id
            ELSE CASE WHEN u.level < 3 THEN u.id END END AS unit_id,
       k.n = 0 AS own
FROM training_records r JOIN org_units u ON u.id = r.unit_id
CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k
WHERE r.required AND {where}
"""


def _fold(dialect: str, where: str) -> str:
    """SELECT user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month:
    the folds of the records matching `where` (alias r), per officer, year, scope and type."""
    if dialect == "postgresql":
        no_due = f"DATE '{NO_DUE_DATE.isoformat()}'"
        month = "EXTRACT(MONTH FROM max(s.completed_on))::integer"
    else:
        no_due = f"'{NO_DUE_DATE.isoformat()}'"
        month = "CAST(strftime('%m', max(s.completed_on)) AS INTEGER)"
    due = f"COALESCE(min(CASE WHEN s.completed_on IS NULL THEN s.due_on END), {no_due})"
    done = f"CASE WHEN count(s.completed_on) = count(*) THEN {month} ELSE 0 END"
    scoped = _SCOPED.format(where=where)
    return f"""
SELECT f.user_id, f.unit_id, f.year, f.own, f.officer_type,
       count(*) OVER (PARTITION BY f.user_id, f.year, f.unit_id, f.own) > 1 AS partial,
       f.first_missing_due, f.done_month
FROM (SELECT s.user_id, s.year, s.unit_id, s.own, s.officer_type,
             {due} AS first_missing_due, {done} AS done_month
      FROM ({scoped}) s WHERE s.unit_id IS NOT NULL
      GROUP BY s.user_id, s.year, s.unit_id, s.own, s.officer_type) f
UNION ALL
SELECT s.user_id, s.unit_id, s.year, s.own, '{MIXED_TYPES}', FALSE, {due}, {done}
FROM ({scoped}) s WHERE s.unit_id IS NOT NULL
GROUP BY s.user_id, s.year, s.unit_id, s.own
HAVING count(DISTINCT s.officer_type) > 1
"""


def _refresh(dialect: str, user: str, year: str) -> list[str]:
    """Statements that refold one officer's year and move the counts by the difference."""
    where = f"r.user_id = {user} AND r.year = {year}"
    mine = f"user_id = {user} AND year = {year}"
    return [
        f"""
INSERT INTO coverage_officer_counts ({_KEY}, officers)
SELECT {_KEY}, sum(d.delta) FROM (
  SELECT {_KEY}, -1 AS delta FROM coverage_officers WHERE {mine}
  UNION ALL
  SELECT {_KEY}, 1 AS delta FROM ({_fold(dialect, where)}) n
) d
GROUP BY {_KEY} HAVING sum(d.delta) <> 0
ON CONFLICT ({_KEY})
DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers""",
        f"DELETE FROM coverage_officers WHERE {mine}",
        f"INSERT INTO coverage_officers ({_SUMMARY_COLUMNS}) "
        f"SELECT {_SUMMARY_COLUMNS} FROM ({_fold(dialect, where)}) n",
    ]


# An update matters when it touches what the folds read.
_CHANGED = " OR ".join(
    f"OLD.{c} IS NOT NEW.{c}"
    for c in ("required", "completed_on", "due_on", "unit_id", "officer_type", "user_id", "year")
)
_MOVED = "OLD.user_id IS NOT NEW.user_id OR OLD.year IS NOT NEW.year"


# --- SQLite -----------------------------------------------------------------------------------
def _sqlite_body(row: str) -> str:
    statements = _refresh("sqlite", f"{row}.user_id", f"{row}.year")
    return "BEGIN " + " ".join(s.strip() + ";" for s in statements) + " END"


SQLITE_TRIGGER_NAMES = [
    "tr_coverage_officers_insert",
    "tr_coverage_officers_delete",
    "tr_coverage_officers_update",
    "tr_coverage_officers_update_new",
]
SQLITE_TRIGGERS = [
    "CREATE TRIGGER tr_coverage_officers_insert AFTER INSERT ON training_records "
    "WHEN NEW.required " + _sqlite_body("NEW"),
    "CREATE TRIGGER tr_coverage_officers_delete AFTER DELETE ON training_records "
    "WHEN OLD.required " + _sqlite_body("OLD"),
    # The officer-year the record left (or stays in) …
    "CREATE TRIGGER tr_coverage_officers_update AFTER UPDATE ON training_records "
    f"WHEN (OLD.required OR NEW.required) AND ({_CHANGED}) " + _sqlite_body("OLD"),
    # … and the one it joined, when it changed officer or year.
    "CREATE TRIGGER tr_coverage_officers_update_new AFTER UPDATE ON training_records "
    f"WHEN NEW.required AND ({_MOVED}) " + _sqlite_body("NEW"),
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGER_NAMES]

# --- PostgreSQL -------------------------------------------------------------------------------
_PG_REFRESH_BODY = ";\n".join(_refresh("postgresql", "p_user", "p_year"))
POSTGRES_TRIGGERS = [
    f"""
CREATE OR REPLACE FUNCTION coverage_officers_refresh(p_user integer, p_year integer)
RETURNS void AS $$
BEGIN
  -- One refold of an officer at a time: a second transaction waits here, then reads the
  -- fold and records the first one committed (a row lock: no lock-table slot per officer).
  PERFORM 1 FROM users WHERE id = p_user FOR NO KEY UPDATE;
{_PG_REFRESH_BODY};
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE OR REPLACE FUNCTION coverage_officers_trigger() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM coverage_officers_refresh(OLD.user_id, OLD.year);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.required
      AND (OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.year IS DISTINCT FROM NEW.year)) THEN
    PERFORM coverage_officers_refresh(NEW.user_id, NEW.year);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER tr_coverage_officers_insert AFTER INSERT ON training_records "
    "FOR EACH ROW WHEN (NEW.required) EXECUTE FUNCTION coverage_officers_trigger()",
    "CREATE TRIGGER tr_coverage_officers_delete AFTER DELETE ON training_records "
    "FOR EACH ROW WHEN (OLD.required) EXECUTE FUNCTION coverage_officers_trigger()",
    "CREATE TRIGGER tr_coverage_officers_update AFTER UPDATE ON training_records "
    "FOR EACH ROW WHEN ((OLD.required OR NEW.required) AND ("
    + _CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")
    + ")) EXECUTE FUNCTION coverage_officers_trigger()",
]
POSTGRES_DROP = [
    "DROP FUNCTION IF EXISTS coverage_officers_trigger() CASCADE",
    "DROP FUNCTION IF EXISTS coverage_officers_refresh(integer, integer) CASCADE",
]


def triggers(dialect: str) -> list[str]:
    return {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, [])


def drop_triggers(dialect: str) -> list[str]:
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(dialect, [])


def backfill(dialect: str) -> list[str]:
    """Recompute both tables from the records (the migration; the data generator after a bulk
    load with the triggers off)."""
    return [
        "DELETE FROM coverage_officer_counts",
        "DELETE FROM coverage_officers",
        f"INSERT INTO coverage_officers ({_SUMMARY_COLUMNS}) "
        f"SELECT {_SUMMARY_COLUMNS} FROM ({_fold(dialect, 'TRUE')}) n",
        f"INSERT INTO coverage_officer_counts ({_KEY}, officers) "
        f"SELECT {_KEY}, count(*) FROM coverage_officers GROUP BY {_KEY}",
    ]


def _install(target, connection, tables=(), **kw) -> None:
    if any(table.name == CoverageOfficer.__tablename__ for table in tables):
        for statement in triggers(connection.dialect.name):
            connection.exec_driver_sql(statement)


def install_triggers_on_create() -> None:
    """`db.create_all()` (tests) creates the triggers too, once every table exists;
    migrations create them themselves."""
    event.listen(db.metadata, "after_create", _install)
    for statement in POSTGRES_DROP:
        event.listen(db.metadata, "before_drop", DDL(statement).execute_if(dialect="postgresql"))
