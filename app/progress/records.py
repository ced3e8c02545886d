"""Training records: the ONLY code that writes `TrainingRecord` rows, and the home of the
plan-line rule ("which plan line applies to an officer").

Why one writer: a record carries the officer's unit and type at the time, its requirement
(from the plan), its completion (online, class) and the deadline; coverage counts them, and
the triggers behind `coverage_officers` and the officer locks (app/progress/locking.py) depend
on every writer doing the same things in the same order. Completions, withdrawals, plan lines,
roster changes, tree moves, course versions and the data generator all call the operations
below; none of them builds or changes a record itself (tests/progress/test_records_owner.py
checks the source; app/progress/writer_guard.py adds a run-time guard in the tests).

Every operation locks the officers whose records it writes (`lock_officers`, from the private
helper app/progress/locking.py, is offered here to callers that must lock a larger set first,
in id order) and none commits: the calling service does, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import joinedload

from app.core.dates import local_today
from app.core.db import copy_rows, utcnow
from app.extensions import db
from app.org.models import OrgUnit, User, subtree_filter
from app.org.scope import within
from app.progress import locking, writer_guard
from app.progress.locking import lock_officers
from app.progress.models import PlanItem, TrainingRecord
from app.progress.writer_guard import own, writes


def install_checks() -> None:
    """The test configuration's checks (once per process): every record write locks its
    officers first (CHECK_RECORD_LOCKS, app/progress/locking.py) and comes from this module
    (CHECK_RECORD_WRITERS, app/progress/writer_guard.py). Production adds nothing."""
    locking.install_checks()
    writer_guard.install_checks()


# --- the plan-line rule --------------------------------------------------------------------------


def applicable_line(
    lines: Iterable[PlanItem], unit_path: str, officer_type: str
) -> PlanItem | None:
    """THE plan-line rule. Of the lines of one course and year, those over the officer's unit
    that name his type (or "" = every officer) cover him; the line of the nearest unit wins,
    then a type-specific line over an "everyone" line. None: nothing requires the course."""
    applicable = [
        line
        for line in lines
        if line.officer_type in ("", officer_type) and within(unit_path, line.unit.path)
    ]
    return max(
        applicable, key=lambda line: (len(line.unit.path), line.officer_type != ""), default=None
    )


def plan_line_for(user: User, year: int, course_id: int) -> PlanItem | None:
    """The plan line that requires `course_id` of this officer in `year`, if any."""
    lines = db.session.scalars(
        select(PlanItem)
        .options(joinedload(PlanItem.unit))
        .where(
            PlanItem.year == year,
            PlanItem.course_id == course_id,
            PlanItem.officer_type.in_(["", user.officer_type]),
        )
    ).all()
    return applicable_line(lines, user.unit.path, user.officer_type)


# --- completions ---------------------------------------------------------------------------------


def _record_of(user_id: int, course_id: int, year: int) -> TrainingRecord | None:
    return db.session.scalar(
        select(TrainingRecord).where(
            TrainingRecord.user_id == user_id,
            TrainingRecord.course_id == course_id,
            TrainingRecord.year == year,
        )
    )


@writes
def complete(
    user: User,
    course,
    *,
    on: date | None = None,
    source: str = "online",
    attempt_id: int | None = None,
) -> TrainingRecord:
    """Mark `user` trained on `course` for the year of `on`. Idempotent: a second completion in
    the same year keeps the first date."""
    on = on or local_today()
    lock_officers([user.id])
    record = _record_of(user.id, course.id, on.year)
    if record is None:
        plan = plan_line_for(user, on.year, course.id)
        record = TrainingRecord(
            user_id=user.id,
            course_id=course.id,
            year=on.year,
            unit_id=user.unit_id,
            officer_type=user.officer_type,
            required=plan is not None and user.active,
            due_on=plan.due_on if plan else None,
        )
        db.session.add(record)
    if record.completed_on is None:
        record.completed_on = on
        record.source = source
        record.course_version = course.version_major
        record.attempt_id = attempt_id
    return own(record)


@writes
def withdraw(
    user: User, course, *, year: int, attempt_id: int, other_pass: tuple[date, int] | None = None
) -> TrainingRecord | None:
    """Undo the completion of `year` that attempt `attempt_id` gave (a regrade took its pass
    away). When another passed attempt of that year (`other_pass`: its date and id) still
    completes the course, the record points to it instead. A completion from anything else (a
    class, another attempt) is left alone. Returns the record changed, else None."""
    lock_officers([user.id])
    record = _record_of(user.id, course.id, year)
    if record is None or record.completed_on is None or record.attempt_id != attempt_id:
        return None
    if other_pass is not None:
        record.completed_on, record.attempt_id = other_pass
    else:
        record.completed_on = None
        record.source = None
        record.course_version = None
        record.attempt_id = None
    return own(record)


def locked_record(user: User, course_id: int, year: int) -> TrainingRecord | None:
    """This officer's record of the course and year, his row locked first (as every writer
    does): for a caller that decides from it whether to change it."""
    lock_officers([user.id])
    return _record_of(user.id, course_id, year)


@writes
def reset_class_completion(record: TrainingRecord, other_class_on: date | None) -> None:
    """An attendance that completed `record` was removed: the completion moves to the date of
    another class of that course and year the officer attended, or goes. The caller took the
    record from `locked_record`."""
    record.completed_on = other_class_on
    if other_class_on is None:
        record.source = None
        record.course_version = None
    own(record)


@writes
def reopen_for_version(course, due_on: date, year: int) -> list[Row]:
    """Required completions of `year` on an older major version of `course` lose their
    completion and get `due_on` as the new deadline. Returns the completions taken away
    (user_id, completed_on, course_version, source, attempt_id) for the caller to archive.
    Bulk statements whatever the number."""
    stale = (
        (TrainingRecord.course_id == course.id)
        & (TrainingRecord.year == year)
        & TrainingRecord.required.is_(True)
        & TrainingRecord.completed_on.is_not(None)
        & (
            TrainingRecord.course_version.is_(None)
            | (TrainingRecord.course_version < course.version_major)
        )
    )
    count = db.session.scalar(select(func.count()).select_from(TrainingRecord).where(stale))
    if not count:
        return []
    lock_officers(select(TrainingRecord.user_id).where(stale))
    rows = db.session.execute(
        select(
            TrainingRecord.user_id,
            TrainingRecord.completed_on,
            TrainingRecord.course_version,
            TrainingRecord.source,
            TrainingRecord.attempt_id,
        ).where(stale)
    ).all()
    db.session.execute(
        update(TrainingRecord)
        .where(stale)
        .values(
            due_on=due_on,
            completed_on=None,
            source=None,
            course_version=None,
            attempt_id=None,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return list(rows)


# --- requirements: the plan applied to officers --------------------------------------------------


@writes
def apply_plan_line(item: PlanItem) -> None:
    """Create the missing records in bulk (INSERT … SELECT) and mark existing ones required.

    Bulk SQL rather than ORM objects: a plan line for a whole province touches 15,000 officers.
    """
    unit_path = db.session.get(OrgUnit, item.unit_id).path
    in_scope = select(OrgUnit.id).where(subtree_filter(OrgUnit.path, unit_path))
    officers = select(User.id).where(User.active.is_(True), User.unit_id.in_(in_scope))
    if item.officer_type:
        officers = officers.where(User.officer_type == item.officer_type)
    lock_officers(officers)
    db.session.execute(
        update(TrainingRecord)
        .where(
            TrainingRecord.year == item.year,
            TrainingRecord.course_id == item.course_id,
            TrainingRecord.user_id.in_(officers),
        )
        .values(required=True, due_on=item.due_on)
    )
    existing = select(TrainingRecord.user_id).where(
        TrainingRecord.year == item.year, TrainingRecord.course_id == item.course_id
    )
    source = select(
        User.id,
        literal(item.course_id),
        literal(item.year),
        User.unit_id,
        User.officer_type,
        literal(True),
        literal(item.due_on),
    ).where(User.active.is_(True), User.unit_id.in_(in_scope), User.id.not_in(existing))
    if item.officer_type:
        source = source.where(User.officer_type == item.officer_type)
    db.session.execute(
        insert(TrainingRecord).from_select(
            ["user_id", "course_id", "year", "unit_id", "officer_type", "required", "due_on"],
            source,
        )
    )


@writes
def sync_requirements(users: Sequence[User], today: date) -> None:
    """Bring this year's requirements in line with the plan for officers who joined, came back,
    moved or changed type: the applicable plan line (`applicable_line`) requires the course; no
    line, no requirement. Completed records are never touched. Plan lines are loaded once, so
    a large import stays cheap. The caller has locked the officers (or created them in this
    transaction: nobody else can wait on them)."""
    items = db.session.scalars(
        select(PlanItem).options(joinedload(PlanItem.unit)).where(PlanItem.year == today.year)
    ).all()
    if not items or not users:
        return
    records = {
        (r.user_id, r.course_id): r
        for r in db.session.scalars(
            select(TrainingRecord).where(
                TrainingRecord.year == today.year,
                TrainingRecord.user_id.in_([u.id for u in users]),
            )
        )
    }
    by_course: dict[int, list[PlanItem]] = {}
    for item in items:
        by_course.setdefault(item.course_id, []).append(item)
    new_records = []
    for user in users:
        for course_id, lines in by_course.items():
            line = applicable_line(lines, user.unit.path, user.officer_type)
            record = records.get((user.id, course_id))
            if record is not None and record.completed_on is not None:
                continue
            if record is None and line is not None:
                new_records.append(
                    {
                        "user_id": user.id,
                        "course_id": course_id,
                        "year": today.year,
                        "unit_id": user.unit_id,
                        "officer_type": user.officer_type,
                        "required": True,
                        "due_on": line.due_on,
                    }
                )
            elif record is not None:
                record.required = line is not None and user.active
                record.due_on = line.due_on if line is not None else record.due_on
                own(record)
    if new_records:
        # RETURNING makes SQLAlchemy send the rows in multi-row INSERTs on PostgreSQL too (a
        # plain executemany there is one statement, and one run of the coverage statement
        # triggers, per row).
        db.session.execute(insert(TrainingRecord).returning(TrainingRecord.id), new_records)


# --- officers and units that change --------------------------------------------------------------


@writes
def repoint_open_records(
    user_ids: list[int], year: int, *, unit_id: int | None = None, officer_type: str | None = None
) -> None:
    """This year's not-yet-completed records follow their officers to a new unit or type;
    completed ones and earlier years are history. The caller has locked the officers."""
    values = {
        name: value
        for name, value in (("unit_id", unit_id), ("officer_type", officer_type))
        if value is not None
    }
    db.session.execute(
        update(TrainingRecord)
        .where(
            TrainingRecord.user_id.in_(user_ids),
            TrainingRecord.year == year,
            TrainingRecord.completed_on.is_(None),
        )
        .values(**values)
        # Nothing in the session reads a record's unit or type back before the commit; not
        # searching the session for the records to update is most of the statement's cost.
        .execution_options(synchronize_session=False)
    )


@writes
def drop_open_requirements(user_id: int, year: int) -> None:
    """A deactivated officer leaves coverage: his open required records of `year` stop
    counting. The caller has locked him."""
    db.session.execute(
        update(TrainingRecord)
        .where(
            TrainingRecord.user_id == user_id,
            TrainingRecord.year == year,
            TrainingRecord.completed_on.is_(None),
            TrainingRecord.required.is_(True),
        )
        .values(required=False)
    )


@writes
def archive_past_years(unit_id: int, archive_id: int, year: int) -> None:
    """A unit moves: its records of years before `year` go to its archive unit at the old
    place. The caller has locked their officers."""
    db.session.execute(
        update(TrainingRecord)
        .where(TrainingRecord.unit_id == unit_id, TrainingRecord.year < year)
        .values(unit_id=archive_id)
        .execution_options(synchronize_session=False)
    )


@writes
def move_current_years(source_id: int, target_id: int, year: int) -> int:
    """A unit merges: its records of `year` and later go to the target unit. The caller has
    locked their officers. Returns how many moved."""
    return db.session.execute(
        update(TrainingRecord)
        .where(TrainingRecord.unit_id == source_id, TrainingRecord.year >= year)
        .values(unit_id=target_id)
        .execution_options(synchronize_session=False)
    ).rowcount


# --- bulk loading --------------------------------------------------------------------------------


@writes
def bulk_load(rows: list[dict]) -> None:
    """Insert generated records as they are (the data generator, with the coverage triggers
    paused): COPY on PostgreSQL, a Core executemany elsewhere. No ORM objects, no locks —
    nothing else runs against a database being generated."""
    if not rows:
        return
    table = TrainingRecord.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        copy_rows(table, rows)
    else:
        db.session.execute(insert(table), rows)
