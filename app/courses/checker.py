"""`flask courses check`: what a legal reviewer and the loader both rely on, checked before a
course ships. Every problem is reported as "file:line: message"; the command exits non-zero.

Checks: structure (course.toml keys, lesson files and front matter), lesson count and length,
question count, every question has an explanation and a reference to a document declared in
the course's legal basis, unambiguous answer keys (single choice: exactly one right option;
multiple choice: right weights sum to 100%), and Vietnamese text that is NFC with no mojibake.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from app.courses.loader import LESSON_FILE, split_front_matter
from app.quizzes.formats import decode_bytes, parse_gift
from app.quizzes.types import get_type

# UTF-8 read as Windows-1252/Latin-1 ("Æ°" for "ư", "Ã¡" for "á"), and the replacement char.
MOJIBAKE = re.compile(r"Ã[\u0080-\u00bf]|Æ[°¡]|Ä[‘\u0090]|áº|á»|\ufffd")
REQUIRED_COURSE_KEYS = ("title", "summary", "version", "pass_mark", "legal_basis")
REQUIRED_DOC_KEYS = ("id", "title", "status")
STATUSES = {"VERIFIED", "CORROBORATED", "UNVERIFIED"}


@dataclass
class Limits:
    min_lessons: int = 5
    max_lessons: int = 8
    min_questions: int = 30
    min_words: int = 60
    max_words: int = 900


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    # Worth a look, not a reason to refuse the course (the command still exits 0).
    warnings: list[str] = field(default_factory=list)
    courses: int = 0
    lessons: int = 0
    questions: int = 0

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
    doc_ids = set()
    for index, doc in enumerate(meta.get("legal_basis", []), start=1):
        line = _line_of(text, f'id = "{doc.get("id", "")}"')
        for key in REQUIRED_DOC_KEYS:
            if not doc.get(key):
                report.add(toml_path, line, f"Văn bản căn cứ thứ {index} thiếu '{key}'")
        if doc.get("status") and doc["status"] not in STATUSES:
            report.add(toml_path, line, f"Trạng thái '{doc['status']}' không hợp lệ")
        doc_ids.add(doc.get("id"))
    _check_lessons(course_dir / "lessons", doc_ids, report, limits)
    _check_questions(course_dir / "questions.gift", doc_ids, report, limits)
    _check_draw_pools(toml_path, text, meta.get("draw", {}), course_dir / "questions.gift", report)


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _cited_ids(articles: str) -> list[str]:
    """ "luat-tdkt-2022; kh-nq07 Mục II" → ["luat-tdkt-2022", "kh-nq07"]."""
    return [part.split()[0] for part in articles.split(";") if part.strip()]


def _check_lessons(lessons_dir: Path, doc_ids: set, report: CheckReport, limits: Limits) -> None:
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
        for doc_id in _cited_ids(meta.get("articles", "")):
            if doc_id not in doc_ids:
                report.add(
                    path,
                    _line_of(text, "articles:"),
                    f"Văn bản '{doc_id}' chưa khai báo trong legal_basis của course.toml",
                )
        words = len(body.split())
        if not limits.min_words <= words <= limits.max_words:
            report.add(
                path,
                body_line,
                f"Bài dài {words} từ, cần từ {limits.min_words} đến "
                f"{limits.max_words} từ (một đến hai màn hình điện thoại)",
            )


def _check_questions(path: Path, doc_ids: set, report: CheckReport, limits: Limits) -> None:
    if not path.is_file():
        report.add(path, None, "Thiếu ngân hàng câu hỏi questions.gift")
        return
    as_written, text = read_for_check(path)
    check_text(report, path, as_written)
    result = parse_gift(text)
    for issue in result.errors:
        report.add(path, issue.line, issue.message)
    keys: set[str] = set()
    for question in result.questions:
        report.questions += 1
        line = question.line
        if not question.key:
            report.add(path, line, "Câu hỏi thiếu mã // [id:…]")
        elif question.key in keys:
            report.add(path, line, f"Mã câu hỏi '{question.key}' bị trùng")
        keys.add(question.key)
        if not question.general_feedback.strip():
            report.add(path, line, "Câu hỏi thiếu phần giải thích (####)")
        doc_id = question.reference.partition(";")[0].strip()
        if not doc_id:
            report.add(path, line, "Câu hỏi thiếu căn cứ // [ref:…]")
        elif doc_id not in doc_ids:
            report.add(path, line, f"Căn cứ '{doc_id}' chưa khai báo trong legal_basis")
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


def _check_draw_pools(
    toml_path: Path, toml_text: str, draw: dict, gift_path: Path, report: CheckReport
) -> None:
    """Warn when a [draw] category (a legal topic) holds fewer than twice the questions drawn
    from it: consecutive attempts would then repeat questions (issue 15), and a learner who
    fails could copy the next attempt from the last result page."""
    if not draw or not gift_path.is_file():
        return
    pool: dict[str, int] = {}
    for question in parse_gift(read_for_check(gift_path)[1]).questions:
        category = unicodedata.normalize("NFC", question.category)
        pool[category] = pool.get(category, 0) + 1
    for category, count in draw.items():
        have = pool.get(unicodedata.normalize("NFC", category), 0)
        if have < 2 * int(count):
            report.warn(
                toml_path,
                _line_of(toml_text, category),
                f"Chủ đề '{category}' rút {count} câu mỗi lần nhưng chỉ có {have} câu; cần ít "
                f"nhất {2 * int(count)} câu để hai lần làm bài liền nhau không trùng câu hỏi",
            )
