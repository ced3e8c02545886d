"""Question drafts: the working copy of a course's questions, edited by the simple form
(see app/authoring/services.py). No function here commits: the calling view does."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from app.core.db import utcnow
from app.core.text import nfc
from app.courses.models import Course, QuestionDraft
from app.extensions import db
from app.org.models import User
from app.quizzes.models import Question
from app.quizzes.types import REGISTRY, get_type

# Question types the simple form edits; the others stay editable through the GIFT files.
FORM_QTYPES = tuple(name for name, kind in REGISTRY.items() if kind.form_editable)


@dataclass
class WorkingQuestion:
    key: str
    question: Question | None
    draft: QuestionDraft | None

    def _current(self):
        return self.draft if self.draft is not None else self.question

    @property
    def qtype(self) -> str:
        return self._current().qtype

    @property
    def text(self) -> str:
        return self._current().text

    @property
    def active(self) -> bool:
        return self._current().active


def working_questions(course: Course) -> list[WorkingQuestion]:
    questions = db.session.scalars(
        select(Question)
        .where(Question.course_id == course.id)
        .order_by(Question.active.desc(), Question.position, Question.id)
    ).all()
    drafts = {
        d.key: d
        for d in db.session.scalars(
            select(QuestionDraft)
            .where(QuestionDraft.course_id == course.id)
            .order_by(QuestionDraft.id)
        )
    }
    items = [WorkingQuestion(q.key, q, drafts.pop(q.key, None)) for q in questions]
    items = [item for item in items if item.question.active or item.draft is not None]
    items += [WorkingQuestion(d.key, None, d) for d in drafts.values()]
    return items


def question_for_editing(course: Course, key: str) -> tuple[Question | None, QuestionDraft | None]:
    question = db.session.scalar(
        select(Question).where(Question.course_id == course.id, Question.key == key)
    )
    draft = db.session.scalar(
        select(QuestionDraft).where(QuestionDraft.course_id == course.id, QuestionDraft.key == key)
    )
    if question is None and draft is None:
        abort(404)
    return question, draft


def question_key_taken(course: Course, key: str) -> bool:
    for model in (Question, QuestionDraft):
        found = db.session.scalar(
            select(model.id).where(model.course_id == course.id, model.key == key)
        )
        if found is not None:
            return True
    return False


def new_question_key(course: Course) -> str:
    while True:
        key = f"{course.slug[:100]}-{secrets.token_hex(3)}"
        if not question_key_taken(course, key):
            return key


def question_data(qtype: str, options: list[dict], truefalse: str = "") -> dict:
    """Type data (the shape the loader builds from GIFT) from the simple form's rows, built by
    the question type itself (`data_from_form`).

    `options`: [{"text", "weight" (percent), "feedback"}]; empty rows are skipped."""
    rows = [o for o in options if (o.get("text") or "").strip()]
    return get_type(qtype).data_from_form(rows, truefalse)


def option_rows(qtype: str, data: dict) -> list[dict]:
    """The inverse of `question_data`, to fill the form."""
    return get_type(qtype).form_rows(data)


def validate_question(qtype: str, data: dict) -> list[str]:
    """Problems in Vietnamese from the registered type's own `validate`."""
    try:
        return list(get_type(qtype).validate(data))
    except (KeyError, TypeError, ValueError) as exc:
        return [str(exc)]


def save_question_draft(
    course: Course,
    key: str,
    *,
    qtype: str,
    text: str,
    data: dict,
    explanation: str,
    reference: str,
    author: User,
    active: bool = True,
    category: str = "",
) -> QuestionDraft:
    """Stage a (validated) question; a new key makes a new question at the next publish."""
    values = {
        "author_id": author.id,
        "qtype": qtype,
        "text": nfc(text),
        "data": data,
        "explanation": nfc(explanation),
        "reference": nfc(reference)[:255],
        "category": nfc(category)[:255],
        "active": active,
        "saved_at": utcnow(),
    }
    draft = db.session.scalar(
        select(QuestionDraft).where(QuestionDraft.course_id == course.id, QuestionDraft.key == key)
    )
    if draft is None:
        draft = QuestionDraft(course_id=course.id, key=key, **values)
        db.session.add(draft)
    else:
        for name, value in values.items():
            setattr(draft, name, value)
    return draft


def discard_question_draft(course: Course, key: str) -> None:
    _question, draft = question_for_editing(course, key)
    if draft is not None:
        db.session.delete(draft)
