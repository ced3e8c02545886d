"""The legal register: documents and where courses cite them (amendments: amendments.py).

Transactions: the loader and `publish_course` call `upsert_documents` inside their own
transaction (it only flushes); `update_document`, started from the register pages, is committed by
its view. The rows of `legal_references` are rebuilt by `app.quizzes.legal_references` (it reads
questions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from app.core import audit
from app.core.db import utcnow
from app.courses.models import Course
from app.courses.services import course_meta
from app.extensions import db
from app.legal.models import LegalDocument, LegalReference
from app.legal.refs import (
    document_name,
    iso_date,
    parse_refs,
    place_label,
    ref_status,
)
from app.org.models import User

# --- documents -------------------------------------------------------------------------------


def _apply_file_fields(document: LegalDocument, entry: dict) -> None:
    document.number = entry.get("number", "")[:255]
    document.title = (entry.get("title") or entry.get("id", ""))[:500]
    document.issuer = entry.get("issuer", "")[:255]
    document.issued = iso_date(entry.get("issued"))
    document.effective = iso_date(entry.get("effective"))
    document.status = entry.get("status") or "NOT-SEEN"
    document.replaced_by = entry.get("replaced_by") or None
    document.replaced_from = iso_date(entry.get("replaced_from"))
    document.last_checked = iso_date(entry.get("last_checked"))
    document.sources = list(entry.get("sources") or [])
    articles = entry.get("articles")
    document.article_statuses = dict(articles) if isinstance(articles, dict) else {}


def upsert_documents(entries: list[dict], update_existing: bool = True) -> None:
    """Enter a course's `[[legal_basis]]` (cleaned, see `clean_document`) in the register: new
    documents are created; with `update_existing` (a load from files, the source of truth)
    documents never edited in the browser take the files' values, while a document a trainer
    edited keeps the trainer's values. A publish only adds what is missing: the register is
    shared by every course, and it is edited in its own pages. Flushes, never commits."""
    codes = [e["id"] for e in entries if e.get("id")]
    if not codes:
        return
    existing = {
        d.code: d
        for d in db.session.scalars(select(LegalDocument).where(LegalDocument.code.in_(codes)))
    }
    for entry in entries:
        code = entry.get("id")
        if not code:
            continue
        document = existing.get(code)
        if document is None:
            document = LegalDocument(code=code)
            db.session.add(document)
            existing[code] = document
        elif document.edited_at is not None or not update_existing:
            continue
        _apply_file_fields(document, entry)
    db.session.flush()


def list_documents() -> list[LegalDocument]:
    return list(db.session.scalars(select(LegalDocument).order_by(LegalDocument.code)))


def get_document(code: str) -> LegalDocument | None:
    return db.session.scalar(select(LegalDocument).where(LegalDocument.code == code))


def known_document_codes(course: Course) -> set[str]:
    """What a lesson or question of `course` may cite: the register, and the course's own
    `legal_basis` as its working copy has it (a document added there but not yet published)."""
    codes = set(db.session.scalars(select(LegalDocument.code)))
    return codes | {doc.get("id") for doc in course_meta(course)["legal_basis"] if doc.get("id")}


def documents_by_code(codes) -> dict[str, LegalDocument]:
    codes = sorted(set(c for c in codes if c))
    if not codes:
        return {}
    rows = db.session.scalars(select(LegalDocument).where(LegalDocument.code.in_(codes)))
    return {d.code: d for d in rows}


def touch_citing_courses(code: str) -> None:
    """Learners' pages show document names and notices from a per-worker copy of the course
    (app/learning/lesson_cache.py): moving `updated_at` makes every worker rebuild it."""
    course_ids = select(LegalReference.course_id).where(LegalReference.document_code == code)
    db.session.execute(
        update(Course)
        .where(Course.id.in_(course_ids))
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def update_document(document: LegalDocument, values: dict, actor: User) -> None:
    """Save a trainer's edit of a document (validated by the form). Audited; the caller commits."""
    before = {k: _plain(getattr(document, k)) for k in values}
    for key, value in values.items():
        setattr(document, key, value)
    document.edited_at = utcnow()
    changed = {k: [before[k], _plain(v)] for k, v in values.items() if before[k] != _plain(v)}
    audit.record("legal.document.edit", "legal_document", document.id, actor.id, changed=changed)
    db.session.flush()
    touch_citing_courses(document.code)


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


# --- references ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """One reference as a learner reads it: names and articles, never codes."""

    label: str  # "Luật Thi đua, khen thưởng 06/2022/QH15, Điều 24 khoản 1"
    status: str  # the cited article's status, else the document's

    @property
    def verified(self) -> bool:
        return self.status == "VERIFIED"


def _document_info(code: str, register: dict, course_docs: dict) -> tuple[str, dict | None]:
    document = register.get(code)
    if document is not None:
        info = {"status": document.status, "articles": document.article_statuses or {}}
        return document.display_name, info
    doc = course_docs.get(code)
    if doc is not None:
        return document_name(doc.get("title", ""), doc.get("number", "")) or code, doc
    return "", None


def citations(written: str, register: dict, course_docs: dict | None = None) -> list[Citation]:
    """`luat-tdkt-2022 Điều 24 k1` → [Citation("Luật Thi đua, khen thưởng 06/2022/QH15, Điều 24
    khoản 1", "CORROBORATED")]. `register` from `documents_by_code`; `course_docs` (the course's
    `legal_basis` by id) for a document not in the register."""
    result = []
    for ref in parse_refs(written):
        name, info = _document_info(ref.doc_id, register, course_docs or {})
        name = name or "Văn bản chưa có trong danh mục"
        label = f"{name}, {place_label(ref.place)}" if ref.place else name
        result.append(Citation(label, ref_status(ref, info)))
    return result


@dataclass(frozen=True)
class DocumentLine:
    """One document of a course's legal basis as learners read it, from the register (what
    trainers keep current) or, for a document not in it, from the course's files."""

    title: str
    number: str
    issuer: str
    issued: date | None
    effective: date | None
    verified: bool
    replaced_by: str  # the replacing document's name, "" when in force
    replaced_from: date | None


def course_documents(course: Course) -> list[DocumentLine]:
    entries = [doc for doc in course.legal_basis or [] if doc.get("id")]
    register = documents_by_code(doc["id"] for doc in entries)
    replacing = documents_by_code(d.replaced_by for d in register.values() if d.replaced_by)
    lines = []
    for entry in entries:
        document = register.get(entry["id"])
        if document is None:
            lines.append(
                DocumentLine(
                    entry.get("title", ""),
                    entry.get("number", ""),
                    entry.get("issuer", ""),
                    iso_date(entry.get("issued")),
                    iso_date(entry.get("effective")),
                    entry.get("status") == "VERIFIED",
                    "",
                    None,
                )
            )
            continue
        new = replacing.get(document.replaced_by or "")
        lines.append(
            DocumentLine(
                document.title,
                document.number,
                document.issuer,
                document.issued,
                document.effective,
                document.status == "VERIFIED",
                new.display_name if new else (document.replaced_by or ""),
                document.replaced_from,
            )
        )
    return lines


def course_citation_context(course: Course) -> tuple[dict, dict]:
    """(register documents, course documents) for every code the course's lessons cite."""
    codes = set()
    for lesson in course.lessons:
        codes.update(ref.doc_id for ref in parse_refs(lesson.articles))
    course_docs = {doc.get("id"): doc for doc in course.legal_basis or []}
    return documents_by_code(codes | set(course_docs)), course_docs
