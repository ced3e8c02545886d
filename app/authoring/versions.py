"""Publishing versions of a course, their snapshots and diffs, and retakes after a major one.

A *minor* version (a typo fixed) keeps every completion valid. A *major* version (the content
changed) makes officers whom a plan line requires the course retake it: this year's required
completions on an older major version are moved to `CompletionHistory` and reopened;
voluntary learners keep theirs.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.authoring.pending import apply_drafts, draft_problems
from app.authoring.questions import working_questions
from app.core import audit
from app.core.dates import local_today
from app.core.db import utcnow
from app.courses.models import CompletionHistory, Course, CourseVersion
from app.extensions import db
from app.legal import amendments
from app.legal import services as legal
from app.org.models import User
from app.progress import records
from app.progress.models import PlanItem
from app.quizzes.legal_references import sync_course_references
from app.quizzes.models import Question

MINOR, MAJOR = "minor", "major"


class PublishError(ValueError):
    """The working copy cannot be published; `problems` are in Vietnamese."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# --- snapshots -------------------------------------------------------------------------------


def snapshot_of(course: Course) -> dict:
    """What learners see now: details, active lessons in order, active questions in order."""
    lessons = sorted((x for x in course.lessons if x.active), key=lambda x: x.position)
    questions = db.session.scalars(
        select(Question)
        .where(Question.course_id == course.id, Question.active.is_(True))
        .order_by(Question.position, Question.id)
    )
    return {
        "course": {
            "title": course.title,
            "summary": course.summary,
            "audience": course.audience,
            "pass_mark": course.pass_mark,
            "questions_per_attempt": course.questions_per_attempt,
            "time_limit_minutes": course.time_limit_minutes,
            "max_attempts": course.max_attempts,
            "shuffle_answers": course.shuffle_answers,
            "attempts_per_day": course.attempts_per_day,
            "retry_wait_minutes": course.retry_wait_minutes,
            "review_wrong_on_fail": course.review_wrong_on_fail,
            "review_answers": course.review_answers,
            "draw_per_category": dict(course.draw_per_category or {}),
            "legal_basis": list(course.legal_basis or []),
        },
        "lessons": [
            {"slug": x.slug, "title": x.title, "articles": x.articles, "body_md": x.body_md}
            for x in lessons
        ],
        "questions": [
            {
                "key": q.key,
                "qtype": q.qtype,
                "text": q.text,
                "data": q.data,
                "explanation": q.explanation,
                "reference": q.reference,
                "category": q.category,
            }
            for q in questions
        ],
    }


def versions_of(course: Course) -> list[CourseVersion]:
    """Newest first."""
    return list(
        db.session.scalars(
            select(CourseVersion)
            .options(joinedload(CourseVersion.publisher))
            .where(CourseVersion.course_id == course.id)
            .order_by(CourseVersion.major.desc(), CourseVersion.minor.desc())
        )
    )


def get_version_or_none(course: Course, label: str) -> CourseVersion | None:
    major, _, minor = label.partition(".")
    if not (major.isdigit() and minor.isdigit()):
        return None
    return db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course.id,
            CourseVersion.major == int(major),
            CourseVersion.minor == int(minor),
        )
    )


# --- publishing ------------------------------------------------------------------------------


def publish_course(
    course: Course,
    kind: str,
    actor: User,
    note: str = "",
    due_on: date | None = None,
) -> CourseVersion:
    """Publish the working copy as a new version. The caller commits once.

    The first publish of a new course is version 1.0 whatever `kind`. A course loaded from
    files and never published here first gets its current content frozen as a version, so the
    first change can be compared with it. A major version needs `due_on` (the new deadline for
    officers who must retake). Raises `PublishError` when drafts are incomplete."""
    if kind not in (MINOR, MAJOR):
        raise PublishError(["Chọn loại phiên bản: sửa nhỏ hoặc thay đổi nội dung."])
    problems = publish_problems(course)
    first = not course.published
    if kind == MAJOR and not first and due_on is None:
        problems.append("Phiên bản lớn cần hạn hoàn thành mới cho cán bộ phải học lại.")
    if problems:
        raise PublishError(problems)
    published = {(v.major, v.minor) for v in versions_of(course)}
    if not first and not published:
        _freeze(course, None, "Phiên bản trước khi soạn thảo trực tuyến (nạp từ tệp)")
        published.add((course.version_major, course.version_minor))
    apply_drafts(course)
    legal.upsert_documents(course.legal_basis, update_existing=False)
    previous_major = course.version_major
    # Count from the newest number ever published: a reload of older files must not make a
    # publish reuse a version number.
    major, minor = max({(course.version_major, course.version_minor)} | published)
    if first and (major, minor) not in published:
        course.published = True
    elif kind == MAJOR and not first:
        major, minor = major + 1, 0
    else:
        course.published = True
        minor += 1
    course.version_major, course.version_minor = major, minor
    version = _freeze(course, actor, note)
    reassigned = 0
    if kind == MAJOR and not first:
        reassigned = reassign_after_major_version(course, due_on)
        amendments.note_major_publish(course, previous_major, actor, reassigned)
    sync_course_references(course)
    audit.record(
        "course.publish",
        "course",
        course.id,
        actor.id,
        version=course.version_label,
        kind="first" if first else kind,
        reassigned=reassigned,
    )
    return version


def publish_problems(course: Course) -> list[str]:
    """What keeps the working copy from being published (Vietnamese): incomplete drafts, and,
    for a course a plan line requires, every question that would be live without an
    explanation or a legal reference (a test upload must not reach officers unexplained)."""
    problems = draft_problems(course)
    if not required_by_plan(course):
        return problems
    for item in working_questions(course):
        current = item.draft if item.draft is not None else item.question
        if not current.active:
            continue
        missing = [
            label
            for label, value in (("giải thích", current.explanation), ("căn cứ", current.reference))
            if not (value or "").strip()
        ]
        if missing:
            name = getattr(current, "title", "") or (current.text or "")[:60]
            problems.append(
                f"Khóa học bắt buộc theo kế hoạch: câu hỏi “{item.key}” ({name}) "
                f"thiếu {' và '.join(missing)}."
            )
    return problems


def required_by_plan(course: Course) -> bool:
    """A plan line of this year or a later one requires the course."""
    return (
        db.session.scalar(
            select(PlanItem.id)
            .where(PlanItem.course_id == course.id, PlanItem.year >= local_today().year)
            .limit(1)
        )
        is not None
    )


def _freeze(course: Course, actor: User | None, note: str) -> CourseVersion:
    db.session.flush()
    version = CourseVersion(
        course_id=course.id,
        major=course.version_major,
        minor=course.version_minor,
        published_at=utcnow(),
        published_by=actor.id if actor else None,
        note=note,
        snapshot=snapshot_of(course),
    )
    db.session.add(version)
    db.session.flush()
    return version


def reassign_after_major_version(course: Course, due_on: date, year: int | None = None) -> int:
    """Officers required to complete `course` this year by a plan line, who completed it on an
    older major version, must retake it.

    Only required records reopen: the plan line of the officer's scope (its unit subtree and
    officer type) is what made them required. A voluntary learner's completion stays as it is —
    he was never asked to take the course, so a new version asks nothing of him either.
    The completion is copied to `CompletionHistory` (nothing is lost), then the record has no
    completion and `due_on` as the new deadline: coverage counts the officer as not trained
    until he passes the new version. Returns how many records were reopened.
    Does not commit (the calling service does). Bulk statements whatever the number."""
    year = year or local_today().year
    rows = records.reopen_for_version(course, due_on, year)
    now = utcnow()
    db.session.add_all(
        CompletionHistory(
            user_id=row.user_id,
            course_id=course.id,
            year=year,
            completed_on=row.completed_on,
            version=row.course_version,
            source=row.source,
            attempt_id=row.attempt_id,
            archived_at=now,
            reason=f"major:{course.version_major}",
        )
        for row in rows
    )
    return len(rows)


def completion_history(course: Course, year: int | None = None) -> list[CompletionHistory]:
    stmt = select(CompletionHistory).where(CompletionHistory.course_id == course.id)
    if year:
        stmt = stmt.where(CompletionHistory.year == year)
    return list(db.session.scalars(stmt.order_by(CompletionHistory.id)))


# --- diffs -----------------------------------------------------------------------------------


@dataclass
class DiffLine:
    kind: str  # "add" | "del" | "hunk" | "ctx"
    text: str  # plain text: the template escapes it


@dataclass
class DiffSection:
    title: str
    status: str  # "added" | "removed" | "changed"
    lines: list[DiffLine]


def _diff_lines(old: str, new: str, old_name: str, new_name: str) -> list[DiffLine]:
    lines = []
    for raw in difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2
    ):
        if raw.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(raw[:1], "ctx")
        lines.append(DiffLine(kind, raw))
    return lines


def _lesson_text(lesson: dict) -> str:
    return f"# {lesson['title']}\n[{lesson.get('articles', '')}]\n\n{lesson['body_md']}"


def _question_text(question: dict) -> str:
    data = json.dumps(question.get("data", {}), ensure_ascii=False, indent=1, sort_keys=True)
    return (
        f"[{question['qtype']}] {question['text']}\n{data}\n"
        f"Giải thích: {question.get('explanation', '')}\n"
        f"Căn cứ: {question.get('reference', '')}\n"
        f"Danh mục: {question.get('category', '')}"
    )


def diff_versions(old: CourseVersion, new: CourseVersion) -> list[DiffSection]:
    """Changed details, lessons and questions between two versions, as escaped-by-template
    unified diffs (no user HTML is ever rendered)."""
    a, b = old.snapshot or {}, new.snapshot or {}
    old_label, new_label = old.label, new.label
    sections = []
    old_meta = json.dumps(a.get("course", {}), ensure_ascii=False, indent=1, sort_keys=True)
    new_meta = json.dumps(b.get("course", {}), ensure_ascii=False, indent=1, sort_keys=True)
    if old_meta != new_meta:
        lines = _diff_lines(old_meta, new_meta, old_label, new_label)
        sections.append(DiffSection("Thông tin khóa học", "changed", lines))
    for kind, key, render, label in (
        ("lessons", "slug", _lesson_text, "Bài"),
        ("questions", "key", _question_text, "Câu hỏi"),
    ):
        before = {item[key]: item for item in a.get(kind, [])}
        after = {item[key]: item for item in b.get(kind, [])}
        for name in list(before) + [n for n in after if n not in before]:
            old_text = render(before[name]) if name in before else ""
            new_text = render(after[name]) if name in after else ""
            if old_text == new_text:
                continue
            status = "changed"
            if name not in before:
                status = "added"
            elif name not in after:
                status = "removed"
            title = (after.get(name) or before.get(name)).get("title") or name
            sections.append(
                DiffSection(
                    f"{label} “{title}”" if kind == "lessons" else f"{label} {name}",
                    status,
                    _diff_lines(old_text, new_text, old_label, new_label),
                )
            )
        old_order = [item[key] for item in a.get(kind, [])]
        new_order = [item[key] for item in b.get(kind, [])]
        common_old = [n for n in old_order if n in after]
        common_new = [n for n in new_order if n in before]
        if kind == "lessons" and common_old != common_new:
            sections.append(
                DiffSection(
                    "Thứ tự bài học",
                    "changed",
                    _diff_lines("\n".join(old_order), "\n".join(new_order), old_label, new_label),
                )
            )
    return sections
