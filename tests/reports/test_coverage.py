"""Coverage numbers against hand-computed expectations on a small tree."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.courses.models import Course
from app.extensions import db
from app.org.models import OfficerType, OrgUnit
from app.progress.models import TrainingRecord
from app.progress.records import complete as record_completion
from app.progress.services import add_plan_item
from app.reports.services import _cumulative, _filters, coverage, scope

YEAR = 2025


def monthly_progress(
    root: OrgUnit, year: int, course_id: int | None = None, officer_type: str = ""
) -> list[tuple[int, int]]:
    """The reference for `Coverage.monthly`, by a separate query: [(month, officers trained
    by the end of that month)] for months 1..12 of `year`.

    An officer is trained on the day the last of their required courses was completed. For
    one course, `coverage(...).monthly` gives the same figures without a second scan.
    """
    _, conditions = scope(root, _filters(year, course_id, officer_type))
    finished = (
        select(func.max(TrainingRecord.completed_on).label("done_on"))
        .select_from(TrainingRecord)
        .join(OrgUnit, OrgUnit.id == TrainingRecord.unit_id)
        .where(*conditions)
        .group_by(TrainingRecord.user_id)
        .having(func.count() == func.count(TrainingRecord.completed_on))
        .subquery()
    )
    month = func.extract("month", finished.c.done_on)
    per_month = [0] * 13
    for done_month, number in db.session.execute(select(month, func.count()).group_by(month)):
        if done_month is not None:
            per_month[int(done_month)] += number
    return _cumulative(per_month)


@pytest.fixture
def second_course(app):
    course = Course(slug="khoa-hai", title="Khóa thứ hai", updated_at=utcnow())
    db.session.add(course)
    db.session.commit()
    return course


@pytest.fixture
def scene(tree, make_user, course, second_course):
    """A1: 3 officers, A2: 2, B1: 1, province staff: 1 full-time. Both courses required of all;
    course 1 due 30/06, course 2 due 31/12."""
    people = {
        "a1x": make_user(tree["A1"]),
        "a1y": make_user(tree["A1"]),
        "a1z": make_user(tree["A1"]),
        "a2x": make_user(tree["A2"]),
        "a2y": make_user(tree["A2"]),
        "b1x": make_user(tree["B1"]),
        "px": make_user(tree["province"], officer_type=OfficerType.FULL_TIME),
    }
    add_plan_item(YEAR, course, date(YEAR, 6, 30), tree["province"])
    add_plan_item(YEAR, second_course, date(YEAR, 12, 31), tree["province"])
    done = [
        ("a1x", course, date(YEAR, 3, 10)),
        ("a1x", second_course, date(YEAR, 5, 2)),
        ("a1y", course, date(YEAR, 7, 1)),  # course 1 only, after its due date
        ("a2x", course, date(YEAR, 2, 1)),
        ("a2x", second_course, date(YEAR, 9, 9)),
        ("px", course, date(YEAR, 1, 15)),
    ]
    for key, which, on in done:
        record_completion(people[key], which, on=on)
    db.session.commit()
    return people


def rows_by_code(cov):
    return {(r.unit.code if r.unit else "own"): (r.required, r.trained, r.late) for r in cov.rows}


def test_one_course_per_child_unit(tree, course, scene):
    cov = coverage(tree["province"], YEAR, course.id, today=date(YEAR, 8, 1))
    # A: a1x, a1y, a2x trained of 5; late on 01/08 (due 30/06): a1z, a2y. B: b1x late.
    assert rows_by_code(cov) == {"own": (1, 1, 0), "A": (5, 3, 2), "B": (1, 0, 1)}
    assert (cov.total.required, cov.total.trained, cov.total.late) == (7, 4, 3)
    assert round(cov.total.percent, 2) == 57.14


def test_all_courses_counts_officers_once(tree, course, scene):
    cov = coverage(tree["province"], YEAR, None, today=date(YEAR, 8, 1))
    # Trained = every required course done: a1x, a2x. Late = any overdue: a1z, a2y, b1x.
    assert rows_by_code(cov) == {"own": (1, 0, 0), "A": (5, 2, 2), "B": (1, 0, 1)}
    drill = coverage(tree["A"], YEAR, None, today=date(YEAR, 8, 1))
    assert rows_by_code(drill) == {"A1": (3, 1, 1), "A2": (2, 1, 1)}
    leaf = coverage(tree["A1"], YEAR, None, today=date(YEAR, 8, 1))
    assert rows_by_code(leaf) == {"own": (3, 1, 1)}


def test_officer_type_filter_and_other_year(tree, course, scene):
    full_time = coverage(tree["province"], YEAR, course.id, OfficerType.FULL_TIME.value)
    assert (full_time.total.required, full_time.total.trained) == (1, 1)
    assert coverage(tree["province"], YEAR + 1, course.id).total.required == 0


def test_progress_over_the_year(tree, course, scene):
    months = dict(monthly_progress(tree["province"], YEAR, course.id))
    # course 1 completions: 15/01 px, 01/02 a2x, 10/03 a1x, 01/07 a1y
    assert [months[m] for m in (1, 2, 3, 6, 7, 12)] == [1, 2, 3, 3, 4, 4]
    both = dict(monthly_progress(tree["province"], YEAR))
    # all courses: a1x done 02/05, a2x done 09/09
    assert [both[m] for m in (4, 5, 8, 9, 12)] == [0, 1, 1, 2, 2]


def test_completion_outside_the_plan_is_not_counted_as_required(tree, make_user, course):
    officer = make_user(tree["B1"])
    record = record_completion(officer, course, on=date(YEAR, 4, 1))
    db.session.commit()
    assert record.required is False
    assert coverage(tree["province"], YEAR, course.id).total.required == 0


def test_one_scan_monthly_equals_the_separate_query(tree, course, scene):
    cov = coverage(tree["province"], YEAR, course.id)
    assert cov.monthly == monthly_progress(tree["province"], YEAR, course.id)
    drill = coverage(tree["A"], YEAR, course.id)
    assert drill.monthly == monthly_progress(tree["A"], YEAR, course.id)


def test_page_opens_on_the_first_required_course(client, tree, make_user, course, scene):
    from app.org.models import Role
    from app.reports.services import default_course_id
    from tests.conftest import login

    admin = make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn")
    assert default_course_id(admin, YEAR) == course.id  # due 30/06, before course 2
    login(client, "admin@test.vn")
    page = client.get(f"/bao-cao/bao-phu?nam={YEAR}").get_data(as_text=True)
    assert f'<option value="{course.id}" selected>' in page
    everything = client.get(f"/bao-cao/bao-phu?nam={YEAR}&khoa=tat-ca").get_data(as_text=True)
    assert '<option value="tat-ca" selected>' in everything


def test_all_courses_view_gives_its_monthly_chart_in_the_same_scan(tree, course, scene):
    cov = coverage(tree["province"], YEAR, None)
    assert cov.monthly == monthly_progress(tree["province"], YEAR)
    assert coverage(tree["A"], YEAR, None).monthly == monthly_progress(tree["A"], YEAR)
