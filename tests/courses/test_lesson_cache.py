"""The lesson page's per-worker copy of a course is never served stale."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.courses.models import Course, Lesson
from app.extensions import db
from app.learning.services import mark_lesson_done
from tests.conftest import csrf_token, login


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


# --- the rendered page, kept per worker (app/core/page_cache.py) -------------------------------


@pytest.fixture
def renders(app):
    """Names of the templates rendered during the test (Flask's `template_rendered`)."""
    from flask import template_rendered

    names: list[str] = []

    def record(_app, template, context, **kw):
        names.append(template.name)

    with template_rendered.connected_to(record, app):
        yield names


def test_the_page_is_rendered_once_and_served_again(app, client, tree, make_user, course, renders):
    make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["A2"], email="hv2@test.vn")
    login(client, "hv@test.vn")
    first = _page(client).get_data(as_text=True)
    assert renders.count("courses/lesson.html") == 1
    other = app.test_client()
    login(other, "hv2@test.vn")
    second = _page(other).get_data(as_text=True)
    assert renders.count("courses/lesson.html") == 1  # served from the copy
    assert second == first.replace(csrf_token(first), csrf_token(second))


def test_each_session_gets_its_own_csrf_token_and_it_posts(app, client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["A2"], email="hv2@test.vn")
    login(client, "hv@test.vn")
    other = app.test_client()
    login(other, "hv2@test.vn")
    first = csrf_token(_page(client).get_data(as_text=True))
    second = csrf_token(_page(other).get_data(as_text=True))
    assert first != second
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = other.post("/khoa-hoc/khoa-thu/bai/1/hoan-thanh", data={"csrf_token": first})
        assert refused.status_code == 400  # one session's token is not another's
        done = other.post("/khoa-hoc/khoa-thu/bai/1/hoan-thanh", data={"csrf_token": second})
        assert done.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert "Bạn đã hoàn thành bài này" in _page(other).get_data(as_text=True)
    assert "Bạn đã hoàn thành bài này" not in _page(client).get_data(as_text=True)


def test_the_menu_is_the_viewers_role(app, client, tree, make_user, course):
    from app.org.models import Role

    make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["A"], role=Role.UNIT_MANAGER, email="ql@test.vn")
    manager = app.test_client()
    login(manager, "ql@test.vn")
    assert "Độ bao phủ" in _page(manager).get_data(as_text=True)
    login(client, "hv@test.vn")
    assert "Độ bao phủ" not in _page(client).get_data(as_text=True)


def test_a_flash_is_shown_once_and_never_kept(app, client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["A2"], email="hv2@test.vn")
    login(client, "hv@test.vn")
    response = client.post("/khoa-hoc/khoa-thu/bai/1/hoan-thanh")
    assert response.headers["Location"].endswith("/khoa-hoc/khoa-thu/bai/2")
    assert "Đã đánh dấu hoàn thành bài" in _page(client, 2).get_data(as_text=True)
    assert "Đã đánh dấu hoàn thành bài" not in _page(client, 2).get_data(as_text=True)
    other = app.test_client()
    login(other, "hv2@test.vn")
    assert "Đã đánh dấu hoàn thành bài" not in _page(other, 2).get_data(as_text=True)


def test_an_edit_is_served_at_once_after_the_page_was_kept(app, client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    _page(client)
    _page(client)  # kept
    _lesson("mo-dau").body_html = "<p>Nội dung thay mới</p>"
    db.session.commit()
    assert "Nội dung thay mới" in _page(client).get_data(as_text=True)
