"""coverage counts: statement triggers on PostgreSQL

The row trigger upserted the same few `coverage_counts` rows once per record; PostgreSQL keeps
every version a transaction writes of a row until it ends, so each upsert walked all earlier
ones and large writes went quadratic (a 15,000-officer roster import under four plan lines:
179 s). The counts are now kept by statement triggers with transition tables, one grouped
upsert per statement (written out below). Same counts, so no backfill; SQLite keeps
its row triggers (it updates rows in place).

Revision ID: 4f1c2a9e7b30
Revises: c3a7e5d19b42
Create Date: 2026-11-25 20:40:00.000000

"""
from alembic import op

# Frozen: the SQL as app.progress.coverage_counts held it (2026-12-06).
POSTGRES_DROP = [
    'DROP FUNCTION IF EXISTS coverage_counts_statement() CASCADE',
]
POSTGRES_TRIGGERS = [
    """
CREATE OR REPLACE FUNCTION coverage_counts_statement() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, DATE '9999-12-31'),
       COALESCE(EXTRACT(MONTH FROM r.completed_on)::integer, 0), count(*)
FROM new_rows r JOIN org_units u ON u.id = r.unit_id,
     unnest(ARRAY[u.level1_id, u.level2_id, u.level3_id]) AS a
WHERE r.required AND a IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
DO UPDATE SET records = coverage_counts.records + EXCLUDED.records
;
  ELSIF TG_OP = 'DELETE' THEN
    
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, DATE '9999-12-31'),
       COALESCE(EXTRACT(MONTH FROM r.completed_on)::integer, 0), -count(*)
FROM old_rows r JOIN org_units u ON u.id = r.unit_id,
     unnest(ARRAY[u.level1_id, u.level2_id, u.level3_id]) AS a
WHERE r.required AND a IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
DO UPDATE SET records = coverage_counts.records + EXCLUDED.records
;
  ELSE
    
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, DATE '9999-12-31'),
       COALESCE(EXTRACT(MONTH FROM r.completed_on)::integer, 0), -count(*)
FROM (SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.required IS DISTINCT FROM n.required OR o.unit_id IS DISTINCT FROM n.unit_id OR o.year IS DISTINCT FROM n.year OR o.course_id IS DISTINCT FROM n.course_id OR o.officer_type IS DISTINCT FROM n.officer_type OR o.due_on IS DISTINCT FROM n.due_on OR o.completed_on IS DISTINCT FROM n.completed_on) r JOIN org_units u ON u.id = r.unit_id,
     unnest(ARRAY[u.level1_id, u.level2_id, u.level3_id]) AS a
WHERE r.required AND a IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
DO UPDATE SET records = coverage_counts.records + EXCLUDED.records
;
    
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, DATE '9999-12-31'),
       COALESCE(EXTRACT(MONTH FROM r.completed_on)::integer, 0), count(*)
FROM (SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.required IS DISTINCT FROM n.required OR o.unit_id IS DISTINCT FROM n.unit_id OR o.year IS DISTINCT FROM n.year OR o.course_id IS DISTINCT FROM n.course_id OR o.officer_type IS DISTINCT FROM n.officer_type OR o.due_on IS DISTINCT FROM n.due_on OR o.completed_on IS DISTINCT FROM n.completed_on) r JOIN org_units u ON u.id = r.unit_id,
     unnest(ARRAY[u.level1_id, u.level2_id, u.level3_id]) AS a
WHERE r.required AND a IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
DO UPDATE SET records = coverage_counts.records + EXCLUDED.records
;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    'CREATE TRIGGER tr_coverage_insert AFTER INSERT ON training_records REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_counts_statement()',
    'CREATE TRIGGER tr_coverage_delete AFTER DELETE ON training_records REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_counts_statement()',
    'CREATE TRIGGER tr_coverage_update AFTER UPDATE ON training_records REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_counts_statement()',
]

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
