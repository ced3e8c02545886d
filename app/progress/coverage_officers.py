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
all the officer's required records of the year have one type T, one row per scope (T, partial
false) serves both the unfiltered view and the filter T. When they have several types (his type
changed during the year: completed records keep the old one), each scope gets one row ('*',
partial false) folding them all, for the unfiltered view, and one row per type present there
(T, partial true) folding that type's records, for the filter T. So the unfiltered view reads
`NOT partial`, the filter T reads `officer_type = T`: both exact.

`first_missing_due` is the earliest due date among the open required records (9999-12-31 when
none has one): late is `first_missing_due < today`, decided when reading. `done_month` is the
month of the last completion when all are completed, else 0.

The triggers refold the officer-years a write touched from their records (an indexed lookup: a
few rows each): take the old folds out of the counts, replace them, put the new ones in. So any
write — one completion, a plan line's bulk INSERT … SELECT, a roster move, a deleted officer —
leaves both tables exact. SQLite refolds per record written (row triggers); PostgreSQL once per
statement over all the officer-years it touched (statement triggers with transition tables: a
plan line over 20,000 officers is one set-based pass, not 20,000 function calls). Like
`coverage_counts`, the scope follows the units' level ids; a unit moved in the tree refolds the
officer-years of its subtree itself (app/tree/coverage.py), since no record is written.

Unlike `coverage_counts` (pure ±1 deltas, which commute), a refold reads the officers' folds
before rewriting them, so on PostgreSQL two transactions refolding one officer at once must not
both start from the same old fold: the refold first locks the officers' `users` rows (FOR NO KEY
UPDATE, in id order: row locks, so a plan line over 15,000 officers does not fill the lock
table; foreign key checks are not blocked). The second transaction waits for the first to
commit. A transaction that already holds such a row (a roster edit) and then waits for a record
another transaction is completing would deadlock with it, so the services that write records
lock their officers' rows first, in id order (app/progress/locking.py). SQLite runs one writer
at a time.
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


def _fold(dialect: str, where: str) -> str:
    """SELECT user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month:
    the folds of the required records matching `where` (alias r), per officer, year, scope and
    type.

    Each record counts once per scope — its level-1/2/3 ancestors (subtree, `own` false) and,
    for a unit above the grassroots (national included), the unit itself (`own` true) — under
    its own type and, when the officer's records of the year have several types, also under
    '*' (then its typed folds are `partial`)."""
    if dialect == "postgresql":
        no_due = f"DATE '{NO_DUE_DATE.isoformat()}'"
        month = "EXTRACT(MONTH FROM max(s.completed_on))::integer"
    else:
        no_due = f"'{NO_DUE_DATE.isoformat()}'"
        month = "CAST(strftime('%m', max(s.completed_on)) AS INTEGER)"
    return f"""
SELECT s.user_id, s.unit_id, s.year, s.own, s.officer_type, s.partial,
       COALESCE(min(CASE WHEN s.completed_on IS NULL THEN s.due_on END), {no_due})
         AS first_missing_due,
       CASE WHEN count(s.completed_on) = count(*) THEN {month} ELSE 0 END AS done_month
FROM (
  SELECT r.user_id, r.year, r.completed_on, r.due_on,
         CASE k.n WHEN 1 THEN u.level1_id WHEN 2 THEN u.level2_id WHEN 3 THEN u.level3_id
              ELSE CASE WHEN u.level < 3 THEN u.id END END AS unit_id,
         k.n = 0 AS own,
         CASE WHEN t.n = 0 THEN r.officer_type ELSE '{MIXED_TYPES}' END AS officer_type,
         t.n = 0 AND r.mixed AS partial
  FROM (SELECT r.user_id, r.year, r.unit_id, r.officer_type, r.completed_on, r.due_on,
               min(r.officer_type) OVER officer_year <> max(r.officer_type) OVER officer_year
                 AS mixed
        FROM training_records r WHERE r.required AND {where}
        WINDOW officer_year AS (PARTITION BY r.user_id, r.year)) r
  JOIN org_units u ON u.id = r.unit_id
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k
  JOIN (SELECT 0 AS n UNION ALL SELECT 1) t ON t.n = 0 OR r.mixed
) s
WHERE s.unit_id IS NOT NULL
GROUP BY s.user_id, s.year, s.unit_id, s.own, s.officer_type, s.partial
"""


def _refresh(dialect: str, officer_years: str) -> list[str]:
    """Statements that refold the officer-years that `officer_years` (a condition on
    `{a}user_id` and `{a}year`, `a` an alias prefix) selects: take their old folds out of the
    counts, replace them, put the new ones in."""
    mine = officer_years.format(a="")
    fold = _fold(dialect, officer_years.format(a="r."))
    # An upsert finds a count by its whole key (the unique index), in both directions.
    move = (
        f"INSERT INTO coverage_officer_counts ({_KEY}, officers) "
        f"SELECT {_KEY}, {{sign}}count(*) FROM coverage_officers WHERE {mine} GROUP BY {_KEY} "
        f"ON CONFLICT ({_KEY}) "
        "DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers"
    )
    return [
        move.format(sign="-"),
        f"DELETE FROM coverage_officers WHERE {mine}",
        f"INSERT INTO coverage_officers ({_SUMMARY_COLUMNS}) "
        f"SELECT {_SUMMARY_COLUMNS} FROM ({fold}) n",
        move.format(sign=""),
    ]


# An update matters when it touches what the folds read.
_READ = ("required", "completed_on", "due_on", "unit_id", "officer_type", "user_id", "year")


def _changed(old: str, new: str, differ: str) -> str:
    return " OR ".join(f"{old}.{c} {differ} {new}.{c}" for c in _READ)


# --- SQLite: row triggers (one refold per record written) ---------------------------------------
def _sqlite_body(row: str) -> str:
    statements = _refresh("sqlite", f"{{a}}user_id = {row}.user_id AND {{a}}year = {row}.year")
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
    f"WHEN (OLD.required OR NEW.required) AND ({_changed('OLD', 'NEW', 'IS NOT')}) "
    + _sqlite_body("OLD"),
    # … and the one it joined, when it changed officer or year.
    "CREATE TRIGGER tr_coverage_officers_update_new AFTER UPDATE ON training_records "
    "WHEN NEW.required AND (OLD.user_id IS NOT NEW.user_id OR OLD.year IS NOT NEW.year) "
    + _sqlite_body("NEW"),
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGER_NAMES]

# --- PostgreSQL: statement triggers (one set-based refold per statement) -------------------------
# A plan line's INSERT … SELECT over 20,000 officers refolds them in one pass rather than one
# function call per record (row triggers: 1.3 ms a record).
_PG_PAIRS = (
    "({a}user_id, {a}year) IN "
    "(SELECT p.user_id, p.year FROM unnest(p_users, p_years) AS p(user_id, year))"
)
_PG_REFOLD_BODY = ";\n".join(_refresh("postgresql", _PG_PAIRS))
_PG_UPDATED = (
    "FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE (o.required OR n.required) AND ("
    + _changed("o", "n", "IS DISTINCT FROM")
    + ")"
)
POSTGRES_TRIGGERS = [
    f"""
CREATE OR REPLACE FUNCTION coverage_officers_refold(p_users integer[], p_years integer[])
RETURNS void AS $$
BEGIN
  -- One refold of an officer at a time: a second transaction waits here, then reads the
  -- folds and records the first one committed (row locks, in id order: no lock-table slot
  -- per officer, fewer deadlocks between two bulk writes).
  PERFORM 1 FROM users WHERE id = ANY(p_users) ORDER BY id FOR NO KEY UPDATE;
{_PG_REFOLD_BODY};
END;
$$ LANGUAGE plpgsql
""",
    f"""
CREATE OR REPLACE FUNCTION coverage_officers_trigger() RETURNS trigger AS $$
DECLARE
  p_users integer[];
  p_years integer[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(user_id ORDER BY user_id, year), array_agg(year ORDER BY user_id, year)
    INTO p_users, p_years
    FROM (SELECT DISTINCT user_id, year FROM new_rows WHERE required) p;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(user_id ORDER BY user_id, year), array_agg(year ORDER BY user_id, year)
    INTO p_users, p_years
    FROM (SELECT DISTINCT user_id, year FROM old_rows WHERE required) p;
  ELSE
    SELECT array_agg(user_id ORDER BY user_id, year), array_agg(year ORDER BY user_id, year)
    INTO p_users, p_years
    FROM (SELECT o.user_id, o.year {_PG_UPDATED}
          UNION SELECT n.user_id, n.year {_PG_UPDATED}) p;
  END IF;
  IF p_users IS NOT NULL THEN
    PERFORM coverage_officers_refold(p_users, p_years);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER tr_coverage_officers_insert AFTER INSERT ON training_records "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION coverage_officers_trigger()",
    "CREATE TRIGGER tr_coverage_officers_delete AFTER DELETE ON training_records "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION coverage_officers_trigger()",
    "CREATE TRIGGER tr_coverage_officers_update AFTER UPDATE ON training_records "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION coverage_officers_trigger()",
]
POSTGRES_DROP = [
    "DROP FUNCTION IF EXISTS coverage_officers_trigger() CASCADE",
    "DROP FUNCTION IF EXISTS coverage_officers_refold(integer[], integer[]) CASCADE",
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


def refold_statements(dialect: str, officer_years: str) -> list[str]:
    """Statements refolding the officer-years `officer_years` selects (a condition on
    `{a}user_id` and `{a}year`): for a change the triggers do not see, such as a unit moved
    in the tree (app/tree/coverage.py)."""
    return _refresh(dialect, officer_years)
