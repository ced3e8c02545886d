"""Sessions end on the server (issue 17): logout, a password change or reset raise the
person's session version, which the session cookie and the remember cookie both carry."""

from __future__ import annotations

import statistics
import time

from sqlalchemy import func, select

from app.auth.models import AccountToken
from app.core.audit import AuditEvent
from app.extensions import db
from app.org.models import User
from tests.conftest import PASSWORD, login

GOOD = "Sen-hong-nở-giữa-hồ-2026"
DASHBOARD = "/bang-dieu-khien"


def _copy_cookie(source, target, name: str) -> None:
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    target.set_cookie(name, cookie.value)


def test_saved_session_cookie_stops_working_after_logout(app, tree, make_user):
    make_user(tree["A1"], email="a@test.vn")
    browser = app.test_client()
    login(browser, "a@test.vn")
    thief = app.test_client()
    _copy_cookie(browser, thief, "session")
    assert thief.get(DASHBOARD).status_code == 200  # the copy works while signed in
    browser.post("/dang-xuat")
    assert browser.get(DASHBOARD).status_code == 302
    assert thief.get(DASHBOARD).status_code == 302  # ended on the server


def test_saved_remember_token_stops_working_after_logout(app, tree, make_user):
    make_user(tree["A1"], email="a@test.vn")
    browser = app.test_client()
    browser.post("/", data={"email": "a@test.vn", "password": PASSWORD, "remember": "y"})
    remembered = app.test_client()
    _copy_cookie(browser, remembered, "remember_token")
    assert remembered.get(DASHBOARD).status_code == 200  # the cookie alone signs in
    browser.post("/dang-xuat")
    fresh = app.test_client()
    _copy_cookie(remembered, fresh, "remember_token")  # a copy saved before the logout
    assert fresh.get(DASHBOARD).status_code == 302
    assert remembered.get(DASHBOARD).status_code == 302


def test_remember_cookie_is_samesite_lax(app, tree, make_user):
    make_user(tree["A1"], email="a@test.vn")
    response = app.test_client().post(
        "/", data={"email": "a@test.vn", "password": PASSWORD, "remember": "y"}
    )
    cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")
    )
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_change_password_ends_other_sessions_but_not_this_one(app, tree, make_user):
    user = make_user(tree["A1"], email="a@test.vn")
    here, elsewhere = app.test_client(), app.test_client()
    here.post("/", data={"email": "a@test.vn", "password": PASSWORD, "remember": "y"})
    login(elsewhere, "a@test.vn")
    response = here.post(
        "/doi-mat-khau", data={"current": PASSWORD, "password": GOOD, "confirm": GOOD}
    )
    assert response.status_code == 302
    assert here.get(DASHBOARD).status_code == 200
    assert elsewhere.get(DASHBOARD).status_code == 302
    assert login(app.test_client(), "a@test.vn", GOOD).status_code == 302
    assert (
        "account.password_change"
        in db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == user.id)
        ).all()
    )


def test_change_password_refused_without_the_current_one(app, tree, make_user):
    user = make_user(tree["A1"], email="a@test.vn")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "a@test.vn")
    login(elsewhere, "a@test.vn")
    before = (db.session.get(User, user.id).password_hash, user.session_version)
    response = here.post(
        "/doi-mat-khau", data={"current": "sai-mat-khau", "password": GOOD, "confirm": GOOD}
    )
    assert response.status_code == 422
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)
    db.session.expire_all()
    after = db.session.get(User, user.id)
    assert (after.password_hash, after.session_version) == before
    assert elsewhere.get(DASHBOARD).status_code == 200


def test_change_password_needs_sign_in(client):
    response = client.post("/doi-mat-khau", data={"current": "x", "password": GOOD})
    assert response.status_code == 302 and "/?next=" in response.headers["Location"]


def test_forgot_password_same_answer_and_reset_ends_other_sessions(app, tree, make_user, smtp):
    user = make_user(tree["A1"], email="ha@test.vn", name="Vũ Thị Hà")
    old_browser = app.test_client()
    login(old_browser, "ha@test.vn")

    anonymous = app.test_client()
    known = anonymous.post("/quen-mat-khau", data={"email": "HA@test.vn"})
    unknown = anonymous.post("/quen-mat-khau", data={"email": "khong-co@test.vn"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    flashes = [
        anonymous.get(r.headers["Location"]).get_data(as_text=True) for r in (known, unknown)
    ]
    assert "Nếu thư điện tử này thuộc một tài khoản" in flashes[0]
    link = smtp.link_to("ha@test.vn", "/dat-lai-mat-khau", wait=5)  # sent beside the request
    assert smtp.to("khong-co@test.vn") == [] and len(smtp.to("ha@test.vn")) == 1

    path = link.removeprefix("https://tdkt.congdoan.test")
    token = db.session.scalar(select(AccountToken))
    assert (token.expires_at - token.created_at).total_seconds() == 3600
    assert anonymous.post(path, data={"password": GOOD, "confirm": GOOD}).status_code == 302
    assert anonymous.get(DASHBOARD).status_code == 200
    assert old_browser.get(DASHBOARD).status_code == 302  # her old session ended
    assert login(app.test_client(), "ha@test.vn", PASSWORD).status_code == 200  # old refused
    assert login(app.test_client(), "ha@test.vn", GOOD).status_code == 302
    count = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert app.test_client().get(path).status_code == 404  # single use
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == count
    assert user.id


def test_deactivated_officer_session_ends(app, tree, make_user):
    from app.roster.services import set_active

    user = make_user(tree["A1"], email="a@test.vn")
    browser = app.test_client()
    login(browser, "a@test.vn")
    set_active(None, user, False, "Nghỉ")
    assert browser.get(DASHBOARD).status_code == 302


def test_sign_in_spends_the_same_time_for_unknown_accounts(app, tree, make_user, monkeypatch):
    """With the production argon2 parameters: the median time of a wrong password for an
    existing account and for an unknown one differ by less than a factor of two (before, an
    unknown account answered ~50 times faster)."""
    from app.core import hashing

    monkeypatch.setattr(hashing, "_current_hasher", lambda: hashing._hasher)
    make_user(tree["A1"], email="co-that@test.vn")
    client = app.test_client()

    def median(email: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            response = client.post("/", data={"email": email, "password": "sai-mat-khau"})
            times.append(time.perf_counter() - start)
            assert response.status_code == 200
        return statistics.median(times)

    median("khong-co@test.vn")  # warm up: the dummy hash is made once per worker
    known, unknown = median("co-that@test.vn"), median("khong-co@test.vn")
    assert 0.5 < unknown / known < 2, (known, unknown)
    phone = median("0999999999")  # an unknown phone number costs the same too
    assert 0.5 < phone / known < 2, (known, phone)
