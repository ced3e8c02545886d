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

# --- PostgreSQL -------------------------------------------------------------------------------
POSTGRES_TRIGGERS = [
    """
CREATE OR REPLACE FUNCTION coverage_counts_apply(rec training_records, delta integer)
RETURNS void AS $$
BEGIN
  INSERT INTO coverage_counts
    (unit_id, year, course_id, officer_type, due_on, done_month, records)
  SELECT a, rec.year, rec.course_id, rec.officer_type, COALESCE(rec.due_on, DATE '9999-12-31'),
         COALESCE(EXTRACT(MONTH FROM rec.completed_on)::integer, 0), delta
  FROM org_units u, unnest(ARRAY[u.level1_id, u.level2_id, u.level3_id]) AS a
  WHERE u.id = rec.unit_id AND a IS NOT NULL
  ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
  DO UPDATE SET records = coverage_counts.records + EXCLUDED.records;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE OR REPLACE FUNCTION coverage_counts_trigger() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.required THEN
    PERFORM coverage_counts_apply(OLD, -1);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.required THEN
    PERFORM coverage_counts_apply(NEW, 1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER tr_coverage AFTER INSERT OR UPDATE OR DELETE ON training_records "
    "FOR EACH ROW EXECUTE FUNCTION coverage_counts_trigger()",
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


POSTGRES_DROP = [
    "DROP FUNCTION IF EXISTS coverage_counts_trigger() CASCADE",
    "DROP FUNCTION IF EXISTS coverage_counts_apply(training_records, integer) CASCADE",
]

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
