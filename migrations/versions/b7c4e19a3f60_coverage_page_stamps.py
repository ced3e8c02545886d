"""Coverage page stamps: change counters per province kept by triggers (issue 18, bench S2/S4)

Revision ID: b7c4e19a3f60
Revises: b7c4f1a9d3e6
Create Date: 2026-12-06 03:30:00

Workers keep rendered coverage pages and check, with one read of these counters, that nothing
the page shows has changed (app/progress/coverage_stamps.py says what moves them). The SQL is
copied here, frozen: this file imports nothing from app/.
"""

import sqlalchemy as sa
from alembic import op

revision = "b7c4e19a3f60"
down_revision = "b7c4f1a9d3e6"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    "CREATE TRIGGER tr_coverage_stamp_insert AFTER INSERT ON training_records BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE((SELECT level1_id FROM org_units WHERE id = NEW.unit_id), 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_delete AFTER DELETE ON training_records BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE((SELECT level1_id FROM org_units WHERE id = OLD.unit_id), 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_update AFTER UPDATE ON training_records BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE((SELECT level1_id FROM org_units WHERE id = OLD.unit_id), 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE((SELECT level1_id FROM org_units WHERE id = NEW.unit_id), 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_unit_insert AFTER INSERT ON org_units BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE(NEW.level1_id, 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_unit_delete AFTER DELETE ON org_units BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE(OLD.level1_id, 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_unit_update AFTER UPDATE ON org_units BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE(OLD.level1_id, 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE(NEW.level1_id, 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_courses_insert AFTER INSERT ON courses BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE(0, 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_courses_delete AFTER DELETE ON courses BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE(0, 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_courses_update AFTER UPDATE OF title ON courses BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE(0, 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_plan_items_insert AFTER INSERT ON plan_items BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE(0, 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_plan_items_delete AFTER DELETE ON plan_items BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE(0, 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
    "CREATE TRIGGER tr_coverage_stamp_plan_items_update AFTER UPDATE ON plan_items BEGIN INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE(0, 0), 1) ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1; END",
]

POSTGRES_TRIGGERS = [
    "\nCREATE OR REPLACE FUNCTION coverage_stamp_records() RETURNS trigger AS $$\nBEGIN\n  IF TG_OP = 'INSERT' THEN\n    \nINSERT INTO coverage_stamps (scope_id, changes)\nSELECT DISTINCT COALESCE(u.level1_id, 0), 1 FROM (SELECT unit_id FROM new_rows x) r LEFT JOIN org_units u ON u.id = r.unit_id\nORDER BY 1\nON CONFLICT (scope_id) DO UPDATE SET changes = coverage_stamps.changes + 1\n;\n  ELSIF TG_OP = 'DELETE' THEN\n    \nINSERT INTO coverage_stamps (scope_id, changes)\nSELECT DISTINCT COALESCE(u.level1_id, 0), 1 FROM (SELECT unit_id FROM old_rows x) r LEFT JOIN org_units u ON u.id = r.unit_id\nORDER BY 1\nON CONFLICT (scope_id) DO UPDATE SET changes = coverage_stamps.changes + 1\n;\n  ELSE\n    \nINSERT INTO coverage_stamps (scope_id, changes)\nSELECT DISTINCT COALESCE(u.level1_id, 0), 1 FROM (SELECT unit_id FROM (SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows) x) r LEFT JOIN org_units u ON u.id = r.unit_id\nORDER BY 1\nON CONFLICT (scope_id) DO UPDATE SET changes = coverage_stamps.changes + 1\n;\n  END IF;\n  RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql\n",
    "CREATE TRIGGER tr_a_coverage_stamp_insert AFTER INSERT ON training_records REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_stamp_records()",
    "CREATE TRIGGER tr_a_coverage_stamp_delete AFTER DELETE ON training_records REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_stamp_records()",
    "CREATE TRIGGER tr_a_coverage_stamp_update AFTER UPDATE ON training_records REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_stamp_records()",
    "\nCREATE OR REPLACE FUNCTION coverage_stamp_units() RETURNS trigger AS $$\nBEGIN\n  IF TG_OP = 'INSERT' THEN\n    \nINSERT INTO coverage_stamps (scope_id, changes)\nSELECT DISTINCT COALESCE(u.level1_id, 0), 1 FROM new_rows u\nORDER BY 1\nON CONFLICT (scope_id) DO UPDATE SET changes = coverage_stamps.changes + 1\n;\n  ELSIF TG_OP = 'DELETE' THEN\n    \nINSERT INTO coverage_stamps (scope_id, changes)\nSELECT DISTINCT COALESCE(u.level1_id, 0), 1 FROM old_rows u\nORDER BY 1\nON CONFLICT (scope_id) DO UPDATE SET changes = coverage_stamps.changes + 1\n;\n  ELSE\n    \nINSERT INTO coverage_stamps (scope_id, changes)\nSELECT DISTINCT COALESCE(u.level1_id, 0), 1 FROM (SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows) u\nORDER BY 1\nON CONFLICT (scope_id) DO UPDATE SET changes = coverage_stamps.changes + 1\n;\n  END IF;\n  RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql\n",
    "CREATE TRIGGER tr_coverage_stamp_unit_insert AFTER INSERT ON org_units REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_stamp_units()",
    "CREATE TRIGGER tr_coverage_stamp_unit_delete AFTER DELETE ON org_units REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_stamp_units()",
    "CREATE TRIGGER tr_coverage_stamp_unit_update AFTER UPDATE ON org_units REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION coverage_stamp_units()",
    "\nCREATE OR REPLACE FUNCTION coverage_stamp_everything() RETURNS trigger AS $$\nBEGIN\n  INSERT INTO coverage_stamps (scope_id, changes) VALUES (0, 1)\n  ON CONFLICT (scope_id) DO UPDATE SET changes = coverage_stamps.changes + 1;\n  RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql\n",
    "CREATE TRIGGER tr_coverage_stamp_courses AFTER INSERT OR DELETE OR UPDATE OF title ON courses FOR EACH STATEMENT EXECUTE FUNCTION coverage_stamp_everything()",
    "CREATE TRIGGER tr_coverage_stamp_plan_items AFTER INSERT OR DELETE OR UPDATE ON plan_items FOR EACH STATEMENT EXECUTE FUNCTION coverage_stamp_everything()",
]

POSTGRES_DROP = [
    "DROP FUNCTION IF EXISTS coverage_stamp_records() CASCADE",
    "DROP FUNCTION IF EXISTS coverage_stamp_units() CASCADE",
    "DROP FUNCTION IF EXISTS coverage_stamp_everything() CASCADE",
]

# Every province with units (and scope 0) starts at 1: a worker started before the upgrade has
# no kept page to confuse with these.
FILL = [
    "INSERT INTO coverage_stamps (scope_id, changes) VALUES (0, 1)",
    "INSERT INTO coverage_stamps (scope_id, changes) "
    "SELECT DISTINCT level1_id, 1 FROM org_units WHERE level1_id IS NOT NULL",
]


def _trigger_names(statements):
    return [s.split()[2] for s in statements if s.startswith("CREATE TRIGGER")]


def upgrade():
    op.create_table(
        "coverage_stamps",
        sa.Column("scope_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("scope_id", name=op.f("pk_coverage_stamps")),
    )
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, [])
    for statement in [*FILL, *statements]:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in POSTGRES_DROP:
            op.execute(statement)
    elif dialect == "sqlite":
        for name in _trigger_names(SQLITE_TRIGGERS):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("coverage_stamps")
