"""A course's question bank: import a parsed file (any format), export it, list it.

The only place that writes imported questions. `import_questions` is lenient — every valid
question goes in, every other one is reported with its line (or spreadsheet row) and the reason
in Vietnamese — and all-or-nothing: the questions are written in one transaction at the end, so
a failure leaves the bank as it was. A dry run does the same work and rolls back: its summary is
the preview the trainer confirms. The web pages, the background jobs and `flask questions` all
call these functions.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from types import SimpleNamespace

from sqlalchemy import String, cast, func, or_, select

from app.core import audit
from app.core.pagination import Page, paginate
from app.courses.exporter import parsed_from_question
from app.courses.loader import question_key
from app.courses.models import Course
from app.extensions import db
from app.legal.services import sync_course_references
from app.quizzes.formats import (
    ParsedQuestion,
    ParseResult,
    decode_bytes,
    detect_format,
    export_gift,
    export_moodle_xml,
    parse_file,
)
from app.quizzes.formats.base import short_label
from app.quizzes.formats.xlsx import export_xlsx, parse_xlsx
from app.quizzes.models import Question
from app.quizzes.types import REGISTRY

FORMATS = ("gift", "aiken", "xml", "xlsx")
EXPORT_FORMATS = {
    "gift": ("text/plain; charset=utf-8", "gift.txt"),
    "xml": ("application/xml", "xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
CLOZE_UNSUPPORTED = "Câu hỏi dạng cloze chưa được hỗ trợ khi làm bài"
PREVIEW_QUESTIONS = 20
PROGRESS_EVERY = 250
_FIELDS = ("qtype", "title", "text", "text_format", "data", "explanation", "reference")
_FIELDS += ("category", "tags")


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


# --- reading files ---------------------------------------------------------------------------


def parse_upload(
    data: bytes, filename: str = "", fmt: str | None = None, encoding: str | None = None
) -> ParseResult:
    """Parse an uploaded file: `fmt` ("gift", "aiken", "xml", "xlsx") or detected from the
    name and content; `encoding` for text formats, detected when None. Never raises on bad
    content (a format the caller names that does not exist is a ValueError)."""
    name = (filename or "").lower()
    if fmt and fmt not in FORMATS:
        raise ValueError(f"Định dạng không được hỗ trợ: {fmt}")
    if fmt == "xlsx" or (not fmt and (name.endswith(".xlsx") or data[:4] == b"PK\x03\x04")):
        return parse_xlsx(data)
    if not fmt:
        if name.endswith(".xml"):
            fmt = "xml"
        else:
            kind = detect_format(name, decode_bytes(data, encoding)[0])
            fmt = "xml" if kind == "moodle_xml" else kind
    return parse_file(data, fmt, encoding)


# --- the import ------------------------------------------------------------------------------


@dataclass
class Issue:
    line: int
    message: str
    title: str = ""
    qtype: str = ""


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do). Plain data: stored as JSON on the job."""

    filename: str = ""
    dry_run: bool = False
    encoding: str = ""
    total: int = 0  # questions found in the file, valid or not
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # {qtype: {"new": n, "updated": n, "unchanged": n, "error": n}}
    by_type: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    # the first questions: {"line", "key", "action", "qtype", "title", "category", "text_format",
    # "data", "text"} — enough for the `question_html` filter
    preview: list[dict] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def count(self, qtype: str, action: str) -> None:
        bucket = self.by_type.setdefault(qtype or "?", {})
        bucket[action] = bucket.get(action, 0) + 1

    @property
    def error_rows(self) -> list[tuple[int, str, str]]:
        """(line, question, reason) of each question skipped, for the preview's table."""
        return [(e.line, e.title, e.message) for e in self.errors]

    def error_lines(self, filename: str | None = None) -> list[str]:
        """Every error as "FILE:LINE: reason" (the compiler style editors understand)."""
        name = filename or self.filename or "-"
        return [f"{name}:{e.line}: {e.message}" for e in sorted(self.errors, key=_by_line)]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportSummary:
        data = dict(data)
        data["errors"] = [Issue(**e) for e in data.get("errors", [])]
        data["warnings"] = [Issue(**w) for w in data.get("warnings", [])]
        return cls(**data)


def _by_line(issue: Issue) -> int:
    return issue.line


def join_category(prefix: str, category: str) -> str:
    parts = [p.strip() for p in f"{prefix}/{category}".split("/") if p.strip()]
    return "/".join(_nfc(p) for p in parts)


@dataclass
class _Prepared:
    key: str
    values: dict
    line: int


def _prepare(parsed: ParsedQuestion, prefix: str) -> tuple[dict, list[str]]:
    """The stored fields of a parsed question, or the reasons it cannot be stored."""
    qtype_class = REGISTRY.get(parsed.qtype)
    if qtype_class is None:
        if parsed.qtype == "cloze":
            return {}, [CLOZE_UNSUPPORTED]
        return {}, [f"Loại câu hỏi không được hỗ trợ: {parsed.qtype}"]
    try:
        data = qtype_class.data_from_parsed(parsed)
        problems = qtype_class.validate(data)
    except (KeyError, TypeError, ValueError) as exc:
        return {}, [f"Dữ liệu câu hỏi không hợp lệ: {exc}"]
    if problems:
        return {}, problems
    values = {
        "qtype": parsed.qtype,
        "title": _nfc(parsed.title)[:255],
        "text": _nfc(parsed.text),
        "text_format": parsed.text_format or "plain",
        "data": json.loads(json.dumps(data, ensure_ascii=False)),
        "explanation": _nfc(parsed.general_feedback),
        "reference": _nfc(parsed.reference).strip(),
        "category": join_category(prefix, parsed.category),
        "tags": list(dict.fromkeys(t for t in (_nfc(x).strip()[:60] for x in parsed.tags) if t)),
    }
    for name, limit in (("reference", 255), ("category", 255)):
        if len(values[name]) > limit:
            label = {"reference": "Căn cứ", "category": "Danh mục"}[name]
            return {}, [f"{label} dài quá {limit} ký tự"]
    return values, []


def import_questions(
    course: Course,
    result: ParseResult,
    *,
    category_prefix: str = "",
    actor_id: int | None = None,
    dry_run: bool = False,
    filename: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import the valid questions of `result` into `course`'s bank, keyed like the course
    loader (`question_key`): a question already in the bank is updated in place (and made
    active again), a new one is added at the end. Commits once (rolls back for a dry run); on
    an exception nothing is written and the exception propagates.

    `progress(done, total)` is called while questions are checked, before anything is written:
    the callback may commit its own rows (the background job's progress) safely.
    """
    course_id = course.id
    prefix = join_category("", category_prefix)
    summary = ImportSummary(filename=filename, dry_run=dry_run, encoding=result.encoding)
    summary.total = len(result.questions) + len(result.errors)
    for issue in result.errors:
        summary.errors.append(Issue(issue.line, issue.message, issue.title))
        summary.count("?", "error")
    for issue in result.warnings:
        summary.warnings.append(Issue(issue.line, issue.message, issue.title))

    prepared: list[_Prepared] = []
    seen: dict[str, int] = {}
    total = len(result.questions)
    for index, parsed in enumerate(result.questions, start=1):
        values, problems = _prepare(parsed, prefix)
        key = question_key(parsed)
        if not problems and key in seen:
            if parsed.key:
                problems = [f"Mã câu hỏi «{key}» trùng với câu ở dòng {seen[key]}"]
            else:  # two questions with the same title: both kept, the second numbered
                number = 2
                while f"{key[:114]}#{number}" in seen:
                    number += 1
                key = f"{key[:114]}#{number}"
        if problems:
            title = parsed.title or short_label(parsed.text, 40)
            summary.errors.append(Issue(parsed.line, "; ".join(problems), title, parsed.qtype))
            summary.count(parsed.qtype, "error")
        else:
            seen[key] = parsed.line
            prepared.append(_Prepared(key, values, parsed.line))
        if progress and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)

    try:
        _write(course_id, prepared, summary)
        db.session.flush()
        if dry_run:
            db.session.rollback()
        else:
            audit.record(
                "questions.import",
                "course",
                course_id,
                actor_id,
                file=filename,
                created=summary.created,
                updated=summary.updated,
                errors=len(summary.errors),
            )
            sync_course_references(course_id)  # the references the register lists
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    summary.categories = list(dict.fromkeys(p.values["category"] for p in prepared))
    summary.errors.sort(key=_by_line)
    return summary


def _same(question: Question, values: dict) -> bool:
    stored = {name: getattr(question, name) for name in _FIELDS}
    stored["tags"] = list(stored["tags"] or [])
    return stored == {name: values[name] for name in _FIELDS}


def _write(course_id: int, prepared: list[_Prepared], summary: ImportSummary) -> None:
    existing = {
        q.key: q
        for q in db.session.scalars(select(Question).where(Question.course_id == course_id))
    }
    position = max((q.position for q in existing.values()), default=0)
    for item in prepared:
        question = existing.get(item.key)
        if question is None:
            position += 1
            question = Question(course_id=course_id, key=item.key, position=position, active=True)
            for name, value in item.values.items():
                setattr(question, name, value)
            db.session.add(question)
            action = "new"
            summary.created += 1
        elif question.active and _same(question, item.values):
            action = "unchanged"
            summary.unchanged += 1
        else:
            for name, value in item.values.items():
                setattr(question, name, value)
            question.active = True
            action = "updated"
            summary.updated += 1
        summary.count(item.values["qtype"], action)
        if len(summary.preview) < PREVIEW_QUESTIONS:
            summary.preview.append(
                {
                    "line": item.line,
                    "key": item.key,
                    "action": action,
                    **{n: item.values[n] for n in ("qtype", "title", "category", "text_format")},
                    "data": item.values["data"],  # a cloze stem is drawn with its gaps
                    "text": item.values["text"][:2000],
                }
            )


# --- export ----------------------------------------------------------------------------------


def bank_questions(course: Course) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.course_id == course.id, Question.active.is_(True))
            .order_by(Question.position, Question.id)
        )
    )


def to_parsed(question: Question) -> ParsedQuestion:
    """The neutral form of a stored question (the course exporter's inverse of each type's
    `data_from_parsed`), with its tags and, for cloze, its gaps."""
    parsed = parsed_from_question(question)
    parsed.tags = list(question.tags or [])
    if question.qtype == "cloze" and not parsed.subquestions:
        parsed.subquestions = [_gap(gap) for gap in (question.data or {}).get("gaps", [])]
    return parsed


def _gap(gap: dict) -> ParsedQuestion:
    stub = SimpleNamespace(
        qtype=gap["kind"],
        data=gap.get("data") or {},
        text="",
        text_format="plain",
        title="",
        key="",
        reference="",
        category="",
        explanation="",
    )
    sub = parsed_from_question(stub)
    sub.default_grade = float(gap.get("weight", 1.0))
    return sub


def export_bank(course: Course, fmt: str) -> tuple[bytes, str, str]:
    """(file bytes, MIME type, file name) of the course's active questions in `fmt`
    ("gift", "xml" or "xlsx")."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Định dạng xuất không được hỗ trợ: {fmt}")
    questions = [to_parsed(q) for q in bank_questions(course)]
    if fmt == "gift":
        data = export_gift(questions).encode("utf-8")
    elif fmt == "xml":
        data = export_moodle_xml(questions).encode("utf-8")
    else:
        data = export_xlsx(questions)
    mimetype, extension = EXPORT_FORMATS[fmt]
    return data, mimetype, f"ngan-hang-{course.slug}.{extension}"


# --- the bank page ---------------------------------------------------------------------------


def bank_page(
    course: Course,
    *,
    category: str = "",
    tag: str = "",
    search: str = "",
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """The course's questions (active first, in bank order), filtered; items are
    `(Question,)` rows."""
    stmt = select(Question).where(Question.course_id == course.id)
    if category:
        stmt = stmt.where(
            or_(Question.category == category, Question.category.startswith(category + "/"))
        )
    if tag:
        # JSON lists are stored as text on both databases: match the quoted, JSON-encoded tag.
        encoded = json.dumps(_nfc(tag))
        stmt = stmt.where(cast(Question.tags, String).contains(encoded, autoescape=True))
    search = _nfc(search).strip()
    if search:
        stmt = stmt.where(
            or_(
                Question.text.icontains(search, autoescape=True),
                Question.title.icontains(search, autoescape=True),
                Question.key.icontains(search, autoescape=True),
            )
        )
    stmt = stmt.order_by(Question.active.desc(), Question.position, Question.id)
    return paginate(stmt, page, per_page)


def bank_filters(course: Course) -> tuple[list[str], list[str], int]:
    """(categories, tags, number of questions) of the course's bank, for the filter form."""
    rows = db.session.execute(
        select(Question.category, Question.tags).where(Question.course_id == course.id)
    ).all()
    categories = sorted({c for c, _t in rows if c})
    tags = sorted({t for _c, tags in rows for t in (tags or [])})
    return categories, tags, len(rows)


def count_questions(course: Course) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Question).where(Question.course_id == course.id)
    )
