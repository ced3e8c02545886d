"""Question-bank pages: who may use them, upload → dry-run preview → confirm, the background
job and its progress JSON, CSRF, exports, and imported HTML that stays inert."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.authoring.questions import working_questions
from app.courses.models import QuestionDraft
from app.extensions import db
from app.org.models import Role
from app.quizzes import jobs
from app.quizzes.formats import parse_gift, parse_moodle_xml
from app.quizzes.formats.xlsx import parse_xlsx
from app.quizzes.models import Attempt
from tests.conftest import csrf_token, login, own_every_course
from tests.quizzes.bank_helpers import publish_imports

INTEROP = Path(
    os.environ.get(
        "TDKT_INTEROP_DIR", Path(__file__).resolve().parents[2].parent / "shared" / "interop"
    )
)
XSS = (
    "::xss:: [html]<p>Chọn <b>đúng</b><script>alert('x')</script>"
    '<img src="x" onerror="alert(1)"><a href="javascript:alert(2)">a</a></p> {=Một ~Hai}\n'
)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))


@pytest.fixture
def trainer(tree, make_user, course):
    user = make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn")
    own_every_course(user)  # only a course's owners (and the province admin) edit its bank
    return user


def sign_in(client, email: str) -> None:
    login(client, email)  # each request starts with an empty `g` (tests/conftest.py)


def fresh() -> None:
    """End the test session's transaction: see what a request or a job thread committed."""
    db.session.rollback()


def bank_size(course) -> int:
    """Questions of the bank as trainers see it: live ones and imported drafts."""
    return len(working_questions(course))


def upload(client, data: bytes, name: str, **fields):
    form = {"file": (io.BytesIO(data), name), "fmt": "", "encoding": "", "category_prefix": ""}
    form.update(fields)
    return client.post("/ngan-hang/khoa-thu/nhap", data=form, content_type="multipart/form-data")


def only_job() -> jobs.ImportJob:
    return db.session.scalars(select(jobs.ImportJob)).one()


# --- who may use it --------------------------------------------------------------------------


def bank_urls(app) -> list[tuple[str, str]]:
    values = {"slug": "khoa-thu", "token": "t" * 32, "fmt": "gift"}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("bank."):
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<{name}>", values[name])
            urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


@pytest.mark.parametrize("role", [Role.LEARNER, Role.UNIT_MANAGER])
def test_learner_and_unit_manager_get_403_on_every_bank_route(
    app, client, course, tree, make_user, trainer, role
):
    login(client, trainer.email)
    upload(client, "::a:: Hai cộng hai? {=4 ~5}\n".encode(), "a.gift")
    real_token = only_job().token
    client.post("/dang-xuat")
    user = make_user(tree["A"], role=role, email="khong-quyen@test.vn")
    other = app.test_client()
    sign_in(other, user.email)
    urls = bank_urls(app)
    assert len(urls) >= 7
    urls += [("GET", f"/ngan-hang/khoa-thu/nhap/{real_token}"), ("GET", "/ngan-hang/khoa-thu")]
    urls += [("POST", f"/ngan-hang/khoa-thu/nhap/{real_token}")]
    for method, url in urls:
        response = other.open(url, method=method, data={})
        assert response.status_code == 403, (method, url, response.status_code)
    assert "Ngân hàng câu hỏi" not in other.get("/bang-dieu-khien").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client, course):
    response = client.get("/ngan-hang/khoa-thu")
    assert response.status_code in (302, 401)


def test_someone_elses_job_is_404(app, client, course, tree, make_user, trainer):
    login(client, trainer.email)
    upload(client, "::a:: Hai cộng hai? {=4 ~5}\n".encode(), "a.gift")
    token = only_job().token
    colleague = make_user(tree["province"], role=Role.PROVINCE_ADMIN, email="qt@test.vn")
    other = app.test_client()
    sign_in(other, colleague.email)
    assert other.get(f"/ngan-hang/khoa-thu/nhap/{token}").status_code == 404
    assert other.get(f"/ngan-hang/khoa-thu/nhap/{token}/tien-do").status_code == 404
    assert other.post(f"/ngan-hang/khoa-thu/nhap/{token}").status_code == 404
    assert other.get("/ngan-hang/khoa-thu/nhap/khong-hop-le").status_code == 404


# --- upload, preview, confirm ----------------------------------------------------------------


def test_dry_run_preview_lists_errors_then_confirm_commits(client, course, trainer):
    login(client, trainer.email)
    bank_page = client.get("/ngan-hang/khoa-thu").get_data(as_text=True)
    assert "Nhập câu hỏi từ tệp" in bank_page and "mau-cau-hoi.xlsx" in bank_page
    before = bank_size(course)
    path = INTEROP / "aiken/moodle-aiken_errors.txt"
    response = upload(client, path.read_bytes(), path.name, category_prefix="Aiken")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    preview = client.get(job_url).get_data(as_text=True)
    assert bank_size(course) == before  # a preview writes nothing
    assert 'id="count-new">2<' in preview and 'id="count-error">3<' in preview
    rows = re.findall(r'<tr><td class="num">(\d+)</td>', preview)
    assert rows[:3] == ["1", "5", "14"]
    assert "Câu hỏi chỉ có 1 phương án" in preview and "Xác nhận nhập" in preview

    assert client.post(job_url).status_code == 302
    assert bank_size(course) == before + 2
    done = client.get(job_url).get_data(as_text=True)
    assert "Đã nhập" in done and "Xác nhận nhập" not in done
    assert client.post(job_url).status_code == 302  # a second confirm imports nothing more
    assert bank_size(course) == before + 2
    # a file without categories: its questions go into a category named after it
    stored = db.session.scalars(
        select(QuestionDraft).where(QuestionDraft.category == "Aiken/moodle-aiken_errors")
    ).all()
    assert len(stored) == 2
    assert not any(Path(client.application.instance_path, "question-uploads").glob("*.bin"))


def test_confirming_after_the_upload_expired_says_so(client, course, trainer):
    login(client, trainer.email)
    response = upload(client, b"::a:: a? {T}\n", "a.gift")
    jobs.discard_upload(only_job().token)
    fresh()
    refused = client.post(response.location, follow_redirects=True)
    assert "Hãy tải lên lại" in refused.get_data(as_text=True)
    assert bank_size(course) == 4


def test_encoding_choice_and_explicit_format(client, course, trainer):
    login(client, trainer.email)
    path = INTEROP / "gift/vi-cp1258.gift"
    response = upload(client, path.read_bytes(), "cau-hoi.txt", fmt="gift", encoding="cp1258")
    client.post(response.headers["Location"])
    assert db.session.scalar(
        select(func.count())
        .select_from(QuestionDraft)
        .where(QuestionDraft.text.contains("Tổng Liên đoàn"))
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cau-hoi.pdf", b"%PDF", "Chỉ nhận tệp"),
        ("trong.gift", b"  \n", "Tệp trống."),
    ],
)
def test_bad_uploads_are_refused_with_a_message(client, course, trainer, name, data, message):
    login(client, trainer.email)
    response = upload(client, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(jobs.ImportJob)) == 0


def test_large_files_run_in_the_background_with_progress(app, client, course, trainer):
    login(client, trainer.email)
    app.config["BANK_SYNC_MAX_BYTES"] = 0  # every file counts as large
    try:
        path = INTEROP / "gift/gl02-U3-p32-GR-Present_perfect_vs_past_simple.gift"
        response = upload(client, path.read_bytes(), path.name)
        job_id = only_job().id
        fresh()  # the test's session must not hold SQLite's write lock while the job runs
        jobs.wait(job_id)
        fresh()
        progress = client.get(response.headers["Location"] + "/tien-do").get_json()
        assert progress == {"status": "done", "kind": "preview", "done": 31, "total": 31}
        client.post(response.headers["Location"])
        fresh()
        jobs.wait(job_id)
        fresh()
        progress = client.get(response.headers["Location"] + "/tien-do").get_json()
        assert progress["status"] == "done" and progress["kind"] == "import"
        assert bank_size(course) == 4 + 31
    finally:
        app.config.pop("BANK_SYNC_MAX_BYTES")


def test_progress_page_polls_and_refreshes_without_js(client, course, trainer):
    login(client, trainer.email)
    job_id, token = jobs.create_job(course.id, trainer.id, b"::a:: a? {T}\n", filename="a.gift")
    page = client.get(f"/ngan-hang/khoa-thu/nhap/{token}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert "js/job-progress.js" in page and "data-progress-url" in page
    progress = client.get(f"/ngan-hang/khoa-thu/nhap/{token}/tien-do")
    assert progress.is_json
    assert progress.get_json() == {"status": "queued", "kind": "preview", "done": 0, "total": 0}
    jobs.run(job_id)
    assert "Xem trước: a.gift" in client.get(f"/ngan-hang/khoa-thu/nhap/{token}").get_data(
        as_text=True
    )


def test_a_failed_job_says_so(client, course, trainer):
    login(client, trainer.email)
    job_id, token = jobs.create_job(
        course.id, trainer.id, b"::a:: a? {T}\n", filename="a.gift", fmt="pdf"
    )
    jobs.run(job_id)
    page = client.get(f"/ngan-hang/khoa-thu/nhap/{token}").get_data(as_text=True)
    assert "Không xử lý được tệp" in page
    assert client.get(f"/ngan-hang/khoa-thu/nhap/{token}/tien-do").get_json()["status"] == (
        "failed"
    )


def test_csrf_is_required(app, client, course, trainer):
    login(client, trainer.email)
    page = client.get("/ngan-hang/khoa-thu").get_data(as_text=True)
    token = csrf_token(page)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert upload(client, b"::a:: a? {T}\n", "a.gift").status_code == 400
        response = upload(client, b"::a:: a? {T}\n", "a.gift", csrf_token=token)
        assert response.status_code == 302
        job_url = response.headers["Location"]
        assert client.post(job_url).status_code == 400
        assert bank_size(course) == 4
        assert client.post(job_url, data={"csrf_token": token}).status_code == 302
        assert bank_size(course) == 5
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# --- the bank page, exports, inert HTML ------------------------------------------------------


def test_exports_download_the_bank(client, course, trainer):
    login(client, trainer.email)
    for fmt, parse in (("gift", parse_gift), ("xml", parse_moodle_xml), ("xlsx", parse_xlsx)):
        response = client.get(f"/ngan-hang/khoa-thu/xuat/{fmt}")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        body = response.data if fmt == "xlsx" else response.get_data(as_text=True)
        assert len(parse(body).questions) == 4
    assert client.get("/ngan-hang/khoa-thu/xuat/pdf").status_code == 404


def test_bank_page_filters_and_paginates(app, client, course, trainer):
    login(client, trainer.email)
    gift = "".join(
        f"// [tag:{'chẵn' if n % 2 == 0 else 'lẻ'}]\n::q{n}:: Câu số {n}? {{T}}\n\n"
        for n in range(60)
    )
    client.post(upload(client, gift.encode(), "nhieu.gift", category_prefix="Lớn").location)
    fresh()
    page = client.get("/ngan-hang/khoa-thu").get_data(as_text=True)
    assert "60 câu hỏi nháp" in page  # imported: waiting for the next publish
    publish_imports(course, trainer)
    page = client.get("/ngan-hang/khoa-thu").get_data(as_text=True)
    assert "64 câu hỏi trong ngân hàng" in page and "Trang 1 / 2" in page
    even = client.get("/ngan-hang/khoa-thu?the=chẵn").get_data(as_text=True)
    assert "30 câu hỏi phù hợp" in even
    category = client.get("/ngan-hang/khoa-thu?danh_muc=Lớn&q=số 5").get_data(as_text=True)
    assert "11 câu hỏi phù hợp" in category  # 5, 50…59


def test_imported_html_is_inert_on_the_bank_page_and_the_quiz(client, course, trainer, tree):
    login(client, trainer.email)
    response = upload(client, XSS.encode(), "xss.gift")
    preview = client.get(response.location).get_data(as_text=True)
    client.post(response.location)
    fresh()
    publish_imports(course, trainer)
    pages = [preview, client.get("/ngan-hang/khoa-thu?q=Chọn").get_data(as_text=True)]
    client.post("/dang-xuat")
    learner = client.application.test_client()
    from app.org.services import create_officer

    officer = create_officer(
        "Học viên", tree["A1"], email="hv@test.vn", password="mat-khau-thu-nghiem"
    )
    db.session.commit()
    sign_in(learner, officer.email)
    assert learner.post("/khoa-hoc/khoa-thu/kiem-tra").status_code == 302
    attempt = db.session.scalars(select(Attempt)).one()
    pages.append(learner.get(f"/bai-lam/{attempt.id}").get_data(as_text=True))
    for html in pages:
        assert "<b>đúng</b>" in html  # the harmless markup is kept
        assert "<script>alert" not in html and "onerror" not in html
        assert "javascript:" not in html


def test_the_bank_page_lists_the_trainers_recent_imports(app, client, course, trainer, make_user):
    login(client, trainer.email)
    response = upload(client, b"::a:: a? {T}\n", "a.gift")
    page = client.get("/ngan-hang/khoa-thu").get_data(as_text=True)
    assert "Các lần nhập gần đây của bạn" in page
    assert f'href="{response.headers["Location"]}">a.gift</a>' in page
    assert "Đã kiểm tra, chờ xác nhận" in page
    other = make_user(trainer.unit, role=Role.TRAINER, email="gv2@test.vn")
    own_every_course(other)
    second = app.test_client()
    login(second, other.email)  # another trainer sees only their own
    assert "a.gift" not in second.get("/ngan-hang/khoa-thu").get_data(as_text=True)
