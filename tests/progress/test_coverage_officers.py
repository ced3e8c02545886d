"""The trigger-kept officer folds ("every required course") always give the numbers of a scan
of the records — table, late count and monthly chart — whatever wrote the records, including
the cases where an officer's records of one year sit in two units or carry two officer types."""

import random
import threading
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, literal, select, text, true, update

from app.authoring.versions import reassign_after_major_version
from app.core.dates import local_today
from app.core.db import utcnow
from app.courses.models import Course
from app.extensions import db
from app.org.models import OfficerType, OrgUnit, User
from app.org.services import create_unit
from app.progress import coverage_officers
from app.progress.coverage_officers import CoverageOfficer, CoverageOfficerCount
from app.progress.models import TrainingRecord
from app.progress.records import complete as record_completion
from app.progress.services import add_plan_item
from app.reports.services import coverage, coverage_by_scan
from app.roster.services import set_active, update_officer

FULL, PART = OfficerType.FULL_TIME.value, OfficerType.PART_TIME.value
TYPES = ("", FULL, PART)

# The folds must follow any write, so these tests also write records with their own SQL.
pytestmark = pytest.mark.usefixtures("records_written_by_hand")


def as_rows(cov):
    return [(r.unit.id if r.unit else None, r.required, r.trained, r.late) for r in cov.rows]


def assert_matches_scan(years, todays, roots=None):
    roots = roots or db.session.scalars(select(OrgUnit).order_by(OrgUnit.id)).all()
    for root in roots:
        for year in years:
            for officer_type in TYPES:
                for today in todays:
                    fast = coverage(root, year, None, officer_type, today)
                    slow = coverage_by_scan(root, year, None, officer_type, today)
                    where = (root.code, year, officer_type, today)
                    assert as_rows(fast) == as_rows(slow), where
                    assert fast.monthly == slow.monthly, where
                    total = (fast.total.required, fast.total.trained, fast.total.late)
                    assert total == (slow.total.required, slow.total.trained, slow.total.late)


def _tables():
    folds = db.session.execute(
        select(
            CoverageOfficer.user_id,
            CoverageOfficer.year,
            CoverageOfficer.unit_id,
            CoverageOfficer.own,
            CoverageOfficer.officer_type,
            CoverageOfficer.partial,
            CoverageOfficer.first_missing_due,
            CoverageOfficer.done_month,
        )
    ).all()
    counted = CoverageOfficerCount
    counts = db.session.execute(
        select(
            counted.unit_id,
            counted.year,
            counted.own,
            counted.officer_type,
            counted.partial,
            counted.first_missing_due,
            counted.done_month,
            counted.officers,
        ).where(counted.officers != 0)
    ).all()
    return sorted(map(tuple, folds)), sorted(map(tuple, counts))


def assert_tables_equal_backfill():
    """What the triggers kept equals a recomputation from the records (then rolled back)."""
    db.session.commit()
    kept = _tables()
    assert all(row[-1] > 0 for row in kept[1]), "a count went negative"
    for statement in coverage_officers.backfill(db.engine.dialect.name):
        db.session.execute(text(statement))
    rebuilt = _tables()
    db.session.rollback()
    assert kept == rebuilt


# --- through the app's services ---------------------------------------------------------------


def test_folds_follow_every_kind_of_write(tree, make_user, course):
    """Plan lines (bulk INSERT … SELECT), completions, moves and type changes from the roster
    (open records follow the officer, completed ones stay), deactivation, a major version,
    deleted records and officers: after each, the folds equal the scan."""
    year = local_today().year
    rng = random.Random(11)
    other = Course(slug="khoa-khac", title="Khóa khác", updated_at=utcnow())
    third = Course(slug="khoa-ba", title="Khóa ba", updated_at=utcnow())
    db.session.add_all([other, third])
    second = create_unit("LĐLĐ tỉnh Hai", "P2", tree["national"])
    upper_c = create_unit("Công đoàn ngành C", "C", second)
    c1 = create_unit("CĐCS C1", "C1", upper_c)
    db.session.commit()
    units = [tree[k] for k in ("province", "A", "B", "A1", "A2", "B1")] + [second, upper_c, c1]
    officers = [
        make_user(rng.choice(units), officer_type=rng.choice(list(OfficerType))) for _ in range(36)
    ]
    make_user(tree["national"], officer_type=OfficerType.FULL_TIME)  # of the national root
    add_plan_item(year, course, date(year, 6, 30), tree["national"])
    add_plan_item(year, other, date(year, 9, 30), tree["national"], FULL)
    add_plan_item(year, third, date(year, 11, 30), tree["province"], PART)
    add_plan_item(year - 1, course, date(year - 1, 5, 31), tree["national"])
    for officer in rng.sample(officers, 24):
        for done in rng.sample([course, other, third], rng.randint(1, 3)):
            month = rng.randint(1, 12)
            record_completion(officer, done, on=date(year, month, rng.randint(1, 28)))
        if rng.random() < 0.5:
            record_completion(officer, course, on=date(year - 1, rng.randint(1, 12), 3))
    db.session.commit()
    todays = [date(year, 7, 15), date(year, 10, 15), date(year + 1, 1, 1)]
    assert_matches_scan([year - 1, year], todays)
    assert_tables_equal_backfill()

    # Moves and type changes: completed records keep the old unit and type, open ones follow.
    for officer in rng.sample(officers, 12):
        values = {"unit_id": rng.choice(units).id}
        if rng.random() < 0.5:
            kind = FULL if officer.officer_type == PART else PART
            values = {**values, "officer_type": kind}
        update_officer(None, db.session.get(User, officer.id), values)
    assert_matches_scan([year], todays)
    assert_tables_equal_backfill()

    for officer in rng.sample(officers, 5):
        set_active(None, db.session.get(User, officer.id), False, "Nghỉ")
    db.session.execute(
        update(TrainingRecord).where(TrainingRecord.id % 4 == 0).values(due_on=date(year, 8, 1))
    )
    db.session.commit()
    assert_matches_scan([year], todays)

    # A major version reopens completions; deleting records or officers removes their folds.
    course.version_major += 1
    reassign_after_major_version(course, date(year, 12, 31), year)
    db.session.commit()
    gone = [o.id for o in rng.sample(officers, 3)]
    db.session.execute(delete(TrainingRecord).where(TrainingRecord.user_id.in_(gone)))
    db.session.delete(db.session.get(User, officers[-1].id))  # cascades to the records
    db.session.commit()
    assert_matches_scan([year - 1, year], todays)
    assert_tables_equal_backfill()
    assert coverage(tree["national"], year).total.required > 0


# --- the edge cases, by hand ------------------------------------------------------------------


def _record(user, course, unit, officer_type, year, due=None, done=None, required=True):
    db.session.execute(
        insert(TrainingRecord).values(
            user_id=user.id,
            course_id=course.id,
            year=year,
            unit_id=unit.id,
            officer_type=officer_type,
            required=required,
            due_on=due,
            completed_on=done,
            updated_at=utcnow(),
        )
    )


def test_an_officer_across_two_units_and_two_types_counts_as_the_scan_says(tree, make_user, course):
    year = 2026
    other = Course(slug="khoa-khac", title="Khóa khác", updated_at=utcnow())
    db.session.add(other)
    db.session.commit()
    moved = make_user(tree["A2"])
    # Completed in A1 as part-time, open (overdue) in A2 as full-time: once under A and the
    # province (not trained, late), once in each of A1 (trained in May) and A2 (not trained).
    _record(moved, course, tree["A1"], PART, year, date(year, 6, 30), date(year, 5, 2))
    _record(moved, other, tree["A2"], FULL, year, date(year, 3, 31))
    staff = make_user(tree["province"])
    # One record at the province itself, one in B1: the province's own line and B's line.
    _record(staff, course, tree["province"], PART, year, date(year, 6, 30), date(year, 4, 1))
    _record(staff, other, tree["B1"], PART, year, None)  # no due date: never late
    db.session.commit()
    today = date(year, 7, 1)

    province = coverage(tree["province"], year, None, "", today)
    assert as_rows(province) == [(None, 1, 1, 0), (tree["A"].id, 1, 0, 1), (tree["B"].id, 1, 0, 0)]
    assert as_rows(coverage(tree["A"], year, None, "", today)) == [
        (tree["A1"].id, 1, 1, 0),
        (tree["A2"].id, 1, 0, 1),
    ]
    # Filtered by type, only that type's records are folded.
    assert as_rows(coverage(tree["A"], year, None, PART, today))[0] == (tree["A1"].id, 1, 1, 0)
    assert as_rows(coverage(tree["province"], year, None, PART, today)) == [
        (None, 1, 1, 0),
        (tree["A"].id, 1, 1, 0),
        (tree["B"].id, 1, 0, 0),
    ]
    assert as_rows(coverage(tree["province"], year, None, FULL, today)) == [
        (tree["A"].id, 1, 0, 1),
        (tree["B"].id, 0, 0, 0),
    ]
    assert coverage(tree["province"], year, None, PART, today).monthly[4] == (5, 2)
    assert_matches_scan([year], [today, date(year, 1, 1)])
    assert_tables_equal_backfill()

    # Completing the open record: trained under A in the month of the later completion.
    db.session.execute(
        update(TrainingRecord)
        .where(TrainingRecord.user_id == moved.id, TrainingRecord.course_id == other.id)
        .values(completed_on=date(year, 8, 20))
    )
    db.session.commit()
    national = coverage(tree["national"], year, None, "", today)
    assert national.monthly[7] == (8, 1)  # `moved` in August; `staff`'s B1 record is open
    assert_matches_scan([year], [today])
    assert_tables_equal_backfill()


def test_required_flip_and_change_of_officer_or_year(tree, make_user, course):
    year = 2026
    one, two = make_user(tree["A1"]), make_user(tree["B1"])
    _record(one, course, tree["A1"], PART, year, date(year, 6, 30))
    db.session.commit()
    today = date(year, 7, 1)
    assert coverage(tree["province"], year, today=today).total.late == 1
    record = TrainingRecord.user_id == one.id
    db.session.execute(update(TrainingRecord).where(record).values(required=False))
    db.session.commit()
    assert coverage(tree["province"], year, today=today).total.required == 0
    db.session.execute(update(TrainingRecord).where(record).values(required=True))
    db.session.execute(update(TrainingRecord).where(record).values(user_id=two.id))
    db.session.commit()
    assert as_rows(coverage(tree["province"], year, today=today)) == [
        (tree["A"].id, 1, 0, 1),  # the record stayed in A1's unit, now `two`'s
        (tree["B"].id, 0, 0, 0),
    ]
    db.session.execute(update(TrainingRecord).values(year=year - 1))
    db.session.commit()
    assert coverage(tree["province"], year, today=today).total.required == 0
    assert coverage(tree["province"], year - 1, today=today).total.required == 1
    assert_matches_scan([year - 1, year], [today])
    assert_tables_equal_backfill()


# --- random writes ----------------------------------------------------------------------------

YEAR = 2026
OFFICERS = 4  # few, so that writes often meet the same officer-year
DATES = [None, date(YEAR, 2, 10), date(YEAR, 5, 31), date(YEAR, 6, 30), date(YEAR, 11, 5)]
dates = st.sampled_from(DATES)
some_date = st.sampled_from(DATES[1:])
index = st.integers(0, 1000)
insertion = st.tuples(
    st.just("insert"),
    index,  # officer
    index,  # course
    st.sampled_from([YEAR, YEAR - 1]),
    index,  # unit
    st.sampled_from([FULL, PART]),
    st.sampled_from([True, True, True, False]),  # required
    dates,  # due
    dates,  # completed
)
operation = st.one_of(
    insertion,
    st.tuples(st.just("complete"), index, some_date),
    st.tuples(st.just("reopen"), index),
    st.tuples(st.just("due"), index, dates),
    st.tuples(st.just("flip"), index),
    st.tuples(st.just("delete"), index),
    st.tuples(st.just("move"), index, index),
    st.tuples(st.just("type"), index, st.sampled_from([FULL, PART])),
    st.tuples(st.just("officer"), index, index),
    st.tuples(st.just("roster_move"), index, index),  # every open record of an officer, at once
    st.tuples(st.just("plan"), index, index, some_date),  # INSERT … SELECT for a whole unit
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(insertion, min_size=4, max_size=20),
    operations=st.lists(operation, max_size=30),
    today=some_date,
)
def test_random_writes_keep_the_folds_exact(tree, make_user, course, first, operations, today):
    # Each example starts from empty tables, whatever an earlier (failing) one left.
    db.session.execute(delete(TrainingRecord))
    db.session.execute(delete(CoverageOfficer))
    db.session.execute(delete(CoverageOfficerCount))
    db.session.commit()
    units = db.session.scalars(select(OrgUnit).order_by(OrgUnit.id)).all()
    courses = db.session.scalars(select(Course).order_by(Course.id)).all()
    if len(courses) < 3:
        for n in range(3 - len(courses)):
            db.session.add(Course(slug=f"k{n}", title=f"Khóa {n}", updated_at=utcnow()))
        db.session.commit()
        courses = db.session.scalars(select(Course).order_by(Course.id)).all()
    users = db.session.scalars(select(User).order_by(User.id)).all()
    if len(users) < OFFICERS:
        for n in range(OFFICERS - len(users)):
            make_user(units[n % len(units)])
        users = db.session.scalars(select(User).order_by(User.id)).all()

    def pick(i):
        ids = db.session.scalars(select(TrainingRecord.id).order_by(TrainingRecord.id)).all()
        return ids[i % len(ids)] if ids else None

    def taken(user_id, course_id, year):
        return db.session.scalar(
            select(TrainingRecord.id).where(
                TrainingRecord.user_id == user_id,
                TrainingRecord.course_id == course_id,
                TrainingRecord.year == year,
            )
        )

    def change(record_id, **values):
        db.session.execute(
            update(TrainingRecord).where(TrainingRecord.id == record_id).values(**values)
        )

    for op, *args in first + operations:
        if op == "insert":
            user, course_, year, unit, kind, required, due, done = args
            user, course_, unit = (
                users[user % OFFICERS],
                courses[course_ % 3],
                units[unit % len(units)],
            )
            if not taken(user.id, course_.id, year):
                _record(user, course_, unit, kind, year, due, done, required)
            continue
        if op == "plan":
            unit, course_, due = units[args[0] % len(units)], courses[args[1] % 3], args[2]
            db.session.execute(
                insert(TrainingRecord).from_select(
                    [
                        "user_id",
                        "course_id",
                        "year",
                        "unit_id",
                        "officer_type",
                        "required",
                        "due_on",
                        "updated_at",
                    ],
                    select(
                        User.id,
                        literal(course_.id),
                        literal(YEAR),
                        User.unit_id,
                        User.officer_type,
                        true(),
                        literal(due),
                        literal(utcnow()),
                    ).where(
                        User.unit_id == unit.id,
                        User.id.not_in(
                            select(TrainingRecord.user_id).where(
                                TrainingRecord.course_id == course_.id,
                                TrainingRecord.year == YEAR,
                            )
                        ),
                    ),
                )
            )
            continue
        if op == "roster_move":
            user, unit = users[args[0] % OFFICERS], units[args[1] % len(units)]
            db.session.execute(
                update(TrainingRecord)
                .where(TrainingRecord.user_id == user.id, TrainingRecord.completed_on.is_(None))
                .values(unit_id=unit.id)
            )
            continue
        record_id = pick(args[0])
        if record_id is None:
            continue
        record = db.session.get(TrainingRecord, record_id)
        db.session.expire(record)
        if op == "complete":
            change(record_id, completed_on=args[1])
        elif op == "reopen":
            change(record_id, completed_on=None)
        elif op == "due":
            change(record_id, due_on=args[1])
        elif op == "flip":
            change(record_id, required=not record.required)
        elif op == "delete":
            db.session.execute(delete(TrainingRecord).where(TrainingRecord.id == record_id))
        elif op == "move":
            change(record_id, unit_id=units[args[1] % len(units)].id)
        elif op == "type":
            change(record_id, officer_type=args[1])
        elif op == "officer":
            user = users[args[1] % OFFICERS]
            if not taken(user.id, record.course_id, record.year):
                change(record_id, user_id=user.id)
    db.session.commit()
    assert_tables_equal_backfill()
    assert_matches_scan([YEAR, YEAR - 1], [today])
    # Deleting every record empties the folds and brings every count back to zero.
    db.session.execute(delete(TrainingRecord))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(CoverageOfficer)) == 0
    assert db.session.scalar(select(func.sum(CoverageOfficerCount.officers))) in (None, 0)


# --- concurrent writes (PostgreSQL; SQLite runs one writer at a time) ----------------------------


def test_two_transactions_writing_one_officer_at_once_stay_exact(tree, make_user, course):
    """Each refold reads the officer's fold then rewrites it: two transactions doing so at once
    for one officer (a quiz completion while a plan line or a move touches his other records)
    must not both start from the same old fold. The trigger locks the officer's row first."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers")
    year = 2026
    other = Course(slug="khoa-khac", title="Khóa khác", updated_at=utcnow())
    db.session.add(other)
    db.session.commit()
    officer = make_user(tree["A1"])
    _record(officer, course, tree["A1"], PART, year, date(year, 6, 30))
    _record(officer, other, tree["A1"], PART, year, date(year, 6, 30))
    db.session.commit()
    officer_id, course_ids = officer.id, (course.id, other.id)

    def complete(conn, course_id):
        conn.execute(
            update(TrainingRecord)
            .where(TrainingRecord.user_id == officer_id, TrainingRecord.course_id == course_id)
            .values(completed_on=date(year, 5, 1))
        )

    first, second = db.engine.connect(), db.engine.connect()
    try:
        with first.begin():
            complete(first, course_ids[0])

            def other_transaction():
                with second.begin():
                    complete(second, course_ids[1])

            worker = threading.Thread(target=other_transaction)
            worker.start()
            worker.join(0.5)
            assert worker.is_alive(), "the second refold should wait for the first"
        worker.join(10)
        assert not worker.is_alive()
    finally:
        first.close()
        second.close()
    today = date(year, 7, 1)
    assert coverage(tree["A"], year, None, "", today).total.trained == 1
    assert_matches_scan([year], [today])
    assert_tables_equal_backfill()
