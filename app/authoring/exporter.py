"""Write a course back to the `courses/<slug>/` layout (`flask courses export SLUG DIR`).

Files stay the source of the shipped courses: a course edited in the browser is exported,
reviewed as a diff in version control and committed. What is exported is the *published*
course (what learners see), never drafts in progress. Loading the export with
`flask courses load` gives the same course, lessons and questions (see tests/courses/
test_export.py); inactive lessons and questions are left out, as the loader would
deactivate them.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from app.courses.models import Course
from app.extensions import db
from app.quizzes.formats import export_gift
from app.quizzes.models import Question
from app.quizzes.parsed import parsed_from_question

COURSE_KEYS = ("title", "summary", "audience")
LEGAL_KEYS = (
    "id",
    "number",
    "title",
    "issuer",
    "issued",
    "effective",
    "status",
    "replaced_by",
    "replaced_from",
    "last_checked",
)


def _toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes (\\" \\\\ \\n \\uXXXX) are valid TOML."""
    return json.dumps(value, ensure_ascii=False)


def course_toml(course: Course) -> str:
    lines = [
        f"{key} = {_toml_string(getattr(course, key) or '')}"
        for key in COURSE_KEYS
        if key == "title" or getattr(course, key)
    ]
    lines.append(f'version = "{course.version_major}.{course.version_minor}"')
    lines.append(f"pass_mark = {int(course.pass_mark)}")
    for key in ("questions_per_attempt", "time_limit_minutes", "max_attempts"):
        if getattr(course, key, 0):
            lines.append(f"{key} = {int(getattr(course, key))}")
    if getattr(course, "shuffle_answers", True) is False:
        lines.append("shuffle_answers = false")
    # The attempt rules and review options, written only where they differ from the defaults.
    if getattr(course, "review_answers", "after_pass") not in ("after_pass", None):
        lines.append(f'review = "{course.review_answers}"')
    if getattr(course, "review_wrong_on_fail", True) is False:
        lines.append("review_wrong_on_fail = false")
    for key, default in (("attempts_per_day", 3), ("retry_wait_minutes", 30)):
        value = getattr(course, key, default)
        if value is not None and value != default:
            lines.append(f"{key} = {int(value)}")
    draw = getattr(course, "draw_per_category", None) or {}
    if draw:
        lines += ["", "[draw]"]
        lines += [f"{_toml_string(name)} = {int(n)}" for name, n in draw.items()]
    for doc in course.legal_basis or []:
        lines += ["", "[[legal_basis]]"]
        tables = ("sources", "articles")
        keys = [k for k in LEGAL_KEYS if k in doc]
        keys += sorted(k for k in doc if k not in LEGAL_KEYS and k not in tables)
        lines += [f"{key} = {_toml_string(str(doc[key]))}" for key in keys]
        if "sources" in doc:
            lines.append(f"sources = [{', '.join(_toml_string(str(s)) for s in doc['sources'])}]")
        if isinstance(doc.get("articles"), dict) and doc["articles"]:
            lines.append("[legal_basis.articles]")
            lines += [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in doc["articles"].items()]
    return "\n".join(lines) + "\n"


def lesson_markdown(lesson) -> str:
    header = ["---", f"title: {_one_line(lesson.title)}"]
    if lesson.articles:
        header.append(f"refs: {_one_line(lesson.articles)}")
    header.append("---")
    return "\n".join(header) + "\n" + lesson.body_md.rstrip("\n") + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def export_course(course: Course, directory: str | Path) -> Path:
    """Write `course` to `directory/<slug>/`; returns that folder. Lesson files of the
    folder are replaced (a renamed or reordered lesson leaves no stale file behind)."""
    target = Path(directory) / course.slug
    lessons_dir = target / "lessons"
    lessons_dir.mkdir(parents=True, exist_ok=True)
    for old in lessons_dir.glob("*.md"):
        old.unlink()
    (target / "course.toml").write_text(course_toml(course), encoding="utf-8")
    lessons = sorted((x for x in course.lessons if x.active), key=lambda x: x.position)
    width = max(2, len(str(len(lessons))))
    for number, lesson in enumerate(lessons, start=1):
        path = lessons_dir / f"{number:0{width}d}-{lesson.slug}.md"
        path.write_text(lesson_markdown(lesson), encoding="utf-8")
    questions = db.session.scalars(
        select(Question)
        .where(Question.course_id == course.id, Question.active.is_(True))
        .order_by(Question.position, Question.id)
    ).all()
    gift = export_gift(parsed_from_question(q) for q in questions)
    (target / "questions.gift").write_text(gift, encoding="utf-8")
    return target
