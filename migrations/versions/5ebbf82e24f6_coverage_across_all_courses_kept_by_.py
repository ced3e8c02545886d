"""coverage across all courses kept by triggers

One row per officer, year and scope unit folding his required records (`coverage_officers`), and
the counts of those folds that the "every required course" dashboard reads
(`coverage_officer_counts`), kept by triggers on training_records (row triggers on SQLite,
statement triggers with transition tables on PostgreSQL), plus the index
training_records(user_id, year) the refolds look records up by. The trigger and backfill SQL is
written out here (frozen) as app.progress.coverage_officers produced it; tests/test_migrations.py
checks that a migrated database and create_all install the same triggers.
NOTE for later migrations: a SQLite batch migration that recreates `training_records` drops its
triggers — reinstall them after it (this module's and app.progress.coverage_counts').

Revision ID: 5ebbf82e24f6
Revises: 86d053507802
Create Date: 2026-11-25 15:45:24.962785

"""
from alembic import op
import sqlalchemy as sa

# Frozen: the SQL as app.progress.coverage_officers produced it (2026-12-06), per dialect.
_BACKFILL_SQLITE = [
    'DELETE FROM coverage_officer_counts',
    'DELETE FROM coverage_officers',
    """INSERT INTO coverage_officers (user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month) SELECT user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month FROM (
SELECT s.user_id, s.unit_id, s.year, s.own, s.officer_type, s.partial,
       COALESCE(min(CASE WHEN s.completed_on IS NULL THEN s.due_on END), '9999-12-31')
         AS first_missing_due,
       CASE WHEN count(s.completed_on) = count(*) THEN CAST(strftime('%m', max(s.completed_on)) AS INTEGER) ELSE 0 END AS done_month
FROM (
  SELECT r.user_id, r.year, r.completed_on, r.due_on,
         CASE k.n WHEN 1 THEN u.level1_id WHEN 2 THEN u.level2_id WHEN 3 THEN u.level3_id
              ELSE CASE WHEN u.level < 3 THEN u.id END END AS unit_id,
         k.n = 0 AS own,
         CASE WHEN t.n = 0 THEN r.officer_type ELSE '*' END AS officer_type,
         t.n = 0 AND r.mixed AS partial
  FROM (SELECT r.user_id, r.year, r.unit_id, r.officer_type, r.completed_on, r.due_on,
               min(r.officer_type) OVER officer_year <> max(r.officer_type) OVER officer_year
                 AS mixed
        FROM training_records r WHERE r.required AND TRUE
        WINDOW officer_year AS (PARTITION BY r.user_id, r.year)) r
  JOIN org_units u ON u.id = r.unit_id
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k
  JOIN (SELECT 0 AS n UNION ALL SELECT 1) t ON t.n = 0 OR r.mixed
) s
WHERE s.unit_id IS NOT NULL
GROUP BY s.user_id, s.year, s.unit_id, s.own, s.officer_type, s.partial
) n""",
    'INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, count(*) FROM coverage_officers GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month',
]
_BACKFILL_POSTGRES = [
    'DELETE FROM coverage_officer_counts',
    'DELETE FROM coverage_officers',
    """INSERT INTO coverage_officers (user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month) SELECT user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month FROM (
SELECT s.user_id, s.unit_id, s.year, s.own, s.officer_type, s.partial,
       COALESCE(min(CASE WHEN s.completed_on IS NULL THEN s.due_on END), DATE '9999-12-31')
         AS first_missing_due,
       CASE WHEN count(s.completed_on) = count(*) THEN EXTRACT(MONTH FROM max(s.completed_on))::integer ELSE 0 END AS done_month
FROM (
  SELECT r.user_id, r.year, r.completed_on, r.due_on,
         CASE k.n WHEN 1 THEN u.level1_id WHEN 2 THEN u.level2_id WHEN 3 THEN u.level3_id
              ELSE CASE WHEN u.level < 3 THEN u.id END END AS unit_id,
         k.n = 0 AS own,
         CASE WHEN t.n = 0 THEN r.officer_type ELSE '*' END AS officer_type,
         t.n = 0 AND r.mixed AS partial
  FROM (SELECT r.user_id, r.year, r.unit_id, r.officer_type, r.completed_on, r.due_on,
               min(r.officer_type) OVER officer_year <> max(r.officer_type) OVER officer_year
                 AS mixed
        FROM training_records r WHERE r.required AND TRUE
        WINDOW officer_year AS (PARTITION BY r.user_id, r.year)) r
  JOIN org_units u ON u.id = r.unit_id
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k
  JOIN (SELECT 0 AS n UNION ALL SELECT 1) t ON t.n = 0 OR r.mixed
) s
WHERE s.unit_id IS NOT NULL
GROUP BY s.user_id, s.year, s.unit_id, s.own, s.officer_type, s.partial
) n""",
    'INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, count(*) FROM coverage_officers GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month',
]
_TRIGGERS_SQLITE = [
    """CREATE TRIGGER tr_coverage_officers_insert AFTER INSERT ON training_records WHEN NEW.required BEGIN INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, -count(*) FROM coverage_officers WHERE user_id = NEW.user_id AND year = NEW.year GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month ON CONFLICT (unit_id, year, own, officer_type, partial, first_missing_due, done_month) DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers; DELETE FROM coverage_officers WHERE user_id = NEW.user_id AND year = NEW.year; INSERT INTO coverage_officers (user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month) SELECT user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month FROM (
SELECT s.user_id, s.unit_id, s.year, s.own, s.officer_type, s.partial,
       COALESCE(min(CASE WHEN s.completed_on IS NULL THEN s.due_on END), '9999-12-31')
         AS first_missing_due,
       CASE WHEN count(s.completed_on) = count(*) THEN CAST(strftime('%m', max(s.completed_on)) AS INTEGER) ELSE 0 END AS done_month
FROM (
  SELECT r.user_id, r.year, r.completed_on, r.due_on,
         CASE k.n WHEN 1 THEN u.level1_id WHEN 2 THEN u.level2_id WHEN 3 THEN u.level3_id
              ELSE CASE WHEN u.level < 3 THEN u.id END END AS unit_id,
         k.n = 0 AS own,
         CASE WHEN t.n = 0 THEN r.officer_type ELSE '*' END AS officer_type,
         t.n = 0 AND r.mixed AS partial
  FROM (SELECT r.user_id, r.year, r.unit_id, r.officer_type, r.completed_on, r.due_on,
               min(r.officer_type) OVER officer_year <> max(r.officer_type) OVER officer_year
                 AS mixed
        FROM training_records r WHERE r.required AND r.user_id = NEW.user_id AND r.year = NEW.year
        WINDOW officer_year AS (PARTITION BY r.user_id, r.year)) r
  JOIN org_units u ON u.id = r.unit_id
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k
  JOIN (SELECT 0 AS n UNION ALL SELECT 1) t ON t.n = 0 OR r.mixed
) s
WHERE s.unit_id IS NOT NULL
GROUP BY s.user_id, s.year, s.unit_id, s.own, s.officer_type, s.partial
) n; INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, count(*) FROM coverage_officers WHERE user_id = NEW.user_id AND year = NEW.year GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month ON CONFLICT (unit_id, year, own, officer_type, partial, first_missing_due, done_month) DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers; END""",
    """CREATE TRIGGER tr_coverage_officers_delete AFTER DELETE ON training_records WHEN OLD.required BEGIN INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, -count(*) FROM coverage_officers WHERE user_id = OLD.user_id AND year = OLD.year GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month ON CONFLICT (unit_id, year, own, officer_type, partial, first_missing_due, done_month) DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers; DELETE FROM coverage_officers WHERE user_id = OLD.user_id AND year = OLD.year; INSERT INTO coverage_officers (user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month) SELECT user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month FROM (
SELECT s.user_id, s.unit_id, s.year, s.own, s.officer_type, s.partial,
       COALESCE(min(CASE WHEN s.completed_on IS NULL THEN s.due_on END), '9999-12-31')
         AS first_missing_due,
       CASE WHEN count(s.completed_on) = count(*) THEN CAST(strftime('%m', max(s.completed_on)) AS INTEGER) ELSE 0 END AS done_month
FROM (
  SELECT r.user_id, r.year, r.completed_on, r.due_on,
         CASE k.n WHEN 1 THEN u.level1_id WHEN 2 THEN u.level2_id WHEN 3 THEN u.level3_id
              ELSE CASE WHEN u.level < 3 THEN u.id END END AS unit_id,
         k.n = 0 AS own,
         CASE WHEN t.n = 0 THEN r.officer_type ELSE '*' END AS officer_type,
         t.n = 0 AND r.mixed AS partial
  FROM (SELECT r.user_id, r.year, r.unit_id, r.officer_type, r.completed_on, r.due_on,
               min(r.officer_type) OVER officer_year <> max(r.officer_type) OVER officer_year
                 AS mixed
        FROM training_records r WHERE r.required AND r.user_id = OLD.user_id AND r.year = OLD.year
        WINDOW officer_year AS (PARTITION BY r.user_id, r.year)) r
  JOIN org_units u ON u.id = r.unit_id
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k
  JOIN (SELECT 0 AS n UNION ALL SELECT 1) t ON t.n = 0 OR r.mixed
) s
WHERE s.unit_id IS NOT NULL
GROUP BY s.user_id, s.year, s.unit_id, s.own, s.officer_type, s.partial
) n; INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, count(*) FROM coverage_officers WHERE user_id = OLD.user_id AND year = OLD.year GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month ON CONFLICT (unit_id, year, own, officer_type, partial, first_missing_due, done_month) DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers; END""",
    """CREATE TRIGGER tr_coverage_officers_update AFTER UPDATE ON training_records WHEN (OLD.required OR NEW.required) AND (OLD.required IS NOT NEW.required OR OLD.completed_on IS NOT NEW.completed_on OR OLD.due_on IS NOT NEW.due_on OR OLD.unit_id IS NOT NEW.unit_id OR OLD.officer_type IS NOT NEW.officer_type OR OLD.user_id IS NOT NEW.user_id OR OLD.year IS NOT NEW.year) BEGIN INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, -count(*) FROM coverage_officers WHERE user_id = OLD.user_id AND year = OLD.year GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month ON CONFLICT (unit_id, year, own, officer_type, partial, first_missing_due, done_month) DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers; DELETE FROM coverage_officers WHERE user_id = OLD.user_id AND year = OLD.year; INSERT INTO coverage_officers (user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month) SELECT user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month FROM (
SELECT s.user_id, s.unit_id, s.year, s.own, s.officer_type, s.partial,
       COALESCE(min(CASE WHEN s.completed_on IS NULL THEN s.due_on END), '9999-12-31')
         AS first_missing_due,
       CASE WHEN count(s.completed_on) = count(*) THEN CAST(strftime('%m', max(s.completed_on)) AS INTEGER) ELSE 0 END AS done_month
FROM (
  SELECT r.user_id, r.year, r.completed_on, r.due_on,
         CASE k.n WHEN 1 THEN u.level1_id WHEN 2 THEN u.level2_id WHEN 3 THEN u.level3_id
              ELSE CASE WHEN u.level < 3 THEN u.id END END AS unit_id,
         k.n = 0 AS own,
         CASE WHEN t.n = 0 THEN r.officer_type ELSE '*' END AS officer_type,
         t.n = 0 AND r.mixed AS partial
  FROM (SELECT r.user_id, r.year, r.unit_id, r.officer_type, r.completed_on, r.due_on,
               min(r.officer_type) OVER officer_year <> max(r.officer_type) OVER officer_year
                 AS mixed
        FROM training_records r WHERE r.required AND r.user_id = OLD.user_id AND r.year = OLD.year
        WINDOW officer_year AS (PARTITION BY r.user_id, r.year)) r
  JOIN org_units u ON u.id = r.unit_id
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k
  JOIN (SELECT 0 AS n UNION ALL SELECT 1) t ON t.n = 0 OR r.mixed
) s
WHERE s.unit_id IS NOT NULL
GROUP BY s.user_id, s.year, s.unit_id, s.own, s.officer_type, s.partial
) n; INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, count(*) FROM coverage_officers WHERE user_id = OLD.user_id AND year = OLD.year GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month ON CONFLICT (unit_id, year, own, officer_type, partial, first_missing_due, done_month) DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers; END""",
    """CREATE TRIGGER tr_coverage_officers_update_new AFTER UPDATE ON training_records WHEN NEW.required AND (OLD.user_id IS NOT NEW.user_id OR OLD.year IS NOT NEW.year) BEGIN INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, -count(*) FROM coverage_officers WHERE user_id = NEW.user_id AND year = NEW.year GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month ON CONFLICT (unit_id, year, own, officer_type, partial, first_missing_due, done_month) DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers; DELETE FROM coverage_officers WHERE user_id = NEW.user_id AND year = NEW.year; INSERT INTO coverage_officers (user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month) SELECT user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month FROM (
SELECT s.user_id, s.unit_id, s.year, s.own, s.officer_type, s.partial,
       COALESCE(min(CASE WHEN s.completed_on IS NULL THEN s.due_on END), '9999-12-31')
         AS first_missing_due,
       CASE WHEN count(s.completed_on) = count(*) THEN CAST(strftime('%m', max(s.completed_on)) AS INTEGER) ELSE 0 END AS done_month
FROM (
  SELECT r.user_id, r.year, r.completed_on, r.due_on,
         CASE k.n WHEN 1 THEN u.level1_id WHEN 2 THEN u.level2_id WHEN 3 THEN u.level3_id
              ELSE CASE WHEN u.level < 3 THEN u.id END END AS unit_id,
         k.n = 0 AS own,
         CASE WHEN t.n = 0 THEN r.officer_type ELSE '*' END AS officer_type,
         t.n = 0 AND r.mixed AS partial
  FROM (SELECT r.user_id, r.year, r.unit_id, r.officer_type, r.completed_on, r.due_on,
               min(r.officer_type) OVER officer_year <> max(r.officer_type) OVER officer_year
                 AS mixed
        FROM training_records r WHERE r.required AND r.user_id = NEW.user_id AND r.year = NEW.year
        WINDOW officer_year AS (PARTITION BY r.user_id, r.year)) r
  JOIN org_units u ON u.id = r.unit_id
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k
  JOIN (SELECT 0 AS n UNION ALL SELECT 1) t ON t.n = 0 OR r.mixed
) s
WHERE s.unit_id IS NOT NULL
GROUP BY s.user_id, s.year, s.unit_id, s.own, s.officer_type, s.partial
) n; INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, count(*) FROM coverage_officers WHERE user_id = NEW.user_id AND year = NEW.year GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month ON CONFLICT (unit_id, year, own, officer_type, partial, first_missing_due, done_month) DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers; END""",
]
_TRIGGERS_POSTGRES = [
    """
CREATE OR REPLACE FUNCTION coverage_officers_refold(p_users integer[], p_years integer[])
RETURNS void AS $$
BEGIN
  -- One refold of an officer at a time: a second transaction waits here, then reads the
  -- folds and records the first one committed (row locks, in id order: no lock-table slot
  -- per officer, fewer deadlocks between two bulk writes).
  PERFORM 1 FROM users WHERE id = ANY(p_users) ORDER BY id FOR NO KEY UPDATE;
INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, -count(*) FROM coverage_officers WHERE (user_id, year) IN (SELECT p.user_id, p.year FROM unnest(p_users, p_years) AS p(user_id, year)) GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month ON CONFLICT (unit_id, year, own, officer_type, partial, first_missing_due, done_month) DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers;
DELETE FROM coverage_officers WHERE (user_id, year) IN (SELECT p.user_id, p.year FROM unnest(p_users, p_years) AS p(user_id, year));
INSERT INTO coverage_officers (user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month) SELECT user_id, unit_id, year, own, officer_type, partial, first_missing_due, done_month FROM (
SELECT s.user_id, s.unit_id, s.year, s.own, s.officer_type, s.partial,
       COALESCE(min(CASE WHEN s.completed_on IS NULL THEN s.due_on END), DATE '9999-12-31')
         AS first_missing_due,
       CASE WHEN count(s.completed_on) = count(*) THEN EXTRACT(MONTH FROM max(s.completed_on))::integer ELSE 0 END AS done_month
FROM (
  SELECT r.user_id, r.year, r.completed_on, r.due_on,
         CASE k.n WHEN 1 THEN u.level1_id WHEN 2 THEN u.level2_id WHEN 3 THEN u.level3_id
              ELSE CASE WHEN u.level < 3 THEN u.id END END AS unit_id,
         k.n = 0 AS own,
         CASE WHEN t.n = 0 THEN r.officer_type ELSE '*' END AS officer_type,
         t.n = 0 AND r.mixed AS partial
  FROM (SELECT r.user_id, r.year, r.unit_id, r.officer_type, r.completed_on, r.due_on,
               min(r.officer_type) OVER officer_year <> max(r.officer_type) OVER officer_year
                 AS mixed
        FROM training_records r WHERE r.required AND (r.user_id, r.year) IN (SELECT p.user_id, p.year FROM unnest(p_users, p_years) AS p(user_id, year))
        WINDOW officer_year AS (PARTITION BY r.user_id, r.year)) r
  JOIN org_units u ON u.id = r.unit_id
  CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k
  JOIN (SELECT 0 AS n UNION ALL SELECT 1) t ON t.n = 0 OR r.mixed
) s
WHERE s.unit_id IS NOT NULL
GROUP BY s.user_id, s.year, s.unit_id, s.own, s.officer_type, s.partial
) n;
INSERT INTO coverage_officer_counts (unit_id, year, own, officer_type, partial, first_missing_due, done_month, officers) SELECT unit_id, year, own, officer_type, partial, first_missing_due, done_month, count(*) FROM coverage_officers WHERE (user_id, year) IN (SELECT p.user_id, p.year FROM unnest(p_users, p_years) AS p(user_id, year)) GROUP BY unit_id, year, own, officer_type, partial, first_missing_due, done_month ON CONFLICT (unit_id, year, own, officer_type, partial, first_missing_due, done_month) DO UPDATE SET officers = coverage_officer_counts.officers + EXCLUDED.officers;
END;
$$ LANGUAGE plpgsql
""",
    """
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
    FROM (SELECT o.user_id, o.year FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE (o.required OR n.required) AND (o.required IS DISTINCT FROM n.required OR o.completed_on IS DISTINCT FROM n.completed_on OR o.due_on IS DISTINCT FROM n.due_on OR o.unit_id IS DISTINCT FROM n.unit_id OR o.officer_type IS DISTINCT FROM n.officer_type OR o.user_id IS DISTINCT FROM n.user_id OR o.year IS DISTINCT FROM n.year)
          UNION SELECT n.user_id, n.year FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE (o.required OR n.required) AND (o.required IS DISTINCT FROM n.required OR o.completed_on IS DISTINCT FROM n.completed_on OR o.due_on IS DISTINCT FROM n.due_on OR o.unit_id IS DISTINCT FROM n.unit_id OR o.officer_type IS DISTINCT FROM n.officer_type OR o.user_id IS DISTINCT FROM n.user_id OR o.year IS DISTINCT FROM n.year)) p;
  END IF;
  IF p_users IS NOT NULL THEN
    PERFORM coverage_officers_refold(p_users, p_years);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    'CREATE TRIGGER tr_coverage_officers_insert AFTER INSERT ON training_records REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_officers_trigger()',
    'CREATE TRIGGER tr_coverage_officers_delete AFTER DELETE ON training_records REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_officers_trigger()',
    'CREATE TRIGGER tr_coverage_officers_update AFTER UPDATE ON training_records REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_officers_trigger()',
]
_DROP_SQLITE = [
    'DROP TRIGGER IF EXISTS tr_coverage_officers_insert',
    'DROP TRIGGER IF EXISTS tr_coverage_officers_delete',
    'DROP TRIGGER IF EXISTS tr_coverage_officers_update',
    'DROP TRIGGER IF EXISTS tr_coverage_officers_update_new',
]
_DROP_POSTGRES = [
    'DROP FUNCTION IF EXISTS coverage_officers_trigger() CASCADE',
    'DROP FUNCTION IF EXISTS coverage_officers_refold(integer[], integer[]) CASCADE',
]


def backfill(dialect):
    return _BACKFILL_POSTGRES if dialect == 'postgresql' else _BACKFILL_SQLITE


def triggers(dialect):
    return _TRIGGERS_POSTGRES if dialect == 'postgresql' else _TRIGGERS_SQLITE


def drop_triggers(dialect):
    return _DROP_POSTGRES if dialect == 'postgresql' else _DROP_SQLITE


# revision identifiers, used by Alembic.
revision = '5ebbf82e24f6'
down_revision = '86d053507802'
branch_labels = None
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('coverage_officers',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('own', sa.Boolean(), nullable=False),
    sa.Column('officer_type', sa.String(length=20), nullable=False),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('first_missing_due', sa.Date(), nullable=False),
    sa.Column('done_month', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'year', 'unit_id', 'own', 'officer_type', name=op.f('pk_coverage_officers'))
    )
    op.create_table('coverage_officer_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('own', sa.Boolean(), nullable=False),
    sa.Column('officer_type', sa.String(length=20), nullable=False),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('first_missing_due', sa.Date(), nullable=False),
    sa.Column('done_month', sa.Integer(), nullable=False),
    sa.Column('officers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_coverage_officer_counts_unit_id_org_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_officer_counts'))
    )
    with op.batch_alter_table('coverage_officer_counts', schema=None) as batch_op:
        batch_op.create_index('uq_coverage_officer_counts_key', ['unit_id', 'year', 'own', 'officer_type', 'partial', 'first_missing_due', 'done_month'], unique=True)

    with op.batch_alter_table('training_records', schema=None) as batch_op:
        batch_op.create_index('ix_training_records_user_id_year', ['user_id', 'year'], unique=False)

    # ### end Alembic commands ###
    # (The index is a plain CREATE INDEX: training_records is not recreated, its triggers stay.)
    dialect = op.get_bind().dialect.name
    for statement in [*backfill(dialect), *triggers(dialect)]:
        op.execute(statement)


def downgrade():
    for statement in drop_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('training_records', schema=None) as batch_op:
        batch_op.drop_index('ix_training_records_user_id_year')

    with op.batch_alter_table('coverage_officer_counts', schema=None) as batch_op:
        batch_op.drop_index('uq_coverage_officer_counts_key')

    op.drop_table('coverage_officer_counts')
    op.drop_table('coverage_officers')
    # ### end Alembic commands ###
