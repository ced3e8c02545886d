"""Account fixtures: the SMTP sink wired into the app's mail settings, people in the tree."""

from __future__ import annotations

import pytest

from app.org.models import Role
from tests.mail_sink import MailSink

BASE = "https://tdkt.congdoan.test"


@pytest.fixture
def smtp(app, monkeypatch):
    sink = MailSink().start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", sink.port)
    monkeypatch.setitem(app.config, "MAIL_SENDER", "tdkt-learn@congdoan.test")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE)
    yield sink
    sink.stop()


def _without_email(user):
    from app.extensions import db

    user.email = None
    db.session.commit()
    return user


@pytest.fixture
def people(tree, make_user):
    """Managers and learners; the `new_*` officers are on the roster without a password."""
    return {
        "admin": make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn"),
        "manager_a": make_user(tree["A"], Role.UNIT_MANAGER, email="qa@test.vn"),
        "learner_a1": make_user(tree["A1"], email="a1@test.vn", name="Học Viên A Một"),
        "new_a1": make_user(
            tree["A1"], email="moi.a1@test.vn", name="Nguyễn Văn Mới", password=None
        ),
        "new_a2": _without_email(make_user(tree["A2"], name="Trần Thị Chưa", password=None)),
        "new_b1": make_user(tree["B1"], email="moi.b1@test.vn", name="Lê Văn Bê", password=None),
    }
