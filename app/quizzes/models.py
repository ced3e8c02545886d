"""Questions (one bank per course), and attempts at a course's quiz."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class Question(db.Model):
    """A question of a course's bank. `data` holds the type-specific part (answers, weights…)
    and is read only through the question type class in `app.quizzes.types`."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))  # stable id: reloading updates in place
    position: Mapped[int] = mapped_column(default=0)
    qtype: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text)
    text_format: Mapped[str] = mapped_column(String(10), default="plain")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(255), default="")
    category: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Free labels from imported files (GIFT `[tag:]`, Moodle XML <tags>, the XLSX "Thẻ" column).
    tags: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")


class Attempt(db.Model):
    """One try at a course's quiz. `question_ids` fixes which questions (and their order) were
    served, so grading never depends on a bank edited after the attempt started."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_user_id_course_id", "user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    course_version: Mapped[int] = mapped_column()
    question_ids: Mapped[list] = mapped_column(JSON)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # {question_id: score 0..1}
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    score: Mapped[float | None] = mapped_column()  # percent, set on submit
    passed: Mapped[bool | None] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the course has a time limit; answers sent after it (plus a grace period for the
    # network) are not graded — the server, not the page's timer, decides.
    deadline_at: Mapped[datetime | None] = mapped_column()
    timed_out: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Essays wait for a trainer: until graded, `passed` stays None and this flag is set.
    pending_grading: Mapped[bool] = mapped_column(
        default=False, server_default=sa_false(), index=True
    )
    submitted_at: Mapped[datetime | None] = mapped_column()
    # Manual grading: {question_id: the grader's comment}, shown to the learner; who graded
    # (or regraded) last, and when.
    grader_comments: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column()

    course = relationship("Course")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class QuestionCategory(db.Model):
    """A category of a course's bank as an imported file described it (Moodle XML keeps an
    idnumber and a description per category); questions refer to it by `path`."""

    __tablename__ = "question_categories"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(255))
    idnumber: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")


class QuestionFile(db.Model):
    """A file embedded in an imported question (Moodle XML `<file encoding="base64">`, used in
    the text as @@PLUGINFILE@@/name): stored in the database with the bank, so every worker
    serves it, and served only to signed-in users through `quizzes_bank.question_file`."""

    __tablename__ = "question_files"
    __table_args__ = (UniqueConstraint("course_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
