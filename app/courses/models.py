"""Courses, their ordered lessons, and each lesson's progress per officer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(255), default="")
    version_major: Mapped[int] = mapped_column(default=1)
    version_minor: Mapped[int] = mapped_column(default=0)
    pass_mark: Mapped[int] = mapped_column(default=70)  # percent
    questions_per_attempt: Mapped[int] = mapped_column(default=0)  # 0 = every question
    # Exam blueprint: {"category path": n} draws n questions from each category (overrides
    # questions_per_attempt); empty = no blueprint.
    draw_per_category: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    time_limit_minutes: Mapped[int] = mapped_column(default=0, server_default="0")  # 0 = none
    max_attempts: Mapped[int] = mapped_column(default=0, server_default="0")  # 0 = unlimited
    shuffle_answers: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # When the right answers are shown on the review page: "after_pass" (default) once the
    # officer passes or has used every attempt of the version; "never"; "always" (at once —
    # only for practice: a failed attempt then shows what to copy next time).
    review_answers: Mapped[str] = mapped_column(
        String(12), default="after_pass", server_default="after_pass"
    )
    # After a failed attempt whose right answers stay hidden: show which questions were wrong
    # and their explanations (never the right answer), or only the score.
    review_wrong_on_fail: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # Attempt rules, enforced when an attempt starts (app.quizzes.rules); 0 = no limit.
    attempts_per_day: Mapped[int] = mapped_column(default=3, server_default="3")
    # The wait after two failed attempts in a row, before the next one may start.
    retry_wait_minutes: Mapped[int] = mapped_column(default=30, server_default="30")
    # [{"id", "number", "title", "issuer", "issued", "effective", "status"}]
    legal_basis: Mapped[list] = mapped_column(JSON, default=list)
    published: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Fingerprint of the question bank as `flask courses load` left it (app/authoring/loader.py):
    # a bank that no longer matches was changed since, in the browser or by `questions import`.
    bank_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan"
    )

    @property
    def version_label(self) -> str:
        return f"{self.version_major}.{self.version_minor}"

    def legal_document(self, doc_id: str) -> dict | None:
        return next((doc for doc in self.legal_basis or [] if doc.get("id") == doc_id), None)


class CourseOwner(db.Model):
    """A user who may edit and publish a course (besides the province admin, who adds and
    removes owners)."""

    __tablename__ = "course_owners"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Lesson(db.Model):
    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(255))
    body_md: Mapped[str] = mapped_column(Text, default="")
    # Rendered and sanitised once when the lesson is saved: the lesson page serves it as is.
    body_html: Mapped[str] = mapped_column(Text, default="")
    articles: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    course: Mapped[Course] = relationship(back_populates="lessons")


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- authoring: the working copy (drafts), published versions, archived completions ----------


class CourseDraft(db.Model):
    """Pending course-level changes of a published course: its details (`meta`) and the order
    of its lessons (`lesson_order`, lesson slugs). Applied, then deleted, on publish."""

    __tablename__ = "course_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # {"title", "summary", "audience", "pass_mark", "questions_per_attempt", "legal_basis"}
    meta: Mapped[dict | None] = mapped_column(JSON)
    lesson_order: Mapped[list | None] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LessonDraft(db.Model):
    """The working copy of one lesson (`lesson_id` NULL: a lesson not yet published), shared by
    the course's authors and autosaved while they type. Learners never see it; publishing
    copies it into `Lesson` and deletes it."""

    __tablename__ = "lesson_drafts"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("lessons.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(120))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(255), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    articles: Mapped[str] = mapped_column(Text, default="")
    # True: the lesson leaves the course at the next publish (its row and progress are kept)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")


class QuestionDraft(db.Model):
    """The working copy of one question of a course's bank, keyed like `Question` by `key`
    (a key with no `Question` yet is a new question). Applied on publish."""

    __tablename__ = "question_drafts"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    qtype: Mapped[str] = mapped_column(String(20))
    # Imported drafts carry what the file gave; "" text_format: an edit keeps the question's.
    title: Mapped[str] = mapped_column(String(255), default="", server_default="")
    text: Mapped[str] = mapped_column(Text)
    text_format: Mapped[str] = mapped_column(String(10), default="", server_default="")
    tags: Mapped[list | None] = mapped_column(JSON)  # None: an edit keeps the question's tags
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(255), default="")
    # the exam blueprint's category ([draw] in course.toml); "" = none
    category: Mapped[str] = mapped_column(String(255), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseVersion(db.Model):
    """A published version: what learners saw, frozen as JSON so any two can be compared.

    snapshot = {"course": {...details}, "lessons": [{slug, title, articles, body_md}],
    "questions": [{key, qtype, text, data, explanation, reference}]}"""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "major", "minor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    major: Mapped[int] = mapped_column()
    minor: Mapped[int] = mapped_column()
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)

    publisher = relationship("User")

    @property
    def label(self) -> str:
        return f"{self.major}.{self.minor}"


class CompletionHistory(db.Model):
    """A completion taken back by a major version (the officer must retake): kept here so the
    earlier training is never lost."""

    __tablename__ = "completion_history"
    __table_args__ = (
        Index("ix_completion_history_user_id_course_id_year", "user_id", "course_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column()
    completed_on: Mapped[date] = mapped_column()
    version: Mapped[int | None] = mapped_column()  # the major version it was completed on
    source: Mapped[str | None] = mapped_column(String(10))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(60), default="")
