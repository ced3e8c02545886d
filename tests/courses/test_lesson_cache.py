"""The lesson page's per-worker copy of a course is never served stale."""

from __future__ import annotations

from sqlalchemy import select

from app.courses.models import Course, Lesson
from app.extensions import db
from app.learning.services import mark_lesson_done
from tests.conftest import login


def _lesson(slug: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


def _page(client, position: int = 1):
    return client.get(f"/khoa-hoc/khoa-thu/bai/{position}")


def test_a_change_made_elsewhere_is_served_at_once(client, tree, make_user, course):
    """Another worker (here: the test, writing through its own session) edits a lesson: the
    copy this worker holds no longer matches the course's stamp and is reloaded."""
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    assert "Nội dung thay mới" not in _page(client).get_data(as_text=True)

    before = db.session.scalar(select(Course.updated_at).where(Course.slug == "khoa-thu"))
    lesson = _lesson("mo-dau")
    lesson.title = "Mở đầu — bản sửa"
    lesson.body_html = "<p>Nội dung thay mới</p>"
    db.session.commit()
    after = db.session.scalar(select(Course.updated_at).where(Course.slug == "khoa-thu"))
    assert after > before  # a lesson-only change moves the course's stamp

    page = _page(client).get_data(as_text=True)
    assert "Nội dung thay mới" in page and "Mở đầu — bản sửa" in page


def test_unpublished_course_and_hidden_lesson_are_gone_at_once(client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    assert _page(client, 3).status_code == 200

    _lesson("bao-cao").active = False
    db.session.commit()
    assert _page(client, 3).status_code == 404
    assert 'rel="next"' not in _page(client, 2).get_data(as_text=True)  # 2 is now the last

    db.session.scalar(select(Course).where(Course.slug == "khoa-thu")).published = False
    db.session.commit()
    assert _page(client, 1).status_code == 404


def test_done_state_is_the_officers_own(client, tree, make_user, course):
    done_by = make_user(tree["A1"], email="xong@test.vn")
    make_user(tree["A1"], email="chua@test.vn")
    mark_lesson_done(done_by, _lesson("mo-dau"))
    db.session.commit()

    login(client, "chua@test.vn")
    assert "Bạn đã hoàn thành bài này" not in _page(client).get_data(as_text=True)
    client.post("/dang-xuat")
    login(client, "xong@test.vn")
    assert "Bạn đã hoàn thành bài này" in _page(client).get_data(as_text=True)
    assert "Bạn đã hoàn thành bài này" not in _page(client, 2).get_data(as_text=True)


def test_unknown_position_and_course_are_404(client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    assert _page(client, 1).status_code == 200
    assert _page(client, 9).status_code == 404
    assert client.get("/khoa-hoc/khong-co/bai/1").status_code == 404
