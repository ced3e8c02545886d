"""No answer lost: an open attempt's answers are saved on the server as the officer works (the
page's script on every change, or "Lưu và tiếp tục" per page without it), so leaving, losing
the connection or switching phone resumes the same attempt with every answer in place.

Answers are stored in `Attempt.answers` ({question id: answer}, plus "_order"). A save merges
only the questions the page showed: the form lists them in hidden `shown` fields, because an
unticked checkbox sends nothing and would otherwise look like "not on this page".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import update

from app.core.db import utcnow
from app.extensions import db
from app.quizzes.models import Attempt, Question
from app.quizzes.types import get_type

PAGE_SIZE = 5  # questions per page: one or two phone screens
DEADLINE_GRACE = timedelta(seconds=90)  # the network and a slow phone, not extra time


class SaveRefused(Exception):
    """The attempt no longer takes answers (submitted, or its time is up); message in
    Vietnamese. Nothing was changed."""


def is_blank(answer: object) -> bool:
    if isinstance(answer, list):
        return all(is_blank(part) for part in answer)
    return answer in (None, "")


def answers_in_form(questions: list[Question], form) -> dict[str, object]:
    """The answers a posted form carries: every question listed in `shown`, and any other
    whose inputs (q<id>, q<id>-<n>) are present. Questions of other pages are left out."""
    shown = {value for value in form.getlist("shown") if value.isdigit()}
    keys = set(form.keys())
    answers = {}
    for question in questions:
        name = f"q{question.id}"
        present = name in keys or any(key.startswith(name + "-") for key in keys)
        if str(question.id) in shown or present:
            qtype = get_type(question.qtype)
            answers[str(question.id)] = qtype.answer_from_form(form, name, question.data or {})
    return answers


def is_overdue(attempt: Attempt) -> bool:
    """Past the deadline and its grace: the server, not the page's timer, decides."""
    return attempt.deadline_at is not None and utcnow() > attempt.deadline_at + DEADLINE_GRACE


def merged_answers(attempt: Attempt, new: dict[str, object]) -> dict:
    return {**(attempt.answers or {}), **new}


def save_answers(attempt: Attempt, new: dict[str, object]) -> Attempt:
    """Merge `new` into the attempt's saved answers. The caller commits.

    The UPDATE is conditional on the attempt still being open, so a save racing a submit never
    changes a graded attempt. Raises SaveRefused when the attempt is closed.
    """
    # Re-read the row under a lock (PostgreSQL; SQLite writes are serialised anyway): two
    # devices saving at once must not each merge into a stale copy and drop the other's page.
    db.session.refresh(attempt, with_for_update=True)
    if attempt.is_submitted:
        raise SaveRefused(_("Bài làm này đã được nộp; không thể sửa câu trả lời."))
    if is_overdue(attempt):
        raise SaveRefused(_("Đã hết thời gian làm bài; câu trả lời mới không được lưu."))
    changed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(answers=merged_answers(attempt, new))
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise SaveRefused(_("Bài làm này đã được nộp; không thể sửa câu trả lời."))
    db.session.refresh(attempt)
    return attempt


@dataclass
class Progress:
    answered: int
    total: int
    unanswered: list[tuple[int, int]]  # (question number from 1, page number from 1)


def progress(attempt: Attempt, questions: list[Question]) -> Progress:
    """ "Đã trả lời x/n" and which questions are still blank (essays and descriptions count)."""
    saved = attempt.answers or {}
    unanswered = [
        (index + 1, index // PAGE_SIZE + 1)
        for index, question in enumerate(questions)
        if is_blank(saved.get(str(question.id)))
    ]
    return Progress(len(questions) - len(unanswered), len(questions), unanswered)


def page_count(questions: list[Question]) -> int:
    return max(1, -(-len(questions) // PAGE_SIZE))


def page_of(questions: list[Question], page: int) -> list[Question]:
    start = (page - 1) * PAGE_SIZE
    return questions[start : start + PAGE_SIZE]
