"""A course's question bank as its page lists it: filters, search, counts."""

from __future__ import annotations

import json
import unicodedata

from sqlalchemy import String, cast, func, or_, select

from app.core.pagination import Page, paginate
from app.courses.models import Course, QuestionDraft
from app.extensions import db
from app.quizzes.models import Question


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def bank_page(
    course: Course,
    *,
    category: str = "",
    tag: str = "",
    search: str = "",
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """The course's questions (active first, in bank order), filtered; items are
    `(Question,)` rows."""
    stmt = select(Question).where(Question.course_id == course.id)
    if category:
        stmt = stmt.where(
            or_(Question.category == category, Question.category.startswith(category + "/"))
        )
    if tag:
        # JSON lists are stored as text on both databases: match the quoted, JSON-encoded tag.
        encoded = json.dumps(_nfc(tag))
        stmt = stmt.where(cast(Question.tags, String).contains(encoded, autoescape=True))
    search = _nfc(search).strip()
    if search:
        stmt = stmt.where(
            or_(
                Question.text.icontains(search, autoescape=True),
                Question.title.icontains(search, autoescape=True),
                Question.key.icontains(search, autoescape=True),
            )
        )
    stmt = stmt.order_by(Question.active.desc(), Question.position, Question.id)
    return paginate(stmt, page, per_page)


def bank_filters(course: Course) -> tuple[list[str], list[str], int]:
    """(categories, tags, number of questions) of the course's bank, for the filter form."""
    rows = db.session.execute(
        select(Question.category, Question.tags).where(Question.course_id == course.id)
    ).all()
    categories = sorted({c for c, _t in rows if c})
    tags = sorted({t for _c, tags in rows for t in (tags or [])})
    return categories, tags, len(rows)


def count_questions(course: Course) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Question).where(Question.course_id == course.id)
    )


def draft_count(course: Course) -> int:
    """Questions staged for the course's next publish (imported or edited)."""
    return db.session.scalar(
        select(func.count()).select_from(QuestionDraft).where(QuestionDraft.course_id == course.id)
    )
