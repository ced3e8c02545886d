"""Amendments: a trainer records that a document (or one article) is amended or replaced from
a date; the courses citing it are flagged (dashboard list, learners' notice) until each
publishes a major version, which re-assigns the officers (`versions.publish_course`).

`record_amendment` is audited and committed by its view; the others only read, or add to the
caller's transaction (`note_major_publish`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.core import audit
from app.core.dates import format_date
from app.core.db import utcnow
from app.courses.models import Course, Lesson
from app.extensions import db
from app.legal.models import LegalAmendment, LegalDocument, LegalReference
from app.legal.services import get_document, touch_citing_courses
from app.org.models import User

AMENDED, REPLACED = "amended", "replaced"


def citing_course_majors(code: str, article: str = "") -> dict[str, int]:
    """{course id: its major version now} for every course citing the document (the article)
    other than in a passage marked historical."""
    stmt = (
        select(Course.id, Course.version_major)
        .join(LegalReference, LegalReference.course_id == Course.id)
        .where(LegalReference.document_code == code, LegalReference.historical.is_(False))
        .distinct()
    )
    if article:
        stmt = stmt.where(LegalReference.article == article)
    return {str(course_id): major for course_id, major in db.session.execute(stmt)}


def record_amendment(
    document: LegalDocument,
    kind: str,
    effective_from: date,
    actor: User,
    article: str = "",
    replaced_by: str | None = None,
    note: str = "",
) -> LegalAmendment:
    """Record that `document` (or one article) is amended or replaced from `effective_from`.
    A whole document replaced also gets `replaced_by`/`replaced_from`. The courses citing it
    now are remembered with their major version: the notice stays until each publishes a
    newer major version (which re-assigns the officers). Audited; the caller commits."""
    amendment = LegalAmendment(
        document_id=document.id,
        article=article,
        kind=kind,
        replaced_by=replaced_by or None,
        effective_from=effective_from,
        note=note,
        recorded_by=actor.id,
        recorded_at=utcnow(),
        courses=citing_course_majors(document.code, article),
    )
    db.session.add(amendment)
    if kind == REPLACED and not article:
        document.replaced_by = replaced_by
        document.replaced_from = effective_from
        document.edited_at = utcnow()
    db.session.flush()
    audit.record(
        "legal.amendment",
        "legal_document",
        document.id,
        actor.id,
        amendment=amendment.id,
        kind=kind,
        article=article,
        replaced_by=replaced_by,
        effective_from=effective_from.isoformat(),
        courses=sorted(int(x) for x in amendment.courses),
    )
    touch_citing_courses(document.code)
    return amendment


def _all_amendments() -> list[LegalAmendment]:
    return list(
        db.session.scalars(
            select(LegalAmendment)
            .options(joinedload(LegalAmendment.document))
            .order_by(LegalAmendment.effective_from.desc(), LegalAmendment.id.desc())
        )
    )


def open_amendments(course_id: int, major: int) -> list[LegalAmendment]:
    """Amendments recorded while the course was at `major` and not yet followed by a newer
    major version of it."""
    key = str(course_id)
    return [a for a in _all_amendments() if (a.courses or {}).get(key) == major]


def notice_text(amendment: LegalAmendment, register: dict | None = None) -> str:
    document = amendment.document
    what = f"{amendment.article} của " if amendment.article else ""
    when = format_date(amendment.effective_from)
    if amendment.kind == REPLACED:
        new = (register or {}).get(amendment.replaced_by) or get_document(
            amendment.replaced_by or ""
        )
        by = f" bởi {new.display_name}" if new else ""
        return (
            f"{what}{document.display_name} đã được thay thế{by} từ ngày {when}. Một số nội dung "
            "của khóa học có thể chưa cập nhật; khóa học đang được sửa và bạn có thể được giao "
            "học lại phiên bản mới."
        )
    return (
        f"{what}{document.display_name} đã được sửa đổi từ ngày {when}. Một số nội dung của "
        "khóa học có thể chưa cập nhật; khóa học đang được sửa và bạn có thể được giao học lại "
        "phiên bản mới."
    )


def course_notices(course: Course) -> list[str]:
    return [notice_text(a) for a in open_amendments(course.id, course.version_major)]


@dataclass
class Impact:
    amendment: LegalAmendment
    lessons: list  # [(course, lesson, place, historical)]
    questions: list  # [(course, question, place, historical)]
    open_courses: list  # courses still to publish a major version


def amendment_impacts(only_open: bool = True) -> list[Impact]:
    """For the authoring dashboard: every lesson and question citing each amended document
    (or article), and the courses that have not yet published a major version since."""
    impacts = []
    for amendment in _all_amendments():
        courses = {
            c.id: c
            for c in db.session.scalars(
                select(Course).where(Course.id.in_([int(x) for x in amendment.courses or {}]))
            )
        }
        open_courses = [
            c
            for c in courses.values()
            if (amendment.courses or {}).get(str(c.id)) == c.version_major
        ]
        if only_open and not open_courses:
            continue
        stmt = select(LegalReference).where(LegalReference.document_code == amendment.document.code)
        if amendment.article:
            stmt = stmt.where(LegalReference.article == amendment.article)
        stmt = stmt.options(selectinload(LegalReference.question))
        refs = list(db.session.scalars(stmt.order_by(LegalReference.id)))
        lessons = {x.id: x for x in _by_ids(Lesson, [r.lesson_id for r in refs])}
        course_of = {**courses, **{c.id: c for c in _by_ids(Course, [r.course_id for r in refs])}}
        impact = Impact(amendment, [], [], sorted(open_courses, key=lambda c: c.title))
        for ref in refs:
            course = course_of.get(ref.course_id)
            if ref.lesson_id in lessons:
                item = (course, lessons[ref.lesson_id], ref.place, ref.historical)
                impact.lessons.append(item)
            elif ref.question is not None:
                item = (course, ref.question, ref.place, ref.historical)
                impact.questions.append(item)
        impacts.append(impact)
    return impacts


def _by_ids(model, ids) -> list:
    ids = sorted({i for i in ids if i})
    return list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def note_major_publish(course: Course, previous_major: int, actor: User, reassigned: int) -> None:
    """A major version of a course closes the amendments open on it: audited with how many
    officers were re-assigned (the reopening itself is `reassign_after_major_version`)."""
    for amendment in open_amendments(course.id, previous_major):
        audit.record(
            "legal.amendment.reassign",
            "legal_amendment",
            amendment.id,
            actor.id,
            course=course.id,
            version=course.version_label,
            reassigned=reassigned,
        )
