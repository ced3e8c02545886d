"""Error pages: SQLite's "database is locked" answers 503 with a retry, not a bare 500."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.org.models import Role, User
from app.roster import services as roster
from tests.conftest import login


def _failing(message: str):
    def fail(*args, **kwargs):
        raise OperationalError("UPDATE users …", {}, sqlite3.OperationalError(message))

    return fail


@pytest.fixture
def officer(tree, make_user):
    make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn")
    return make_user(tree["A1"], email="a1@test.vn")


def test_a_locked_database_asks_for_a_retry(app, client, officer, monkeypatch, caplog):
    monkeypatch.setattr(roster, "set_active", _failing("database is locked"))
    login(client, "admin@test.vn")
    response = client.post(f"/don-vi/can-bo/{officer.id}/nghi", data={"reason": "Nghỉ"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "Lỗi 503" in page and "gửi lại sau ít giây" in page
    assert "database is locked" in caplog.text  # what bench S5 counts in the server log
    assert db.session.get(User, officer.id).active


def test_other_database_errors_stay_server_errors(app, client, officer, monkeypatch):
    monkeypatch.setattr(roster, "set_active", _failing("disk I/O error"))
    # as in production: the 500 page, not the exception raised into the test
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    login(client, "admin@test.vn")
    response = client.post(f"/don-vi/can-bo/{officer.id}/nghi", data={"reason": "Nghỉ"})
    assert response.status_code == 500
    assert "Đã xảy ra lỗi" in response.get_data(as_text=True)
