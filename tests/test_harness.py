"""The test client runs each request as production does: its own app context, `g` and
database session (tests/conftest.py, FreshRequestClient). Otherwise a view that forgot to
commit would pass its tests."""

from flask import g, request_started
from sqlalchemy import select

from app.extensions import db
from app.org.models import OrgUnit


def test_a_request_gets_its_own_g_and_session_and_loses_what_it_did_not_commit(app, client, tree):
    seen = {}

    def in_the_request(sender, **extra):
        seen["session"] = db.session()
        seen["marker"] = g.get("marker")
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "A1"))
        unit.name = "Đổi tên mà không lưu"  # changed, never committed
        db.session.flush()

    g.marker = "the test's g"
    test_session = db.session()
    with request_started.connected_to(in_the_request, app):
        assert client.get("/").status_code == 200

    assert seen["session"] is not test_session
    assert seen["marker"] is None
    name = db.session.scalar(select(OrgUnit.name).where(OrgUnit.code == "A1"))
    assert name == "CĐCS A1"


def test_a_request_sees_what_the_test_set_up_and_the_test_sees_what_it_committed(app, client, tree):
    tree["A2"].name = "CĐCS A2 mới"  # not committed by the test: the client commits it

    def in_the_request(sender, **extra):
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "A2"))
        assert unit.name == "CĐCS A2 mới"
        unit.name = "CĐCS A2 do yêu cầu lưu"
        db.session.commit()

    with request_started.connected_to(in_the_request, app):
        assert client.get("/").status_code == 200
    assert tree["A2"].name == "CĐCS A2 do yêu cầu lưu"  # the test's object was expired
