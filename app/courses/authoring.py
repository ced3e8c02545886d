"""Browser authoring: the working copy of a course (drafts) that trainers edit.

Learners read `Course`, `Lesson` and `Question` rows, which change only when a version is
published (`app.courses.versions.publish_course`). Everything an author changes before that
lives in drafts: `CourseDraft` (details, lesson order), `LessonDraft` (one per lesson, shared
by the course's authors, autosaved while typing) and `QuestionDraft` (one per question key).
No function here commits: the view that calls one commits once (docs/transactions.md).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

from flask import abort
from sqlalchemy import delete, select

from app.core import audit
from app.core.db import utcnow
from app.core.markdown import render_markdown
from app.core.text import nfc
from app.courses.legal_refs import clean_document
from app.courses.models import Course, CourseDraft, Lesson, LessonDraft, QuestionDraft
from app.extensions import db
from app.org.models import User
from app.quizzes.models import Question
from app.quizzes.types import REGISTRY, get_type

# Question types the simple form edits; the others stay editable through the GIFT files.
FORM_QTYPES = tuple(name for name, kind in REGISTRY.items() if kind.form_editable)
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
# A lesson is one or two phone screens; this only stops abuse of the preview and autosave.
MAX_LESSON_CHARS = 200_000


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
    _apply_meta(course, meta)
    db.session.add(course)
    db.session.flush()
    from app.courses.owners import add_owner_row

    add_owner_row(course, author, author)  # the creator owns his course
    audit.record("course.create", "course", course.id, author.id, slug=slug)
    return course


def course_meta(course: Course) -> dict:
    """The course details as authors currently see them (the draft when there is one)."""
    draft = _course_draft(course)
    if draft is not None and draft.meta:
        return dict(draft.meta)
    return {
        "title": course.title,
        "summary": course.summary,
        "audience": course.audience,
        "pass_mark": course.pass_mark,
        "questions_per_attempt": course.questions_per_attempt,
        "time_limit_minutes": course.time_limit_minutes or 0,
        "max_attempts": course.max_attempts or 0,
        "shuffle_answers": course.shuffle_answers is not False,
        "attempts_per_day": course.attempts_per_day,
        "retry_wait_minutes": course.retry_wait_minutes,
        "review_wrong_on_fail": course.review_wrong_on_fail is not False,
        "review_answers": course.review_answers,
        "legal_basis": [dict(doc) for doc in course.legal_basis or []],
    }


def save_course_meta(course: Course, meta: dict, author: User) -> None:
    """Stage new details; an unpublished course takes them at once (nobody reads it yet)."""
    clean = {key: meta[key] for key in META_FIELDS if key in meta}
    if not course.published:
        _apply_meta(course, clean)
    else:
        draft = _course_draft(course, create=True)
        draft.meta = clean
        draft.author_id = author.id
        draft.saved_at = utcnow()


def _apply_meta(course: Course, meta: dict) -> None:
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


def _course_draft(course: Course, create: bool = False) -> CourseDraft | None:
    draft = db.session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))
    if draft is None and create:
        draft = CourseDraft(course_id=course.id)
        db.session.add(draft)
    return draft


# --- lessons ---------------------------------------------------------------------------------


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
    draft = _course_draft(course)
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
    draft = _course_draft(course, create=True)
    draft.lesson_order = order
    draft.author_id = author.id
    draft.saved_at = utcnow()


# --- questions -------------------------------------------------------------------------------


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


# --- pending changes and publishing ----------------------------------------------------------


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
    draft = _course_draft(course)
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
    course_draft = _course_draft(course)
    if course_draft is not None and course_draft.meta:
        _apply_meta(course, course_draft.meta)
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
