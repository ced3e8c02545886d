"""Completions and the yearly plan: the only code that writes `TrainingRecord` rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, insert, literal, select, update

from app.core import audit
from app.core.dates import local_today
from app.extensions import db
from app.org.models import User
from app.progress.models import PlanItem, TrainingRecord


def _plan_item_for(year: int, course_id: int, officer_type: str) -> PlanItem | None:
    """The plan line that applies to this officer type (a type-specific line wins)."""
    items = db.session.scalars(
        select(PlanItem).where(
            PlanItem.year == year,
            PlanItem.course_id == course_id,
            PlanItem.officer_type.in_(["", officer_type]),
        )
    ).all()
    return max(items, key=lambda item: item.officer_type != "", default=None)


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
    record = db.session.scalar(
        select(TrainingRecord).where(
            TrainingRecord.user_id == user.id,
            TrainingRecord.course_id == course.id,
            TrainingRecord.year == on.year,
        )
    )
    if record is None:
        plan = _plan_item_for(on.year, course.id, user.officer_type)
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


def add_plan_item(
    year: int, course, due_on: date, officer_type: str = "", actor_id: int | None = None
) -> PlanItem:
    """Add a plan line and require the course of every active officer it covers. Commits."""
    item = PlanItem(year=year, course_id=course.id, due_on=due_on, officer_type=officer_type)
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
    db.session.commit()
    return item


def apply_plan_item(item: PlanItem) -> None:
    """Create the missing records in bulk (INSERT … SELECT) and mark existing ones required.

    Bulk SQL rather than ORM objects: a plan line for a whole province touches 15,000 officers.
    """
    officers = select(User.id).where(User.active.is_(True))
    if item.officer_type:
        officers = officers.where(User.officer_type == item.officer_type)
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
    ).where(User.active.is_(True), User.id.not_in(existing))
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
