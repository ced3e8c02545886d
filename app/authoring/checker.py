"""`flask courses check`: what a legal reviewer and the loader both rely on, checked before a
course ships. Every problem is reported as "file:line: message"; the command exits non-zero.

Checks: structure (course.toml keys, lesson files and front matter), lesson count and length,
question count, every question has an explanation, unambiguous answer keys (single choice:
exactly one right option; multiple choice: right weights sum to 100%), Vietnamese text that is
NFC with no mojibake, and the legal register (app/legal/refs.py): every document
complete and declared alike by every course, every lesson and question citing declared
documents at article level in a known form, a replaced document cited only in a passage marked
historical, and ≥ 40% scenario questions per course. Old reference forms are read but flagged.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.authoring.loader import LESSON_FILE, split_front_matter
from app.legal.refs import (
    HISTORICAL_TAG,
    HISTORY_BOX,
    SCENARIO_TAG,
    SHARED_DOC_FIELDS,
    clean_document,
    document_problems,
    parse_refs,
    ref_problems,
    ref_status,
)
from app.quizzes.formats import decode_bytes, parse_gift
from app.quizzes.types import get_type

# UTF-8 read as Windows-1252/Latin-1 ("Æ°" for "ư", "Ã¡" for "á"), and the replacement char.
MOJIBAKE = re.compile(r"Ã[\u0080-\u00bf]|Æ[°¡]|Ä[‘\u0090]|áº|á»|\ufffd")
REQUIRED_COURSE_KEYS = ("title", "summary", "version", "pass_mark", "legal_basis")


@dataclass
class Limits:
    min_lessons: int = 5
    max_lessons: int = 8
    min_questions: int = 30
    min_words: int = 60
    max_words: int = 900
    min_scenario_percent: int = 40


@dataclass
class CourseSummary:
    """What `flask courses check` prints per course."""

    slug: str
    lessons: int = 0
    questions: int = 0
    scenarios: int = 0
    refs_by_status: Counter = field(default_factory=Counter)

    @property
    def scenario_percent(self) -> int:
        return round(100 * self.scenarios / self.questions) if self.questions else 0


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    # Worth a look, not a reason to refuse the course (the command still exits 0).
    warnings: list[str] = field(default_factory=list)
    courses: int = 0
    lessons: int = 0
    questions: int = 0
    summaries: list[CourseSummary] = field(default_factory=list)
    # every declared document, first declaration wins: {id: (doc, course.toml path)}
    register: dict[str, tuple[dict, Path]] = field(default_factory=dict)

    def add(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(f"{path}:{line or 1}: {message}")

    def warn(self, path: Path, line: int | None, message: str) -> None:
        self.warnings.append(f"{path}:{line or 1}: {message}")


def read_for_check(path: Path) -> tuple[str, str]:
    """(text as written — to check its Unicode form, text as the loader will see it)."""
    raw = path.read_bytes()
    as_written = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    return as_written, decode_bytes(raw)[0]


def check_text(report: CheckReport, path: Path, text: str, first_line: int = 1) -> None:
    """NFC and mojibake, line by line, so the message points at the line to fix."""
    for offset, line in enumerate(text.split("\n")):
        if not unicodedata.is_normalized("NFC", line):
            report.add(
                path, first_line + offset, "Văn bản chưa chuẩn hóa NFC (dấu tiếng Việt tổ hợp rời)"
            )
        if MOJIBAKE.search(line):
            report.add(path, first_line + offset, "Dấu tiếng Việt bị lỗi mã hóa (mojibake)")


def check_courses(directory: str | Path, limits: Limits | None = None) -> CheckReport:
    limits = limits or Limits()
    report = CheckReport()
    course_dirs = sorted(p for p in Path(directory).iterdir() if p.is_dir())
    for course_dir in course_dirs:
        check_course(course_dir, report, limits)
    for doc_id, (doc, path) in report.register.items():
        if doc.get("replaced_by") and doc["replaced_by"] not in report.register:
            report.add(
                path,
                None,
                f"Văn bản '{doc_id}' được thay thế bởi '{doc['replaced_by']}' "
                "nhưng văn bản này chưa khai báo ở khóa học nào",
            )
    if not course_dirs:
        report.add(Path(directory), None, "Không có khóa học nào")
    return report


def check_course(course_dir: Path, report: CheckReport, limits: Limits) -> None:
    report.courses += 1
    toml_path = course_dir / "course.toml"
    if not toml_path.is_file():
        report.add(toml_path, None, "Thiếu tệp course.toml")
        return
    as_written, text = read_for_check(toml_path)
    check_text(report, toml_path, as_written)
    try:
        meta = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        report.add(toml_path, int(match.group(1)) if match else None, f"Lỗi cú pháp TOML: {exc}")
        return
    for key in REQUIRED_COURSE_KEYS:
        if key not in meta:
            report.add(toml_path, None, f"Thiếu khóa '{key}'")
    summary = CourseSummary(course_dir.name)
    report.summaries.append(summary)
    docs = _check_documents(meta.get("legal_basis", []), toml_path, text, report)
    _check_lessons(course_dir / "lessons", docs, report, limits, summary)
    by_category = _check_questions(course_dir / "questions.gift", docs, report, limits, summary)
    _check_draw(meta.get("draw") or {}, by_category, toml_path, text, report)
    percent = summary.scenario_percent
    if summary.questions and percent < limits.min_scenario_percent:
        report.add(
            course_dir / "questions.gift",
            None,
            f"Câu hỏi tình huống ({SCENARIO_TAG}) chiếm {percent}%, cần ít nhất "
            f"{limits.min_scenario_percent}% (đánh dấu // [tags: {SCENARIO_TAG}])",
        )


def _check_documents(entries: list, path: Path, text: str, report: CheckReport) -> dict:
    """The course's `[[legal_basis]]`: each entry complete and well-formed, and the same as
    other courses' declaration of the same id. Returns {id: cleaned doc}."""
    docs = {}
    if not isinstance(entries, list):
        report.add(path, None, "legal_basis phải là danh sách [[legal_basis]]")
        return docs
    for doc in entries:
        line = _line_of(text, f'id = "{doc.get("id", "")}"')
        for problem in document_problems(doc):
            report.add(path, line, problem)
        cleaned = clean_document(doc)
        doc_id = cleaned.get("id", "")
        if not doc_id:
            continue
        if doc_id in docs:
            report.add(path, line, f"Văn bản '{doc_id}' khai báo hai lần")
        docs[doc_id] = cleaned
        first = report.register.get(doc_id)
        if first is None:
            report.register[doc_id] = (cleaned, path)
            continue
        for key in SHARED_DOC_FIELDS:
            if (first[0].get(key) or "") != (cleaned.get(key) or ""):
                report.add(
                    path,
                    line,
                    f"Văn bản '{doc_id}': '{key}' khác với khai báo trong {first[1]} "
                    f"(«{cleaned.get(key) or ''}» ≠ «{first[0].get(key) or ''}»)",
                )
    return docs


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _check_lessons(
    lessons_dir: Path, docs: dict, report: CheckReport, limits: Limits, summary: CourseSummary
) -> None:
    files = sorted(lessons_dir.glob("*.md")) if lessons_dir.is_dir() else []
    if not limits.min_lessons <= len(files) <= limits.max_lessons:
        report.add(
            lessons_dir,
            None,
            f"Khóa học có {len(files)} bài, cần từ "
            f"{limits.min_lessons} đến {limits.max_lessons} bài",
        )
    for path in files:
        report.lessons += 1
        summary.lessons += 1
        if not LESSON_FILE.match(path.name):
            report.add(path, None, "Tên tệp phải có dạng NN-ten-bai.md")
        as_written, text = read_for_check(path)
        check_text(report, path, as_written)
        try:
            meta, body, body_line = split_front_matter(text)
        except ValueError as exc:
            report.add(path, 1, str(exc))
            continue
        if not meta.get("title"):
            report.add(path, 1, "Thiếu tiêu đề (title)")
        _check_lesson_refs(path, text, meta, body, docs, report, summary)
        words = len(body.split())
        if not limits.min_words <= words <= limits.max_words:
            report.add(
                path,
                body_line,
                f"Bài dài {words} từ, cần từ {limits.min_words} đến "
                f"{limits.max_words} từ (một đến hai màn hình điện thoại)",
            )


def _check_lesson_refs(path, text, meta, body, docs, report, summary) -> None:
    if "refs" in meta:
        line, written = _line_of(text, "refs:"), meta["refs"]
    elif "articles" in meta:
        line, written = _line_of(text, "articles:"), meta["articles"]
        report.add(path, line, "Dòng 'articles:' là dạng cũ: dùng 'refs: mã-văn-bản Điều N kM; …'")
    else:
        report.add(path, 1, "Bài học thiếu dòng 'refs:' (căn cứ: mã văn bản và điều, khoản)")
        return
    refs = parse_refs(written)
    for problem in ref_problems(refs, set(docs)):
        report.add(path, line, problem)
    for ref in refs:
        doc = docs.get(ref.doc_id)
        summary.refs_by_status[ref_status(ref, doc)] += 1
        if doc and doc.get("replaced_by") and not HISTORY_BOX.search(body):
            report.add(
                path,
                line,
                f"Văn bản '{ref.doc_id}' đã được thay thế bởi '{doc['replaced_by']}': chỉ được "
                'nhắc trong khung !!! history "Lịch sử"',
            )


def _check_draw(draw: dict, by_category: Counter, path: Path, text: str, report) -> None:
    """The exam blueprint: each topic ($CATEGORY) holds at least twice the questions drawn from
    it, so two attempts differ."""
    if not isinstance(draw, dict):
        report.add(path, _line_of(text, "[draw]"), "[draw] phải là bảng «chủ đề» = số câu")
        return
    for topic, wanted in draw.items():
        pool = by_category.get(unicodedata.normalize("NFC", str(topic)).strip(), 0)
        if not isinstance(wanted, int) or wanted < 0:
            report.add(path, _line_of(text, "[draw]"), f"[draw] «{topic}»: số câu không hợp lệ")
        elif pool < 2 * wanted:  # a warning: the course still works, attempts repeat more
            report.warn(
                path,
                _line_of(text, str(topic)) or _line_of(text, "[draw]"),
                f"Chủ đề «{topic}» có {pool} câu, cần ít nhất {2 * wanted} (gấp đôi {wanted} câu "
                "rút mỗi lần làm bài; tên chủ đề phải trùng dòng $CATEGORY:)",
            )


def _check_questions(
    path: Path, docs: dict, report: CheckReport, limits: Limits, summary: CourseSummary
) -> Counter:
    """Check the bank; returns how many questions each category ($CATEGORY) holds."""
    by_category: Counter = Counter()
    if not path.is_file():
        report.add(path, None, "Thiếu ngân hàng câu hỏi questions.gift")
        return by_category
    as_written, text = read_for_check(path)
    check_text(report, path, as_written)
    result = parse_gift(text)
    for issue in result.errors:
        report.add(path, issue.line, issue.message)
    keys: set[str] = set()
    for question in result.questions:
        report.questions += 1
        summary.questions += 1
        by_category[question.category] += 1
        summary.scenarios += SCENARIO_TAG in question.tags
        line = question.line
        if not question.key:
            report.add(path, line, "Câu hỏi thiếu mã // [id:…]")
        elif question.key in keys:
            report.add(path, line, f"Mã câu hỏi '{question.key}' bị trùng")
        keys.add(question.key)
        if not question.general_feedback.strip():
            report.add(path, line, "Câu hỏi thiếu phần giải thích (####)")
        _check_question_refs(path, line, question, docs, report, summary)
        try:
            qtype = get_type(question.qtype)
            problems = qtype.validate(qtype.data_from_parsed(question))
        except ValueError as exc:
            problems = [str(exc)]
        for problem in problems:
            report.add(path, line, f"Đáp án không rõ ràng: {problem}")
    if len(result.questions) < limits.min_questions:
        report.add(
            path,
            None,
            f"Ngân hàng có {len(result.questions)} câu hỏi, cần ít nhất {limits.min_questions}",
        )
    return by_category


def _check_question_refs(path, line, question, docs, report, summary) -> None:
    refs = parse_refs(question.reference)
    if not refs:
        report.add(path, line, "Câu hỏi thiếu căn cứ // [ref: mã-văn-bản Điều N kM]")
    for problem in ref_problems(refs, set(docs)):
        report.add(path, line, problem)
    for ref in refs:
        doc = docs.get(ref.doc_id)
        summary.refs_by_status[ref_status(ref, doc)] += 1
        if doc and doc.get("replaced_by") and HISTORICAL_TAG not in question.tags:
            report.add(
                path,
                line,
                f"Văn bản '{ref.doc_id}' đã được thay thế bởi '{doc['replaced_by']}': câu hỏi "
                "trích dẫn nó phải có dòng // [historical]",
            )
