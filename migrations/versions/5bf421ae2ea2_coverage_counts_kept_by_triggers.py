"""coverage counts kept by triggers

The trigger and backfill SQL is written out here (frozen), as app.progress.coverage_counts held
it; tests/test_migrations.py checks that a migrated database and create_all install the same triggers. NOTE for later migrations: a SQLite batch
migration that recreates `training_records` drops its triggers — reinstall them after it.

Revision ID: 5bf421ae2ea2
Revises: bb825a6bb8ef
Create Date: 2026-11-25 13:55:56.759643

"""
from alembic import op
import sqlalchemy as sa


# Frozen: the SQL as app.progress.coverage_counts held it when this revision was last run
# (2026-12-06); later app changes come with their own migrations.
BACKFILL_POSTGRES = """
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, DATE '9999-12-31'),
       COALESCE(EXTRACT(MONTH FROM r.completed_on)::integer, 0), count(*)
FROM training_records r JOIN org_units u ON u.id = r.unit_id,
     unnest(ARRAY[u.level1_id, u.level2_id, u.level3_id]) AS a
WHERE r.required AND a IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6
"""
BACKFILL_SQLITE = """
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a.id, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, '9999-12-31'),
       COALESCE(CAST(strftime('%m', r.completed_on) AS INTEGER), 0), count(*)
FROM training_records r JOIN org_units u ON u.id = r.unit_id
JOIN org_units a ON a.id IN (u.level1_id, u.level2_id, u.level3_id)
WHERE r.required GROUP BY 1, 2, 3, 4, 5, 6
"""
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
SQLITE_TRIGGERS = [
    """CREATE TRIGGER tr_coverage_insert AFTER INSERT ON training_records WHEN NEW.required BEGIN 
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a.id, NEW.year, NEW.course_id, NEW.officer_type, COALESCE(NEW.due_on, '9999-12-31'),
       COALESCE(CAST(strftime('%m', NEW.completed_on) AS INTEGER), 0), 1
FROM org_units u JOIN org_units a ON a.id IN (u.level1_id, u.level2_id, u.level3_id)
WHERE u.id = NEW.unit_id
ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
DO UPDATE SET records = records + 1;
 END""",
    """CREATE TRIGGER tr_coverage_delete AFTER DELETE ON training_records WHEN OLD.required BEGIN 
UPDATE coverage_counts SET records = records - 1
WHERE year = OLD.year AND course_id = OLD.course_id AND officer_type = OLD.officer_type
  AND due_on = COALESCE(OLD.due_on, '9999-12-31')
  AND done_month = COALESCE(CAST(strftime('%m', OLD.completed_on) AS INTEGER), 0)
  AND unit_id IN (SELECT a.id FROM org_units u JOIN org_units a
                  ON a.id IN (u.level1_id, u.level2_id, u.level3_id) WHERE u.id = OLD.unit_id);
 END""",
    """CREATE TRIGGER tr_coverage_update_old AFTER UPDATE ON training_records WHEN OLD.required BEGIN 
UPDATE coverage_counts SET records = records - 1
WHERE year = OLD.year AND course_id = OLD.course_id AND officer_type = OLD.officer_type
  AND due_on = COALESCE(OLD.due_on, '9999-12-31')
  AND done_month = COALESCE(CAST(strftime('%m', OLD.completed_on) AS INTEGER), 0)
  AND unit_id IN (SELECT a.id FROM org_units u JOIN org_units a
                  ON a.id IN (u.level1_id, u.level2_id, u.level3_id) WHERE u.id = OLD.unit_id);
 END""",
    """CREATE TRIGGER tr_coverage_update_new AFTER UPDATE ON training_records WHEN NEW.required BEGIN 
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a.id, NEW.year, NEW.course_id, NEW.officer_type, COALESCE(NEW.due_on, '9999-12-31'),
       COALESCE(CAST(strftime('%m', NEW.completed_on) AS INTEGER), 0), 1
FROM org_units u JOIN org_units a ON a.id IN (u.level1_id, u.level2_id, u.level3_id)
WHERE u.id = NEW.unit_id
ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
DO UPDATE SET records = records + 1;
 END""",
]


# revision identifiers, used by Alembic.
revision = '5bf421ae2ea2'
down_revision = 'bb825a6bb8ef'
branch_labels = None
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('coverage_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('officer_type', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_month', sa.Integer(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_coverage_counts_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_coverage_counts_unit_id_org_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_counts'))
    )
    with op.batch_alter_table('coverage_counts', schema=None) as batch_op:
        batch_op.create_index('uq_coverage_counts_key', ['unit_id', 'year', 'course_id', 'officer_type', 'due_on', 'done_month'], unique=True)

    # ### end Alembic commands ###
    if op.get_bind().dialect.name == "postgresql":
        statements = [BACKFILL_POSTGRES, *POSTGRES_TRIGGERS]
    else:
        statements = [BACKFILL_SQLITE, *SQLITE_TRIGGERS]
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        # The row trigger this revision first installed, and today's statement triggers.
        for statement in [
            "DROP FUNCTION IF EXISTS coverage_counts_trigger() CASCADE",
            "DROP FUNCTION IF EXISTS coverage_counts_apply(training_records, integer) CASCADE",
            *POSTGRES_DROP,
        ]:
            op.execute(statement)
    else:
        for name in ("insert", "delete", "update_old", "update_new"):
            op.execute(f"DROP TRIGGER IF EXISTS tr_coverage_{name}")
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('coverage_counts', schema=None) as batch_op:
        batch_op.drop_index('uq_coverage_counts_key')

    op.drop_table('coverage_counts')
    # ### end Alembic commands ###
