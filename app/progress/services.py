"""The yearly plan's lines, and what an officer's records say. Records themselves are written
by app/progress/records.py only."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select

from app.core import audit
from app.extensions import db
from app.org.models import OrgUnit, User
from app.progress import records
from app.progress.models import PlanItem, TrainingRecord


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
    records.apply_plan_line(item)
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
