"""Quiz attempts: start, submit (exactly once), review."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Text, cast, func, select

from app.core.dates import local_date_of
from app.core.db import utcnow, writing
from app.courses.models import Course
from app.courses.services import all_lessons_done
from app.extensions import db
from app.legal.refs import parse_refs
from app.legal.services import citations, documents_by_code
from app.org.models import User
from app.progress import records
from app.quizzes import rules
from app.quizzes.models import Attempt, Question
from app.quizzes.saving import is_overdue
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


def draw_questions(
    course: Course, rng: random.Random | None = None, avoid: set[int] | frozenset = frozenset()
) -> list[Question]:
    """The questions of a new attempt: the exam blueprint (n per category) if the course has
    one, else n at random, else all — in bank order.

    Questions in `avoid` (the previous attempt's) are drawn only when a pool has too few
    others, so consecutive attempts differ whenever the bank allows it.
    """
    rng = rng or random.Random()
    questions = active_questions(course)
    if course.draw_per_category:
        chosen = []
        for category, count in course.draw_per_category.items():
            pool = [q for q in questions if q.category == category]
            chosen += _sample_preferring_fresh(pool, int(count), avoid, rng)
        keep = {q.id for q in chosen}
        return [q for q in questions if q.id in keep]
    if course.questions_per_attempt and len(questions) > course.questions_per_attempt:
        chosen = _sample_preferring_fresh(questions, course.questions_per_attempt, avoid, rng)
        keep = {q.id for q in chosen}
        return [q for q in questions if q.id in keep]
    return questions


def _sample_preferring_fresh(
    pool: list[Question], count: int, avoid, rng: random.Random
) -> list[Question]:
    fresh = [q for q in pool if q.id not in avoid]
    seen = [q for q in pool if q.id in avoid]
    chosen = rng.sample(fresh, min(count, len(fresh)))
    return chosen + rng.sample(seen, min(count - len(chosen), len(seen)))


def previous_question_ids(user: User, course: Course) -> set[int]:
    """The questions of the officer's latest attempt at this course (any version)."""
    ids = db.session.scalar(
        select(Attempt.question_ids)
        .where(Attempt.user_id == user.id, Attempt.course_id == course.id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(1)
    )
    return set(ids or [])


def close_overdue(user: User, course: Course) -> Attempt | None:
    """Submit the officer's open attempt of this course if its time is up, with the answers
    saved before the deadline (no background job: whichever request comes first does it)."""
    attempt = open_attempt(user, course)
    if attempt is not None and is_overdue(attempt):
        submit_attempt(attempt, {})
        return attempt
    return None


def start_attempt(user: User, course: Course) -> Attempt:
    """Resume the open attempt of this course, or start one drawing the questions.

    The caller commits. Raises AttemptRefused when the attempts allowed on this version are
    used up, or the course's rules (attempts per day, the wait after two fails) hold the
    officer back.
    """
    close_overdue(user, course)
    attempt = open_attempt(user, course)
    if attempt is not None and attempt.course_version == course.version_major:
        return attempt
    left = attempts_left(user, course)
    if left == 0:
        raise AttemptRefused(
            f"Bạn đã dùng hết {course.max_attempts} lần làm bài của phiên bản này."
        )
    refusal = rules.start_refusal(user, course)
    if refusal:
        raise AttemptRefused(refusal)
    questions = draw_questions(course, avoid=previous_question_ids(user, course))
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
    db.session.flush()  # the caller redirects to the attempt's id
    return attempt


def attempt_questions(attempt: Attempt) -> list[Question]:
    """The attempt's questions in the order they were served (one query)."""
    by_id = {
        q.id: q
        for q in db.session.scalars(select(Question).where(Question.id.in_(attempt.question_ids)))
    }
    return [by_id[i] for i in attempt.question_ids if i in by_id]


@dataclass
class SubmitResult:
    attempt: Attempt
    newly_submitted: bool  # False when this was a repeated (double) submit


@dataclass
class _Graded:
    """What a submit writes, worked out before the write transaction."""

    values: dict  # the attempt's columns set by the submit
    passed: bool | None
    course: Course  # held here: the session keeps loaded objects only while they are used
    user: User
    lessons_done: bool  # every active lesson was done when it was read
    on: date  # the day of the completion


def submit_attempt(
    attempt: Attempt, answers: dict[str, object], questions: list[Question] | None = None
) -> SubmitResult:
    """Grade and close the attempt with its saved answers updated by `answers` (those the
    submit form carried); on a pass, record the completion. The caller commits. `questions`:
    the attempt's questions if the caller has them (`attempt_questions`).

    After the deadline (and its grace) only the answers saved in time are graded. Everything is
    read and graded first; the write transaction (`writing`: on SQLite the one writer at a
    time) then holds only the claim and the completion. The claim is one conditional UPDATE
    (… WHERE submitted_at IS NULL AND the saved answers are those graded): of two concurrent
    submits only one changes the row, the other sees it was already done; an answer saved in
    between (another tab) makes it miss, and the attempt is graded again under the lock.
    """
    if attempt.is_submitted:
        return SubmitResult(attempt, newly_submitted=False)
    questions = questions if questions is not None else attempt_questions(attempt)
    saved = attempt.answers or {}
    graded = _grade(attempt, saved, answers, questions)
    with writing(db.session):
        # The answers as stored: the JSON type writes json.dumps(value), which loads and
        # dumps back to the same text (if not, the claim misses and grades again below).
        claimed = _claim(attempt, graded, cast(Attempt.answers, Text) == json.dumps(saved))
        if not claimed:  # submitted meanwhile, or answers saved meanwhile: look under the lock
            db.session.refresh(attempt, with_for_update=True)
            if not attempt.is_submitted:
                graded = _grade(attempt, attempt.answers or {}, answers, questions)
                claimed = _claim(attempt, graded)
        if not claimed:  # nothing was written: the claim changed no row
            return SubmitResult(attempt, newly_submitted=False)
        # Lessons done only grow: a True read before the write holds; a False is read again
        # here (a lesson finished meanwhile completes the course now: `mark_lesson_done` could
        # not see this pass yet).
        lessons_done = graded.lessons_done or all_lessons_done(attempt.user_id, attempt.course_id)
        if graded.passed and lessons_done:
            records.complete(graded.user, graded.course, on=graded.on, attempt_id=attempt.id)
    return SubmitResult(attempt, newly_submitted=True)


def _grade(
    attempt: Attempt, saved: dict, answers: dict[str, object], questions: list[Question]
) -> _Graded:
    """Grade `answers` over the `saved` ones (only the saved ones after the deadline). Reads
    what the completion needs too, so that the write transaction does not."""
    now = utcnow()
    timed_out = is_overdue(attempt)
    order = saved.get("_order", {})
    saved = {k: v for k, v in saved.items() if k != "_order"}
    answers = saved if timed_out else {**saved, **answers}
    scores, pending = _auto_scores(questions, answers)
    course = db.session.get(Course, attempt.course_id)
    user = db.session.get(User, attempt.user_id)
    percent = score_percent(questions, scores)
    passed = None if pending else percent >= course.pass_mark
    lessons_done = False
    if passed:
        lessons_done = all_lessons_done(attempt.user_id, attempt.course_id)
        user.unit  # noqa: B018  (records.complete reads it for the plan line: loaded now)
    values = {
        "submitted_at": now,
        "answers": {"_order": order, **answers},
        "scores": scores,
        "score": percent,
        "passed": passed,
        "timed_out": timed_out,
        "pending_grading": bool(pending),
    }
    return _Graded(values, passed, course, user, lessons_done, local_date_of(now))


def _claim(attempt: Attempt, graded: _Graded, *also) -> bool:
    """Close the attempt with the graded values if it is still open (and `also` holds).
    A table UPDATE, not the ORM's: nothing in the session is synchronised, and it costs less
    inside the write lock."""
    attempts = Attempt.__table__
    return (
        db.session.execute(
            attempts.update()
            .where(attempts.c.id == attempt.id, attempts.c.submitted_at.is_(None), *also)
            .values(**graded.values)
        ).rowcount
        == 1
    )


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


def score_percent(questions: list[Question], scores: dict[str, float]) -> float:
    possible = sum(1 for q in questions if get_type(q.qtype).scored)
    return round(100 * sum(scores.values()) / possible, 2) if possible else 0.0


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
    questions = attempt_questions(attempt)
    codes = {ref.doc_id for q in questions for ref in parse_refs(q.reference)}
    register = documents_by_code(codes)
    course_docs = {doc.get("id"): doc for doc in course.legal_basis or []}
    for question in questions:
        qtype = get_type(question.qtype)
        data = question.data or {}
        answer = (attempt.answers or {}).get(str(question.id))
        items.append(
            {
                "question": question,
                "answer_text": qtype.answer_text(data, answer),
                "correct_text": qtype.correct_answer_text(data),
                "score": (attempt.scores or {}).get(str(question.id)),
                "scored": qtype.scored,
                # an answered essay not graded yet: "đang chờ chấm", never "chưa đúng"
                "awaiting_grade": qtype.manual
                and str(question.id) not in (attempt.scores or {})
                and answer not in (None, "", []),
                "comment": (attempt.grader_comments or {}).get(str(question.id), ""),
                # names and articles, each with its status (never the documents' ids)
                "citations": citations(question.reference, register, course_docs),
            }
        )
    return items


def review_visibility(attempt: Attempt, course: Course) -> rules.ReviewVisibility:
    """What the review page of this attempt may show (marks, explanations, right answers)."""
    user = db.session.get(User, attempt.user_id)
    return rules.review_visibility(attempt, course, attempts_left(user, course))
