"""`flask coverage check|rebuild`: stale tables and missing triggers are found and repaired."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from app.extensions import db
from app.progress import coverage_upkeep
from app.progress.records import complete as record_completion
from app.reports.services import coverage, coverage_by_scan
from tests.conftest import require


def _numbers(result):
    return [(r.required, r.trained, r.late) for r in result.rows], result.total.trained


@pytest.fixture
def planned(tree, make_user, course):
    year = date.today().year
    officers = [make_user(tree[unit]) for unit in ("A1", "A1", "A2", "B1")]
    for officer in officers:
        require(officer, course, year, date(year, 12, 31))
    db.session.commit()
    yield officers, year
    coverage_upkeep.rebuild()  # whatever a test broke, the next one starts with the triggers


def _pause_trigger(name: str) -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"ALTER TABLE training_records DISABLE TRIGGER {name}"))
    else:
        db.session.execute(text(f"DROP TRIGGER {name}"))
    db.session.commit()


def test_a_healthy_database_checks_clean(planned):
    health = coverage_upkeep.check()
    assert health.ok, health
    assert set(health.differing_rows) == {
        "coverage_counts",
        "coverage_officers",
        "coverage_officer_counts",
    }


def test_writes_made_without_triggers_are_found_then_rebuilt(planned, tree, course, runner):
    officers, year = planned
    sqlite = db.engine.dialect.name == "sqlite"
    update_triggers = (
        (  # what a completion (an UPDATE of the record) fires
            ["tr_coverage_update_old", "tr_coverage_update_new"]
            if sqlite
            else ["tr_coverage_update"]
        )
        + ["tr_coverage_officers_update"]
        + (["tr_coverage_officers_update_new"] if sqlite else [])
    )
    for name in update_triggers:
        _pause_trigger(name)
    record_completion(officers[0], course, on=date(year, 3, 2))  # the counts do not see it
    db.session.commit()

    health = coverage_upkeep.check()
    expected = "missing" if sqlite else "disabled"
    assert health.trigger_problems == dict.fromkeys(update_triggers, expected)
    assert health.differing_rows["coverage_counts"] != (0, 0)
    assert health.differing_rows["coverage_officers"] != (0, 0)
    assert not health.ok
    stale = runner.invoke(args=["coverage", "check"])
    assert stale.exit_code == 1 and "LỆCH" in stale.output
    assert all(name in stale.output for name in update_triggers)

    repaired = runner.invoke(args=["coverage", "rebuild"])
    assert repaired.exit_code == 0, repaired.output
    assert coverage_upkeep.check().ok
    clean = runner.invoke(args=["coverage", "check"])
    assert clean.exit_code == 0 and "LỆCH" not in clean.output
    for course_id in (course.id, None):
        assert _numbers(coverage(tree["province"], year, course_id)) == _numbers(
            coverage_by_scan(tree["province"], year, course_id)
        )
    assert coverage(tree["province"], year, course.id).total.trained == 1

    # The reinstalled triggers work: the next completion is counted at once.
    record_completion(officers[3], course, on=date(year, 3, 3))
    db.session.commit()
    assert coverage(tree["province"], year, course.id).total.trained == 2
    assert coverage(tree["province"], year, None).total.trained == 2
    assert coverage_upkeep.check().ok


def test_check_changes_nothing(planned, course):
    officers, year = planned
    db.session.execute(text("UPDATE coverage_counts SET records = records + 5"))
    db.session.commit()
    before = db.session.execute(text("SELECT id, records FROM coverage_counts ORDER BY id")).all()
    health = coverage_upkeep.check()
    assert health.differing_rows["coverage_counts"][0] > 0
    after = db.session.execute(text("SELECT id, records FROM coverage_counts ORDER BY id")).all()
    assert before == after


def test_check_on_a_database_without_the_tables_says_what_to_do(tmp_path):
    from app import create_app
    from tests.conftest import _test_config

    url = f"sqlite:///{tmp_path / 'e.db'}"
    empty = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": url})
    result = empty.test_cli_runner().invoke(args=["coverage", "check"])
    assert result.exit_code == 1
    assert "flask db upgrade" in result.output and "Traceback" not in result.output
