"""coverage counts: statement triggers on PostgreSQL

The row trigger upserted the same few `coverage_counts` rows once per record; PostgreSQL keeps
every version a transaction writes of a row until it ends, so each upsert walked all earlier
ones and large writes went quadratic (a 15,000-officer roster import under four plan lines:
179 s). The counts are now kept by statement triggers with transition tables, one grouped
upsert per statement (app.progress.coverage_counts). Same counts, so no backfill; SQLite keeps
its row triggers (it updates rows in place).

Revision ID: 4f1c2a9e7b30
Revises: c3a7e5d19b42
Create Date: 2026-11-25 20:40:00.000000

"""
from alembic import op

from app.progress.coverage_counts import POSTGRES_DROP, POSTGRES_TRIGGERS

# revision identifiers, used by Alembic.
revision = '4f1c2a9e7b30'
down_revision = 'c3a7e5d19b42'
branch_labels = None
depends_on = None

# The row trigger as revision 5bf421ae2ea2 installed it, for the downgrade.
_ROW_APPLY = """
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
"""
_ROW_TRIGGER_FUNCTION = """
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
"""
_ROW_TRIGGER = (
    "CREATE TRIGGER tr_coverage AFTER INSERT OR UPDATE OR DELETE ON training_records "
    "FOR EACH ROW EXECUTE FUNCTION coverage_counts_trigger()"
)
_ROW_DROP = [
    "DROP FUNCTION IF EXISTS coverage_counts_trigger() CASCADE",
    "DROP FUNCTION IF EXISTS coverage_counts_apply(training_records, integer) CASCADE",
]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # One transaction (PostgreSQL DDL is transactional): no write is counted twice or missed.
    for statement in [*_ROW_DROP, *POSTGRES_DROP, *POSTGRES_TRIGGERS]:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in [*POSTGRES_DROP, _ROW_APPLY, _ROW_TRIGGER_FUNCTION, _ROW_TRIGGER]:
        op.execute(statement)
