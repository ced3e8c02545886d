"""`flask roles grant|revoke|list`: the shell's way to give the first admin his role."""

from __future__ import annotations

from sqlalchemy import select

from app.core.audit import AuditEvent
from app.extensions import db
from app.org.models import RoleGrant


def test_grant_list_revoke(runner, tree, make_user):
    user = make_user(tree["A1"], email="Admin@Test.vn")
    result = runner.invoke(args=["roles", "grant", "admin@test.vn", "province_admin", "P"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == user.id))
    assert (grant.role, grant.unit_id, grant.revoked_at) == (
        "province_admin",
        tree["province"].id,
        None,
    )
    listed = runner.invoke(args=["roles", "list"])
    assert "admin@test.vn\tprovince_admin\tP" in listed.output

    result = runner.invoke(args=["roles", "revoke", "admin@test.vn", "province_admin", "P"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(RoleGrant, grant.id).revoked_at is not None
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["role.grant", "role.revoke"]


def test_unknown_officer_unit_or_role_change_nothing(runner, tree, make_user):
    make_user(tree["A1"], email="x@test.vn")
    for args in (
        ["roles", "grant", "nobody@test.vn", "trainer", "P"],
        ["roles", "grant", "x@test.vn", "trainer", "NO-SUCH-UNIT"],
        ["roles", "grant", "x@test.vn", "emperor", "P"],
        ["roles", "revoke", "x@test.vn", "trainer", "P"],
    ):
        assert runner.invoke(args=args).exit_code != 0
    assert db.session.scalar(select(db.func.count()).select_from(RoleGrant)) == 0
