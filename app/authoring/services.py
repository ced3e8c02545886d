"""Browser authoring: the working copy of a course (drafts) that trainers edit.

Learners read `Course`, `Lesson` and `Question` rows, which change only when a version is
published (`app.authoring.versions.publish_course`). Everything an author changes before that
lives in drafts: `CourseDraft` (details, lesson order), `LessonDraft` (one per lesson, shared
by the course's authors, autosaved while typing) and `QuestionDraft` (one per question key).
No function here commits: the view that calls one commits once (docs/architecture.md).

This module holds the course itself (details, slug, its draft row); lessons.py, questions.py
and pending.py hold the drafts of lessons and questions and what the next publish applies.
"""

from __future__ import annotations

import re
import unicodedata

from flask import abort
from sqlalchemy import select

from app.core import audit
from app.core.db import utcnow
from app.core.text import nfc
from app.courses.models import Course
from app.courses.services import course_draft
from app.extensions import db
from app.legal.refs import clean_document
from app.org.models import User

META_FIELDS = (
    "title",
    "summary",
    "audience",
    "pass_mark",
    "questions_per_attempt",
    "time_limit_minutes",
    "max_attempts",
    "shuffle_answers",
    "attempts_per_day",
    "retry_wait_minutes",
    "review_wrong_on_fail",
    "review_answers",
    "legal_basis",
)
REVIEW_ANSWERS = ("after_pass", "never", "always")


def slugify(text: str, limit: int = 80) -> str:
    """ASCII slug of a Vietnamese title: "Điều 1: Phạm vi" -> "dieu-1-pham-vi"."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].strip("-")


# --- courses ---------------------------------------------------------------------------------


def authorable_courses() -> list[Course]:
    """Every course, published or not (authoring is not scoped by unit)."""
    return list(db.session.scalars(select(Course).order_by(Course.title)))


def get_course_or_404(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    return course


def slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Course.id).where(Course.slug == slug)) is not None


def create_course(slug: str, meta: dict, author: User) -> Course:
    """A new, unpublished course (version 1.0): learners see it after its first publish."""
    course = Course(slug=slug, published=False, version_major=1, version_minor=0)
    apply_meta(course, meta)
    db.session.add(course)
    db.session.flush()
    from app.courses.owners import add_owner_row

    add_owner_row(course, author, author)  # the creator owns his course
    audit.record("course.create", "course", course.id, author.id, slug=slug)
    return course


def save_course_meta(course: Course, meta: dict, author: User) -> None:
    """Stage new details; an unpublished course takes them at once (nobody reads it yet)."""
    clean = {key: meta[key] for key in META_FIELDS if key in meta}
    if not course.published:
        apply_meta(course, clean)
    else:
        draft = course_draft(course, create=True)
        draft.meta = clean
        draft.author_id = author.id
        draft.saved_at = utcnow()


def apply_meta(course: Course, meta: dict) -> None:
    """Copy staged details (`META_FIELDS`) onto the course learners read. Never commits: the
    caller does (`create_course`, `save_course_meta`; `apply_drafts` leaves it to the publish)."""
    course.title = nfc(meta.get("title", course.title or ""))
    course.summary = nfc(meta.get("summary", course.summary or ""))
    course.audience = nfc(meta.get("audience", course.audience or ""))
    course.pass_mark = int(meta.get("pass_mark", course.pass_mark or 70))
    course.questions_per_attempt = int(
        meta.get("questions_per_attempt", course.questions_per_attempt or 0)
    )
    for key in ("time_limit_minutes", "max_attempts", "attempts_per_day", "retry_wait_minutes"):
        if key in meta:
            setattr(course, key, int(meta[key] or 0))
    for key in ("shuffle_answers", "review_wrong_on_fail"):
        if key in meta:
            setattr(course, key, bool(meta[key]))
    if meta.get("review_answers") in REVIEW_ANSWERS:
        course.review_answers = meta["review_answers"]
    if "legal_basis" in meta:
        # The course form edits the basic fields; what only files and the register carry
        # (sources, per-article statuses, replacement) is kept from the current entry.
        before = {doc.get("id"): doc for doc in course.legal_basis or []}
        kept = ("sources", "articles", "last_checked", "replaced_by", "replaced_from")
        course.legal_basis = [
            clean_document(
                {
                    **{k: v for k, v in before.get(doc.get("id"), {}).items() if k in kept},
                    **{k: v for k, v in doc.items() if v not in (None, "")},
                }
            )
            for doc in meta["legal_basis"]
        ]
