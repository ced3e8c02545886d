"""A locked database answers 503 with Retry-After however long the lock lasts, and the page
loads nothing from the database; a rate-limited request answers 429 with Retry-After."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import OperationalError

from app.extensions import limiter
from app.org.models import Role
from tests.conftest import login


def test_a_lock_met_while_loading_the_user_is_a_503_not_a_500(app, tree, make_user, monkeypatch):
    """The attack run's case: a write lock held longer than the busy timeout. Every database
    access of the request fails as it would (the user loader is the first one); before the
    fix, the 503 page loaded the user again for its menu, failed again and became a 500."""
    make_user(tree["A1"], Role.LEARNER, email="hv@test.vn")
    client = app.test_client()
    login(client, "hv@test.vn")
    calls = []

    def locked(user_id):
        calls.append(user_id)
        raise OperationalError("SELECT users …", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(app.login_manager, "_user_callback", locked)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/bang-dieu-khien")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "gửi lại sau ít giây" in response.get_data(as_text=True)
    assert len(calls) == 1  # the error page did not try the database again


def test_429_carries_retry_after(app, tree, make_user):
    make_user(tree["A1"], email="c@test.vn")
    app.config.update(LOGIN_RATE_LIMIT="2 per minute")
    limiter.reset()
    try:
        client = app.test_client()
        answers = []
        for _ in range(3):
            answers.append(client.post("/", data={"email": "c@test.vn", "password": "sai"}))
        assert [a.status_code for a in answers] == [200, 200, 429]
        retry = int(answers[-1].headers["Retry-After"])
        assert 1 <= retry <= 61  # the one-minute window, rounded up
    finally:
        app.config.update(LOGIN_RATE_LIMIT="100000 per minute")
        limiter.reset()
