"""The legal register: documents the courses rest on, where lessons and questions cite them,
and the amendments trainers record."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db
from app.legal.refs import document_name


class LegalDocument(db.Model):
    """One law, decree, circular, resolution or plan. `code` is the id the course files use
    (`luat-tdkt-2022`); loading the files creates it, trainers edit it in the browser."""

    __tablename__ = "legal_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    number: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(String(500))
    issuer: Mapped[str] = mapped_column(String(255), default="")
    issued: Mapped[date | None] = mapped_column()
    effective: Mapped[date | None] = mapped_column()
    # VERIFIED | CORROBORATED | SEEN-ONCE | NOT-SEEN (app/legal/refs.py)
    status: Mapped[str] = mapped_column(String(20), default="NOT-SEEN")
    replaced_by: Mapped[str | None] = mapped_column(String(80))  # another document's code
    replaced_from: Mapped[date | None] = mapped_column()
    last_checked: Mapped[date | None] = mapped_column()
    sources: Mapped[list] = mapped_column(JSON, default=list)
    # {"Điều 24": "CORROBORATED", …}: a cited article's own status overrides the document's
    article_statuses: Mapped[dict] = mapped_column(JSON, default=dict)
    # Set when a trainer saves the document in the browser: `flask courses load` then leaves
    # it alone instead of undoing the edit with the files' older values.
    edited_at: Mapped[datetime | None] = mapped_column()

    @property
    def display_name(self) -> str:
        """ "Luật Thi đua, khen thưởng 06/2022/QH15" — what a learner reads, never the code."""
        return document_name(self.title, self.number)


class LegalReference(db.Model):
    """A lesson or a question citing one place of a document, as published (rebuilt for a
    course whenever it is loaded from files or published in the browser)."""

    __tablename__ = "legal_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("lessons.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    document_code: Mapped[str] = mapped_column(String(80), index=True)
    place: Mapped[str] = mapped_column(String(255), default="")
    article: Mapped[str] = mapped_column(String(255), default="")  # "Điều 24", "Mục III"
    # a question marked `// [historical]` cites a replaced document on purpose
    historical: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    # By name, not by import: the question bank sits above the register (app/quizzes imports
    # app/legal), so the register reaches the citing question through the mapper only.
    question = relationship("Question", viewonly=True)


class LegalAmendment(db.Model):
    """A trainer's record that a document (or one of its articles) is amended or replaced from
    a date. Open for a course until that course publishes a major version after it."""

    __tablename__ = "legal_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("legal_documents.id", ondelete="CASCADE"), index=True
    )
    article: Mapped[str] = mapped_column(String(255), default="")  # "" = the whole document
    kind: Mapped[str] = mapped_column(String(10))  # "amended" | "replaced"
    replaced_by: Mapped[str | None] = mapped_column(String(80))
    effective_from: Mapped[date] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    # {course id: its major version when recorded}: the courses citing it then; the notice
    # stays on a course until it publishes a newer major version.
    courses: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[LegalDocument] = relationship()
    recorder = relationship("User")
