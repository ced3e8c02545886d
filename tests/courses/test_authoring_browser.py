"""authoring.js in Chromium at 360 px: the live preview comes from the server's renderer, the
draft autosaves (with the CSRF header) while the author types, a new lesson's first autosave
moves the page to its draft, and the editor has labels and no horizontal scroll.

Marked `e2e` (the Chromium step of `make test`); the app runs in a thread of this process on
the test database, with CSRF protection switched on.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app.courses.models import LessonDraft
from app.extensions import db
from app.org.models import Role
from tests.conftest import PASSWORD, own_every_course
from tests.e2e.helpers import OVERFLOW_JS, UNLABELLED_CONTROLS_JS

pytestmark = pytest.mark.e2e


@pytest.fixture
def live(app, course, tree, make_user):
    trainer = make_user(tree["province"], role=Role.TRAINER, email="gv-trinh-duyet@test.vn")
    own_every_course(trainer)
    db.session.remove()
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}", "trainer": trainer}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def page(live, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live["url"] + "/")
    page.get_by_label("Thư điện tử").fill("gv-trinh-duyet@test.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/bang-dieu-khien")
    yield page
    assert errors == []
    context.close()


def draft_body(slug: str) -> str | None:
    """The stored draft's text, read in a short transaction (the server thread writes)."""
    db.session.remove()
    body = db.session.scalar(select(LessonDraft.body_md).where(LessonDraft.slug == slug))
    db.session.remove()
    return body


def assert_mobile_friendly(page) -> None:
    assert page.evaluate(UNLABELLED_CONTROLS_JS) == []
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow


def test_live_preview_and_autosave(page, live):
    from playwright.sync_api import expect

    page.goto(live["url"] + "/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau")
    assert_mobile_friendly(page)
    body = page.get_by_label("Nội dung (Markdown)")
    body.fill("Xin chào **thế giới**\n\n<script>window.bad = 1</script>")
    expect(page.locator("[data-preview] strong")).to_have_text("thế giới", timeout=10_000)
    assert page.locator("[data-preview] script").count() == 0
    expect(page.locator("[data-autosave-status]")).to_contain_text("Đã tự động lưu", timeout=15_000)
    saved = draft_body("mo-dau")
    assert saved is not None and saved.startswith("Xin chào **thế giới**")
    assert page.evaluate("window.bad") is None

    # a reload restores the draft with a notice
    page.reload()
    expect(page.get_by_text("Đang hiển thị bản nháp")).to_be_visible()
    expect(body).to_have_value(saved)


def test_new_lesson_first_autosave_moves_to_its_draft(page, live):
    from playwright.sync_api import expect

    page.goto(live["url"] + "/soan-thao/khoa-hoc/khoa-thu/bai-moi")
    assert_mobile_friendly(page)
    page.get_by_label("Tiêu đề bài học").fill("Hồ sơ điện tử")
    page.get_by_label("Nội dung (Markdown)").fill("Nội dung bài mới")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Đã tự động lưu", timeout=15_000)
    page.wait_for_url("**/soan-thao/khoa-hoc/khoa-thu/bai/ho-so-dien-tu")
    assert draft_body("ho-so-dien-tu") == "Nội dung bài mới"
    # further typing updates the same draft, and "Lưu bản nháp" posts to it
    page.get_by_label("Nội dung (Markdown)").fill("Nội dung đã sửa")
    page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_text("Đã lưu bản nháp bài học")).to_be_visible()
    assert draft_body("ho-so-dien-tu") == "Nội dung đã sửa"


def test_every_authoring_page_fits_360_px(page, live):
    from playwright.sync_api import expect

    base = live["url"] + "/soan-thao"
    page.goto(base + "/khoa-hoc/khoa-thu/xuat-ban")
    page.get_by_label("Ghi chú thay đổi").fill("Phiên bản thử trên điện thoại")
    page.get_by_role("button", name="Xuất bản").click()
    expect(page.get_by_text("Đã xuất bản phiên bản 1.1")).to_be_visible()
    for path in (
        "/",
        "/khoa-hoc/moi",
        "/khoa-hoc/khoa-thu",
        "/khoa-hoc/khoa-thu/thong-tin",
        "/khoa-hoc/khoa-thu/bai-moi",
        "/khoa-hoc/khoa-thu/cau-hoi-moi",
        "/khoa-hoc/khoa-thu/cau-hoi/t-02",
        "/khoa-hoc/khoa-thu/xuat-ban",
        "/khoa-hoc/khoa-thu/phien-ban?tu=1.0&den=1.1",
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        assert_mobile_friendly(page)
