"""Item analysis for a course's question bank: which questions confuse officers.

- Facility index: the mean score on the question, as a percentage (100 = everyone right).
- Discrimination index: the Pearson correlation, in percent, between the score on the question
  and the score on the *rest* of the attempt (Moodle's definition). Low or negative values mark
  questions that strong and weak officers answer alike — often an ambiguous key.

Only submitted attempts of the current major version count; attempts that did not see a
question (random draws) do not count for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from app.courses.models import Course
from app.extensions import db
from app.quizzes.models import Attempt, Question
from app.quizzes.types import get_type


@dataclass
class ItemStatistics:
    question: Question
    attempts: int
    facility: float | None  # percent
    discrimination: float | None  # percent, None when undefined (no variance)


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_statistics(course: Course) -> list[ItemStatistics]:
    attempts = db.session.scalars(
        select(Attempt).where(
            Attempt.course_id == course.id,
            Attempt.submitted_at.is_not(None),
            Attempt.course_version == course.version_major,
        )
    ).all()
    questions = db.session.scalars(
        select(Question).where(Question.course_id == course.id).order_by(Question.position)
    ).all()
    per_question: dict[int, tuple[list[float], list[float]]] = {q.id: ([], []) for q in questions}
    for attempt in attempts:
        scores = {int(k): float(v) for k, v in (attempt.scores or {}).items()}
        total = sum(scores.values())
        for question_id, score in scores.items():
            if question_id in per_question:
                items, rests = per_question[question_id]
                items.append(score)
                rests.append(total - score)
    result = []
    for question in questions:
        if not get_type(question.qtype).scored:
            continue
        items, rests = per_question[question.id]
        facility = 100 * sum(items) / len(items) if items else None
        r = _pearson(items, rests)
        result.append(
            ItemStatistics(question, len(items), facility, None if r is None else 100 * r)
        )
    return result
