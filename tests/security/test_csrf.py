"""CSRF on every POST route of app.url_map: a POST without a token, by a user the route
otherwise accepts, is refused (400, for the missing token) and changes nothing in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.extensions import csrf, db
from tests.security.conftest import ROLES
from tests.security.test_route_matrix import ROUTES

# Answers past the role guard (a 400 here is an empty form refused by the view itself).
ALLOWED = {"200", "302", "400", "422"}


def _post_lines():
    """The first line of each POST rule, and the first role it lets through."""
    seen, lines = set(), []
    for method, rule, path, expected in ROUTES:
        if method != "POST" or rule in seen:
            continue
        seen.add(rule)
        answers = zip(ROLES, expected.split(), strict=True)
        # routes every role is sent away from (sign-out; unknown upload tokens): as the admin
        role = next((r for r, a in answers if a in ALLOWED), "admin")
        lines.append((rule, path, role))
    return lines


def test_every_post_rule_is_checked(app):
    posts = {r.rule for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert posts == {rule for rule, _path, _role in _post_lines()}


def _snapshot() -> dict[str, list]:
    db.session.rollback()
    tables = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(text(f"SELECT * FROM {table.name}")).all()
        tables[table.name] = sorted(map(repr, rows))
    db.session.rollback()
    return tables


@pytest.mark.parametrize("rule, path, role", _post_lines(), ids=lambda v: str(v))
def test_a_post_without_token_is_refused_and_changes_nothing(
    app, world, role_client, monkeypatch, rule, path, role
):
    client = role_client(role)  # signed in before the check is switched on
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    # Some views answer 400 to an empty form too: the refusal must be the CSRF check's.
    reasons = []
    refuse = csrf._error_response
    monkeypatch.setattr(
        csrf, "_error_response", lambda reason: (reasons.append(reason), refuse(reason))
    )
    before = _snapshot()
    form = {"full_name": "Đổi Tên", "place": "Nơi khác", "reason": "Nghỉ", "title": "Mới"}
    response = client.post(path.format(**world["ids"]), data=form)
    assert response.status_code == 400, (role, response.status_code)
    assert reasons == ["The CSRF token is missing."], (role, reasons)
    assert _snapshot() == before
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    if rule == "/dang-xuat":  # still signed in: the refused sign-out did not sign out
        assert client.get("/bang-dieu-khien").status_code == 200
