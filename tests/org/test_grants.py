"""Role grants from the officer page (issue 14, Build 2): the province admin grants and revokes
over his subtree, a unit manager strictly below his unit and never above his own role; every
refused request changes nothing; a scope is the union of the grants' subtrees."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.extensions import db
from app.org.grants import add_grant
from app.org.models import Role, RoleGrant, User
from tests.conftest import login


def _state():
    """Everything a grant route could change: the grants and the audit log."""
    db.session.expire_all()
    grants = db.session.execute(
        select(
            RoleGrant.id, RoleGrant.user_id, RoleGrant.role, RoleGrant.unit_id, RoleGrant.revoked_at
        ).order_by(RoleGrant.id)
    ).all()
    events = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    return [tuple(g) for g in grants], events


def _grant(client, officer, role, unit):
    return client.post(
        f"/don-vi/can-bo/{officer.id}/vai-tro",
        data={"grant_role": role.value, "grant_unit_id": unit.id},
    )


def _active_roles(user_id):
    db.session.expire_all()
    return {
        (g.role, g.unit.code)
        for g in db.session.scalars(
            select(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None))
        )
    }


def test_admin_grants_unit_manager_and_the_scope_follows(client, people, tree):
    officer = people["learner_a1"]
    login(client, "admin@test.vn")
    page = client.get(f"/don-vi/can-bo/{officer.id}").get_data(as_text=True)
    assert 'id="vai-tro"' in page and "Cấp vai trò" in page

    response = _grant(client, officer, Role.UNIT_MANAGER, tree["A2"])
    assert response.status_code == 302
    assert _active_roles(officer.id) == {("unit_manager", "A2")}
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == officer.id))
    assert grant.granted_by_id == people["admin"].id and grant.granted_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "role.grant"))
    assert event.target_id == officer.id and event.actor_id == people["admin"].id
    assert event.details["role"] == "unit_manager" and event.details["unit"] == "A2"
    assert "Cấp vai trò" in client.get(f"/don-vi/can-bo/{officer.id}").get_data(as_text=True)

    # The new manager sees A2's coverage — not A1 (his own unit), not B.
    client.post("/dang-xuat")
    login(client, "a1@test.vn")
    assert client.get(f"/bao-cao/bao-phu/{tree['A2'].id}").status_code == 200
    assert client.get(f"/bao-cao/bao-phu/{tree['A1'].id}").status_code == 404
    assert client.get(f"/bao-cao/bao-phu/{tree['B'].id}").status_code == 404


def test_manager_grants_trainer_strictly_below_his_unit(client, people, tree):
    login(client, "qa@test.vn")
    response = _grant(client, people["learner_a1"], Role.TRAINER, tree["A1"])
    assert response.status_code == 302
    assert _active_roles(people["learner_a1"].id) == {("trainer", "A1")}


@pytest.mark.parametrize(
    ("role", "unit_code"),
    [
        (Role.PROVINCE_ADMIN, "A1"),  # a role above his own
        (Role.UNIT_MANAGER, "A"),  # his own unit: only strictly below
        (Role.TRAINER, "B1"),  # outside his subtree
        (Role.UNIT_MANAGER, "province"),  # above his unit
    ],
)
def test_manager_cannot_grant_beyond_scope_or_rank(client, people, tree, role, unit_code):
    login(client, "qa@test.vn")
    before = _state()
    response = _grant(client, people["learner_a1"], role, tree[unit_code])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        "Bạn không được cấp vai trò này" in page
        or "Đơn vị này ngoài phạm vi bạn được cấp vai trò" in page
    )
    assert "Not a valid choice" not in page
    assert _state() == before


def test_service_refuses_what_the_form_would_not_offer(people, tree):
    """The rule holds below the form too (a crafted call, the CLI): nothing is added."""
    from app.org import grants

    manager = db.session.get(User, people["manager_a"].id)
    before = _state()
    for role, unit in [(Role.PROVINCE_ADMIN, tree["A1"]), (Role.TRAINER, tree["B1"])]:
        with pytest.raises(grants.GrantRefused):
            grants.grant_role(manager, people["learner_a1"], role, unit)
    db.session.rollback()
    assert _state() == before


def test_manager_gets_404_granting_to_an_officer_outside_his_subtree(client, people, tree):
    login(client, "qa@test.vn")
    before = _state()
    response = _grant(client, people["learner_b1"], Role.TRAINER, tree["A1"])
    assert response.status_code == 404
    assert _state() == before


@pytest.mark.parametrize("email", ["a1@test.vn", "trainer@test.vn"])
def test_learner_and_trainer_are_refused_on_grant_routes(client, people, tree, make_user, email):
    make_user(tree["A1"], Role.TRAINER, email="trainer@test.vn")
    target = people["learner_b1"]
    manager_grant = people["manager_a"].grants[0]
    login(client, email)
    before = _state()
    assert client.get(f"/don-vi/can-bo/{target.id}").status_code == 403
    assert _grant(client, target, Role.PROVINCE_ADMIN, tree["province"]).status_code == 403
    revoke = f"/don-vi/can-bo/{people['manager_a'].id}/vai-tro/{manager_grant.id}/thu-hoi"
    assert client.post(revoke).status_code == 403
    assert _state() == before


def test_admin_revokes_and_access_ends(client, people, tree):
    manager = people["manager_a"]
    grant_id = manager.grants[0].id
    login(client, "admin@test.vn")
    response = client.post(f"/don-vi/can-bo/{manager.id}/vai-tro/{grant_id}/thu-hoi")
    assert response.status_code == 302
    db.session.expire_all()
    grant = db.session.get(RoleGrant, grant_id)
    assert grant.revoked_at is not None and grant.revoked_by_id == people["admin"].id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "role.revoke"))
    client.post("/dang-xuat")
    login(client, "qa@test.vn")
    assert client.get("/don-vi/can-bo").status_code == 403
    assert client.get("/bao-cao/bao-phu").status_code == 403


def test_manager_cannot_revoke_his_own_or_a_higher_grant(client, people, tree):
    manager = people["manager_a"]
    admin = people["admin"]
    # The admin works in A1 on paper: his officer page is in the manager's subtree.
    admin_in_a1 = db.session.get(User, admin.id)
    admin_in_a1.unit_id = tree["A1"].id
    db.session.commit()
    login(client, "qa@test.vn")
    before = _state()
    own = client.post(f"/don-vi/can-bo/{manager.id}/vai-tro/{manager.grants[0].id}/thu-hoi")
    assert own.status_code == 403
    admin_grant = db.session.get(User, admin.id).grants[0]
    higher = client.post(f"/don-vi/can-bo/{admin.id}/vai-tro/{admin_grant.id}/thu-hoi")
    assert higher.status_code == 403
    assert _state() == before


def test_grant_of_another_officer_is_404(client, people):
    login(client, "admin@test.vn")
    before = _state()
    other_grant = people["manager_a"].grants[0]
    response = client.post(
        f"/don-vi/can-bo/{people['learner_a1'].id}/vai-tro/{other_grant.id}/thu-hoi"
    )
    assert response.status_code == 404
    assert _state() == before


def test_scope_is_the_union_of_the_grants_subtrees(client, tree, make_user):
    make_user(tree["A1"], name="Người A Một")
    make_user(tree["A2"], name="Người A Hai")
    make_user(tree["B1"], name="Người B Một")
    both = make_user(tree["A1"], Role.UNIT_MANAGER, email="both@test.vn", name="Quản Lý Hai Nơi")
    add_grant(both, Role.UNIT_MANAGER, tree["B1"])
    db.session.commit()
    login(client, "both@test.vn")
    page = client.get("/don-vi/can-bo").get_data(as_text=True)
    assert "Người A Một" in page and "Người B Một" in page and "Người A Hai" not in page
    assert '<p class="lead">CĐCS A1 · CĐCS B1</p>' in page  # the page names his two scopes
    assert client.get(f"/bao-cao/bao-phu/{tree['B1'].id}").status_code == 200
    assert client.get(f"/bao-cao/bao-phu/{tree['A2'].id}").status_code == 404


def test_a_second_identical_grant_is_refused(client, people, tree):
    login(client, "admin@test.vn")
    assert _grant(client, people["learner_a1"], Role.TRAINER, tree["A"]).status_code == 302
    before = _state()
    again = _grant(client, people["learner_a1"], Role.TRAINER, tree["A"])
    assert again.status_code == 422 and "đã có vai trò này" in again.get_data(as_text=True)
    assert _state() == before
