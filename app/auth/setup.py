"""First install of a real province: the root unit and its first administrator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select

from app.auth import tokens
from app.auth.models import TokenKind
from app.core import audit
from app.core.mail import public_url
from app.core.text import nfc, normalise_email
from app.extensions import db
from app.org.models import OrgUnit, Role, UnitLevel, User
from app.org.services import create_officer


class SetupRefused(Exception):
    """The database is not empty, or the input is unusable (message in Vietnamese)."""


@dataclass
class SetupResult:
    unit: OrgUnit
    admin: User
    activation_url: str


def setup_province(code: str, name: str, admin_email: str, admin_name: str) -> SetupResult:
    """On an empty database: the province (a root unit at province level) and its first
    province admin, without a password, plus a one-time 14-day activation link. The caller
    commits."""
    if db.session.scalar(select(exists().where(OrgUnit.id.is_not(None)))) or db.session.scalar(
        select(exists().where(User.id.is_not(None)))
    ):
        raise SetupRefused(
            "Cơ sở dữ liệu đã có đơn vị hoặc tài khoản: lệnh này chỉ chạy một lần, trên cơ sở "
            "dữ liệu trống. (The database is not empty: setup runs once, on an empty database.)"
        )
    code, name, email = nfc(code), nfc(name), normalise_email(admin_email)
    if not code or len(code) > 40 or not name:
        raise SetupRefused("Cần --code (tối đa 40 ký tự) và --name của tỉnh.")
    if not email or "@" not in email or len(email) > 255:
        raise SetupRefused("--admin-email không phải thư điện tử hợp lệ.")
    unit = OrgUnit(name=name, code=code, level=UnitLevel.PROVINCE, path="/")
    db.session.add(unit)
    db.session.flush()
    # A root at province level (no national node above it): its own level-1 id.
    unit.path, unit.level1_id = f"/{unit.id}/", unit.id
    admin = create_officer(admin_name, unit, email=email, role=Role.PROVINCE_ADMIN)
    db.session.flush()
    audit.record("setup.province", "org_unit", unit.id, None, code=code, admin_id=admin.id)
    secret = tokens.issue(admin, TokenKind.INVITE, None)
    return SetupResult(unit, admin, public_url("auth.activate_link", token=secret))
