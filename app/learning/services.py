"""Learning: the dashboard of an officer's courses and marking lessons done."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.core.dates import local_date_of, local_today
from app.core.db import upsert_insert, utcnow
from app.courses.models import Course, Lesson, LessonProgress
from app.courses.services import all_lessons_done, published_courses
from app.extensions import db
from app.org.models import User
from app.progress.models import TrainingRecord
from app.progress.records import complete as complete_course
from app.quizzes.models import Attempt


@dataclass
class CourseCard:
    course: Course
    lessons_total: int
    lessons_done: int
    record: TrainingRecord | None
    best_score: float | None

    @property
    def percent(self) -> int:
        if self.record is not None and self.record.completed_on:
            return 100
        steps = self.lessons_total + 1  # the quiz is the last step
        return round(100 * self.lessons_done / steps) if steps else 0

    @property
    def completed(self) -> bool:
        return self.record is not None and self.record.completed_on is not None


def dashboard(user: User, year: int | None = None) -> list[CourseCard]:
    """One card per published course, with progress — four queries whatever the number."""
    year = year or local_today().year
    courses = published_courses()
    lesson_totals = dict(
        db.session.execute(
            select(Lesson.course_id, func.count())
            .where(Lesson.active.is_(True))
            .group_by(Lesson.course_id)
        ).all()
    )
    done = dict(
        db.session.execute(
            select(LessonProgress.course_id, func.count())
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id == user.id, Lesson.active.is_(True))
            .group_by(LessonProgress.course_id)
        ).all()
    )
    records = {
        r.course_id: r
        for r in db.session.scalars(
            select(TrainingRecord).where(
                TrainingRecord.user_id == user.id, TrainingRecord.year == year
            )
        )
    }
    best = dict(
        db.session.execute(
            select(Attempt.course_id, func.max(Attempt.score))
            .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None))
            .group_by(Attempt.course_id)
        ).all()
    )
    cards = [
        CourseCard(
            c, lesson_totals.get(c.id, 0), done.get(c.id, 0), records.get(c.id), best.get(c.id)
        )
        for c in courses
    ]
    # What is required and not yet done comes first.
    cards.sort(key=lambda card: (card.completed, not (card.record and card.record.required)))
    return cards


def mark_lesson_done(user: User, lesson: Lesson) -> None:
    """Idempotent (insert … on conflict do nothing). Completes the course if the quiz was
    already passed on this version. The caller commits."""
    db.session.execute(
        upsert_insert(db.session)(LessonProgress)
        .values(
            user_id=user.id, lesson_id=lesson.id, course_id=lesson.course_id, completed_at=utcnow()
        )
        .on_conflict_do_nothing(index_elements=["user_id", "lesson_id"])
    )
    course = lesson.course
    if all_lessons_done(user.id, course.id):
        passed = db.session.scalar(
            select(Attempt)
            .where(
                Attempt.user_id == user.id,
                Attempt.course_id == course.id,
                Attempt.passed.is_(True),
                Attempt.course_version == course.version_major,
            )
            .order_by(Attempt.submitted_at.desc())
        )
        if passed is not None and local_date_of(passed.submitted_at).year == local_today().year:
            complete_course(user, course, attempt_id=passed.id)
