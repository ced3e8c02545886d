"""Load `courses/<slug>/` into the database (`flask courses load`).

Idempotent: courses, lessons and questions are keyed by slug / file slug / question id, so a
second run updates in place and keeps every officer's progress. A lesson or question removed
from the files is deactivated, never deleted (attempts still point at it). Errors are reported
as "file:line: message"; one bad question does not stop the rest of its course from loading.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.core.markdown import render_markdown
from app.core.text import nfc
from app.courses.models import Course, Lesson
from app.extensions import db
from app.legal.refs import clean_document
from app.legal.services import upsert_documents
from app.quizzes.formats import decode_bytes, parse_gift
from app.quizzes.legal_references import sync_course_references
from app.quizzes.models import Question
from app.quizzes.parsed import question_key
from app.quizzes.types import get_type

LESSON_FILE = re.compile(r"^(\d+)-([a-z0-9-]+)\.md$")


@dataclass
class LoadReport:
    courses: list[str] = field(default_factory=list)
    lessons: int = 0
    questions: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def error(self, path: Path, line: int | None, message: str) -> None:
        self.errors.append(f"{path}:{line or 1}: {message}")


def split_front_matter(text: str) -> tuple[dict[str, str], str, int]:
    """`---` key: value `---` header → (meta, body, line where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    meta: dict[str, str] = {}
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, "\n".join(lines[index + 1 :]), index + 2
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip()
    raise ValueError("Phần đầu (front matter) mở bằng '---' nhưng không có dòng '---' đóng lại")


def parse_version(value: str) -> tuple[int, int]:
    major, _, minor = str(value).partition(".")
    return int(major), int(minor or 0)


def load_courses(directory: str | Path, force: bool = False) -> LoadReport:
    """Load every course of `directory`, each in its own savepoint. The caller commits."""
    report = LoadReport()
    root = Path(directory)
    for course_dir in sorted(p for p in root.iterdir() if (p / "course.toml").is_file()):
        try:
            with db.session.begin_nested():  # a broken course leaves nothing of itself
                load_course(course_dir, report, force)
        except Exception as exc:  # one broken course must not stop the others
            report.error(course_dir / "course.toml", None, f"Không nạp được khóa học: {exc}")
    return report


def _published_in_browser_since(course: Course, meta: dict) -> bool:
    return (course.version_major, course.version_minor) > parse_version(meta["version"])


def load_course(course_dir: Path, report: LoadReport, force: bool = False) -> Course | None:
    toml_path = course_dir / "course.toml"
    try:
        meta = tomllib.loads(decode_bytes(toml_path.read_bytes())[0])
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        report.error(toml_path, line, f"Lỗi cú pháp TOML: {exc}")
        return None
    for key in ("title", "version"):
        if key not in meta:
            report.error(toml_path, 1, f"Thiếu khóa bắt buộc '{key}'")
            return None
    slug = course_dir.name
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is not None and not force and _published_in_browser_since(course, meta):
        # A trainer published a newer version in the browser: loading the older files would
        # silently undo their work. They export it first (flask courses export), then load.
        report.skipped.append(
            f"{toml_path}: bỏ qua — cơ sở dữ liệu có phiên bản {course.version_label} mới hơn "
            f"tệp ({meta['version']}), đã xuất bản trên trình duyệt. Hãy chạy "
            f"`flask courses export {slug} {course_dir.parent}` rồi nạp lại, hoặc dùng --force."
        )
        return course
    gift_path = course_dir / "questions.gift"
    if course is not None and not force and _would_undo_bank_changes(course, gift_path):
        # Questions imported or edited in the browser since the last load are live; loading
        # the files would hide or overwrite them (same rule as a newer published version).
        report.skipped.append(
            f"{toml_path}: bỏ qua — ngân hàng câu hỏi của khóa đã được nhập thêm hoặc sửa trên "
            f"trình duyệt (hoặc bằng `flask questions import`) sau lần nạp trước; nạp tệp sẽ ẩn "
            f"hoặc ghi đè những câu đó. Hãy chạy `flask courses export {slug} "
            f"{course_dir.parent}` rồi nạp lại, hoặc dùng --force."
        )
        return course
    if course is None:
        course = Course(slug=slug)
        db.session.add(course)
    course.title = nfc(meta["title"])
    course.summary = nfc(meta.get("summary", ""))
    course.audience = nfc(meta.get("audience", ""))
    course.version_major, course.version_minor = parse_version(meta["version"])
    course.pass_mark = int(meta.get("pass_mark", 70))
    course.questions_per_attempt = int(meta.get("questions_per_attempt", 0))
    course.time_limit_minutes = int(meta.get("time_limit_minutes", 0))
    course.max_attempts = int(meta.get("max_attempts", 0))
    course.shuffle_answers = bool(meta.get("shuffle_answers", True))
    # Right answers wait for a pass unless the file says otherwise ("never", or "always" for a
    # practice quiz); the attempt rules default to 3 a day and a 30-minute wait (issue 15).
    review = meta.get("review", "after_pass")
    course.review_answers = review if review in ("after_pass", "never", "always") else "after_pass"
    course.review_wrong_on_fail = bool(meta.get("review_wrong_on_fail", True))
    course.attempts_per_day = int(meta.get("attempts_per_day", 3))
    course.retry_wait_minutes = int(meta.get("retry_wait_minutes", 30))
    course.draw_per_category = {nfc(k): int(v) for k, v in meta.get("draw", {}).items()}
    course.legal_basis = [clean_document(doc) for doc in meta.get("legal_basis", [])]
    db.session.flush()
    _load_lessons(course, course_dir / "lessons", report)
    _load_questions(course, gift_path, report)
    db.session.flush()
    course.bank_digest = bank_digest(course.id)
    upsert_documents(course.legal_basis)
    sync_course_references(course)
    report.courses.append(slug)
    return course


def bank_digest(course_id: int) -> str:
    """A fingerprint of what the loader writes to a course's questions (not their order: an
    export leaves inactive questions out, so a reload renumbers positions without losing work)."""
    rows = db.session.execute(
        select(
            Question.key,
            Question.active,
            Question.qtype,
            Question.title,
            Question.text,
            Question.text_format,
            Question.data,
            Question.explanation,
            Question.reference,
            Question.category,
        )
        .where(Question.course_id == course_id)
        .order_by(Question.key)
    )
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(list(row), sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _would_undo_bank_changes(course: Course, gift_path: Path) -> bool:
    """The bank changed since the last load (its fingerprint moved) and loading the file now
    would change it again. Right after `flask courses export` the file holds the bank as it is,
    so loading it changes nothing and goes ahead. Tried in a savepoint, always rolled back."""
    if course.bank_digest is None or not gift_path.is_file():
        return False  # never loaded with a fingerprint, or no file to load questions from
    now = bank_digest(course.id)
    if now == course.bank_digest:
        return False
    trial = db.session.begin_nested()
    try:
        _load_questions(course, gift_path, LoadReport())
        db.session.flush()
        return bank_digest(course.id) != now
    finally:
        trial.rollback()


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _load_lessons(course: Course, lessons_dir: Path, report: LoadReport) -> None:
    existing = {lesson.slug: lesson for lesson in course.lessons}
    seen = set()
    for path in sorted(lessons_dir.glob("*.md")) if lessons_dir.is_dir() else []:
        match = LESSON_FILE.match(path.name)
        if not match:
            report.error(path, 1, "Tên tệp bài học phải có dạng NN-ten-bai.md (chữ thường, số)")
            continue
        try:
            meta, body, _ = split_front_matter(decode_bytes(path.read_bytes())[0])
        except ValueError as exc:
            report.error(path, 1, str(exc))
            continue
        if not meta.get("title"):
            report.error(path, 1, "Thiếu tiêu đề bài học (title)")
            continue
        slug = match.group(2)
        lesson = existing.get(slug)
        if lesson is None:
            lesson = Lesson(slug=slug, course=course)
            db.session.add(lesson)
        lesson.position = int(match.group(1))
        lesson.title = nfc(meta["title"])
        # `refs:` (article-level references); `articles:` is the older free-text line
        lesson.articles = nfc(meta.get("refs") or meta.get("articles", ""))
        lesson.body_md = nfc(body)
        lesson.body_html = render_markdown(lesson.body_md)
        lesson.active = True
        seen.add(slug)
        report.lessons += 1
    for slug, lesson in existing.items():
        if slug not in seen:
            lesson.active = False
    _renumber(course)


def _renumber(course: Course) -> None:
    """Active lessons get positions 1..n in file order: URLs stay short and gap-free."""
    db.session.flush()
    active = sorted((x for x in course.lessons if x.active), key=lambda x: x.position)
    inactive = [x for x in course.lessons if not x.active]
    for offset, lesson in enumerate(inactive, start=1):
        lesson.position = -offset - lesson.id  # out of the way, unique
    for position, lesson in enumerate(active, start=1):
        lesson.position = position


def _load_questions(course: Course, gift_path: Path, report: LoadReport) -> None:
    if not gift_path.is_file():
        return
    text, _ = decode_bytes(gift_path.read_bytes())
    result = parse_gift(text)
    for issue in result.errors:
        report.error(gift_path, issue.line, issue.message)
    existing = {
        q.key: q
        for q in db.session.scalars(select(Question).where(Question.course_id == course.id))
    }
    seen = set()
    for position, parsed in enumerate(result.questions, start=1):
        try:
            qtype = get_type(parsed.qtype)
            data = qtype.data_from_parsed(parsed)
            problems = qtype.validate(data)
        except ValueError as exc:
            problems = [str(exc)]
        key = question_key(parsed)
        if key in seen:
            problems.append(f"Mã câu hỏi '{key}' bị trùng")
        if problems:
            report.error(gift_path, parsed.line, "; ".join(problems))
            continue
        seen.add(key)
        question = existing.get(key)
        if question is None:
            question = Question(course_id=course.id, key=key)
            db.session.add(question)
        question.position = position
        question.qtype = parsed.qtype
        question.title = nfc(parsed.title)[:255]
        question.text = nfc(parsed.text)
        question.text_format = parsed.text_format
        question.data = data
        question.explanation = nfc(parsed.general_feedback)
        question.reference = nfc(parsed.reference)[:255]
        question.category = nfc(parsed.category)[:255]
        question.tags = [nfc(tag)[:80] for tag in parsed.tags]  # `tinh-huong`, `historical`…
        question.active = True
        report.questions += 1
    for key, question in existing.items():
        if key not in seen:
            question.active = False
