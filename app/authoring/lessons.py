"""Lesson drafts: the working copy of a course's lessons (see app/authoring/services.py).

No function here commits: the view that calls one commits once (docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from app.authoring.services import course_draft, slugify
from app.core import audit
from app.core.db import utcnow
from app.core.text import nfc
from app.courses.models import Course, Lesson, LessonDraft
from app.extensions import db
from app.org.models import User

# A lesson is one or two phone screens; this only stops abuse of the preview and autosave.
MAX_LESSON_CHARS = 200_000


@dataclass
class WorkingLesson:
    """A lesson as authors see it: the published lesson, its draft, or both."""

    slug: str
    lesson: Lesson | None
    draft: LessonDraft | None

    @property
    def title(self) -> str:
        if self.draft is not None:
            return self.draft.title
        return self.lesson.title if self.lesson else ""

    @property
    def is_new(self) -> bool:
        return self.lesson is None

    @property
    def hidden(self) -> bool:
        return self.draft is not None and self.draft.hidden


def lesson_drafts(course: Course) -> list[LessonDraft]:
    return list(
        db.session.scalars(
            select(LessonDraft).where(LessonDraft.course_id == course.id).order_by(LessonDraft.id)
        )
    )


def working_lessons(course: Course) -> list[WorkingLesson]:
    """Published active lessons and drafts, in the working order (two queries)."""
    lessons = [x for x in course.lessons if x.active]
    drafts = {d.slug: d for d in lesson_drafts(course)}
    items = [WorkingLesson(x.slug, x, drafts.pop(x.slug, None)) for x in lessons]
    items += [WorkingLesson(d.slug, None, d) for d in drafts.values()]
    draft = course_draft(course)
    if draft is not None and draft.lesson_order:
        rank = {slug: i for i, slug in enumerate(draft.lesson_order)}
        items.sort(key=lambda item: rank.get(item.slug, len(rank)))
    return items


def lesson_for_editing(course: Course, slug: str) -> tuple[Lesson | None, LessonDraft | None]:
    """(published lesson, draft) for `slug`; 404 when neither exists."""
    lesson = next((x for x in course.lessons if x.slug == slug and x.active), None)
    draft = db.session.scalar(
        select(LessonDraft).where(LessonDraft.course_id == course.id, LessonDraft.slug == slug)
    )
    if lesson is None and draft is None:
        abort(404)
    return lesson, draft


def lesson_slug_taken(course: Course, slug: str) -> bool:
    in_lessons = any(x.slug == slug for x in course.lessons)
    in_drafts = db.session.scalar(
        select(LessonDraft.id).where(LessonDraft.course_id == course.id, LessonDraft.slug == slug)
    )
    return in_lessons or in_drafts is not None


def unique_lesson_slug(course: Course, title: str) -> str:
    base = slugify(title, 100) or "bai-hoc"
    slug, n = base, 2
    while lesson_slug_taken(course, slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_lesson_draft(
    course: Course, title: str, body_md: str, articles: str, author: User, slug: str = ""
) -> LessonDraft:
    """A new lesson, as a draft until the next publish."""
    slug = slug or unique_lesson_slug(course, title)
    draft = LessonDraft(
        course_id=course.id,
        slug=slug,
        author_id=author.id,
        title=nfc(title)[:255],
        body_md=body_md,
        articles=nfc(articles),
        saved_at=utcnow(),
    )
    db.session.add(draft)
    return draft


def save_lesson_draft(
    course: Course, slug: str, title: str, body_md: str, articles: str, author: User
) -> LessonDraft:
    """Store what the author typed, valid or not (autosave, a failed form, a real save).

    The text is kept exactly as typed (no trimming of the body), so a restore gives it back
    unchanged. 404 when `slug` is neither a lesson nor a draft of the course."""
    author_id = author.id
    lesson, draft = lesson_for_editing(course, slug)
    if draft is None:
        draft = LessonDraft(course_id=course.id, slug=slug, lesson_id=lesson.id)
        db.session.add(draft)
    draft.author_id = author_id
    draft.title = (title or "").strip()[:255]
    draft.body_md = (body_md or "").replace("\r\n", "\n")
    draft.articles = (articles or "").strip()
    draft.saved_at = utcnow()
    return draft


def discard_lesson_draft(course: Course, slug: str, author: User) -> None:
    _lesson, draft = lesson_for_editing(course, slug)
    if draft is not None:
        db.session.delete(draft)
        audit.record("lesson.discard_draft", "course", course.id, author.id, lesson=slug)


def set_lesson_hidden(course: Course, slug: str, hidden: bool, author: User) -> None:
    """Take a published lesson out of the course at the next publish (or bring it back).

    The lesson row and officers' progress stay; a lesson never published is simply
    discarded."""
    author_id = author.id
    lesson, draft = lesson_for_editing(course, slug)
    if lesson is None:
        if hidden and draft is not None:
            db.session.delete(draft)
        return
    if draft is None:
        if not hidden:
            return
        draft = LessonDraft(
            course_id=course.id,
            slug=slug,
            lesson_id=lesson.id,
            title=lesson.title,
            body_md=lesson.body_md,
            articles=lesson.articles,
        )
        db.session.add(draft)
    draft.hidden = hidden
    draft.author_id = author_id
    draft.saved_at = utcnow()
    audit.record(
        "lesson.hide" if hidden else "lesson.unhide", "course", course.id, author_id, lesson=slug
    )


def move_lesson(course: Course, slug: str, offset: int, author: User) -> None:
    """Move a lesson up (-1) or down (+1) in the working order."""
    order = [item.slug for item in working_lessons(course)]
    if slug not in order:
        abort(404)
    index = order.index(slug)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    draft = course_draft(course, create=True)
    draft.lesson_order = order
    draft.author_id = author.id
    draft.saved_at = utcnow()
