"""Editing an officer: an e-mail (or officer code) used outside the manager's subtree gets a
neutral message that does not confirm an account exists there; nothing is saved."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.org.models import Role, User
from tests.conftest import login


def _form(officer, **changes):
    data = {
        "full_name": officer.full_name,
        "officer_code": officer.officer_code or "",
        "birth_date": "",
        "unit_id": officer.unit_id,
        "position": officer.position or "",
        "officer_type": officer.officer_type,
        "email": officer.email or "",
        "phone": officer.phone or "",
    }
    data.update(changes)
    return data


@pytest.fixture
def scene(app, tree, make_user):
    make_user(tree["A"], Role.UNIT_MANAGER, email="ql-a@test.vn")
    officer = make_user(tree["A1"], email="a1@test.vn")
    make_user(tree["A2"], email="a2@test.vn")  # inside the manager's subtree
    outsider = make_user(tree["B1"], email="b1@test.vn")  # outside it
    outsider.officer_code = "NGOAI-1"
    db.session.commit()
    client = app.test_client()
    login(client, "ql-a@test.vn")
    return client, officer


def _error(response, field):
    page = response.get_data(as_text=True)
    start = page.index(f'id="{field}-error">') + len(f'id="{field}-error">')
    return page[start : page.index("<", start)].strip()


def test_an_address_used_outside_the_scope_is_not_confirmed(scene):
    client, officer = scene
    outside = client.post(f"/don-vi/can-bo/{officer.id}", data=_form(officer, email="b1@test.vn"))
    assert outside.status_code == 422
    message = _error(outside, "email")
    assert "đã dùng" not in message and "cán bộ khác" not in message
    assert message == "Không dùng được thư điện tử này; vui lòng nhập địa chỉ khác."
    code = client.post(f"/don-vi/can-bo/{officer.id}", data=_form(officer, officer_code="NGOAI-1"))
    assert code.status_code == 422
    assert "đã dùng" not in _error(code, "officer_code")
    db.session.expire_all()
    saved = db.session.get(User, officer.id)
    assert (saved.email, saved.officer_code) == ("a1@test.vn", None)


def test_an_address_used_inside_the_scope_still_says_so(scene):
    client, officer = scene
    inside = client.post(f"/don-vi/can-bo/{officer.id}", data=_form(officer, email="a2@test.vn"))
    assert inside.status_code == 422
    assert _error(inside, "email") == "Thư điện tử này đã dùng cho cán bộ khác."
