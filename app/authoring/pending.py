"""What the next publish of a course applies: the pending drafts, what keeps them from being
published, and copying them into the rows learners read (`versions.publish_course` calls
`apply_drafts` inside its own transaction)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from app.authoring.lessons import lesson_drafts, working_lessons
from app.authoring.questions import validate_question
from app.authoring.services import apply_meta, course_draft
from app.core.markdown import render_markdown
from app.core.text import nfc
from app.courses.models import Course, CourseDraft, Lesson, LessonDraft, QuestionDraft
from app.extensions import db
from app.quizzes.models import Question


@dataclass
class PendingChanges:
    meta: bool
    order: bool
    lessons: list[LessonDraft]
    questions: list[QuestionDraft]

    @property
    def any(self) -> bool:
        return self.meta or self.order or bool(self.lessons) or bool(self.questions)


def pending_changes(course: Course) -> PendingChanges:
    draft = course_draft(course)
    questions = list(
        db.session.scalars(select(QuestionDraft).where(QuestionDraft.course_id == course.id))
    )
    return PendingChanges(
        meta=bool(draft and draft.meta),
        order=bool(draft and draft.lesson_order),
        lessons=lesson_drafts(course),
        questions=questions,
    )


def draft_problems(course: Course) -> list[str]:
    """What keeps the working copy from being published (Vietnamese)."""
    problems = []
    for draft in lesson_drafts(course):
        if draft.hidden:
            continue
        if not draft.title.strip():
            problems.append(f"Bài “{draft.slug}” chưa có tiêu đề.")
        if not draft.body_md.strip():
            problems.append(f"Bài “{draft.slug}” chưa có nội dung.")
    for draft in db.session.scalars(
        select(QuestionDraft).where(QuestionDraft.course_id == course.id)
    ):
        for problem in validate_question(draft.qtype, draft.data):
            problems.append(f"Câu hỏi “{draft.key}”: {problem}")
    if not [item for item in working_lessons(course) if not item.hidden]:
        problems.append("Khóa học cần ít nhất một bài học.")
    return problems


def apply_drafts(course: Course) -> None:
    """Copy every draft of the course into the rows learners read, then delete the drafts.

    Part of `publish_course`, whose caller commits it together with the version row."""
    order = [item.slug for item in working_lessons(course)]
    details = course_draft(course)
    if details is not None and details.meta:
        apply_meta(course, details.meta)
    by_slug = {lesson.slug: lesson for lesson in course.lessons}
    for draft in lesson_drafts(course):
        lesson = by_slug.get(draft.slug)
        if draft.hidden:
            if lesson is not None:
                lesson.active = False
            continue
        if lesson is None:
            lesson = Lesson(slug=draft.slug, course=course, position=0)
            db.session.add(lesson)
            by_slug[draft.slug] = lesson
        lesson.title = nfc(draft.title)
        lesson.body_md = nfc(draft.body_md)
        lesson.body_html = render_markdown(lesson.body_md)
        lesson.articles = nfc(draft.articles)
        lesson.active = True
    db.session.flush()
    rank = {slug: i for i, slug in enumerate(order)}
    active = sorted(
        (x for x in course.lessons if x.active), key=lambda x: rank.get(x.slug, len(rank))
    )
    for position, lesson in enumerate(active, start=1):
        lesson.position = position
    _apply_question_drafts(course)
    db.session.execute(delete(LessonDraft).where(LessonDraft.course_id == course.id))
    db.session.execute(delete(QuestionDraft).where(QuestionDraft.course_id == course.id))
    db.session.execute(delete(CourseDraft).where(CourseDraft.course_id == course.id))
    db.session.flush()


def _apply_question_drafts(course: Course) -> None:
    drafts = db.session.scalars(
        select(QuestionDraft).where(QuestionDraft.course_id == course.id).order_by(QuestionDraft.id)
    ).all()
    if not drafts:
        return
    existing = {
        q.key: q
        for q in db.session.scalars(select(Question).where(Question.course_id == course.id))
    }
    last = max((q.position for q in existing.values()), default=0)
    for draft in drafts:
        question = existing.get(draft.key)
        if question is None:
            last += 1
            question = Question(
                course_id=course.id, key=draft.key, position=last, text_format="plain"
            )
            db.session.add(question)
        question.qtype = draft.qtype
        question.text = draft.text
        # An imported draft brings its title, text format and tags; a form edit ("", None)
        # keeps the question's.
        if draft.title:
            question.title = draft.title
        if draft.text_format:
            question.text_format = draft.text_format
        if draft.tags is not None:
            question.tags = list(draft.tags)
        question.data = draft.data
        question.explanation = draft.explanation
        question.reference = draft.reference
        question.category = draft.category or ""
        question.active = draft.active
