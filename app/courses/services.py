"""The course catalog: published courses and their lessons, what an officer has done of them,
and a course's details as authors see them. Learners' pages: app/learning/."""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.courses.models import Course, CourseDraft, Lesson, LessonProgress
from app.extensions import db
from app.org.models import User


def published_courses() -> list[Course]:
    return list(
        db.session.scalars(select(Course).where(Course.published.is_(True)).order_by(Course.title))
    )


def get_course_or_404(slug: str) -> Course:
    """The published course with its lessons, in one query (every course page shows them)."""
    course = (
        db.session.execute(
            select(Course)
            .options(joinedload(Course.lessons))
            .where(Course.slug == slug, Course.published)
        )
        .unique()
        .scalar_one_or_none()
    )
    if course is None:
        abort(404)
    return course


def active_lessons(course: Course) -> list[Lesson]:
    return [lesson for lesson in course.lessons if lesson.active]


def get_lesson_or_404(course: Course, position: int) -> Lesson:
    lesson = next((x for x in active_lessons(course) if x.position == position), None)
    if lesson is None:
        abort(404)
    return lesson


def course_draft(course: Course, create: bool = False) -> CourseDraft | None:
    """The course's draft row (staged details, lesson order); with `create`, a new one is added
    to the session when there is none."""
    draft = db.session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))
    if draft is None and create:
        draft = CourseDraft(course_id=course.id)
        db.session.add(draft)
    return draft


def course_meta(course: Course) -> dict:
    """The course details as authors currently see them (the draft when there is one)."""
    draft = course_draft(course)
    if draft is not None and draft.meta:
        return dict(draft.meta)
    return {
        "title": course.title,
        "summary": course.summary,
        "audience": course.audience,
        "pass_mark": course.pass_mark,
        "questions_per_attempt": course.questions_per_attempt,
        "time_limit_minutes": course.time_limit_minutes or 0,
        "max_attempts": course.max_attempts or 0,
        "shuffle_answers": course.shuffle_answers is not False,
        "attempts_per_day": course.attempts_per_day,
        "retry_wait_minutes": course.retry_wait_minutes,
        "review_wrong_on_fail": course.review_wrong_on_fail is not False,
        "review_answers": course.review_answers,
        "legal_basis": [dict(doc) for doc in course.legal_basis or []],
    }


def done_lesson_ids(user: User, course: Course) -> set[int]:
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.user_id == user.id, LessonProgress.course_id == course.id
            )
        )
    )


def all_lessons_done(user_id: int, course_id: int) -> bool:
    """Every active lesson of the course done by the officer: one count, not the lessons' rows."""
    active, done = db.session.execute(
        select(func.count(Lesson.id), func.count(LessonProgress.id))
        .select_from(Lesson)
        .outerjoin(
            LessonProgress,
            (LessonProgress.lesson_id == Lesson.id) & (LessonProgress.user_id == user_id),
        )
        .where(Lesson.course_id == course_id, Lesson.active.is_(True))
    ).one()
    return done >= active


def lessons_done_count(user: User, course: Course) -> int:
    active = {lesson.id for lesson in course.lessons if lesson.active}
    return len(done_lesson_ids(user, course) & active)
