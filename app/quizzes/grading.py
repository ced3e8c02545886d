"""Manual grading of essays and regrades: a pass completes the course as of the submission, a
pass taken away withdraws the completion and revokes its certificate. The caller commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core import audit
from app.core.dates import local_date_of
from app.core.db import utcnow
from app.core.text import nfc
from app.courses.models import Course
from app.courses.services import all_lessons_done
from app.extensions import db
from app.org.models import OrgUnit, User
from app.org.scope import TEACHING_ROLES, grading_refusal, scope_filter
from app.progress import records
from app.quizzes.models import Attempt
from app.quizzes.services import attempt_questions, score_percent
from app.quizzes.types import get_type


def _complete_if_lessons_done(attempt: Attempt, course: Course, on) -> None:
    if all_lessons_done(attempt.user_id, course.id):
        user = db.session.get(User, attempt.user_id)
        records.complete(user, course, on=on, attempt_id=attempt.id)


class GradingRefused(Exception):
    """The grader may not grade this attempt; the message says why, in Vietnamese."""


def grade_manually(
    attempt: Attempt,
    grades: dict[int, float],
    grader: User,
    comments: dict[int, str] | None = None,
) -> Attempt:
    """A trainer's grades (0..1) and comments for the attempt's essays; a first grade or a
    regrade. When none is left pending, the attempt is decided again from all its scores:
    a pass completes the course as of the submission date; a pass taken away withdraws the
    completion this attempt gave (and revokes its certificate). One audit entry says what
    changed. The caller commits; raises GradingRefused (nothing changed) when the rules
    forbid it."""
    refusal = grading_refusal(grader, attempt)  # the rules of app/org/scope.py
    if refusal:
        raise GradingRefused(refusal)
    questions = attempt_questions(attempt)
    manual_ids = {q.id for q in questions if get_type(q.qtype).manual}
    for question_id in set(grades) | set(comments or {}):
        if question_id not in manual_ids:
            raise ValueError(f"Câu hỏi {question_id} không phải câu tự luận của bài làm này")
    scores = dict(attempt.scores or {})
    for question_id, grade in grades.items():
        scores[str(question_id)] = round(max(0.0, min(1.0, float(grade))), 4)
    notes = dict(attempt.grader_comments or {})
    for question_id, comment in (comments or {}).items():
        notes[str(question_id)] = nfc(comment or "").strip()[:2000]
    course = db.session.get(Course, attempt.course_id)
    pending = [
        qid
        for qid in manual_ids
        if str(qid) not in scores and (attempt.answers or {}).get(str(qid)) not in (None, "", [])
    ]
    was_passed = attempt.passed
    attempt.scores = scores
    attempt.grader_comments = {k: v for k, v in notes.items() if v}
    attempt.score = score_percent(questions, scores)
    attempt.pending_grading = bool(pending)
    attempt.passed = None if pending else attempt.score >= course.pass_mark
    attempt.graded_by_id = grader.id
    attempt.graded_at = utcnow()
    on = local_date_of(attempt.submitted_at)
    withdrawn = False
    if attempt.passed:
        _complete_if_lessons_done(attempt, course, on)
        if was_passed is False:  # a regrade gave the pass back
            _reinstate_certificate(attempt, on.year, grader)
    elif was_passed:
        withdrawn = _withdraw_pass(attempt, course, on.year, grader)
    audit.record(
        "attempt.grade" if was_passed is None else "attempt.regrade",
        "attempt",
        attempt.id,
        grader.id,
        grades={str(k): v for k, v in grades.items()},
        score=attempt.score,
        passed=attempt.passed,
        was_passed=was_passed,
        completion_withdrawn=withdrawn,
    )
    return attempt


def _reinstate_certificate(attempt: Attempt, year: int, grader: User) -> None:
    # reports build on quizzes: imported here, not at the top
    from app.certificates.services import reinstate_after_regrade
    from app.progress.models import TrainingRecord

    record = db.session.scalar(
        select(TrainingRecord).where(
            TrainingRecord.user_id == attempt.user_id,
            TrainingRecord.course_id == attempt.course_id,
            TrainingRecord.year == year,
            TrainingRecord.attempt_id == attempt.id,
        )
    )
    if record is not None:
        reinstate_after_regrade(record, actor_id=grader.id)


def _withdraw_pass(attempt: Attempt, course: Course, year: int, grader: User) -> bool:
    """The regraded attempt no longer passes: take back the completion it gave (another pass
    that year keeps the officer trained) and revoke the certificate of that completion."""
    from app.certificates.services import REGRADE_REASON, revoke_record_certificate

    user = db.session.get(User, attempt.user_id)
    other = db.session.execute(
        select(Attempt.submitted_at, Attempt.id)
        .where(
            Attempt.user_id == attempt.user_id,
            Attempt.course_id == attempt.course_id,
            Attempt.id != attempt.id,
            Attempt.passed.is_(True),
            Attempt.course_version == attempt.course_version,
        )
        .order_by(Attempt.submitted_at)
    ).all()
    other_pass = next(
        ((local_date_of(at), aid) for at, aid in other if local_date_of(at).year == year), None
    )
    record = records.withdraw(user, course, year=year, attempt_id=attempt.id, other_pass=other_pass)
    if record is None:
        return False
    revoke_record_certificate(record, REGRADE_REASON, actor_id=grader.id)
    return True


def attempts_to_grade(viewer: User) -> list[Attempt]:
    """Submitted attempts with essays waiting, of officers in the viewer's units."""
    return list(
        db.session.scalars(
            select(Attempt)
            .join(User, User.id == Attempt.user_id)
            .join(OrgUnit, OrgUnit.id == User.unit_id)
            .options(joinedload(Attempt.user), joinedload(Attempt.course))
            .where(
                Attempt.pending_grading.is_(True),
                Attempt.user_id != viewer.id,  # nobody grades their own attempt
                scope_filter(viewer, OrgUnit.path, TEACHING_ROLES),
            )
            .order_by(Attempt.submitted_at)
            .limit(200)
        )
    )
