"""Acceptance 6: `flask courses load` is idempotent and reports file:line for broken input."""

import shutil
from pathlib import Path

from sqlalchemy import func, select

from app.courses.models import Course, Lesson, LessonProgress
from app.extensions import db
from app.quizzes.models import Question
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "courses"


def snapshot():
    """Everything the loader writes, as comparable data."""
    rows = []
    for model in (Course, Lesson, Question):
        for obj in db.session.scalars(select(model).order_by(model.id)):
            rows.append(
                {
                    c.name: getattr(obj, c.name)
                    for c in model.__table__.columns
                    if c.name not in {"updated_at"}
                }
            )
    return rows


def test_load_twice_gives_the_same_database(runner, app):
    first = runner.invoke(args=["courses", "load", str(FIXTURE)])
    assert first.exit_code == 0, first.output
    assert "1 khóa học, 3 bài học, 4 câu hỏi" in first.output
    before = snapshot()
    second = runner.invoke(args=["courses", "load", str(FIXTURE)])
    assert second.exit_code == 0
    db.session.expire_all()
    assert snapshot() == before


def test_edit_updates_in_place_and_keeps_progress(app, tmp_path, tree, make_user):
    from app.authoring.loader import load_courses
    from app.learning.services import mark_lesson_done

    shutil.copytree(FIXTURE, tmp_path / "courses")
    load_courses(tmp_path / "courses")
    user = make_user(tree["A1"])
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "mo-dau"))
    mark_lesson_done(user, lesson)
    path = tmp_path / "courses" / "khoa-thu" / "lessons" / "01-mo-dau.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Bài **mở đầu**", "Bài đã sửa"), encoding="utf-8"
    )
    report = load_courses(tmp_path / "courses")
    assert report.errors == []
    db.session.expire_all()
    lessons = db.session.scalars(select(Lesson).where(Lesson.slug == "mo-dau")).all()
    assert len(lessons) == 1 and "Bài đã sửa" in lessons[0].body_html
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1


def test_broken_gift_line_reported_rest_loads(app, tmp_path):
    from app.authoring.loader import load_courses

    shutil.copytree(FIXTURE, tmp_path / "courses")
    gift = tmp_path / "courses" / "khoa-thu" / "questions.gift"
    text = gift.read_text(encoding="utf-8")
    broken = "// [id:t-bad]\n::t-bad:: Câu hỏi hỏng {\n=một\n=hai\n~ba\n}\n\n"
    gift.write_text(broken + text, encoding="utf-8")
    report = load_courses(tmp_path / "courses")
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"{gift}:2:"), report.errors
    assert report.courses == ["khoa-thu"]
    assert db.session.scalar(select(func.count()).select_from(Question)) == 4
    assert db.session.scalar(select(func.count()).select_from(Lesson)) == 3


def test_cli_exits_non_zero_with_file_and_line(runner, tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "courses")
    (tmp_path / "courses" / "khoa-thu" / "course.toml").write_text(
        'title = "x"\nversion = \n', encoding="utf-8"
    )
    result = runner.invoke(args=["courses", "load", str(tmp_path / "courses")])
    assert result.exit_code == 1
    assert "course.toml:2:" in result.output


def test_shipped_courses_load_without_errors(app):
    from app.authoring.loader import load_courses

    report = load_courses(Path(app.config["COURSES_DIR"]))
    assert report.errors == [], "\n".join(report.errors)
    assert len(report.courses) >= 1


def test_load_does_not_undo_a_version_published_in_the_browser(runner, app):
    first = runner.invoke(args=["courses", "load", str(FIXTURE)])
    assert first.exit_code == 0
    course = db.session.scalar(select(Course).where(Course.slug == "khoa-thu"))
    course.version_minor = 3  # as a browser publish would leave it: 1.3 > files' 1.0
    lesson = course.lessons[0]
    lesson.title = "Tiêu đề sửa trên trình duyệt"
    db.session.commit()
    again = runner.invoke(args=["courses", "load", str(FIXTURE)])
    assert again.exit_code == 0 and "bỏ qua" in again.output and "courses export" in again.output
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).title == "Tiêu đề sửa trên trình duyệt"
    forced = runner.invoke(args=["courses", "load", str(FIXTURE), "--force"])
    assert forced.exit_code == 0
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).title == "Mở đầu"


# --- questions added or edited in the browser survive a reload -------------------------------

BROWSER_GIFT = """// [id:trinh-duyet-01]
::trinh-duyet-01:: Báo cáo thi đua, khen thưởng gửi theo định kỳ 06 tháng. {T
####Có báo cáo 06 tháng và báo cáo năm.
}
"""


def _import_in_browser(slug: str = "khoa-thu") -> Question:
    from app.authoring.pending import apply_drafts
    from app.quizzes.bank import import_questions
    from app.quizzes.formats import parse_gift

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    summary = import_questions(course, parse_gift(BROWSER_GIFT))
    assert not summary.errors
    apply_drafts(course)  # live, as after a publish (which would also move the version)
    db.session.commit()
    return db.session.scalar(select(Question).where(Question.key == "trinh-duyet-01"))


def _active(key: str) -> bool:
    db.session.expire_all()
    return db.session.scalar(select(Question.active).where(Question.key == key))


def test_reload_keeps_questions_imported_in_the_browser_until_exported(runner, app, tmp_path):
    assert runner.invoke(args=["courses", "load", str(FIXTURE)]).exit_code == 0
    _import_in_browser()

    again = runner.invoke(args=["courses", "load", str(FIXTURE)])
    assert again.exit_code == 0, again.output
    assert "ngân hàng câu hỏi" in again.output and "courses export" in again.output
    assert _active("trinh-duyet-01")  # the files do not have it: loading them would hide it

    # Exported, the files hold the bank as it is: loading them goes ahead and keeps it.
    exported = runner.invoke(args=["courses", "export", "khoa-thu", str(tmp_path)])
    assert exported.exit_code == 0, exported.output
    reloaded = runner.invoke(args=["courses", "load", str(tmp_path)])
    assert reloaded.exit_code == 0 and "bỏ qua" not in reloaded.output, reloaded.output
    assert _active("trinh-duyet-01")
    assert "bỏ qua" not in runner.invoke(args=["courses", "load", str(tmp_path)]).output


def test_reload_keeps_a_question_edited_in_the_browser_and_force_overrides(runner, app):
    assert runner.invoke(args=["courses", "load", str(FIXTURE)]).exit_code == 0
    question = db.session.scalar(select(Question).where(Question.key == "t-01"))
    question.explanation = "Giải thích sửa trên trình duyệt"
    db.session.commit()

    again = runner.invoke(args=["courses", "load", str(FIXTURE)])
    assert "bỏ qua" in again.output
    db.session.expire_all()
    assert db.session.get(Question, question.id).explanation == "Giải thích sửa trên trình duyệt"

    forced = runner.invoke(args=["courses", "load", str(FIXTURE), "--force"])
    assert forced.exit_code == 0 and "bỏ qua" not in forced.output
    db.session.expire_all()
    assert db.session.get(Question, question.id).explanation == "Kế hoạch đặt mục tiêu 100%."
    assert "bỏ qua" not in runner.invoke(args=["courses", "load", str(FIXTURE)]).output


def test_changed_files_still_load_when_nothing_changed_in_the_browser(runner, app, tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "courses")
    assert runner.invoke(args=["courses", "load", str(tmp_path / "courses")]).exit_code == 0
    gift = tmp_path / "courses" / "khoa-thu" / "questions.gift"
    gift.write_text(gift.read_text("utf-8") + "\n" + BROWSER_GIFT, "utf-8")
    result = runner.invoke(args=["courses", "load", str(tmp_path / "courses")])
    assert result.exit_code == 0 and "bỏ qua" not in result.output, result.output
    assert _active("trinh-duyet-01")
