"""Where a course's lessons and questions cite the legal register: the rows of
`legal_references`, rebuilt from the published lessons and questions. Here and not in
app/legal/ because it reads questions, and the register sits below the question bank.

Called by the course loader, `publish_course` and the bank import inside their own
transaction: flushes, never commits."""

from __future__ import annotations

from sqlalchemy import delete, select

from app.courses.models import Course, Lesson
from app.extensions import db
from app.legal.models import LegalReference
from app.legal.refs import HISTORICAL_TAG, HISTORY_BOX, Ref, parse_refs
from app.quizzes.models import Question


def sync_course_references(course: Course | int) -> None:
    """Rebuild the course's rows in `legal_references` from its active lessons and questions
    (after a load from files, a publish or a bank import). Flushes, never commits."""
    course_id = course if isinstance(course, int) else course.id
    db.session.flush()
    db.session.execute(delete(LegalReference).where(LegalReference.course_id == course_id))
    rows = []
    lessons = db.session.execute(
        select(Lesson.id, Lesson.articles, Lesson.body_md).where(
            Lesson.course_id == course_id, Lesson.active.is_(True)
        )
    )
    for lesson_id, written, body in lessons:
        # A lesson with a `!!! history` box cites on purpose what a replaced document said
        # (the checker allows a replaced document only there).
        historical = bool(HISTORY_BOX.search(body or ""))
        rows += [
            _row(course_id, ref, lesson_id=lesson_id, historical=historical)
            for ref in parse_refs(written)
        ]
    questions = db.session.execute(
        select(Question.id, Question.reference, Question.tags).where(
            Question.course_id == course_id, Question.active.is_(True)
        )
    )
    for question_id, written, tags in questions:
        historical = HISTORICAL_TAG in (tags or [])
        rows += [
            _row(course_id, ref, question_id=question_id, historical=historical)
            for ref in parse_refs(written)
        ]
    db.session.add_all(row for row in rows if row.document_code)
    db.session.flush()


def _row(course_id: int, ref: Ref, **values) -> LegalReference:
    return LegalReference(
        course_id=course_id,
        document_code=ref.doc_id[:80],
        place=ref.place[:255],
        article=ref.article[:255],
        **values,
    )
