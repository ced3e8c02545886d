"""Union units and officers: creating them keeps the tree's path and level ids right."""

from __future__ import annotations

from sqlalchemy import select

from app.core.hashing import hash_password
from app.core.text import nfc, normalise_email, normalise_phone
from app.extensions import db
from app.org.models import OfficerType, OrgUnit, Role, User


def create_unit(name: str, code: str, parent: OrgUnit | None = None) -> OrgUnit:
    """Add a unit under `parent` (flushes to get the id the path needs; does not commit)."""
    unit = OrgUnit(name=nfc(name), code=code, level=0, path="/")
    db.session.add(unit)
    db.session.flush()
    unit.set_position(parent)
    return unit


def create_officer(
    full_name: str,
    unit: OrgUnit,
    *,
    email: str | None = None,
    password: str | None = None,
    role: Role = Role.LEARNER,
    officer_type: OfficerType = OfficerType.PART_TIME,
    position: str = "",
    phone: str | None = None,
) -> User:
    """Add an officer (does not commit). Without a password the officer cannot sign in —
    the roster may hold people trained only in class. A `role` above learner is granted over
    the officer's own unit (app/org/grants.py)."""
    user = User(
        full_name=nfc(full_name),
        unit=unit,
        unit_id=unit.id,
        email=normalise_email(email),
        officer_type=officer_type.value,
        position=nfc(position),
        phone=normalise_phone(phone) if phone else None,
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    if Role(role) != Role.LEARNER:
        from app.org.grants import add_grant

        db.session.flush()
        add_grant(user, role, unit)
    return user


def children_of(unit: OrgUnit) -> list[OrgUnit]:
    return list(
        db.session.scalars(
            select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.name)
        )
    )
