"""Roster import: preview, bad rows with their row numbers, commit, idempotent re-import."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.extensions import db
from app.org.models import OfficerType, UnitMembership, User
from app.roster.files import RosterFileError, build_template, read_table
from tests.conftest import login
from tests.org.roster_files import (
    HEADINGS,
    bad_rows,
    count,
    officer_rows,
    preview_token,
    to_csv,
    to_xlsx,
    upload,
)

BAD = {9: "date", 249: "unit", 498: "name"}  # data rows → sheet rows 11, 251, 500


def _rows():
    return officer_rows(500, ["A1", "A2", "B1", "A"], BAD)


FILES = {
    "csv": lambda: (to_csv(_rows()), "danh-sach.csv"),
    "xlsx": lambda: (to_xlsx(_rows()), "danh-sach.xlsx"),
}


def _officers() -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.officer_code.is_not(None)))


def _events() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def _import(client, data, filename):
    """Upload, preview and confirm; the result page must agree with the preview. Returns the
    preview page."""
    token = preview_token(upload(client, data, filename))
    page = client.get(f"/don-vi/can-bo/nhap/{token}").get_data(as_text=True)
    confirmed = client.post(f"/don-vi/can-bo/nhap/{token}")
    result_url = f"/don-vi/can-bo/nhap/{token}/ket-qua"
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == result_url
    result = client.get(result_url).get_data(as_text=True)
    assert count(result, "created") == count(page, "new")
    assert count(result, "updated") == count(page, "updated")
    assert count(result, "unchanged") == count(page, "unchanged")
    assert count(result, "error") == count(page, "error")
    assert bad_rows(result) == bad_rows(page)
    # a second confirm (back button, double click) only leads to the same result
    again = client.post(f"/don-vi/can-bo/nhap/{token}")
    assert again.status_code == 302 and again.headers["Location"] == result_url
    assert client.get(f"/don-vi/can-bo/nhap/{token}").headers["Location"] == result_url
    return page


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_500_rows_with_3_bad_import_497_and_reimport_changes_nothing(client, people, kind):
    data, filename = FILES[kind]()
    login(client, "admin@test.vn")
    page = _import(client, data, filename)
    assert count(page, "new") == 497
    assert count(page, "updated") == 0 and count(page, "error") == 3
    bad = bad_rows(page)
    assert set(bad) == {11, 251, 500}
    assert "Ngày sinh" in bad[11] and "31/02/1985" in bad[11]
    assert "KHONG-CO" in bad[251]
    assert "Thiếu họ và tên" in bad[500]
    db.session.expire_all()
    assert _officers() == 497
    officer = db.session.scalar(select(User).where(User.officer_code == "CB0001"))
    assert officer.full_name == "Nguyễn Thị Hằng 1"
    assert officer.birth_date.isoformat() == "1970-01-01"
    assert officer.officer_type == OfficerType.FULL_TIME.value
    assert officer.phone == "0900000000"
    assert officer.password_hash is None  # on the roster, no account
    assert db.session.scalar(select(func.count(UnitMembership.id))) == 497
    events = _events()
    memberships = db.session.scalar(select(func.count(UnitMembership.id)))

    page = _import(client, data, filename)  # the same file again
    assert count(page, "new") == 0 and count(page, "updated") == 0
    assert count(page, "unchanged") == 497 and count(page, "error") == 3
    assert set(bad_rows(page)) == {11, 251, 500}
    db.session.expire_all()
    assert _officers() == 497
    assert _events() == events  # no audit events: nothing changed
    assert db.session.scalar(select(func.count(UnitMembership.id))) == memberships


def test_csv_and_xlsx_give_the_same_roster(client, people):
    login(client, "admin@test.vn")
    _import(client, to_csv(_rows()), "a.csv")
    page = client.get(
        f"/don-vi/can-bo/nhap/{preview_token(upload(client, to_xlsx(_rows()), 'a.xlsx'))}"
    ).get_data(as_text=True)
    assert count(page, "unchanged") == 497 and count(page, "new") == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_csv_encodings_and_nfc(encoding):
    rows = officer_rows(3, ["A1"])
    rows[0]["full_name"] = "Nguyễn Thị Hằng"
    rows[1]["full_name"] = "Trần Quốc Tuấn"
    _headings, table = read_table("x.csv", to_csv(rows, encoding, delimiter=";"))
    assert [r["full_name"] for _n, r in table][:2] == ["Nguyễn Thị Hằng", "Trần Quốc Tuấn"]
    assert [n for n, _r in table] == [2, 3, 4]


def test_decomposed_input_is_stored_nfc(client, people):
    import unicodedata

    rows = officer_rows(1, ["A1"])
    rows[0]["full_name"] = unicodedata.normalize("NFD", "Lê Thị Hoà")
    login(client, "admin@test.vn")
    _import(client, to_csv(rows), "nfd.csv")
    name = db.session.scalar(select(User.full_name).where(User.officer_code == "CB0001"))
    assert name == unicodedata.normalize("NFC", "Lê Thị Hoà")


def test_excel_dates_and_title_row(client, people):
    login(client, "admin@test.vn")
    page = _import(client, to_xlsx(officer_rows(5, ["A1"]), title_row="DANH SÁCH CÁN BỘ"), "t.xlsx")
    assert count(page, "new") == 5
    bad = db.session.scalar(select(User).where(User.officer_code == "CB0005"))
    assert bad.birth_date.strftime("%d/%m/%Y") == "05/05/1974"


def test_update_by_code_then_email_and_audit(client, people, tree):
    login(client, "admin@test.vn")
    rows = officer_rows(2, ["A1"])
    _import(client, to_csv(rows), "a.csv")
    rows[0]["position"] = "Chủ tịch"
    rows[0]["unit_code"] = "A2"  # a move
    rows[1]["officer_code"] = ""  # matched by e-mail instead
    rows[1]["phone"] = "0911111111"
    page = _import(client, to_csv(rows), "b.csv")
    assert count(page, "updated") == 2 and count(page, "new") == 0
    one = db.session.scalar(select(User).where(User.officer_code == "CB0001"))
    assert one.position == "Chủ tịch" and one.unit_id == tree["A2"].id
    two = db.session.scalar(select(User).where(User.email == "can.bo2@vi-du.vn"))
    assert two.officer_code == "CB0002" and two.phone == "0911111111"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_id == one.id)
    ).all()
    assert set(actions) == {"officer.create", "officer.update", "officer.move"}
    update = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.target_id == one.id, AuditEvent.action == "officer.update"
        )
    )
    assert update.details["changes"]["position"] == ["Ủy viên Ban Chấp hành", "Chủ tịch"]
    assert update.actor_id == people["admin"].id


def test_duplicates_and_missing_key_are_errors(client, people):
    rows = officer_rows(3, ["A1"])
    rows[1]["officer_code"] = rows[0]["officer_code"]
    rows[2]["officer_code"] = ""
    rows[2]["email"] = ""
    login(client, "admin@test.vn")
    page = client.get(
        f"/don-vi/can-bo/nhap/{preview_token(upload(client, to_csv(rows), 'd.csv'))}"
    ).get_data(as_text=True)
    bad = bad_rows(page)
    assert "Trùng mã cán bộ với dòng 2" in bad[3]
    assert "Mã cán bộ hoặc Thư điện tử" in bad[4]


def test_unit_by_unique_name(client, people, tree):
    rows = officer_rows(1, [""])
    rows[0]["unit_name"] = "cđcs  a2"
    login(client, "admin@test.vn")
    _import(client, to_csv(rows), "n.csv")
    assert db.session.scalar(select(User.unit_id).where(User.officer_code == "CB0001")) == (
        tree["A2"].id
    )


def test_unreadable_files_are_refused(client, people):
    login(client, "admin@test.vn")
    response = upload(client, b"PK\x03\x04 not really", "x.xlsx")
    assert response.status_code == 422
    assert "Không đọc được tệp XLSX" in response.get_data(as_text=True)
    response = upload(client, b"a,b\n1,2\n", "x.csv")
    assert response.status_code == 422 and "dòng tiêu đề" in response.get_data(as_text=True)
    response = upload(client, to_csv(officer_rows(2, ["A1"]), "utf-16-le"), "bom-less.csv")
    assert response.status_code == 422
    response = upload(client, b"x", "x.pdf")
    assert response.status_code == 422
    with pytest.raises(RosterFileError):
        read_table("x.txt", b"")


def test_template_is_built_from_the_columns(client, people):
    from pathlib import Path

    from openpyxl import load_workbook

    login(client, "admin@test.vn")
    response = client.get("/don-vi/can-bo/mau-danh-sach-can-bo.xlsx")
    assert response.status_code == 200
    import io

    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADINGS
    shipped = Path(__file__).resolve().parents[2] / "app/static/templates/mau-danh-sach-can-bo.xlsx"
    assert [c.value for c in load_workbook(shipped).worksheets[0][1]] == HEADINGS
    headings, rows = read_table("mau.xlsx", build_template())
    assert rows == [] and len(headings) == len(HEADINGS)


def test_xss_in_names_is_escaped(client, people):
    rows = officer_rows(2, ["A1"])
    rows[0]["full_name"] = '<script>alert("x")</script>'
    rows[1]["unit_code"] = "<img src=x onerror=alert(1)>"
    login(client, "admin@test.vn")
    token = preview_token(upload(client, to_csv(rows), "x.csv"))
    page = client.get(f"/don-vi/can-bo/nhap/{token}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page
    client.post(f"/don-vi/can-bo/nhap/{token}")
    listing = client.get("/don-vi/can-bo").get_data(as_text=True)
    assert "<script>alert" not in listing and "&lt;script&gt;alert" in listing
    officer = db.session.scalar(select(User).where(User.officer_code == "CB0001"))
    detail = client.get(f"/don-vi/can-bo/{officer.id}").get_data(as_text=True)
    assert "<script>alert" not in detail


def test_cli_import_into_a_unit(runner, tree, tmp_path):
    path = tmp_path / "ds.csv"
    rows = officer_rows(4, ["A1", "A2", "B1", "A"])
    path.write_bytes(to_csv(rows, "cp1258"))
    result = runner.invoke(args=["roster", "import", str(path), "--unit", "A", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 mới" in result.output and "1 lỗi" in result.output
    assert _officers() == 0
    result = runner.invoke(args=["roster", "import", str(path), "--unit", "A"])
    assert result.exit_code == 0, result.output
    assert "Dòng 4:" in result.output and "3 mới" in result.output
    assert "Đã ghi 3/3 dòng" in result.output  # progress, on stderr (the runner mixes both)
    assert _officers() == 3
    events = _events()
    result = runner.invoke(args=["roster", "import", str(path), "--unit", "A"])
    assert "3 không đổi" in result.output and _events() == events
    result = runner.invoke(args=["roster", "import", str(path), "--unit", "KHONG"])
    assert result.exit_code != 0
