"""`flask roles …`: grant, revoke and list roles from the server's shell — for the first
province admin of a new install, or when nobody who could grant through the web is left.
The shell is trusted (it can read the database anyway): no rank check, but every change is in
the audit log like a grant made on the officer page."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.core import audit
from app.core.db import utcnow
from app.extensions import db
from app.org.grants import add_grant
from app.org.models import GRANTABLE_ROLES, OrgUnit, Role, RoleGrant, User

roles_cli = AppGroup("roles", help="Vai trò của cán bộ (cấp, thu hồi, liệt kê).")

ROLE_CHOICE = click.Choice([r.value for r in GRANTABLE_ROLES])


def _officer(email: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        click.echo(f"Không có cán bộ với thư điện tử {email}.", err=True)
        sys.exit(1)
    return user


def _unit(code: str) -> OrgUnit:
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        click.echo(f"Không có đơn vị mã {code}.", err=True)
        sys.exit(1)
    return unit


@roles_cli.command("grant")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
@click.argument("unit_code")
def grant_command(email: str, role: str, unit_code: str) -> None:
    """Give EMAIL the ROLE over UNIT_CODE and everything under it."""
    user, unit = _officer(email), _unit(unit_code)
    if any(g.role == role and g.unit_id == unit.id for g in user.grants):
        click.echo("Cán bộ đã có vai trò này ở đơn vị này.")
        return
    grant = add_grant(user, Role(role), unit)
    audit.record("role.grant", "user", user.id, None, role=role, unit=unit.code, grant=grant.id)
    db.session.commit()
    click.echo(f"Đã cấp {role} của {unit.code} cho {user.email}.")


@roles_cli.command("revoke")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
@click.argument("unit_code")
def revoke_command(email: str, role: str, unit_code: str) -> None:
    """End EMAIL's ROLE over UNIT_CODE."""
    user, unit = _officer(email), _unit(unit_code)
    grant = next((g for g in user.grants if g.role == role and g.unit_id == unit.id), None)
    if grant is None:
        click.echo("Cán bộ không có vai trò này ở đơn vị này.", err=True)
        sys.exit(1)
    grant.revoked_at = utcnow()
    audit.record("role.revoke", "user", user.id, None, role=role, unit=unit.code, grant=grant.id)
    db.session.commit()
    click.echo(f"Đã thu hồi {role} của {unit.code} khỏi {user.email}.")


@roles_cli.command("list")
def list_command() -> None:
    """Every grant in force: e-mail, role, unit code."""
    rows = db.session.execute(
        select(User.email, RoleGrant.role, OrgUnit.code)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .join(OrgUnit, OrgUnit.id == RoleGrant.unit_id)
        .where(RoleGrant.revoked_at.is_(None))
        .order_by(OrgUnit.path, RoleGrant.role, User.email)
    ).all()
    for email, role, code in rows:
        click.echo(f"{email or '-'}\t{role}\t{code}")
