"""Quiz attempts: start, submit (exactly once), review."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from app.core import audit
from app.core.dates import local_date_of
from app.core.db import utcnow
from app.core.permissions import TEACHING_ROLES, scope_filter
from app.courses.models import Course
from app.courses.services import lessons_done_count
from app.extensions import db
from app.org.models import OrgUnit, User
from app.progress.services import record_completion
from app.quizzes.models import Attempt, Question
from app.quizzes.types import get_type


def active_questions(course: Course) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.course_id == course.id, Question.active.is_(True))
            .order_by(Question.position, Question.id)
        )
    )


def open_attempt(user: User, course: Course) -> Attempt | None:
    return db.session.scalar(
        select(Attempt)
        .where(
            Attempt.user_id == user.id,
            Attempt.course_id == course.id,
            Attempt.submitted_at.is_(None),
        )
        .order_by(Attempt.id.desc())
    )


class AttemptRefused(Exception):
    """The officer may not start another attempt; the message says why, in Vietnamese."""


DEADLINE_GRACE = timedelta(seconds=90)  # the network and a slow phone, not extra time


def attempts_left(user: User, course: Course) -> int | None:
    """None when unlimited."""
    if not course.max_attempts:
        return None
    used = db.session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(
            Attempt.user_id == user.id,
            Attempt.course_id == course.id,
            Attempt.course_version == course.version_major,
            Attempt.submitted_at.is_not(None),
        )
    )
    return max(0, course.max_attempts - used)


def draw_questions(course: Course, rng: random.Random | None = None) -> list[Question]:
    """The questions of a new attempt: the exam blueprint (n per category) if the course has
    one, else n at random, else all — in bank order."""
    rng = rng or random.Random()
    questions = active_questions(course)
    if course.draw_per_category:
        chosen = []
        for category, count in course.draw_per_category.items():
            pool = [q for q in questions if q.category == category]
            chosen += rng.sample(pool, min(int(count), len(pool)))
        keep = {q.id for q in chosen}
        return [q for q in questions if q.id in keep]
    if course.questions_per_attempt and len(questions) > course.questions_per_attempt:
        keep = {q.id for q in rng.sample(questions, course.questions_per_attempt)}
        return [q for q in questions if q.id in keep]
    return questions


def start_attempt(user: User, course: Course) -> Attempt:
    """Resume the open attempt of this course, or start one drawing the questions. Commits.

    Raises AttemptRefused when the attempts allowed on this version are used up.
    """
    attempt = open_attempt(user, course)
    if attempt is not None and attempt.course_version == course.version_major:
        return attempt
    left = attempts_left(user, course)
    if left == 0:
        raise AttemptRefused(
            f"Bạn đã dùng hết {course.max_attempts} lần làm bài của phiên bản này."
        )
    questions = draw_questions(course)
    order = {}
    for question in questions:
        data = question.data or {}
        if course.shuffle_answers and data.get("choices") and data.get("shuffle", True):
            ids = [c["id"] for c in data["choices"]]
            random.shuffle(ids)
            order[str(question.id)] = ids
    now = utcnow()
    attempt = Attempt(
        user_id=user.id,
        course_id=course.id,
        course_version=course.version_major,
        question_ids=[q.id for q in questions],
        answers={"_order": order},
        started_at=now,
        deadline_at=now + timedelta(minutes=course.time_limit_minutes)
        if course.time_limit_minutes
        else None,
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def attempt_questions(attempt: Attempt) -> list[Question]:
    """The attempt's questions in the order they were served (one query)."""
    by_id = {
        q.id: q
        for q in db.session.scalars(select(Question).where(Question.id.in_(attempt.question_ids)))
    }
    return [by_id[i] for i in attempt.question_ids if i in by_id]


def read_answers(attempt: Attempt, form) -> dict[str, object]:
    answers = {}
    for question in attempt_questions(attempt):
        qtype = get_type(question.qtype)
        answers[str(question.id)] = qtype.answer_from_form(
            form, f"q{question.id}", question.data or {}
        )
    return answers


@dataclass
class SubmitResult:
    attempt: Attempt
    newly_submitted: bool  # False when this was a repeated (double) submit


def submit_attempt(attempt: Attempt, answers: dict[str, object]) -> SubmitResult:
    """Grade and close the attempt; on a pass, record the completion. Commits once.

    The conditional UPDATE (… WHERE submitted_at IS NULL) is the guard against double submits:
    of two concurrent requests only one changes a row, the other sees it was already done.
    """
    if attempt.is_submitted:
        return SubmitResult(attempt, newly_submitted=False)
    now = utcnow()
    timed_out = attempt.deadline_at is not None and now > attempt.deadline_at + DEADLINE_GRACE
    if timed_out:
        answers = {}  # sent after the time limit: nothing is graded
    questions = attempt_questions(attempt)
    scores, pending = _auto_scores(questions, answers)
    course = db.session.get(Course, attempt.course_id)
    percent = _percent(questions, scores)
    passed = None if pending else percent >= course.pass_mark
    stored = {"_order": (attempt.answers or {}).get("_order", {}), **answers}
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(
            submitted_at=now,
            answers=stored,
            scores=scores,
            score=percent,
            passed=passed,
            timed_out=timed_out,
            pending_grading=bool(pending),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(attempt)
        return SubmitResult(attempt, newly_submitted=False)
    if passed:
        _complete_if_lessons_done(attempt, course, local_date_of(now))
    db.session.commit()
    db.session.refresh(attempt)
    return SubmitResult(attempt, newly_submitted=True)


def _auto_scores(questions: list[Question], answers: dict) -> tuple[dict[str, float], list[int]]:
    """Scores of the automatically graded questions, and the ids waiting for a trainer.
    An essay left blank scores 0 at once: there is nothing to grade."""
    scores: dict[str, float] = {}
    pending = []
    for question in questions:
        qtype = get_type(question.qtype)
        if not qtype.scored:
            continue
        answer = answers.get(str(question.id))
        if qtype.manual and answer not in (None, "", []):
            pending.append(question.id)
            continue
        scores[str(question.id)] = round(qtype.grade(question.data or {}, answer), 4)
    return scores, pending


def _percent(questions: list[Question], scores: dict[str, float]) -> float:
    possible = sum(1 for q in questions if get_type(q.qtype).scored)
    return round(100 * sum(scores.values()) / possible, 2) if possible else 0.0


def _complete_if_lessons_done(attempt: Attempt, course: Course, on) -> None:
    user = db.session.get(User, attempt.user_id)
    if lessons_done_count(user, course) >= sum(1 for x in course.lessons if x.active):
        record_completion(user, course, on=on, attempt_id=attempt.id)


def grade_manually(attempt: Attempt, grades: dict[int, float], grader: User) -> Attempt:
    """A trainer's grades (0..1) for the attempt's essays; when none is left pending, the attempt
    is decided and, on a pass, the course completed as of the submission date. Commits."""
    questions = attempt_questions(attempt)
    manual_ids = {q.id for q in questions if get_type(q.qtype).manual}
    scores = dict(attempt.scores or {})
    for question_id, grade in grades.items():
        if question_id not in manual_ids:
            raise ValueError(f"Câu hỏi {question_id} không phải câu tự luận của bài làm này")
        scores[str(question_id)] = round(max(0.0, min(1.0, float(grade))), 4)
    course = db.session.get(Course, attempt.course_id)
    pending = [
        qid
        for qid in manual_ids
        if str(qid) not in scores and (attempt.answers or {}).get(str(qid)) not in (None, "", [])
    ]
    attempt.scores = scores
    attempt.score = _percent(questions, scores)
    attempt.pending_grading = bool(pending)
    attempt.passed = None if pending else attempt.score >= course.pass_mark
    audit.record(
        "attempt.grade", "attempt", attempt.id, grader.id, grades=grades, score=attempt.score
    )
    if attempt.passed:
        _complete_if_lessons_done(attempt, course, local_date_of(attempt.submitted_at))
    db.session.commit()
    return attempt


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
                scope_filter(viewer, OrgUnit.path, TEACHING_ROLES),
            )
            .order_by(Attempt.submitted_at)
            .limit(200)
        )
    )


def user_attempts(user: User, course: Course) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(
                Attempt.user_id == user.id,
                Attempt.course_id == course.id,
                Attempt.submitted_at.is_not(None),
            )
            .order_by(Attempt.submitted_at.desc())
        )
    )


def review_items(attempt: Attempt) -> list[dict]:
    """Per question: text, what was answered, the right answer, score, explanation, reference."""
    items = []
    course = db.session.get(Course, attempt.course_id)
    for question in attempt_questions(attempt):
        qtype = get_type(question.qtype)
        data = question.data or {}
        answer = (attempt.answers or {}).get(str(question.id))
        doc_id, _, place = (question.reference or "").partition(";")
        document = course.legal_document(doc_id.strip()) if doc_id else None
        items.append(
            {
                "question": question,
                "answer_text": qtype.answer_text(data, answer),
                "correct_text": qtype.correct_answer_text(data),
                "score": (attempt.scores or {}).get(str(question.id)),
                "scored": qtype.scored,
                "document": document,
                "place": place.strip(),
            }
        )
    return items


def answers_revealed(attempt: Attempt, course: Course) -> bool:
    """May the review page show the right answers and explanations of this attempt?"""
    if course.review_answers != "after_pass" or attempt.passed:
        return True
    user = db.session.get(User, attempt.user_id)
    return attempts_left(user, course) == 0
