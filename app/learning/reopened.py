"""Why a course reopened for an officer: after a major version the officer who had worked on
an earlier one must take it again, and the course page and dashboard say why (the version,
its date and the trainer's note of what changed) instead of silently dropping to 0%."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from app.courses.models import CompletionHistory, Course, CourseVersion
from app.extensions import db
from app.org.models import User
from app.quizzes.models import Attempt


@dataclass(frozen=True)
class Reopened:
    version: str  # "2.0"
    published_at: datetime | None  # None: a version loaded from files, not published here
    note: str


def reopened_courses(user: User, courses: list[Course]) -> dict[int, Reopened]:
    """{course id: why it reopened} for the courses among `courses` the officer worked on (an
    attempt, or a completion taken back) in an earlier major version and has not yet passed
    in the current one. Four queries, whatever the number of courses."""
    current = {c.id: c.version_major for c in courses if (c.version_major or 1) > 1}
    if not current:
        return {}
    earliest_attempt = dict(
        db.session.execute(
            select(Attempt.course_id, func.min(Attempt.course_version))
            .where(Attempt.user_id == user.id, Attempt.course_id.in_(current))
            .group_by(Attempt.course_id)
        ).all()
    )
    passed_versions = set(
        db.session.execute(
            select(Attempt.course_id, Attempt.course_version)
            .where(
                Attempt.user_id == user.id,
                Attempt.course_id.in_(current),
                Attempt.passed.is_(True),
            )
            .distinct()
        ).all()
    )
    archived = set(
        db.session.scalars(
            select(CompletionHistory.course_id).where(
                CompletionHistory.user_id == user.id, CompletionHistory.course_id.in_(current)
            )
        )
    )
    reopened = {}
    for course_id, major in current.items():
        earlier = course_id in archived or (earliest_attempt.get(course_id) or major) < major
        if earlier and (course_id, major) not in passed_versions:
            reopened[course_id] = major
    if not reopened:
        return {}
    versions = db.session.scalars(
        select(CourseVersion).where(
            or_(
                *(
                    and_(CourseVersion.course_id == cid, CourseVersion.major == major)
                    for cid, major in reopened.items()
                )
            ),
            CourseVersion.minor == 0,
        )
    )
    found = {v.course_id: Reopened(v.label, v.published_at, v.note or "") for v in versions}
    return {
        cid: found.get(cid, Reopened(f"{major}.0", None, "")) for cid, major in reopened.items()
    }
