"""Sign-in with an e-mail address or a phone number, each normalised and unique."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.text import normalise_email, normalise_phone
from app.extensions import db
from app.org.models import Role, User
from tests.conftest import PASSWORD, login


@pytest.mark.parametrize(
    "typed",
    ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678", "912345678"],
)
def test_phone_spellings_have_one_form(typed):
    assert normalise_phone(typed) == "0912345678"


@pytest.mark.parametrize("typed", ["", "12345", "abc0912345678", "+1 202 555 0100", "0012345678"])
def test_not_a_phone_number(typed):
    assert normalise_phone(typed) is None


def test_email_is_lower_cased_nfc_and_trimmed():
    decomposed = "  Ho\u0300a@Test.VN "  # "Hòa" typed with a combining grave accent
    assert normalise_email(decomposed) == "h\u00f2a@test.vn"


def test_sign_in_with_phone_in_any_spelling(client, tree, make_user):
    from app.org.services import create_officer

    create_officer("Phạm Văn Điện", tree["A1"], phone="+84 98 765 4321", password=PASSWORD)
    db.session.commit()
    assert db.session.scalar(select(User.phone).where(User.full_name == "Phạm Văn Điện")) == (
        "0987654321"
    )
    response = login(client, "098.765.4321")
    assert response.status_code == 302 and response.headers["Location"] == "/bang-dieu-khien"
    other = client.application.test_client()
    assert login(other, "84987654321").status_code == 302


def test_sign_in_with_email_in_other_case(client, tree, make_user):
    make_user(tree["A1"], email="hoa@test.vn")
    assert login(client, "  HOA@Test.vn ").status_code == 302


def test_phone_is_unique(tree, make_user):
    from app.org.services import create_officer

    create_officer("Một", tree["A1"], phone="0912345678")
    db.session.commit()
    create_officer("Hai", tree["A2"], phone="+84912345678")
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_roster_edit_refuses_a_phone_another_officer_has(client, tree, make_user):
    manager = make_user(tree["A"], Role.UNIT_MANAGER, email="qa@test.vn")
    holder = make_user(tree["A1"], email="giu@test.vn")
    holder.phone = "0912345678"
    officer = make_user(tree["A2"], email="sua@test.vn")
    db.session.commit()
    login(client, manager.email)
    form = {
        "full_name": officer.full_name,
        "unit_id": officer.unit_id,
        "officer_type": officer.officer_type,
        "email": officer.email,
        "phone": "+84 912 345 678",
    }
    response = client.post(f"/don-vi/can-bo/{officer.id}", data=form)
    assert response.status_code == 422
    assert "Số điện thoại này đã dùng cho cán bộ khác." in response.get_data(as_text=True)
    assert db.session.get(User, officer.id).phone is None  # nothing changed
    form["phone"] = "0912 000 111"
    assert client.post(f"/don-vi/can-bo/{officer.id}", data=form).status_code == 302
    assert db.session.get(User, officer.id).phone == "0912000111"


def test_roster_import_normalises_and_refuses_duplicate_phones(tree, make_user):
    from app.roster.services import import_roster

    holder = make_user(tree["A1"], email="giu@test.vn")
    holder.phone = "0912345678"
    db.session.commit()
    rows = [
        (
            2,
            {
                "full_name": "Cán bộ Mới",
                "unit_code": "A1",
                "email": "m1@test.vn",
                "phone": "+84 90 111 2222",
            },
        ),
        (
            3,
            {
                "full_name": "Trùng Máy",
                "unit_code": "A1",
                "email": "m2@test.vn",
                "phone": "0912.345.678",
            },
        ),
        (
            4,
            {
                "full_name": "Trùng Dòng",
                "unit_code": "A1",
                "email": "m3@test.vn",
                "phone": "0901112222",
            },
        ),
    ]
    summary = import_roster(tree["province"], rows, None)
    assert summary.created == 1 and summary.errors == 2
    reasons = " ".join(reason for _line, _name, reason in summary.bad_rows)
    assert "đã dùng cho cán bộ khác" in reasons and "Trùng số điện thoại với dòng 2" in reasons
    created = db.session.scalar(select(User).where(User.email == "m1@test.vn"))
    assert created.phone == "0901112222"
    assert db.session.scalar(select(User).where(User.email == "m2@test.vn")) is None
