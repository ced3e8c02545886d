"""Attempt rules and review options of a course (issue 15): how often an officer may try, how
long they wait after failing, and what a result page may show.

Why: with unlimited, immediate retakes and the right answers on every failed result page, a
quiz was passed by copying the previous page. The rules are checked on the server when an
attempt starts; the start page shows them beforehand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.dates import VN_TZ, format_datetime, to_local
from app.core.db import utcnow
from app.courses.models import Course
from app.extensions import db
from app.org.models import User
from app.quizzes.models import Attempt

FAILS_BEFORE_WAIT = 2  # "wait after two failed attempts"


def local_day_start_utc(now: datetime) -> datetime:
    """Midnight of `now`'s day in Vietnam, as the naive UTC the database stores."""
    local_midnight = datetime.combine(to_local(now).date(), time(0), tzinfo=VN_TZ)
    return local_midnight.astimezone(UTC).replace(tzinfo=None)


def attempts_started_today(user: User, course: Course, now: datetime) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(
            Attempt.user_id == user.id,
            Attempt.course_id == course.id,
            Attempt.started_at >= local_day_start_utc(now),
        )
    )


def retry_wait_until(user: User, course: Course) -> datetime | None:
    """When the officer may start again after the last two attempts of this version both
    failed; None when no wait applies. An attempt waiting for an essay grade is not a fail."""
    if not course.retry_wait_minutes:
        return None
    last = list(
        db.session.scalars(
            select(Attempt)
            .where(
                Attempt.user_id == user.id,
                Attempt.course_id == course.id,
                Attempt.course_version == course.version_major,
                Attempt.submitted_at.is_not(None),
            )
            .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())
            .limit(FAILS_BEFORE_WAIT)
        )
    )
    if len(last) < FAILS_BEFORE_WAIT or any(a.passed is not False for a in last):
        return None
    return last[0].submitted_at + timedelta(minutes=course.retry_wait_minutes)


def start_refusal(user: User, course: Course, now: datetime | None = None) -> str | None:
    """Why a new attempt may not start now (in Vietnamese, with the local time the officer may
    retry), or None. Resuming an open attempt is never refused: callers check that first."""
    now = now or utcnow()
    if course.attempts_per_day:
        used = attempts_started_today(user, course, now)
        if used >= course.attempts_per_day:
            tomorrow = local_day_start_utc(now) + timedelta(days=1)
            return _(
                "Bạn đã làm %(n)s lần hôm nay (tối đa %(m)s lần một ngày). "
                "Bạn có thể làm lại từ %(t)s.",
                n=used,
                m=course.attempts_per_day,
                t=format_datetime(tomorrow),
            )
    wait_until = retry_wait_until(user, course)
    if wait_until is not None and now < wait_until:
        return _(
            "Bạn đã chưa đạt %(k)s lần liền nhau. Hãy ôn lại bài học; bạn có thể làm lại từ %(t)s.",
            k=FAILS_BEFORE_WAIT,
            t=format_datetime(wait_until),
        )
    return None


@dataclass(frozen=True)
class ReviewVisibility:
    """What a result page shows. `marks`: which questions were right or wrong; `explanations`;
    `right_answers`: the right answer of every question."""

    marks: bool
    explanations: bool
    right_answers: bool


def review_visibility(
    attempt: Attempt, course: Course, attempts_left: int | None
) -> ReviewVisibility:
    """`attempts_left` is None when the version's attempts are unlimited."""
    if course.review_answers == "always":
        revealed = True
    elif course.review_answers == "never":
        revealed = False
    else:  # "after_pass"
        revealed = bool(attempt.passed) or attempts_left == 0
    if revealed:
        return ReviewVisibility(marks=True, explanations=True, right_answers=True)
    if attempt.passed or attempt.pending_grading or course.review_wrong_on_fail:
        # A passed attempt (right answers "never" shown) still shows its marks: it is over.
        return ReviewVisibility(marks=True, explanations=True, right_answers=False)
    return ReviewVisibility(marks=False, explanations=False, right_answers=False)
