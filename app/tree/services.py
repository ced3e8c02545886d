"""Changing the union tree: create, rename, move (re-parent), merge and close units.

The web pages (app/tree/views.py), `flask units …` and the tree import all call these
services; each public one checks what it must, writes and audits (its caller commits once), or
raises `TreeError` with a Vietnamese message and writes nothing.

Who may do what (`actor` None is the command line, which may do everything), from the actor's
role grants: the province admin anything inside the subtree of his grant; a unit manager only
on units strictly below the unit of his grant (that unit may receive a unit, never be moved,
merged or closed by him).

Moving and merging units: app/tree/moves.py.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.core import audit
from app.core.audit import AuditEvent
from app.core.text import nfc
from app.extensions import db
from app.org.models import OrgUnit, Role, UnitLevel, User, subtree_filter
from app.org.scope import in_scope, may_manage_unit

MAX_CODE = 40
MAX_NAME = 255


class TreeError(ValueError):
    """A change the tree refuses; the message is for the user (Vietnamese)."""


# --- who may act where -------------------------------------------------------------------------


def may_manage_tree(user: User) -> bool:
    return user.has_role(Role.UNIT_MANAGER, Role.PROVINCE_ADMIN)


def may_change(actor: User | None, unit: OrgUnit) -> bool:
    """Rename, move, merge away, close: the admin within the subtree of one of his grants, a
    manager strictly below the unit of one of his."""
    return actor is None or may_manage_unit(actor, unit)


def may_receive(actor: User | None, parent: OrgUnit) -> bool:
    """Be the parent of a created or moved unit, or the target of a merge."""
    if actor is None:
        return True
    return in_scope(actor, parent.path)


def require_change(actor: User | None, unit: OrgUnit) -> None:
    if not may_change(actor, unit):
        raise TreeError(_("Bạn không có quyền thay đổi đơn vị “%(n)s”.", n=unit.name))


def require_receive(actor: User | None, parent: OrgUnit) -> None:
    if not may_receive(actor, parent):
        raise TreeError(_("Bạn không có quyền thêm đơn vị vào “%(n)s”.", n=parent.name))
    if not parent.active:
        raise TreeError(_("Đơn vị “%(n)s” đã đóng.", n=parent.name))


def actor_id_of(actor: User | None) -> int | None:
    return actor.id if actor is not None else None


# --- reading -----------------------------------------------------------------------------------


def unit_by_code(code: str) -> OrgUnit | None:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == nfc(code)))


def subtree(unit: OrgUnit, active_only: bool = False) -> list[OrgUnit]:
    """The unit and everything under it, in tree order (parents before children)."""
    statement = select(OrgUnit).where(subtree_filter(OrgUnit.path, unit.path))
    if active_only:
        statement = statement.where(OrgUnit.active.is_(True))
    return list(db.session.scalars(statement.order_by(OrgUnit.path)))


def officer_counts(units: list[OrgUnit]) -> dict[int, int]:
    """Active officers attached to each unit itself (one grouped query)."""
    if not units:
        return {}
    rows = db.session.execute(
        select(User.unit_id, func.count())
        .where(User.unit_id.in_([u.id for u in units]), User.active.is_(True))
        .group_by(User.unit_id)
    ).all()
    return dict(rows)


# --- checks shared by the services and the tree import -----------------------------------------


def clean_code(code: str) -> str:
    code = nfc(code)
    if not code:
        raise TreeError(_("Vui lòng nhập mã đơn vị."))
    if len(code) > MAX_CODE or any(c.isspace() for c in code) or "~" in code:
        raise TreeError(
            _("Mã đơn vị tối đa %(n)s ký tự, không có khoảng trắng hay dấu “~”.", n=MAX_CODE)
        )
    return code


def clean_name(name: str) -> str:
    name = " ".join(nfc(name).split())
    if not name:
        raise TreeError(_("Vui lòng nhập tên đơn vị."))
    if len(name) > MAX_NAME:
        raise TreeError(_("Tên đơn vị tối đa %(n)s ký tự.", n=MAX_NAME))
    return name


def _code_free(code: str, unit: OrgUnit | None = None) -> None:
    existing = unit_by_code(code)
    if existing is not None and existing is not unit:
        raise TreeError(_("Mã đơn vị “%(c)s” đã được dùng cho “%(n)s”.", c=code, n=existing.name))


def levels_below(unit: OrgUnit) -> int:
    """How many levels of active units hang below `unit` (0 for a leaf)."""
    deepest = db.session.scalar(
        select(func.max(OrgUnit.level)).where(
            subtree_filter(OrgUnit.path, unit.path), OrgUnit.active.is_(True)
        )
    )
    return (deepest or unit.level) - unit.level


def check_depth(parent: OrgUnit, below: int = 0) -> None:
    """Refuse a unit under `parent` with `below` levels of units under it past the grassroots."""
    if parent.level + 1 + below > UnitLevel.GRASSROOTS:
        raise TreeError(
            _(
                "Cây đơn vị chỉ có %(n)s cấp dưới Tổng Liên đoàn (đến công đoàn cơ sở): "
                "không thể đặt thêm cấp dưới “%(p)s”.",
                n=int(UnitLevel.GRASSROOTS),
                p=parent.name,
            )
        )


# --- create, rename, close -----------------------------------------------------------------------


def create_unit(actor: User | None, parent: OrgUnit, name: str, code: str) -> OrgUnit:
    """A new active unit under `parent` (the tree import adds many in one transaction)."""
    from app.org.services import create_unit as insert_unit

    require_receive(actor, parent)
    name, code = clean_name(name), clean_code(code)
    check_depth(parent)
    _code_free(code)
    unit = insert_unit(name, code, parent)
    audit.record(
        "unit.create", "org_unit", unit.id, actor_id_of(actor), code=code, name=name,
        parent=parent.code,
    )  # fmt: skip
    return unit


def rename_unit(actor: User | None, unit: OrgUnit, name: str, code: str | None = None) -> bool:
    """New name (and code, when given). False when nothing changed."""
    require_change(actor, unit)
    name = clean_name(name)
    code = clean_code(code) if code else unit.code
    _code_free(code, unit)
    if (name, code) == (unit.name, unit.code):
        return False
    audit.record(
        "unit.rename", "org_unit", unit.id, actor_id_of(actor),
        from_name=unit.name, to_name=name, from_code=unit.code, to_code=code,
    )  # fmt: skip
    unit.name, unit.code = name, code
    return True


def close_unit(actor: User | None, unit: OrgUnit) -> None:
    """Close an empty unit (no active officer, no open unit below). Its history stays."""
    require_change(actor, unit)
    if unit.parent_id is None:
        raise TreeError(_("Không thể đóng đơn vị gốc."))
    if not unit.active:
        raise TreeError(_("Đơn vị “%(n)s” đã đóng.", n=unit.name))
    open_below = [u for u in subtree(unit, active_only=True) if u.id != unit.id]
    if open_below:
        raise TreeError(
            _("Còn %(k)s đơn vị trực thuộc đang hoạt động: hãy chuyển hoặc sáp nhập trước.",
              k=len(open_below))
        )  # fmt: skip
    if officer_counts([unit]).get(unit.id):
        raise TreeError(
            _("Đơn vị còn cán bộ đang công tác: hãy chuyển cán bộ hoặc sáp nhập đơn vị trước.")
        )
    unit.active = False
    audit.record("unit.close", "org_unit", unit.id, actor_id_of(actor), code=unit.code)


def unit_history(unit: OrgUnit, limit: int = 50) -> list[tuple[AuditEvent, str]]:
    """The latest audit events about this unit, with the actor's name ("" for the CLI)."""
    actor = aliased(User)
    rows = db.session.execute(
        select(AuditEvent, actor.full_name)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(AuditEvent.target_type == "org_unit", AuditEvent.target_id == unit.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [(event, name or "") for event, name in rows]
