"""A course's question bank: import a parsed file (any format), export it, list it.

The only place that writes imported questions. `import_questions` is lenient — every valid
question goes in, every other one is reported with its line (or spreadsheet row) and the reason
in Vietnamese. It checks the whole file against the bank first, reading only; a dry run stops
there and its summary is the preview the trainer confirms. The questions are then written as
drafts in chunks of short transactions (bank_chunks.py), so a large bank never holds the
database from learners, and an import cut short resumes to the end state of an uninterrupted
one. The web pages, the background jobs and `flask questions` all call these functions.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from sqlalchemy import select

from app.core.db import reading_only
from app.courses.models import Course
from app.extensions import db
from app.quizzes import bank_chunks, bank_drafts
from app.quizzes.bank_drafts import category_for_file
from app.quizzes.bank_listing import (  # noqa: F401  (the bank's API, used by its pages)
    bank_filters,
    bank_page,
    count_questions,
    draft_count,
)
from app.quizzes.formats import (
    ParsedQuestion,
    ParseResult,
    decode_bytes,
    detect_format,
    parse_file,
)
from app.quizzes.formats.base import short_label
from app.quizzes.models import Question
from app.quizzes.parsed import parsed_from_question, question_key
from app.quizzes.question_files import planned_texts, stored_file_urls, with_stored_urls
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
        from app.quizzes.formats.xlsx import parse_xlsx  # loaded by imports only (bench S7)

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
    # every existing question the import changes: {"line", "key", "title", "category"}
    changes: list[dict] = field(default_factory=list)
    # questions without an explanation or a legal reference: {"line", "title", "explanation",
    # "reference"} (booleans: present) — a required course cannot publish them
    unannotated: list[dict] = field(default_factory=list)

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

    def warning_lines(self, filename: str | None = None) -> list[str]:
        """Every warning as "FILE:LINE: cảnh báo: …": the parsers' (imported but changed), and
        each question without an explanation or a legal reference."""
        name = filename or self.filename or "-"
        lines = [(w.line, w.message) for w in self.warnings]
        for item in self.unannotated:
            missing = [
                label
                for label, present in (
                    ("giải thích", item["explanation"]),
                    ("căn cứ pháp lý", item["reference"]),
                )
                if not present
            ]
            lines.append((item["line"], f"câu «{item['title']}» chưa có {' và '.join(missing)}"))
        return [f"{name}:{line}: cảnh báo: {message}" for line, message in sorted(lines)]

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
    ident: tuple
    values: dict  # the stored fields (images referred to as the check plans them)
    line: int
    parsed: ParsedQuestion
    raw: tuple[str, str] = ("", "")  # text and explanation as the file gave them
    key: str = ""  # in the bank, and what the import does: set by bank_drafts.plan_all
    action: str = ""


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
    progress: Callable[[str, int, int], None] | None = None,
    resume: ImportSummary | None = None,
    after_chunk: int = 0,
    after: int = 0,
    checkpoint: Callable | None = None,
) -> ImportSummary:
    """Import the valid questions of `result` into `course`'s bank as drafts (learners see
    them after the next publish), matched to the bank by their identity
    (`bank_drafts.identity`): a question already there gets its draft rewritten, a new one is
    added. Commits: a job step (check, then each chunk its own transaction, resumable).

    First every question is checked against the bank in a read transaction, which does not
    hold other writers off; a dry run stops there, writing nothing, and its summary is the
    preview the trainer confirms. Then the questions are written in chunks, each its own short
    transaction (`bank_chunks.write`): an exception rolls back the chunk being written and
    propagates, the chunks before it stay. `checkpoint(summary, chunks written, questions
    passed, questions in all)` runs inside each chunk's transaction; a run cut short is
    resumed by calling again with the summary it recorded (`resume`, the whole file's, taken
    before any write), the chunks it wrote (`after_chunk`) and the questions they passed
    (`after`), and ends where an uninterrupted run would. `progress(phase, done, total)`
    reports "check", then "write".
    """
    report = progress or (lambda phase, done, total: None)
    course_id = course.id
    db.session.commit()  # what the caller did is its own; the check reads in a fresh transaction
    with reading_only():  # checking thousands of questions takes seconds: submits must not wait
        summary, prepared, prefix = _check(course_id, result, category_prefix, filename, report)
        summary.dry_run = dry_run
    db.session.commit()  # end the read: every chunk below is its own write transaction
    if dry_run:
        return summary
    if resume is not None:  # the counts of the whole file, taken by the first run
        summary = ImportSummary.from_dict(resume.to_dict())
    bank_chunks.write(
        course_id,
        prepared,
        summary,
        prefix=prefix,
        category_info=result.category_info,
        actor_id=actor_id,
        filename=filename,
        after_chunk=after_chunk,
        after=after,
        checkpoint=checkpoint,
        report=report,
    )
    stored = stored_file_urls(db.session, course_id)  # the new images have their URLs now
    for item in summary.preview:
        item["text"] = with_stored_urls(item["text"], stored)
    db.session.commit()  # end the read of the stored images' URLs (a job step, like each chunk)
    return summary


def _check(
    course_id: int,
    result: ParseResult,
    category_prefix: str,
    filename: str,
    report: Callable[[str, int, int], None],
) -> tuple[ImportSummary, list[_Prepared], str]:
    """Check every question of `result` and plan its write: (summary of what the import does,
    the valid questions in file order with their keys and actions, the category prefix).
    Reads only."""
    prefix = join_category("", category_prefix)
    summary = ImportSummary(filename=filename, encoding=result.encoding)
    summary.total = len(result.questions) + len(result.errors)
    for issue in result.errors:
        summary.errors.append(Issue(issue.line, issue.message, issue.title))
        summary.count("?", "error")
    for issue in result.warnings:
        summary.warnings.append(Issue(issue.line, issue.message, issue.title))

    file_category = category_for_file(filename)
    if file_category and not any(parsed.category for parsed in result.questions):
        # an upload without categories: its own category, so two files never collide
        prefix = join_category(prefix, file_category)
    index = bank_drafts.BankIndex(course_id, db.session)
    stored = {}
    if any(parsed.files for parsed in result.questions):
        stored = stored_file_urls(db.session, course_id)
    prepared: list[_Prepared] = []
    seen: dict[tuple, int] = {}
    total = len(result.questions)
    for number, parsed in enumerate(result.questions, start=1):
        values, problems = _prepare(parsed, prefix)
        ident = None
        if not problems:
            ident = bank_drafts.identity(
                values["category"], question_key(parsed), values["title"], values["text"]
            )
            if ident in seen and ident[1] == "id":
                problems = [f"Mã câu hỏi «{ident[2]}» trùng với câu ở dòng {seen[ident]}"]
            elif ident in seen:  # two questions with the same title: both kept, numbered
                copy = 2
                while (*ident[:2], f"{ident[2]}#{copy}") in seen:
                    copy += 1
                ident = (*ident[:2], f"{ident[2]}#{copy}")
        if problems:
            title = parsed.title or short_label(parsed.text, 40)
            summary.errors.append(Issue(parsed.line, "; ".join(problems), title, parsed.qtype))
            summary.count(parsed.qtype, "error")
        else:
            seen[ident] = parsed.line
            item = _Prepared(ident, values, parsed.line, parsed)
            item.raw = (values["text"], values["explanation"])
            if parsed.files:
                _plan_files(item, stored, summary)
            prepared.append(item)
        if number % PROGRESS_EVERY == 0 or number == total:
            report("check", number, total)
    bank_drafts.plan_all(index, prepared, summary, PREVIEW_QUESTIONS)
    summary.categories = list(dict.fromkeys(p.values["category"] for p in prepared))
    summary.errors.sort(key=_by_line)
    return summary, prepared, prefix


def _plan_files(item: _Prepared, stored: dict[str, str], summary: ImportSummary) -> None:
    """The question's text and explanation with its images' URLs as they will be, and a
    warning for each file left out."""
    (item.values["text"], item.values["explanation"]), skipped = planned_texts(
        stored, item.parsed.files, list(item.raw)
    )
    title = item.parsed.title or short_label(item.parsed.text, 40)
    summary.warnings += [Issue(item.line, message, title) for message in skipped]


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
    `data_from_parsed`, sub-questions included), with its tags."""
    parsed = parsed_from_question(question)
    parsed.tags = list(question.tags or [])
    return parsed


def export_bank(course: Course, fmt: str) -> tuple[bytes, str, str]:
    """(file bytes, MIME type, file name) of the course's active questions in `fmt`
    ("gift", "xml" or "xlsx")."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Định dạng xuất không được hỗ trợ: {fmt}")
    # the exporters load with the first export (bench S7: not in every worker)
    from app.quizzes.formats import export_gift, export_moodle_xml
    from app.quizzes.formats.xlsx_export import export_xlsx

    questions = [to_parsed(q) for q in bank_questions(course)]
    if fmt == "gift":
        data = export_gift(questions).encode("utf-8")
    elif fmt == "xml":
        info = bank_drafts.category_info(db.session, course.id)
        data = export_moodle_xml(questions, info).encode("utf-8")
    else:
        data = export_xlsx(questions)
    mimetype, extension = EXPORT_FORMATS[fmt]
    return data, mimetype, f"ngan-hang-{course.slug}.{extension}"
