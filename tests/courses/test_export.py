"""`flask courses export`: loading an exported course gives the same course back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.authoring import services as authoring
from app.authoring.lessons import create_lesson_draft, move_lesson, save_lesson_draft
from app.authoring.loader import load_courses
from app.authoring.questions import question_data, save_question_draft
from app.authoring.versions import publish_course
from app.courses.models import Course, Lesson
from app.courses.services import course_meta
from app.extensions import db
from app.org.models import Role
from app.quizzes.models import Question
from tests.conftest import ROOT, _wipe

FIXTURE = ROOT / "tests" / "fixtures" / "courses"
COURSE_FIELDS = (
    "slug",
    "title",
    "summary",
    "audience",
    "version_major",
    "version_minor",
    "pass_mark",
    "questions_per_attempt",
    "time_limit_minutes",
    "max_attempts",
    "shuffle_answers",
    "draw_per_category",
    "legal_basis",
    "published",
)
LESSON_FIELDS = ("slug", "position", "title", "articles", "body_md", "body_html")
QUESTION_FIELDS = (
    "key",
    "qtype",
    "title",
    "text",
    "text_format",
    "data",
    "explanation",
    "reference",
    "category",
)


def content() -> dict:
    """Every loaded course as comparable data (no ids: the second database numbers anew)."""
    result = {}
    for course in db.session.scalars(select(Course).order_by(Course.slug)):
        lessons = db.session.scalars(
            select(Lesson)
            .where(Lesson.course_id == course.id, Lesson.active.is_(True))
            .order_by(Lesson.position)
        )
        questions = db.session.scalars(
            select(Question)
            .where(Question.course_id == course.id, Question.active.is_(True))
            .order_by(Question.position, Question.id)
        )
        result[course.slug] = {
            "course": {f: getattr(course, f) for f in COURSE_FIELDS},
            "lessons": [{f: getattr(x, f) for f in LESSON_FIELDS} for x in lessons],
            "questions": [{f: getattr(q, f) for f in QUESTION_FIELDS} for q in questions],
        }
    return result


def export_all(directory: Path) -> None:
    from app.authoring.exporter import export_course

    for course in db.session.scalars(select(Course)):
        export_course(course, directory)


def reload_fresh(directory: Path) -> dict:
    db.session.remove()
    _wipe()
    report = load_courses(directory)
    assert report.errors == [], "\n".join(report.errors)
    db.session.expire_all()
    return content()


def test_fixture_round_trip_through_the_cli(app, runner, tmp_path):
    assert load_courses(FIXTURE).errors == []
    before = content()
    result = runner.invoke(args=["courses", "export", "khoa-thu", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Đã ghi khóa học 'khoa-thu'" in result.output
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == [
        "khoa-thu/course.toml",
        "khoa-thu/lessons/01-mo-dau.md",
        "khoa-thu/lessons/02-muc-tieu.md",
        "khoa-thu/lessons/03-bao-cao.md",
        "khoa-thu/questions.gift",
    ]
    assert reload_fresh(tmp_path) == before
    assert len(before["khoa-thu"]["questions"]) == 4


def test_unknown_course_exits_non_zero(app, runner, tmp_path):
    result = runner.invoke(args=["courses", "export", "khong-co", str(tmp_path)])
    assert result.exit_code == 1
    assert "Không có khóa học" in result.output


def test_shipped_courses_round_trip(app, tmp_path):
    report = load_courses(Path(app.config["COURSES_DIR"]))
    assert report.errors == []
    before = content()
    export_all(tmp_path)
    assert reload_fresh(tmp_path) == before


@pytest.mark.parametrize("kind", ["minor", "major"])
def test_course_edited_in_the_browser_round_trips(app, tmp_path, tree, make_user, kind):
    assert load_courses(FIXTURE).errors == []
    course = db.session.scalar(select(Course).where(Course.slug == "khoa-thu"))
    trainer = make_user(tree["province"], role=Role.TRAINER)
    body = (
        "Đoạn đầu: có dấu hai chấm.\n\n---\n\ntitle: không phải front matter\n\n"
        '!!! verify "Cần xác minh"\n    Điểm chưa đối chiếu.\n'
    )
    save_lesson_draft(
        course, "muc-tieu", "Mục tiêu: 100% được tập huấn", body, "kh-nq07 Mục II", trainer
    )
    create_lesson_draft(course, "Bài mới thêm", "Nội dung *mới*", "", trainer)
    move_lesson(course, "bai-moi-them", -1, trainer)
    save_question_draft(
        course,
        "t-05",
        qtype="multi",
        text="Ký tự đặc biệt GIFT: = ~ # { } \\ và dấu : ở giữa?",
        data=question_data(
            "multi",
            [
                {"text": "a = b", "weight": "50", "feedback": "đúng {một nửa}"},
                {"text": "c ~ d", "weight": "50"},
                {"text": "e # f", "weight": "-100", "feedback": "sai"},
            ],
        ),
        explanation="Giải thích có #### và }",
        reference="kh-nq07; Mục II",
        author=trainer,
        category="Nguyên tắc",
    )
    meta = course_meta(course)
    meta["summary"] = 'Tóm tắt có "ngoặc kép" và \\ gạch chéo\nhai dòng'
    meta.update(time_limit_minutes=20, max_attempts=3, shuffle_answers=False)
    course.draw_per_category = {"Nguyên tắc": 1}
    meta["legal_basis"].append({"id": "luat-2022", "title": "Luật", "status": "CORROBORATED"})
    authoring.save_course_meta(course, meta, trainer)
    from datetime import date

    publish_course(course, kind, trainer, due_on=date(2099, 12, 31))
    db.session.expire_all()
    before = content()
    assert before["khoa-thu"]["course"]["version_major"] == (2 if kind == "major" else 1)
    assert [x["slug"] for x in before["khoa-thu"]["lessons"]] == [
        "mo-dau",
        "muc-tieu",
        "bai-moi-them",
        "bao-cao",
    ]
    export_all(tmp_path)
    assert reload_fresh(tmp_path) == before
