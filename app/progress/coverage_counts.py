"""Pre-aggregated coverage: required records per (ancestor unit, year, course, officer type,
due date, month of completion), kept exact by database triggers on `training_records`.

Why triggers: every path that writes training records — completions, plan lines (bulk
INSERT … SELECT), roster moves and deactivations, classes, major versions, the data generator —
updates the counts in the same transaction without having to remember to. Why this shape: the
coverage of a unit for one course then reads a handful of rows per child unit, however many
officers there are (sub-linear in the roster; see bench S3).

`unit_id` is each ancestor of the record's unit (its level-1, level-2 and level-3 ids, itself
included): a unit's row counts its whole subtree. `done_month` is 0 while not completed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import DDL, Date, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

NO_DUE_DATE = date(9999, 12, 31)  # part of the key, so never NULL


class CoverageCount(db.Model):
    __tablename__ = "coverage_counts"
    __table_args__ = (
        Index(
            "uq_coverage_counts_key",
            "unit_id",
            "year",
            "course_id",
            "officer_type",
            "due_on",
            "done_month",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    officer_type: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    done_month: Mapped[int] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer, default=0)


# --- SQLite -----------------------------------------------------------------------------------
_SQLITE_ADD = """
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a.id, {r}.year, {r}.course_id, {r}.officer_type, COALESCE({r}.due_on, '9999-12-31'),
       COALESCE(CAST(strftime('%m', {r}.completed_on) AS INTEGER), 0), 1
FROM org_units u JOIN org_units a ON a.id IN (u.level1_id, u.level2_id, u.level3_id)
WHERE u.id = {r}.unit_id
ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
DO UPDATE SET records = records + 1;
"""
_SQLITE_REMOVE = """
UPDATE coverage_counts SET records = records - 1
WHERE year = {r}.year AND course_id = {r}.course_id AND officer_type = {r}.officer_type
  AND due_on = COALESCE({r}.due_on, '9999-12-31')
  AND done_month = COALESCE(CAST(strftime('%m', {r}.completed_on) AS INTEGER), 0)
  AND unit_id IN (SELECT a.id FROM org_units u JOIN org_units a
                  ON a.id IN (u.level1_id, u.level2_id, u.level3_id) WHERE u.id = {r}.unit_id);
"""
SQLITE_TRIGGERS = [
    "CREATE TRIGGER tr_coverage_insert AFTER INSERT ON training_records WHEN NEW.required "
    "BEGIN " + _SQLITE_ADD.format(r="NEW") + " END",
    "CREATE TRIGGER tr_coverage_delete AFTER DELETE ON training_records WHEN OLD.required "
    "BEGIN " + _SQLITE_REMOVE.format(r="OLD") + " END",
    "CREATE TRIGGER tr_coverage_update_old AFTER UPDATE ON training_records WHEN OLD.required "
    "BEGIN " + _SQLITE_REMOVE.format(r="OLD") + " END",
    "CREATE TRIGGER tr_coverage_update_new AFTER UPDATE ON training_records WHEN NEW.required "
    "BEGIN " + _SQLITE_ADD.format(r="NEW") + " END",
]

# --- PostgreSQL: statement triggers (one grouped upsert per statement) --------------------------
# Row triggers upserted the same few count rows once per record. PostgreSQL keeps every version
# a transaction writes of a row until it ends, and each upsert walks the versions before it: a
# roster import of 15,000 officers under four plan lines (60,000 records) took 179 s, each
# 1,000-record statement slower than the last (0.1 s to 4 s of trigger time). Grouped per
# statement, a count row changes once per statement whatever the number of records in it.
_PG_UPSERT = """
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, DATE '9999-12-31'),
       COALESCE(EXTRACT(MONTH FROM r.completed_on)::integer, 0), {sign}count(*)
FROM {rows} r JOIN org_units u ON u.id = r.unit_id,
     unnest(ARRAY[u.level1_id, u.level2_id, u.level3_id]) AS a
WHERE r.required AND a IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
DO UPDATE SET records = coverage_counts.records + EXCLUDED.records
"""
# (Sorted: two transactions lock the count rows they share in the same order.)

# An update moves a record between counts only when it changes what they are keyed by.
_COUNTED = ("required", "unit_id", "year", "course_id", "officer_type", "due_on", "completed_on")
_PG_MOVED = (
    "(SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE "
    + " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in _COUNTED)
    + ")"
)

POSTGRES_TRIGGERS = [
    f"""
CREATE OR REPLACE FUNCTION coverage_counts_statement() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_PG_UPSERT.format(sign="", rows="new_rows")};
  ELSIF TG_OP = 'DELETE' THEN
    {_PG_UPSERT.format(sign="-", rows="old_rows")};
  ELSE
    {_PG_UPSERT.format(sign="-", rows=_PG_MOVED.format(side="o"))};
    {_PG_UPSERT.format(sign="", rows=_PG_MOVED.format(side="n"))};
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER tr_coverage_insert AFTER INSERT ON training_records "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION coverage_counts_statement()",
    "CREATE TRIGGER tr_coverage_delete AFTER DELETE ON training_records "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION coverage_counts_statement()",
    "CREATE TRIGGER tr_coverage_update AFTER UPDATE ON training_records "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION coverage_counts_statement()",
]


def triggers(dialect: str) -> list[str]:
    return {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, [])


def backfill(dialect: str) -> list[str]:
    """Recompute the counts from the records (`flask coverage rebuild`, the data generator)."""
    fill = {"sqlite": BACKFILL_SQLITE, "postgresql": BACKFILL_POSTGRES}[dialect]
    return ["DELETE FROM coverage_counts", fill]


def _install(target, connection, **kw) -> None:
    for statement in triggers(connection.dialect.name):
        connection.exec_driver_sql(statement)


def install_triggers_on_create() -> None:
    """`db.create_all()` (tests) creates the triggers too; migrations create them themselves."""
    from app.progress.models import TrainingRecord

    event.listen(TrainingRecord.__table__, "after_create", _install)
    for statement in POSTGRES_DROP:
        event.listen(
            TrainingRecord.__table__, "before_drop", DDL(statement).execute_if(dialect="postgresql")
        )


POSTGRES_DROP = ["DROP FUNCTION IF EXISTS coverage_counts_statement() CASCADE"]

# Fills the counts from the records already there (the migration that adds the table).
BACKFILL_SQLITE = """
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a.id, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, '9999-12-31'),
       COALESCE(CAST(strftime('%m', r.completed_on) AS INTEGER), 0), count(*)
FROM training_records r JOIN org_units u ON u.id = r.unit_id
JOIN org_units a ON a.id IN (u.level1_id, u.level2_id, u.level3_id)
WHERE r.required GROUP BY 1, 2, 3, 4, 5, 6
"""
BACKFILL_POSTGRES = """
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, DATE '9999-12-31'),
       COALESCE(EXTRACT(MONTH FROM r.completed_on)::integer, 0), count(*)
FROM training_records r JOIN org_units u ON u.id = r.unit_id,
     unnest(ARRAY[u.level1_id, u.level2_id, u.level3_id]) AS a
WHERE r.required AND a IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6
"""
