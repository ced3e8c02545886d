"""Who must be trained on what each year, and who is: the table coverage reads.

`TrainingRecord` is the "completion per officer per course per year" row. It exists as soon as
an officer is required to take a course in a year (the yearly plan) or completes one, and it
carries the officer's unit and type *at that time*: a later move or deactivation does not
rewrite a past year's coverage. Coverage is a GROUP BY over this indexed table — attempts are
never scanned.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class PlanItem(db.Model):
    """A line of the yearly training plan: in `year`, officers of `officer_type` (or all) under
    `unit` (the province, usually) must complete `course` by `due_on`."""

    __tablename__ = "plan_items"
    __table_args__ = (UniqueConstraint("year", "course_id", "officer_type", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    officer_type: Mapped[str] = mapped_column(String(20), default="")  # "" = every officer
    due_on: Mapped[date] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course = relationship("Course")
    unit = relationship("OrgUnit")


class TrainingRecord(db.Model):
    __tablename__ = "training_records"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", "year"),
        Index("ix_training_records_year_course_id_unit_id", "year", "course_id", "unit_id"),
        Index("ix_training_records_year_unit_id", "year", "unit_id"),
        # An officer's records of a year: what the `coverage_officers` triggers refold.
        Index("ix_training_records_user_id_year", "user_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))  # unit at that time
    officer_type: Mapped[str] = mapped_column(String(20))  # type at that time
    required: Mapped[bool] = mapped_column(default=False)
    due_on: Mapped[date | None] = mapped_column()
    completed_on: Mapped[date | None] = mapped_column()
    source: Mapped[str | None] = mapped_column(String(10))  # "online" | "class"
    course_version: Mapped[int | None] = mapped_column()
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user = relationship("User")
    course = relationship("Course")

    @property
    def is_completed(self) -> bool:
        return self.completed_on is not None

    def is_late(self, today: date) -> bool:
        return self.required and not self.completed_on and bool(self.due_on) and today > self.due_on


class TrainingClass(db.Model):
    """An in-person class (lớp tập huấn): its attendees count as trained on `course` in the
    year of `held_on`, with or without an account. `unit_id` is the organising unit (the
    recorder's): it decides who may see and change the class."""

    __tablename__ = "training_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(String(255))
    trainer_name: Mapped[str] = mapped_column(String(255), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course = relationship("Course", lazy="joined", innerjoin=True)
    unit = relationship("OrgUnit", lazy="joined", innerjoin=True)


class ClassAttendance(db.Model):
    __tablename__ = "class_attendances"
    __table_args__ = (UniqueConstraint("class_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(
        ForeignKey("training_classes.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
