"""Completions and the yearly plan: the only code that writes `TrainingRecord` rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, insert, literal, select, update
from sqlalchemy.orm import joinedload

from app.core import audit
from app.core.dates import local_today
from app.extensions import db
from app.org.models import OrgUnit, User, subtree_filter
from app.progress.locking import lock_officers
from app.progress.models import PlanItem, TrainingRecord


def plan_item_for(user: User, year: int, course_id: int) -> PlanItem | None:
    """The plan line that applies to this officer: it covers the officer's unit and type; the
    line of the nearest unit wins, then a type-specific line over an "everyone" line."""
    items = db.session.scalars(
        select(PlanItem)
        .options(joinedload(PlanItem.unit))
        .where(
            PlanItem.year == year,
            PlanItem.course_id == course_id,
            PlanItem.officer_type.in_(["", user.officer_type]),
        )
    ).all()
    applicable = [item for item in items if user.unit.path.startswith(item.unit.path)]
    return max(
        applicable, key=lambda item: (len(item.unit.path), item.officer_type != ""), default=None
    )


def record_completion(
    user: User,
    course,
    *,
    on: date | None = None,
    source: str = "online",
    attempt_id: int | None = None,
) -> TrainingRecord:
    """Mark `user` trained on `course` for the year of `on`. Idempotent: a second completion in
    the same year keeps the first date. Does not commit (the calling service does)."""
    on = on or local_today()
    lock_officers([user.id])
    record = db.session.scalar(
        select(TrainingRecord).where(
            TrainingRecord.user_id == user.id,
            TrainingRecord.course_id == course.id,
            TrainingRecord.year == on.year,
        )
    )
    if record is None:
        plan = plan_item_for(user, on.year, course.id)
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
    return record


def withdraw_completion(
    user: User, course, *, year: int, attempt_id: int, other_pass: tuple[date, int] | None = None
) -> TrainingRecord | None:
    """Undo the completion of `year` that attempt `attempt_id` gave (a regrade took its pass
    away). When another passed attempt of that year (`other_pass`: its date and id) still
    completes the course, the record points to it instead. A completion from anything else (a
    class, another attempt) is left alone. Returns the record changed, else None. Does not
    commit (the calling service does)."""
    lock_officers([user.id])
    record = db.session.scalar(
        select(TrainingRecord).where(
            TrainingRecord.user_id == user.id,
            TrainingRecord.course_id == course.id,
            TrainingRecord.year == year,
        )
    )
    if record is None or record.completed_on is None or record.attempt_id != attempt_id:
        return None
    if other_pass is not None:
        record.completed_on, record.attempt_id = other_pass
    else:
        record.completed_on = None
        record.source = None
        record.course_version = None
        record.attempt_id = None
    return record


def add_plan_item(
    year: int,
    course,
    due_on: date,
    unit: OrgUnit,
    officer_type: str = "",
    actor_id: int | None = None,
) -> PlanItem:
    """Add a plan line: every active officer under `unit` (of `officer_type`, or all) must
    complete `course` by `due_on`. The caller commits."""
    item = PlanItem(
        year=year, course_id=course.id, due_on=due_on, officer_type=officer_type, unit_id=unit.id
    )
    db.session.add(item)
    db.session.flush()
    apply_plan_item(item)
    audit.record(
        "plan.add",
        "plan_item",
        item.id,
        actor_id,
        year=year,
        course=course.slug,
        officer_type=officer_type,
        due_on=due_on.isoformat(),
    )
    return item


def apply_plan_item(item: PlanItem) -> None:
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


def records_for_user(user: User, year: int) -> list[TrainingRecord]:
    return list(
        db.session.scalars(
            select(TrainingRecord)
            .where(TrainingRecord.user_id == user.id, TrainingRecord.year == year)
            .order_by(TrainingRecord.due_on)
        )
    )


def has_completed(user: User, course, year: int) -> bool:
    return (
        db.session.scalar(
            select(TrainingRecord.id).where(
                and_(
                    TrainingRecord.user_id == user.id,
                    TrainingRecord.course_id == course.id,
                    TrainingRecord.year == year,
                    TrainingRecord.completed_on.is_not(None),
                )
            )
        )
        is not None
    )
