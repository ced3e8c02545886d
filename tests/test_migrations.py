"""Acceptance 7: the migrations build exactly the schema the models describe."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from tests.conftest import _test_config


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new empty database of the same kind as the suite's."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"tdkt_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_head_equals_models(empty_database_url):
    app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], f"migrations and models differ: {diff}"


def test_upgrade_keeps_existing_data(empty_database_url):
    """Data written at the first revision survives every later migration (SQLite batch
    migrations recreate tables: with foreign keys on, that used to cascade-delete children)."""
    from flask_migrate import upgrade as upgrade_to

    app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade_to(revision="6526931d8ab3")
        statements = [
            "INSERT INTO org_units (id, code, name, level, parent_id, path, level1_id, level2_id,"
            " level3_id, active) VALUES (1, 'P', 'Tỉnh', 1, NULL, '/1/', 1, NULL, NULL, TRUE)",
            "INSERT INTO users (id, full_name, unit_id, position, role, officer_type, active,"
            " created_at) VALUES (1, 'Cán bộ', 1, '', 'learner', 'kiem_nhiem', TRUE,"
            " '2025-01-01 00:00:00')",
            "INSERT INTO courses (id, slug, title, summary, audience, version_major,"
            " version_minor, pass_mark, questions_per_attempt, legal_basis, published,"
            " updated_at) VALUES (1, 'k', 'Khóa', '', '', 1, 0, 70, 0, '[]', TRUE,"
            " '2025-01-01 00:00:00')",
            "INSERT INTO lessons (id, course_id, slug, position, title, body_md, body_html,"
            " articles, active) VALUES (1, 1, 'bai', 1, 'Bài', 'x', '<p>x</p>', '', TRUE)",
            "INSERT INTO questions (id, course_id, key, position, qtype, title, text,"
            " text_format, data, explanation, reference, category, active) VALUES"
            " (1, 1, 'q', 1, 'truefalse', '', 'Đúng?', 'plain', '{\"correct\": true}', '',"
            " '', '', TRUE)",
            "INSERT INTO training_records (id, user_id, course_id, year, unit_id, officer_type,"
            " required, updated_at) VALUES (1, 1, 1, 2025, 1, 'kiem_nhiem', TRUE,"
            " '2025-01-01 00:00:00')",
            "INSERT INTO lesson_progress (id, user_id, lesson_id, course_id, completed_at)"
            " VALUES (1, 1, 1, 1, '2025-01-01 00:00:00')",
        ]
        with db.engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
        upgrade_to()
        with db.engine.connect() as conn:
            for table in (
                "org_units",
                "users",
                "courses",
                "lessons",
                "questions",
                "training_records",
                "lesson_progress",
            ):
                count = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                assert count == 1, f"{table} lost its rows during the migrations"
        db.engine.dispose()


def _installed_sql(conn) -> dict[str, str]:
    """Every trigger (and, on PostgreSQL, every trigger function) with its SQL text."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return {name: sql for name, sql in rows}
    rows = conn.exec_driver_sql(
        "SELECT t.tgname, pg_get_triggerdef(t.oid) || ' ' || pg_get_functiondef(t.tgfoid)"
        " FROM pg_trigger t WHERE NOT t.tgisinternal"
    )
    return {name: sql for name, sql in rows}


def test_migrations_install_the_triggers_the_models_do(empty_database_url, app):
    """Migrations carry their own SQL (frozen), so an app change to the coverage triggers must
    come with a migration: a migrated database and the suite's create_all database must hold
    the same triggers, word for word."""
    with db.engine.connect() as conn:
        expected = _installed_sql(conn)
    migrated = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with migrated.app_context():
        upgrade()
        with db.engine.connect() as conn:
            got = _installed_sql(conn)
        db.engine.dispose()
    assert expected, "the suite's database has no triggers: the check would be empty"
    assert got == expected


def test_migrations_do_not_import_the_app():
    """`flask db upgrade` on an empty database must build the same schema in a year: a
    migration that imports app code would change with it."""
    import ast
    from pathlib import Path

    offenders = []
    for path in sorted(Path("migrations/versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{path.name}: {n}" for n in names if n == "app" or n.startswith("app.")]
    assert offenders == []


def test_roles_become_grants_over_the_officers_own_unit(empty_database_url):
    """The e41a7c9b2d58 data step: each staff role becomes a grant over the officer's unit
    (nobody's access changes), learners get none, trainers own the existing courses."""
    from flask_migrate import upgrade as upgrade_to

    app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade_to(revision="9d2e4b7c1a60")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO org_units (id, code, name, level, parent_id, path, level1_id,"
                " level2_id, level3_id, active) VALUES (1, 'P', 'Tỉnh', 1, NULL, '/1/', 1,"
                " NULL, NULL, TRUE), (2, 'A', 'A', 2, 1, '/1/2/', 1, 2, NULL, TRUE)"
            )
            for user_id, role, unit_id in [
                (1, "province_admin", 1),
                (2, "unit_manager", 2),
                (3, "trainer", 1),
                (4, "learner", 2),
            ]:
                conn.exec_driver_sql(
                    "INSERT INTO users (id, full_name, unit_id, position, role, officer_type,"
                    f" active, created_at) VALUES ({user_id}, 'Cán bộ {user_id}', {unit_id}, '',"
                    f" '{role}', 'kiem_nhiem', TRUE, '2025-01-01 00:00:00')"
                )
            conn.exec_driver_sql(
                "INSERT INTO courses (id, slug, title, summary, audience, version_major,"
                " version_minor, pass_mark, questions_per_attempt, legal_basis, published,"
                " updated_at) VALUES (1, 'k', 'Khóa', '', '', 1, 0, 70, 0, '[]', TRUE,"
                " '2025-01-01 00:00:00')"
            )
        upgrade_to()
        with db.engine.connect() as conn:
            grants = conn.exec_driver_sql(
                "SELECT user_id, role, unit_id, revoked_at FROM role_grants ORDER BY user_id"
            ).fetchall()
            owners = conn.exec_driver_sql("SELECT course_id, user_id FROM course_owners").fetchall()
            columns = [c["name"] for c in sa_inspect(conn).get_columns("users")]
        db.engine.dispose()
    assert [tuple(g) for g in grants] == [
        (1, "province_admin", 1, None),
        (2, "unit_manager", 2, None),
        (3, "trainer", 1, None),
    ]
    assert [tuple(o) for o in owners] == [(1, 3)]
    assert "role" not in columns
