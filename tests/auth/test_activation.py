"""Bulk activation from the roster: e-mailed links (caught by a real SMTP server), printed
slips (read back from the PDF), first use sets the password. Forbidden paths change nothing."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import AccountToken, TokenKind
from app.core.audit import AuditEvent
from app.core.db import utcnow
from app.extensions import db, limiter
from app.org.models import User
from tests.conftest import login

GOOD = "Sen-hong-nở-giữa-hồ-2026"
CODE = re.compile(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b")


def _state():
    """Everything an activation action may change: compared before/after a refused one."""
    return (
        db.session.scalar(select(func.count()).select_from(AccountToken)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        sorted(db.session.execute(select(User.id, User.password_hash, User.session_version))),
    )


def pdf_text(data: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: .ci/ensure-packages"
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _actions(user_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "user", AuditEvent.target_id == user_id)
            .order_by(AuditEvent.id)
        )
    )


# --- e-mail invitations ---------------------------------------------------------------------


def test_manager_invites_own_subtree_and_link_activates_once(client, app, tree, people, smtp):
    login(client, "qa@test.vn")
    response = client.post("/don-vi/can-bo/kich-hoat/moi", data={"unit_id": tree["A"].id})
    assert response.status_code == 302
    # A1's and A2's unactivated officers: only A1's has an e-mail; nobody outside A.
    assert [rcpts for rcpts, _m in smtp.messages] == [["moi.a1@test.vn"]]
    assert smtp.to("moi.b1@test.vn") == []
    message = smtp.to("moi.a1@test.vn")[0]
    assert "Mời kích hoạt tài khoản" in str(message["Subject"])
    link = smtp.link_to("moi.a1@test.vn", "/kich-hoat")
    assert link.startswith("https://tdkt.congdoan.test/kich-hoat/")
    secret = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(AccountToken.digest))
    assert secret not in stored and len(stored) == 64  # only a digest is kept

    officer = people["new_a1"]
    path = f"/kich-hoat/{secret}"
    newcomer = app.test_client()
    assert "Nguyễn Văn Mới" in newcomer.get(path).get_data(as_text=True)
    weak = newcomer.post(path, data={"password": "ngan", "confirm": "ngan"})
    assert weak.status_code == 422 and "ít nhất 10 ký tự" in weak.get_data(as_text=True)
    assert db.session.get(User, officer.id).password_hash is None  # nothing changed

    done = newcomer.post(path, data={"password": GOOD, "confirm": GOOD})
    assert done.status_code == 302 and done.headers["Location"] == "/bang-dieu-khien"
    assert newcomer.get("/bang-dieu-khien").status_code == 200  # signed in
    assert db.session.get(User, officer.id).password_hash.startswith("$argon2id$")
    assert login(app.test_client(), "moi.a1@test.vn", GOOD).status_code == 302
    assert _actions(officer.id) == [
        "account.invite_issued",
        "account.activated",
        "account.invite_used",
    ]

    before = _state()
    again = app.test_client().post(path, data={"password": GOOD + "x", "confirm": GOOD + "x"})
    assert again.status_code == 404  # used once: refused, nothing changed
    assert _state() == before


def test_expired_link_is_refused(client, app, tree, people, smtp):
    login(client, "qa@test.vn")
    client.post(f"/don-vi/can-bo/{people['new_a1'].id}/gui-loi-moi")
    secret = smtp.link_to("moi.a1@test.vn", "/kich-hoat").rsplit("/", 1)[1]
    token = db.session.scalar(select(AccountToken))
    assert token.expires_at - token.created_at == timedelta(days=14)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    before = _state()
    response = app.test_client().post(
        f"/kich-hoat/{secret}", data={"password": GOOD, "confirm": GOOD}
    )
    assert response.status_code == 404 and "hết hạn" in response.get_data(as_text=True)
    assert _state() == before


def test_reissue_replaces_the_older_link(client, app, tree, people, smtp):
    login(client, "qa@test.vn")
    officer = people["new_a1"]
    client.post(f"/don-vi/can-bo/{officer.id}/gui-loi-moi")
    client.post(f"/don-vi/can-bo/{officer.id}/gui-loi-moi")
    first, second = [
        re.search(r"/kich-hoat/([\w-]+)", text).group(1) for text in smtp.text_to("moi.a1@test.vn")
    ]
    newcomer = app.test_client()
    assert newcomer.get(f"/kich-hoat/{first}").status_code == 404
    assert newcomer.get(f"/kich-hoat/{second}").status_code == 200


def test_manager_cannot_invite_or_print_outside_subtree(client, tree, people, smtp):
    login(client, "qa@test.vn")
    before = _state()
    outside = people["new_b1"]
    assert (
        client.post("/don-vi/can-bo/kich-hoat/moi", data={"unit_id": tree["B"].id}).status_code
        == 404
    )
    assert (
        client.post("/don-vi/can-bo/kich-hoat/phieu", data={"unit_id": tree["B1"].id}).status_code
        == 404
    )
    assert client.post(f"/don-vi/can-bo/{outside.id}/gui-loi-moi").status_code == 404
    assert client.post(f"/don-vi/can-bo/{outside.id}/phieu-kich-hoat").status_code == 404
    assert _state() == before and smtp.messages == []


def test_learner_cannot_use_activation_routes(client, tree, people, smtp):
    login(client, "a1@test.vn")
    before = _state()
    target = people["new_a1"]
    assert (
        client.post("/don-vi/can-bo/kich-hoat/moi", data={"unit_id": tree["A1"].id}).status_code
        == 403
    )
    assert (
        client.post("/don-vi/can-bo/kich-hoat/phieu", data={"unit_id": tree["A1"].id}).status_code
        == 403
    )
    assert client.post(f"/don-vi/can-bo/{target.id}/gui-loi-moi").status_code == 403
    assert client.post(f"/don-vi/can-bo/{target.id}/phieu-kich-hoat").status_code == 403
    assert _state() == before and smtp.messages == []


def test_manager_reissue_resets_an_activated_officer_and_ends_his_sessions(
    client, app, tree, people, smtp
):
    learner = people["learner_a1"]
    his_browser = app.test_client()
    login(his_browser, "a1@test.vn")
    assert his_browser.get("/bang-dieu-khien").status_code == 200
    login(client, "qa@test.vn")
    client.post(f"/don-vi/can-bo/{learner.id}/gui-loi-moi")
    secret = smtp.link_to("a1@test.vn", "/kich-hoat").rsplit("/", 1)[1]
    assert his_browser.get("/bang-dieu-khien").status_code == 200  # not yet used
    response = app.test_client().post(
        f"/kich-hoat/{secret}", data={"password": GOOD, "confirm": GOOD}
    )
    assert response.status_code == 302
    assert his_browser.get("/bang-dieu-khien").status_code == 302  # old session ended


# --- printed activation slips ---------------------------------------------------------------


def test_admin_prints_one_slip_per_unactivated_officer(client, app, tree, people, tmp_path):
    from app.org.services import create_officer

    for n in range(47):  # with the three of `people`: 50 slips, thirteen pages
        create_officer(f"Đoàn Viên Số {n}", tree["B1"])
    db.session.commit()
    login(client, "admin@test.vn")
    response = client.post("/don-vi/can-bo/kich-hoat/phieu", data={"unit_id": tree["province"].id})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data, tmp_path)
    codes = CODE.findall(text)
    expected = 3 + 47  # new_a1, new_a2, new_b1 and the 47
    assert len(codes) == expected and len(set(codes)) == expected
    assert text.count("PHIẾU KÍCH HOẠT TÀI KHOẢN") == expected
    for name in ("Nguyễn Văn Mới", "Trần Thị Chưa", "Lê Văn Bê", "Đoàn Viên Số 46"):
        assert name in text
    assert "CĐCS B1" in text and "/kich-hoat" in text
    assert "Học Viên A Một" not in text  # already activated: no slip
    stored = db.session.scalars(
        select(AccountToken.digest).where(AccountToken.kind == TokenKind.CODE.value)
    ).all()
    assert len(stored) == expected and not any(
        c.replace("-", "") in " ".join(stored) for c in codes
    )

    # The slip of Trần Thị Chưa (no e-mail) activates her account, once.
    slip = text[text.index("Trần Thị Chưa") :]
    code = CODE.search(slip).group(0)
    newcomer = app.test_client()
    assert newcomer.get(f"/kich-hoat?ma={code}").status_code == 200
    done = newcomer.post(
        "/kich-hoat", data={"code": code.lower(), "password": GOOD, "confirm": GOOD}
    )
    assert done.status_code == 302
    officer = db.session.get(User, people["new_a2"].id)
    assert officer.password_hash is not None
    assert newcomer.get("/bang-dieu-khien").status_code == 200
    assert "account.code_used" in _actions(officer.id)

    before = _state()
    twice = app.test_client().post(
        "/kich-hoat", data={"code": code, "password": GOOD, "confirm": GOOD}
    )
    assert twice.status_code == 422 and "đã dùng" in twice.get_data(as_text=True)
    assert _state() == before


def test_code_checks_the_password_rule_against_its_person(client, app, tree, people):
    from app.auth import tokens

    code = tokens.issue(people["new_a1"], TokenKind.CODE, None)
    db.session.commit()
    newcomer = app.test_client()
    for password, message in [
        ("ngan", "ít nhất 10 ký tự"),
        ("matkhau2024", "quá phổ biến"),
        ("1234567890", "quá phổ biến"),
        ("NguyenMoi#2026", "họ tên hoặc thư điện tử"),
        ("xx-moi.a1-xx", "họ tên hoặc thư điện tử"),
    ]:
        before = _state()
        response = newcomer.post(
            "/kich-hoat", data={"code": code, "password": password, "confirm": password}
        )
        assert response.status_code == 422, password
        assert message in response.get_data(as_text=True), password
        assert _state() == before
    mismatch = newcomer.post("/kich-hoat", data={"code": code, "password": GOOD, "confirm": "x"})
    assert "không khớp" in mismatch.get_data(as_text=True)
    assert (
        newcomer.post(
            "/kich-hoat", data={"code": code, "password": GOOD, "confirm": GOOD}
        ).status_code
        == 302
    )


def test_expired_code_is_refused(app, tree, people):
    from app.auth import tokens

    code = tokens.issue(people["new_a1"], TokenKind.CODE, None)
    db.session.scalar(select(AccountToken)).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    before = _state()
    response = app.test_client().post(
        "/kich-hoat", data={"code": code, "password": GOOD, "confirm": GOOD}
    )
    assert response.status_code == 422 and "hết hạn" in response.get_data(as_text=True)
    assert _state() == before


@pytest.fixture
def code_limit(app):
    app.config["ACTIVATION_RATE_LIMIT"] = "10 per minute"
    limiter.reset()
    yield
    app.config["ACTIVATION_RATE_LIMIT"] = "100000 per minute"
    limiter.reset()


def test_eleventh_wrong_code_in_a_minute_is_refused(app, tree, people, code_limit):
    from app.auth import tokens

    code = tokens.issue(people["new_a1"], TokenKind.CODE, None)
    db.session.commit()
    guesser = app.test_client()
    form = {"password": GOOD, "confirm": GOOD}
    statuses = [
        guesser.post("/kich-hoat", data={**form, "code": f"AAAAA-{n:05d}"}).status_code
        for n in range(10)
    ]
    assert statuses == [422] * 10
    before = _state()
    # The 11th try is refused even with the right code: nothing changed.
    refused = guesser.post("/kich-hoat", data={**form, "code": code})
    assert refused.status_code == 429
    assert _state() == before
    assert db.session.get(User, people["new_a1"].id).password_hash is None


def test_right_codes_do_not_count_against_the_limit(app, tree, people, make_user, code_limit):
    from app.auth import tokens
    from app.org.services import create_officer

    officers = [create_officer(f"Cán Bộ Thứ {n}", tree["A1"]) for n in range(11)]
    db.session.commit()
    codes = [tokens.issue(o, TokenKind.CODE, None) for o in officers]
    db.session.commit()
    statuses = [
        app.test_client()
        .post("/kich-hoat", data={"code": c, "password": GOOD, "confirm": GOOD})
        .status_code
        for c in codes
    ]
    assert statuses == [302] * 11


def test_name_rule_refuses_name_words_not_syllables_inside_other_words(app, tree, make_user):
    from app.auth.passwords import password_problem

    user = make_user(tree["A1"], name="Ngô Văn Lực", email="ngo.van.luc@test.vn")
    assert password_problem(user, "Trống-đồng-Ngọc-Lũ-99") is None  # "ngo" inside "ngọc"
    assert password_problem(user, "Ngô-rất-khó-đoán-2026") is not None  # the word "Ngô"
    assert password_problem(user, "abc-ngovanluc-xyz") is not None  # the whole name
    assert password_problem(user, "ngo.van.luc!!") is not None  # the e-mail's local part


def test_activation_forms_need_a_csrf_token(app, tree, people, smtp):
    from tests.conftest import csrf_token

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        manager = app.test_client()
        token = csrf_token(manager.get("/").get_data(as_text=True))
        manager.post(
            "/",
            data={"email": "qa@test.vn", "password": "mat-khau-thu-nghiem", "csrf_token": token},
        )
        assert manager.get("/don-vi/can-bo").status_code == 200
        before = _state()
        data = {"unit_id": tree["A"].id}
        assert manager.post("/don-vi/can-bo/kich-hoat/moi", data=data).status_code == 400
        assert manager.post("/don-vi/can-bo/kich-hoat/phieu", data=data).status_code == 400
        officer = people["new_a1"].id
        assert manager.post(f"/don-vi/can-bo/{officer}/gui-loi-moi").status_code == 400
        assert _state() == before and smtp.messages == []
        page = manager.get("/don-vi/can-bo").get_data(as_text=True)
        data["csrf_token"] = csrf_token(page)
        assert manager.post("/don-vi/can-bo/kich-hoat/moi", data=data).status_code == 302
        assert len(smtp.to("moi.a1@test.vn")) == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_bulk_send_goes_on_where_it_stopped(client, app, tree, people, smtp, monkeypatch):
    from app.auth import activation

    monkeypatch.setattr(activation, "INVITE_BATCH", 1)
    login(client, "admin@test.vn")
    everyone = {"unit_id": tree["province"].id}
    first = client.post("/don-vi/can-bo/kich-hoat/moi", data=everyone, follow_redirects=True)
    assert "Còn 1 thư chưa gửi" in first.get_data(as_text=True)
    second = client.post("/don-vi/can-bo/kich-hoat/moi", data=everyone, follow_redirects=True)
    assert "Còn" not in second.get_data(as_text=True)
    # new_a1 and new_b1 each got exactly one link; new_a2 has no e-mail.
    assert sorted(r for rcpts, _m in smtp.messages for r in rcpts) == [
        "moi.a1@test.vn",
        "moi.b1@test.vn",
    ]
    before = _state()
    third = client.post("/don-vi/can-bo/kich-hoat/moi", data=everyone, follow_redirects=True)
    assert "2 cán bộ đã có thư mời còn hạn" in third.get_data(as_text=True)
    assert len(smtp.messages) == 2 and _state() == before
