"""The accounts migration normalises existing phone numbers before making them unique: a
number two officers share stays with the first, the other copy is cleared and audited."""

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.conftest import _test_config
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)


def test_phones_normalised_and_duplicates_cleared_with_audit(empty_database_url):  # noqa: F811
    app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="9d2e4b7c1a60")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO org_units (id, code, name, level, parent_id, path, level1_id,"
                " level2_id, level3_id, active) VALUES (1, 'P', 'Tỉnh', 1, NULL, '/1/', 1,"
                " NULL, NULL, TRUE)"
            )
            for user_id, phone in [
                (1, "+84 912 345 678"),
                (2, "0912.345.678"),
                (3, "12"),
                (4, None),
            ]:
                conn.exec_driver_sql(
                    "INSERT INTO users (id, full_name, unit_id, position, role, officer_type,"
                    " active, created_at, phone) VALUES (%s, 'Cán bộ', 1, '', 'learner',"
                    " 'kiem_nhiem', TRUE, '2025-01-01 00:00:00', %s)"
                    if db.engine.dialect.name == "postgresql"
                    else "INSERT INTO users (id, full_name, unit_id, position, role,"
                    " officer_type, active, created_at, phone) VALUES (?, 'Cán bộ', 1, '',"
                    " 'learner', 'kiem_nhiem', TRUE, '2025-01-01 00:00:00', ?)",
                    (user_id, phone),
                )
        upgrade()
        with db.engine.connect() as conn:
            phones = conn.exec_driver_sql("SELECT id, phone FROM users ORDER BY id").all()
            assert [tuple(row) for row in phones] == [
                (1, "0912345678"),
                (2, None),
                (3, None),
                (4, None),
            ]
            cleared = conn.exec_driver_sql(
                "SELECT target_id FROM audit_events WHERE action = 'officer.phone_cleared'"
                " ORDER BY target_id"
            ).all()
            assert [row[0] for row in cleared] == [2, 3]
            versions = conn.exec_driver_sql("SELECT DISTINCT session_version FROM users").all()
            assert [row[0] for row in versions] == [1]
        db.engine.dispose()
