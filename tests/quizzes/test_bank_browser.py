"""bank.js in Chromium at 360 px: a large XLSX is checked in the background, the progress page
polls the job (under the app's CSP) and opens the preview by itself; confirming imports; the
pages have labels and no horizontal scroll.

Marked `e2e` (the Chromium step of `make test`); the app runs in a thread of this process on
the test database, with CSRF protection switched on.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.courses.models import QuestionDraft
from app.extensions import db
from app.org.models import Role
from app.quizzes.formats import ParsedQuestion
from app.quizzes.formats.xlsx_export import export_xlsx
from app.quizzes.formats.xlsx_template import examples
from app.quizzes.models import Question
from tests.conftest import PASSWORD, own_every_course
from tests.e2e.helpers import OVERFLOW_JS, UNLABELLED_CONTROLS_JS

pytestmark = pytest.mark.e2e


@pytest.fixture
def live(app, course, tree, make_user, tmp_path, monkeypatch):
    own_every_course(make_user(tree["province"], role=Role.TRAINER, email="gv-ngan-hang@test.vn"))
    db.session.remove()
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    app.config.update(WTF_CSRF_ENABLED=True, BANK_SYNC_MAX_BYTES=0)  # every file in background
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.config["WTF_CSRF_ENABLED"] = False
        app.config.pop("BANK_SYNC_MAX_BYTES")


def big_workbook(path: Path, count: int) -> Path:
    base = examples()[:6]
    questions = [
        ParsedQuestion(
            base[n % 6].qtype,
            f"{base[n % 6].text} (#{n})",
            key=f"trinh-duyet-{n}",
            answers=base[n % 6].answers,
            single=base[n % 6].single,
        )
        for n in range(count)
    ]
    path.write_bytes(export_xlsx(questions))
    return path


def signed_in(browser, live: str):
    """A phone-sized browser context with the trainer signed in: (context, page)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live + "/")
    page.get_by_label("Thư điện tử").fill("gv-ngan-hang@test.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/bang-dieu-khien")
    return context, page


def check_layout(page) -> None:
    assert page.evaluate(UNLABELLED_CONTROLS_JS) == []
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scrollWidth"] <= overflow["innerWidth"] + 1, overflow


def test_large_import_shows_progress_then_preview_then_imports(live, tmp_path, browser):
    workbook = big_workbook(tmp_path / "ngan-hang-lon.xlsx", 3000)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live + "/")
    page.get_by_label("Thư điện tử").fill("gv-ngan-hang@test.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/bang-dieu-khien")
    page.get_by_role("link", name="Ngân hàng câu hỏi").click()
    page.get_by_role("link", name="Khóa thử nghiệm").click()
    check_layout(page)

    page.get_by_label("Tệp câu hỏi").set_input_files(str(workbook))
    page.get_by_role("button", name="Tải lên và xem trước").click()
    page.wait_for_url("**/nhap/*")
    # the progress page (or, on a fast machine, already the preview it leads to)
    page.get_by_role("heading", name="Xem trước: ngan-hang-lon.xlsx").wait_for()
    assert page.locator("#count-new").inner_text() == "3000"
    check_layout(page)
    page.get_by_role("button", name="Xác nhận nhập").click()
    page.get_by_role("heading", name="Đã nhập: ngan-hang-lon.xlsx").wait_for()
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(QuestionDraft)) == 3000
    assert db.session.scalar(select(func.count()).select_from(Question)) == 4  # until a publish
    assert page.locator("#drafts-notice").is_visible()
    db.session.remove()
    assert errors == []
    context.close()


def test_progress_page_moves_the_bar_and_opens_the_result(live, app, tmp_path, browser):
    """The progress page of a job that is still queued: bank.js polls, and when the job ends
    (run here, as the thread would) the browser goes to the preview without a reload click."""
    from app.org.models import User
    from app.quizzes import jobs

    with app.app_context():
        trainer = db.session.scalar(select(User).where(User.email == "gv-ngan-hang@test.vn"))
        course_id = db.session.scalar(select(Question.course_id).limit(1))
        job_id, token = jobs.create_job(course_id, trainer.id, b"::a:: a? {T}\n", filename="a.gift")
        db.session.remove()
    context, page = signed_in(browser, live)
    page.goto(f"{live}/ngan-hang/khoa-thu/nhap/{token}")
    page.get_by_role("progressbar").wait_for()
    check_layout(page)
    with app.app_context():
        jobs.run(job_id)
        db.session.remove()
    page.get_by_role("heading", name="Xem trước: a.gift").wait_for()
    context.close()


def test_a_failed_import_offers_tiep_tuc_and_ends_like_one_that_did_not_fail(
    live, app, browser, monkeypatch
):
    """An import whose second chunk failed: its page at 360 px says how far it got, and
    "Tiếp tục" writes the rest in the background and opens the result."""
    from app.org.models import User
    from app.quizzes import bank_chunks, bank_drafts, jobs

    monkeypatch.setattr(bank_chunks, "CHUNK", 10)
    gift = "".join(f"::C{n}:: Câu số {n}? {{T}}\n\n" for n in range(35)).encode()
    real = bank_drafts.stage_chunk
    calls = []

    def fail_the_second_chunk(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("mất kết nối")
        return real(*args)

    with app.app_context():
        trainer = db.session.scalar(select(User).where(User.email == "gv-ngan-hang@test.vn"))
        course_id = db.session.scalar(select(Question.course_id).limit(1))
        job_id, token = jobs.create_job(course_id, trainer.id, gift, filename="cau-hoi.gift")
        jobs.run(job_id)
        assert jobs.confirm(db.session.get(jobs.ImportJob, job_id))
        monkeypatch.setattr(bank_drafts, "stage_chunk", fail_the_second_chunk)
        jobs.run(job_id)
        monkeypatch.setattr(bank_drafts, "stage_chunk", real)
        job = db.session.get(jobs.ImportJob, job_id)
        assert (job.status, job.done) == ("failed", 10)
        db.session.remove()
    context, page = signed_in(browser, live)
    page.goto(f"{live}/ngan-hang/khoa-thu/nhap/{token}")
    assert "Đã ghi 10/35 câu hỏi hợp lệ" in page.locator("#import-failed").inner_text()
    check_layout(page)
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("heading", name="Đã nhập: cau-hoi.gift").wait_for()
    assert page.locator("#count-new").inner_text() == "35"
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(QuestionDraft)) == 35
    db.session.remove()
    context.close()
