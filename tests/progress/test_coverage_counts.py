"""The trigger-kept coverage counts always equal a scan of the records, whatever wrote them."""

import random
from datetime import date

import pytest
from sqlalchemy import delete, select, update

from app.authoring.versions import reassign_after_major_version
from app.extensions import db
from app.org.models import OfficerType, OrgUnit, User
from app.progress.models import TrainingRecord
from app.progress.records import complete as record_completion
from app.progress.services import add_plan_item
from app.reports.services import coverage, coverage_by_scan
from app.roster.services import set_active

YEAR = 2026

# The tables must follow any write, so these tests also write records with their own SQL.
pytestmark = pytest.mark.usefixtures("records_written_by_hand")


def assert_counts_match_scan(course, today):
    units = db.session.scalars(select(OrgUnit)).all()
    for unit in units:
        for officer_type in ("", OfficerType.FULL_TIME.value, OfficerType.PART_TIME.value):
            fast = coverage(unit, YEAR, course.id, officer_type, today)
            slow = coverage_by_scan(unit, YEAR, course.id, officer_type, today)
            as_rows = lambda cov: [  # noqa: E731
                (r.unit.id if r.unit else None, r.required, r.trained, r.late) for r in cov.rows
            ]
            assert as_rows(fast) == as_rows(slow), (unit.code, officer_type)


def test_counts_follow_every_kind_of_write(tree, make_user, course):
    rng = random.Random(7)
    units = [tree[k] for k in ("province", "A", "B", "A1", "A2", "B1")]
    officers = [
        make_user(rng.choice(units), officer_type=rng.choice(list(OfficerType))) for _ in range(40)
    ]
    make_user(tree["national"])  # an officer of the national root itself
    add_plan_item(YEAR, course, date(YEAR, 6, 30), tree["national"])  # bulk INSERT … SELECT
    for officer in rng.sample(officers, 25):
        record_completion(officer, course, on=date(YEAR, rng.randint(1, 12), rng.randint(1, 28)))
    db.session.commit()
    assert_counts_match_scan(course, date(YEAR, 8, 1))

    # Moves (this year's open records follow the officer), due-date changes, deactivation.
    moved = rng.sample(officers, 8)
    for officer in moved:
        db.session.execute(
            update(TrainingRecord)
            .where(TrainingRecord.user_id == officer.id, TrainingRecord.completed_on.is_(None))
            .values(unit_id=rng.choice(units).id)
        )
    db.session.execute(
        update(TrainingRecord).where(TrainingRecord.id % 3 == 0).values(due_on=date(YEAR, 9, 1))
    )
    db.session.commit()
    for officer in rng.sample(officers, 5):
        set_active(None, db.session.get(User, officer.id), False, "Nghỉ")
    assert_counts_match_scan(course, date(YEAR, 8, 1))

    # A major version reopens completions; deleting officers deletes their records.
    course.version_major += 1
    reassign_after_major_version(course, date(YEAR, 12, 31), YEAR)
    db.session.commit()
    gone = [o.id for o in rng.sample(officers, 4)]
    db.session.execute(delete(TrainingRecord).where(TrainingRecord.user_id.in_(gone)))
    db.session.commit()
    assert_counts_match_scan(course, date(YEAR, 12, 31))
    assert coverage(tree["national"], YEAR, course.id).total.required > 0
