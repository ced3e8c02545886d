"""Writers of training records take the officers' rows first, so they wait, not deadlock
(PostgreSQL; SQLite runs one writer at a time)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select, update

from app.courses.models import Course
from app.extensions import db
from app.org.models import User
from app.progress.locking import UnlockedRecordWrite, lock_officers
from app.progress.models import TrainingRecord
from app.progress.records import complete as record_completion
from tests.conftest import require


@pytest.fixture(autouse=True)
def _lock_check_only(app, monkeypatch):
    """These tests write records by hand to show the lock check at work: the check that only
    app/progress/records.py writes records (tests/progress/test_records_owner.py) is off."""
    monkeypatch.setitem(app.config, "CHECK_RECORD_WRITERS", False)


def test_a_completion_during_a_roster_edit_of_the_officer_waits_instead_of_deadlocking(
    app, tree, make_user, course
):
    """The roster edit writes the officer, then his open records; the completion writes his
    record, whose trigger then wants the officer's row. Without a common order each holds what
    the other waits for, and PostgreSQL aborts one of them."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers")
    officer = make_user(tree["A1"])
    year = date.today().year
    require(officer, course, year, date(year, 12, 31))
    db.session.commit()
    officer_id, course_id = officer.id, course.id
    failures: list[BaseException] = []

    def submit_quiz():
        try:
            with app.app_context():
                record_completion(
                    db.session.get(User, officer_id), db.session.get(Course, course_id)
                )
                db.session.commit()
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    editor = db.engine.connect()
    try:
        with editor.begin():
            editor.execute(update(User).where(User.id == officer_id).values(full_name="Tên đã sửa"))
            worker = threading.Thread(target=submit_quiz)
            worker.start()
            worker.join(0.5)
            assert worker.is_alive(), f"the completion should wait for the edit: {failures}"
            # The edit's second write, as a move or a change of type does: his open records.
            editor.execute(
                update(TrainingRecord)
                .where(TrainingRecord.user_id == officer_id, TrainingRecord.completed_on.is_(None))
                .values(officer_type=TrainingRecord.officer_type)
            )
        worker.join(10)
        assert not worker.is_alive()
    finally:
        editor.close()
    assert failures == []
    db.session.rollback()
    completed = db.session.scalar(
        select(TrainingRecord.completed_on).where(TrainingRecord.user_id == officer_id)
    )
    assert completed is not None
    assert db.session.scalar(select(User.full_name).where(User.id == officer_id)) == "Tên đã sửa"


# --- the check that every writer locks (CHECK_RECORD_LOCKS, on in the tests) -------------


def _record_of(officer, course) -> TrainingRecord:
    """A record written by hand (no service, so no lock unless the test takes it)."""
    return TrainingRecord(
        user_id=officer.id,
        course_id=course.id,
        year=2026,
        unit_id=officer.unit_id,
        officer_type=officer.officer_type,
    )


def test_a_record_written_without_locking_its_officer_is_refused(app, tree, make_user, course):
    officer = make_user(tree["A1"])
    db.session.commit()
    db.session.add(_record_of(officer, course))
    with pytest.raises(UnlockedRecordWrite, match=f"officer {officer.id}"):
        db.session.flush()
    db.session.rollback()


def test_a_bulk_write_without_any_lock_is_refused(app, tree, make_user, course):
    officer = make_user(tree["A1"])
    require(officer, course, 2026, date(2026, 12, 31))
    db.session.commit()
    with pytest.raises(UnlockedRecordWrite, match="bulk"):
        db.session.execute(update(TrainingRecord).values(required=False))
    db.session.rollback()


def test_locks_last_for_their_transaction_only(app, tree, make_user, course):
    officer, other = make_user(tree["A1"]), make_user(tree["A2"])
    record = require(officer, course, 2026, date(2026, 12, 31))  # locks the officer first
    db.session.commit()
    record.required = False  # a new transaction: the lock is gone with the last one
    with pytest.raises(UnlockedRecordWrite):
        db.session.flush()
    db.session.rollback()
    lock_officers([officer.id])
    record.required = False
    db.session.flush()  # his lock does not cover another officer's record
    db.session.add(_record_of(other, course))
    with pytest.raises(UnlockedRecordWrite, match=f"officer {other.id}"):
        db.session.flush()
    db.session.rollback()


def test_an_officer_created_in_the_same_transaction_needs_no_lock(app, tree, course):
    officer = User(full_name="Cán bộ Mới", unit=tree["A1"])
    db.session.add(officer)
    db.session.flush()
    db.session.add(_record_of(officer, course))
    db.session.commit()
    assert db.session.scalar(select(TrainingRecord.user_id)) == officer.id


def test_with_the_check_off_writes_go_through_unchecked(app, tree, make_user, course, monkeypatch):
    monkeypatch.setitem(app.config, "CHECK_RECORD_LOCKS", False)  # the production default
    officer = make_user(tree["A1"])
    db.session.commit()
    db.session.add(_record_of(officer, course))
    db.session.commit()
    assert db.session.scalar(select(TrainingRecord.user_id)) == officer.id
