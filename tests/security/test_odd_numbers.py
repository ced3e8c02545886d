"""Integers in paths and query strings: out of range is a 404 (or a form error), never a 500
(issue 17: SQLite integer overflow, PostgreSQL `integer` range, `date(0, 1, 1)`)."""

from __future__ import annotations

import pytest

from app.org.models import Role
from tests.conftest import login, own_every_course

HUGE = "99999999999999999999"


@pytest.fixture
def people(app, tree, make_user, course):
    make_user(tree["A1"], Role.LEARNER, email="hv@test.vn")
    own_every_course(make_user(tree["A1"], Role.TRAINER, email="gv@test.vn"))
    make_user(tree["A"], Role.UNIT_MANAGER, email="ql@test.vn")
    make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn")
    return tree


def _as(app, email):
    client = app.test_client()
    login(client, email)
    return client


@pytest.fixture
def quiet_500s(app, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # a 500 as in production


@pytest.mark.parametrize(
    "email, path",
    [
        ("hv@test.vn", f"/bai-lam/{HUGE}"),
        ("hv@test.vn", f"/bai-lam/{HUGE}/ket-qua"),
        ("hv@test.vn", "/bai-lam/2147483648"),  # one past PostgreSQL's integer
        ("hv@test.vn", f"/bai-lam/{'9' * 5000}"),  # past Python's int() digit limit
        ("hv@test.vn", f"/chung-chi/{HUGE}.pdf"),
        ("hv@test.vn", f"/khoa-hoc/khoa-thu/bai/{HUGE}"),
        ("gv@test.vn", f"/cham-bai/{HUGE}"),
        ("gv@test.vn", f"/lop-tap-huan/{HUGE}"),
        ("ql@test.vn", f"/don-vi/can-bo/{HUGE}"),
        ("ql@test.vn", f"/bao-cao/bao-phu/{HUGE}"),
        ("ql@test.vn", f"/bao-cao/dinh-ky/{HUGE}"),
    ],
)
def test_huge_ids_in_paths_are_404(app, people, quiet_500s, email, path):
    assert _as(app, email).get(path).status_code == 404


@pytest.mark.parametrize(
    "email, path",
    [
        ("ql@test.vn", "/don-vi/can-bo"),
        ("gv@test.vn", "/lop-tap-huan"),
        ("gv@test.vn", "/ngan-hang/khoa-thu"),
        ("ql@test.vn", "/bao-cao/bao-phu/{A}/can-bo"),
    ],
)
def test_huge_page_numbers_are_404_and_ordinary_ones_still_work(
    app, people, quiet_500s, email, path
):
    client = _as(app, email)
    path = path.format(A=people["A"].id)
    assert client.get(f"{path}?trang={HUGE}").status_code == 404
    assert client.get(f"{path}?trang=-5").status_code == 404
    assert client.get(f"{path}?trang=2").status_code == 200
    assert client.get(f"{path}?trang=abc").status_code == 200  # not a number: page 1


@pytest.mark.parametrize("year", ["0", "-1", HUGE, "10000"])
def test_years_out_of_range_on_reports_are_404(app, people, quiet_500s, year):
    client = _as(app, "ql@test.vn")
    a = people["A"].id
    assert client.get(f"/bao-cao/dinh-ky?nam={year}").status_code == 404
    assert client.get(f"/bao-cao/dinh-ky/{a}?nam={year}").status_code == 404
    assert client.get(f"/bao-cao/dinh-ky/{a}/tai-ve.csv?nam={year}").status_code == 404
    assert client.get(f"/bao-cao/bao-phu?nam={year}").status_code == 404
    assert client.get(f"/bao-cao/bao-phu?khoa={HUGE}").status_code == 404
    assert _as(app, "admin@test.vn").get(f"/ke-hoach/?nam={year}").status_code == 404
    assert client.get("/bao-cao/dinh-ky?nam=2025").status_code == 200


def test_huge_attendee_ids_are_a_form_error(app, people, course, quiet_500s):
    from datetime import date

    from app.classes.services import create_class
    from app.extensions import db
    from app.org.models import User
    from app.progress.models import ClassAttendance

    gv = db.session.scalar(db.select(User).where(User.email == "gv@test.vn"))
    klass = create_class(gv, course, date(2025, 3, 1), "Hội trường")
    client = _as(app, "gv@test.vn")
    response = client.post(f"/lop-tap-huan/{klass.id}/them", data={"user_ids": [HUGE]})
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(ClassAttendance)) == 0
