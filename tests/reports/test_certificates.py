"""Certificates: the PDF (rendered by poppler, Vietnamese text, QR), the register number, the
public verification page, revocation and supersession, and who may download what."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import segno
from PIL import Image
from sqlalchemy import func, select

from app.certificates import services as certificates
from app.certificates.models import Certificate
from app.certificates.services import issue_certificate
from app.core.dates import format_date, local_today
from app.courses.models import Course
from app.extensions import db
from app.org.models import Role
from app.progress.models import TrainingRecord
from tests.conftest import login, require

NAME = "Nguyễn Thị Thu Hà"
TITLE = "Quy trình xét khen thưởng trong Công đoàn"
BASE = "https://tdkt.congdoan.test"


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} (poppler-utils) is required for this test: apt-get install poppler-utils"
    return path


@pytest.fixture
def setup(app, tree, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE)
    course = Course(slug="quy-trinh-khen-thuong", title=TITLE)
    db.session.add(course)
    db.session.commit()
    people = {
        "ha": make_user(tree["A1"], name=NAME, email="ha@test.vn"),
        "other": make_user(tree["A1"], name="Trần Văn Khác", email="khac@test.vn"),
        "manager_a": make_user(tree["A"], Role.UNIT_MANAGER, "Quản Lý A", "qa@test.vn"),
        "manager_a2": make_user(tree["A2"], Role.UNIT_MANAGER, "Chủ Tịch A2", "cta2@test.vn"),
        "manager_b": make_user(tree["B"], Role.UNIT_MANAGER, "Quản Lý B", "qb@test.vn"),
        "admin": make_user(tree["province"], Role.PROVINCE_ADMIN, "Quản Trị", "admin@test.vn"),
    }
    people["ha"].phone = "0912345678"
    people["ha"].birth_date = date(1985, 3, 9)
    today = local_today()

    def record(user, completed_on=today, year=today.year):
        source = "online" if completed_on else None
        row = require(
            user, course, year, date(year, 12, 31), completed_on=completed_on, source=source
        )
        db.session.commit()
        return row

    return {**people, "course": course, "record": record(people["ha"]), "make_record": record}


def pdf_text(path: Path) -> str:
    result = subprocess.run(
        [poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    )
    return nfc(result.stdout.decode("utf-8"))


def qr_modules(png: Path, version_size: int, scale: int, border: int) -> list[list[bool]]:
    """Read the QR image module by module (dark = True) at each module's centre."""
    image = Image.open(png).convert("L")
    assert image.size == ((version_size + 2 * border) * scale,) * 2, image.size
    return [
        [
            image.getpixel(
                ((border + col) * scale + scale // 2, (border + row) * scale + scale // 2)
            )
            < 128
            for col in range(version_size)
        ]
        for row in range(version_size)
    ]


def test_pdf_renders_vietnamese_and_a_qr_that_verifies(client, setup, tmp_path):
    login(client, "ha@test.vn")
    response = client.get(f"/chung-chi/{setup['record'].id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    pdf = tmp_path / "chung-chi.pdf"
    pdf.write_bytes(response.data)

    # 1. poppler renders it, and the page is not blank
    subprocess.run([poppler("pdftoppm"), "-png", "-r", "50", str(pdf), str(tmp_path / "page")])
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1, "pdftoppm produced no page"
    page = Image.open(pages[0]).convert("L")
    assert page.size[0] > page.size[1]  # landscape
    dark = sum(page.histogram()[:128])  # pixels darker than mid-grey
    assert dark > 0.005 * page.size[0] * page.size[1], "the rendered page is blank"

    # 2. the Vietnamese text comes back exactly (the font carries the diacritics)
    text = pdf_text(pdf)
    number = f"00001/{local_today().year}/TĐKT"
    for expected in [
        "GIẤY CHỨNG NHẬN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        NAME,
        "Đơn vị: CĐCS A1",
        TITLE,
        f"Ngày hoàn thành: {format_date(local_today())}",
        f"Số vào sổ: {number}",
    ]:
        assert nfc(expected) in text, f"{expected!r} not in the PDF text:\n{text}"
    assert b"DejaVu" in response.data  # the shipped font is embedded

    # 3. the QR code encodes the verification URL printed (and linked) under it
    urls = re.findall(rf"{re.escape(BASE)}/xac-minh/[A-Za-z0-9_-]+", text)
    assert len(urls) == 1, text
    url = urls[0]
    assert f"/URI ({url})".encode() in response.data  # clickable link annotation
    certificate = db.session.scalar(select(Certificate))
    assert url == f"{BASE}/xac-minh/{certificate.token}"
    subprocess.run([poppler("pdfimages"), "-png", str(pdf), str(tmp_path / "img")], check=True)
    (qr_png,) = sorted(tmp_path.glob("img-*.png"))
    expected = segno.make(url, error="m", micro=False)
    size = expected.symbol_size(scale=1, border=0)[0]
    decoded = qr_modules(qr_png, size, scale=10, border=2)
    assert decoded == [[bool(v) for v in row] for row in expected.matrix]

    # 4. the public page at that URL answers without login, with nothing personal beyond it
    client.post("/dang-xuat")
    verify = client.get(urlsplit(url).path)
    assert verify.status_code == 200
    html = nfc(verify.get_data(as_text=True))
    assert NAME in html and TITLE in html and number in html
    assert format_date(local_today()) in html
    assert "Giấy chứng nhận hợp lệ" in html
    for private in ["ha@test.vn", "0912345678", "09/03/1985", "1985", "CĐCS A1"]:
        assert private not in html
    assert verify.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert verify.headers["Referrer-Policy"] == "no-referrer"


def test_second_download_serves_the_same_certificate(client, setup):
    login(client, "ha@test.vn")
    first = client.get(f"/chung-chi/{setup['record'].id}.pdf")
    second = client.get(f"/chung-chi/{setup['record'].id}.pdf")
    assert first.status_code == second.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_register_numbers_follow_each_other_and_restart_every_year(setup):
    make = setup["make_record"]
    second = make(setup["other"])
    third = make(setup["manager_a"])
    a = issue_certificate(setup["record"], today=date(2026, 12, 30))
    b = issue_certificate(second, today=date(2026, 12, 31))
    c = issue_certificate(third, today=date(2027, 1, 2))
    assert [a.number, b.number, c.number] == [
        "00001/2026/TĐKT",
        "00002/2026/TĐKT",
        "00001/2027/TĐKT",
    ]
    assert issue_certificate(setup["record"]).number == "00001/2026/TĐKT"  # idempotent
    assert len({a.token, b.token, c.token}) == 3 and len(a.token) >= 22


def test_a_number_taken_meanwhile_is_retried(setup, monkeypatch):
    issue_certificate(setup["record"], today=date(2026, 5, 1))
    real = certificates._next_seq
    calls = []

    def stale(year):  # what a concurrent issuer that read max() too early would compute
        calls.append(year)
        return 1 if len(calls) == 1 else real(year)

    monkeypatch.setattr(certificates, "_next_seq", stale)
    second = issue_certificate(setup["make_record"](setup["other"]), today=date(2026, 5, 2))
    assert second.number == "00002/2026/TĐKT" and len(calls) == 2


def test_not_completed_gets_no_certificate(client, setup):
    pending = setup["make_record"](setup["other"], completed_on=None)
    with pytest.raises(certificates.CertificateError):
        issue_certificate(pending)
    login(client, "khac@test.vn")
    assert client.get(f"/chung-chi/{pending.id}.pdf").status_code == 404


def test_revoked_certificate_says_so_and_is_not_reissued(client, setup):
    certificate = issue_certificate(setup["record"])
    certificates.revoke_certificate(certificate, "Kết quả kiểm tra không hợp lệ")
    page = client.get(f"/xac-minh/{certificate.token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Đã thu hồi" in html and "hợp lệ</p>" not in html
    assert "Kết quả kiểm tra" not in html  # the reason is internal

    login(client, "ha@test.vn")
    response = client.get(f"/chung-chi/{setup['record'].id}.pdf")
    assert response.status_code == 410
    assert "đã bị thu hồi" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_reissue_supersedes_the_old_version(client, setup):
    old = issue_certificate(setup["record"])
    setup["ha"].full_name = "Nguyễn Thị Thu Hằng"  # a corrected name
    db.session.commit()
    new = certificates.reissue_certificate(setup["record"], "Sửa họ tên")
    db.session.commit()  # the test is the boundary
    assert new.number != old.number and new.full_name == "Nguyễn Thị Thu Hằng"
    db.session.refresh(old)
    assert old.status == "superseded" and old.superseded_by_id == new.id
    assert "Đã được thay thế bởi phiên bản mới" in client.get(f"/xac-minh/{old.token}").get_data(
        as_text=True
    )
    assert "Giấy chứng nhận hợp lệ" in client.get(f"/xac-minh/{new.token}").get_data(as_text=True)
    assert certificates.current_certificate(setup["record"]).id == new.id


def test_unknown_token_is_404(client, setup):
    issue_certificate(setup["record"])
    assert client.get("/xac-minh/khong-co-ma-nay").status_code == 404
    assert client.get("/xac-minh/" + "x" * 200).status_code == 404


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("khac@test.vn", 404),  # another learner, same unit
        ("cta2@test.vn", 404),  # manager of the sibling grassroots union
        ("qb@test.vn", 404),  # manager of the sibling upper-level union
        ("qa@test.vn", 200),  # manager above
        ("admin@test.vn", 200),  # province admin
        ("ha@test.vn", 200),  # the owner
    ],
)
def test_who_may_download(client, setup, email, status):
    login(client, email)
    response = client.get(f"/chung-chi/{setup['record'].id}.pdf")
    assert response.status_code == status
    if status == 404:
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_anonymous_and_missing_records(client, setup):
    response = client.get(f"/chung-chi/{setup['record'].id}.pdf")
    assert response.status_code == 302 and "/?next=" in response.headers["Location"]
    login(client, "admin@test.vn")
    assert client.get("/chung-chi/999999.pdf").status_code == 404


def test_dashboard_links_the_certificate_once_completed(client, setup):
    login(client, "ha@test.vn")
    page = client.get("/bang-dieu-khien").get_data(as_text=True)
    assert "Tải giấy chứng nhận" in page
    assert f"/chung-chi/{setup['record'].id}.pdf" in page
    client.post("/dang-xuat")
    login(client, "khac@test.vn")
    setup["make_record"](setup["other"], completed_on=None)
    assert "Tải giấy chứng nhận" not in client.get("/bang-dieu-khien").get_data(as_text=True)


def test_concurrent_first_downloads_get_distinct_numbers(app, setup, monkeypatch):
    """Four issues that all read max(seq) before any of them inserts (PostgreSQL: really in
    parallel; SQLite serialises writers, so there the barrier just times out)."""
    import threading

    from app.core.db import write_intent

    people = [setup["other"], setup["manager_a"], setup["admin"]]
    record_ids = [setup["record"].id] + [setup["make_record"](p).id for p in people]
    parallel = db.engine.dialect.name == "postgresql"
    db.session.commit()  # this thread's open transaction would hold SQLite's write lock
    barrier = threading.Barrier(len(record_ids), timeout=5)
    real = certificates._next_seq
    local = threading.local()

    def synchronised(year):
        value = real(year)
        if parallel and not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()  # everyone has computed the same "next" number
        return value

    monkeypatch.setattr(certificates, "_next_seq", synchronised)
    numbers, errors = {}, []

    def issue(record_id):
        with app.app_context():
            write_intent.set(True)  # as the download view does before issuing
            try:
                record = db.session.get(TrainingRecord, record_id)
                numbers[record_id] = issue_certificate(record, today=date(2026, 3, 1)).number
                db.session.commit()  # as the download view does after issuing
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(rid,)) for rid in record_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(numbers.values()) == [f"0000{i}/2026/TĐKT" for i in range(1, 5)]


@pytest.mark.usefixtures("records_written_by_hand")  # reopens the record as versions.py would
def test_completing_again_after_a_new_major_version_issues_a_new_certificate(client, setup):
    """A new major version reopens this year's completions (app/authoring/versions.py); the
    officer's next completion gets its own certificate, the old one is superseded."""
    record = setup["record"]
    record.completed_on = local_today() - timedelta(days=1)
    db.session.commit()
    old = issue_certificate(record)
    record.completed_on = None  # reopened
    db.session.commit()
    login(client, "ha@test.vn")
    assert client.get(f"/chung-chi/{record.id}.pdf").status_code == 404
    assert "Giấy chứng nhận hợp lệ" in client.get(f"/xac-minh/{old.token}").get_data(
        as_text=True
    )  # it still certifies the earlier completion

    record.completed_on = local_today()
    db.session.commit()
    response = client.get(f"/chung-chi/{record.id}.pdf")
    assert response.status_code == 200
    db.session.expire_all()
    new = certificates.current_certificate(record)
    assert new.id != old.id and new.completed_on == local_today()
    assert db.session.get(Certificate, old.id).status == "superseded"
    assert "Đã được thay thế bởi phiên bản mới" in client.get(f"/xac-minh/{old.token}").get_data(
        as_text=True
    )
