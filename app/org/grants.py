"""Role grants: who may give which role over which subtree, and the grant/revoke operations.

The rule, in one place: a province admin grants any role over units of his own subtree; a unit
manager grants unit manager or trainer, strictly below his own unit; nobody grants a role above
his own or beyond his scope, and nobody revokes his own grants (an admin cannot lock himself
out by a slip). Every grant and revocation is in the audit log. Like the roster services,
None of them commits (the caller does); `add_grant` (seeding, imports) skips the checks.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit
from app.core.db import utcnow
from app.extensions import db
from app.org.models import GRANTABLE_ROLES, ROLE_RANK, OrgUnit, Role, RoleGrant, User
from app.org.scope import may_grant, may_manage_officer, scope_filter


class GrantRefused(ValueError):
    """A grant or revocation the actor may not make; the message is for the page."""


def add_grant(user: User, role: Role, unit: OrgUnit, granted_by: User | None = None) -> RoleGrant:
    """Add a grant without checks (seeding, tests, the first admin). Does not commit."""
    grant = RoleGrant(
        user_id=user.id,
        role=Role(role).value,
        unit_id=unit.id,
        unit=unit,
        granted_by_id=granted_by.id if granted_by else None,
    )
    db.session.add(grant)
    db.session.flush()
    db.session.expire(user, ["grants"])
    return grant


def roles_actor_may_grant(actor: User) -> list[Role]:
    """For the form: the roles the actor may give somewhere, highest first."""
    best = max((ROLE_RANK[Role(g.role)] for g in actor.grants), default=0)
    if best < ROLE_RANK[Role.UNIT_MANAGER]:
        return []
    if best < ROLE_RANK[Role.PROVINCE_ADMIN]:
        return [Role.UNIT_MANAGER, Role.TRAINER]
    return [Role.PROVINCE_ADMIN, Role.UNIT_MANAGER, Role.TRAINER]


def units_actor_may_grant_over(actor: User) -> list[OrgUnit]:
    """For the form: active units over which the actor may give at least one role, in tree
    order (managers: strictly below their unit)."""
    units = db.session.scalars(
        select(OrgUnit)
        .where(scope_filter(actor, OrgUnit.path), OrgUnit.active.is_(True))
        .order_by(OrgUnit.path)
    )
    return [u for u in units if any(may_grant(actor, r, u) for r in GRANTABLE_ROLES)]


def grant_role(actor: User, officer: User, role: Role, unit: OrgUnit) -> RoleGrant:
    """Give `officer` the `role` over `unit`'s subtree. Raises `GrantRefused`.

    The officer page answers 404 for an officer outside the actor's scope; checked again here,
    so no other caller can grant to one."""
    role = Role(role)
    if not may_manage_officer(actor, officer):
        raise GrantRefused(_("Bạn không quản lý cán bộ này."))
    if role not in GRANTABLE_ROLES or not may_grant(actor, role, unit):
        raise GrantRefused(_("Bạn không được cấp vai trò này cho đơn vị này."))
    if not officer.active:
        raise GrantRefused(_("Cán bộ đã nghỉ: không cấp vai trò."))
    if any(g.role == role.value and g.unit_id == unit.id for g in officer.grants):
        raise GrantRefused(_("Cán bộ đã có vai trò này ở đơn vị này."))
    grant = add_grant(officer, role, unit, granted_by=actor)
    audit.record(
        "role.grant", "user", officer.id, actor.id, role=role.value, unit=unit.code, grant=grant.id
    )
    return grant


def revoke_grant(actor: User, grant: RoleGrant) -> None:
    """End a grant in force. Raises `GrantRefused` (also for one's own grants)."""
    if grant.revoked_at is not None:
        raise GrantRefused(_("Vai trò này đã được thu hồi."))
    if grant.user_id == actor.id:
        raise GrantRefused(_("Bạn không thể tự thu hồi vai trò của mình."))
    if not may_grant(actor, Role(grant.role), grant.unit):
        raise GrantRefused(_("Bạn không được thu hồi vai trò này."))
    grant.revoked_at = utcnow()
    grant.revoked_by_id = actor.id
    audit.record(
        "role.revoke",
        "user",
        grant.user_id,
        actor.id,
        role=grant.role,
        unit=grant.unit.code,
        grant=grant.id,
    )


def grant_history(officer: User) -> list[RoleGrant]:
    """Every grant the officer held or holds, newest first (the officer page)."""
    return list(
        db.session.scalars(
            select(RoleGrant)
            .where(RoleGrant.user_id == officer.id)
            .order_by(RoleGrant.revoked_at.is_not(None), RoleGrant.granted_at.desc())
        )
    )


def grant_of_officer_or_none(officer: User, grant_id: int) -> RoleGrant | None:
    grant = db.session.get(RoleGrant, grant_id)
    return grant if grant is not None and grant.user_id == officer.id else None


def managers_by_unit_path() -> dict[str, list[User]]:
    """Active unit managers who can receive e-mail, keyed by the path of each unit they
    manage (reminder escalation)."""
    rows = db.session.execute(
        select(User, OrgUnit.path)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
        .where(
            RoleGrant.role == Role.UNIT_MANAGER.value,
            RoleGrant.revoked_at.is_(None),
            User.active.is_(True),
            User.email.is_not(None),
            User.email != "",
        )
        .order_by(User.id)
    ).all()
    by_path: dict[str, list[User]] = {}
    for user, path in rows:
        by_path.setdefault(path, []).append(user)
    return by_path
