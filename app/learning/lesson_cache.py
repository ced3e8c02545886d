"""The published lessons of a course, kept per worker process, for the lesson page.

Why: the lesson page is what officers open most, and loading the course with its lessons
through the ORM was the largest part of its cost (bench S1). Lesson text changes only when a
trainer publishes, so each worker keeps a frozen copy per course and checks it is current on
every request with one indexed statement, which also answers "has this officer done the
lesson?" (the page needs that anyway). Nothing is stale: any change to a course or its lessons
moves `courses.updated_at` (see `_touch_course_of_changed_lessons`), and every worker compares
that stamp before serving its copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.courses.models import Course, Lesson, LessonProgress
from app.courses.services import active_lessons, get_course_or_404
from app.extensions import db
from app.legal import amendments
from app.legal import services as legal


@dataclass(frozen=True)
class LessonCopy:
    id: int
    position: int
    title: str
    body_html: str
    articles: str
    # the references as learners read them (document names and articles, never ids)
    citations: tuple = ()


@dataclass(frozen=True)
class CourseCopy:
    id: int
    slug: str
    title: str
    updated_at: datetime
    lessons: tuple[LessonCopy, ...]  # the active ones, in order
    # amendments of documents the course cites, not yet followed by a major version (an
    # edit of the register or a new amendment moves `courses.updated_at`: app/legal/services)
    notices: tuple[str, ...] = ()

    def lesson_at(self, position: int) -> LessonCopy | None:
        return next((x for x in self.lessons if x.position == position), None)


def _copies() -> dict[str, CourseCopy]:
    # Per application object, not per module: tests build many apps on different databases.
    return current_app.extensions.setdefault("tdkt_course_copies", {})


def _load(slug: str) -> CourseCopy:
    course = get_course_or_404(slug)
    register, course_docs = legal.course_citation_context(course)
    copy = CourseCopy(
        id=course.id,
        slug=course.slug,
        title=course.title,
        updated_at=course.updated_at,
        lessons=tuple(
            LessonCopy(
                x.id,
                x.position,
                x.title,
                x.body_html,
                x.articles,
                tuple(legal.citations(x.articles, register, course_docs)),
            )
            for x in active_lessons(course)
        ),
        notices=tuple(amendments.course_notices(course)),
    )
    _copies()[slug] = copy
    return copy


# The per-request check, built once (building it cost more than running it: bench S1): the
# course's stamp when it is still published, and whether the officer has done the lesson.
_STAMP_AND_DONE = select(
    Course.updated_at,
    select(LessonProgress.id)
    .where(
        LessonProgress.user_id == bindparam("user_id"),
        LessonProgress.lesson_id == bindparam("lesson_id"),
    )
    .limit(1)
    .scalar_subquery(),
).where(Course.id == bindparam("course_id"), Course.published)


def _stamp_and_done(course_id: int, lesson_id: int, user_id: int):
    # On the session's connection (same transaction), without the ORM layer: no entities here.
    return (
        db.session.connection()
        .execute(
            _STAMP_AND_DONE,
            {"course_id": course_id, "lesson_id": lesson_id, "user_id": user_id},
        )
        .first()
    )


def lesson_for(slug: str, position: int, user_id: int) -> tuple[CourseCopy, LessonCopy, bool]:
    """(course, lesson, done) for the lesson page; 404 when the course is not published or
    has no active lesson at `position`."""
    copy = _copies().get(slug)
    lesson = copy.lesson_at(position) if copy else None
    if lesson is not None:
        row = _stamp_and_done(copy.id, lesson.id, user_id)
        if row is not None and row[0] == copy.updated_at:
            return copy, lesson, row[1] is not None
    copy = _load(slug)  # first request, or changed since: 404s when no longer published
    lesson = copy.lesson_at(position)
    if lesson is None:
        abort(404)
    row = _stamp_and_done(copy.id, lesson.id, user_id)
    return copy, lesson, row is not None and row[1] is not None


@event.listens_for(Session, "before_flush")
def _touch_course_of_changed_lessons(session, flush_context, instances) -> None:
    """Any lesson added, changed or removed moves its course's `updated_at`: the stamp the
    per-worker copies are checked against."""
    changed = [
        x
        for x in (*session.new, *session.dirty, *session.deleted)
        if isinstance(x, Lesson) and (x not in session.dirty or session.is_modified(x))
    ]
    now = utcnow()
    for lesson in changed:
        course = (
            lesson.course if lesson.course_id is None else session.get(Course, lesson.course_id)
        )
        if course is not None:
            course.updated_at = now
