"""Changing the union tree: create, rename, move (re-parent), merge and close units.

The web pages (app/org/tree_views.py), `flask units …` and the tree import all call these
services; each public one checks what it must, writes, audits and commits once (the roster's
pattern), or raises `TreeError` with a Vietnamese message and writes nothing.

Who may do what (`actor` None is the command line, which may do everything): the province
admin anything inside his own subtree; a unit manager only on units strictly below his own
unit (his own unit may receive a unit, never be moved, merged or closed by him).

Past years stay as they were reported. Coverage counts a record under the ancestors of its
unit, so moving a unit as it is would move its past years under the new parent too. A move
therefore first leaves the past behind: each moved unit with records of earlier years gets a
closed *archive* unit at its old place ("<name> (trước dd/mm/yyyy)"), and those records are
re-pointed to it — last year's figures stay the same at every level, the old parent's
included. This year's and later records stay with the unit and follow it to its new place
(app/org/tree_coverage.py re-keys the coverage tables in the same transaction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.core import audit
from app.core.dates import local_today
from app.core.text import nfc
from app.extensions import db
from app.org import tree_coverage
from app.org.models import OrgUnit, Role, UnitLevel, UnitMembership, User, subtree_filter
from app.progress.locking import lock_officers
from app.progress.models import PlanItem, TrainingClass, TrainingRecord

MAX_CODE = 40
MAX_NAME = 255


class TreeError(ValueError):
    """A change the tree refuses; the message is for the user (Vietnamese)."""


@dataclass
class MoveResult:
    unit: OrgUnit
    archives: list[OrgUnit] = field(default_factory=list)


@dataclass
class MergeResult:
    target: OrgUnit
    officers: int = 0
    children: int = 0
    records: int = 0
    demoted: list[str] = field(default_factory=list)  # names of managers of the closed unit
    archives: list[OrgUnit] = field(default_factory=list)  # the moved children's past years


# --- who may act where -------------------------------------------------------------------------


def may_manage_tree(user: User) -> bool:
    return user.has_role(Role.UNIT_MANAGER, Role.PROVINCE_ADMIN)


def may_change(actor: User | None, unit: OrgUnit) -> bool:
    """Rename, move, merge away, close: the admin within his subtree, a manager strictly below."""
    if actor is None:
        return True
    if not may_manage_tree(actor) or not unit.path.startswith(actor.unit.path):
        return False
    return actor.has_role(Role.PROVINCE_ADMIN) or unit.id != actor.unit_id


def may_receive(actor: User | None, parent: OrgUnit) -> bool:
    """Be the parent of a created or moved unit, or the target of a merge."""
    if actor is None:
        return True
    return may_manage_tree(actor) and parent.path.startswith(actor.unit.path)


def _require_change(actor: User | None, unit: OrgUnit) -> None:
    if not may_change(actor, unit):
        raise TreeError(_("Bạn không có quyền thay đổi đơn vị “%(n)s”.", n=unit.name))


def _require_receive(actor: User | None, parent: OrgUnit) -> None:
    if not may_receive(actor, parent):
        raise TreeError(_("Bạn không có quyền thêm đơn vị vào “%(n)s”.", n=parent.name))
    if not parent.active:
        raise TreeError(_("Đơn vị “%(n)s” đã đóng.", n=parent.name))


def _actor_id(actor: User | None) -> int | None:
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


def _deepest_below(unit: OrgUnit) -> int:
    """How many levels of active units hang below `unit` (0 for a leaf)."""
    deepest = db.session.scalar(
        select(func.max(OrgUnit.level)).where(
            subtree_filter(OrgUnit.path, unit.path), OrgUnit.active.is_(True)
        )
    )
    return (deepest or unit.level) - unit.level


def _check_depth(parent: OrgUnit, levels_below: int = 0) -> None:
    if parent.level + 1 + levels_below > UnitLevel.GRASSROOTS:
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
    """A new active unit under `parent`. Commits."""
    unit = add_unit(actor, parent, name, code)
    db.session.commit()
    return unit


def add_unit(actor: User | None, parent: OrgUnit, name: str, code: str) -> OrgUnit:
    """`create_unit` without the commit (the tree import adds many in one transaction)."""
    from app.org.services import create_unit as insert_unit

    _require_receive(actor, parent)
    name, code = clean_name(name), clean_code(code)
    _check_depth(parent)
    _code_free(code)
    unit = insert_unit(name, code, parent)
    audit.record(
        "unit.create", "org_unit", unit.id, _actor_id(actor), code=code, name=name,
        parent=parent.code,
    )  # fmt: skip
    return unit


def rename_unit(actor: User | None, unit: OrgUnit, name: str, code: str | None = None) -> bool:
    """New name (and code, when given). False when nothing changed. Commits."""
    _require_change(actor, unit)
    name = clean_name(name)
    code = clean_code(code) if code else unit.code
    _code_free(code, unit)
    if (name, code) == (unit.name, unit.code):
        return False
    audit.record(
        "unit.rename", "org_unit", unit.id, _actor_id(actor),
        from_name=unit.name, to_name=name, from_code=unit.code, to_code=code,
    )  # fmt: skip
    unit.name, unit.code = name, code
    db.session.commit()
    return True


def close_unit(actor: User | None, unit: OrgUnit) -> None:
    """Close an empty unit (no active officer, no open unit below). Its history stays. Commits."""
    _require_change(actor, unit)
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
    audit.record("unit.close", "org_unit", unit.id, _actor_id(actor), code=unit.code)
    db.session.commit()


# --- move ----------------------------------------------------------------------------------------


def check_move(actor: User | None, unit: OrgUnit, new_parent: OrgUnit) -> None:
    """Raise TreeError when `unit` may not go under `new_parent` (nothing is written)."""
    _require_change(actor, unit)
    if unit.parent_id is None:
        raise TreeError(_("Không thể chuyển đơn vị gốc."))
    if not unit.active:
        raise TreeError(_("Đơn vị “%(n)s” đã đóng.", n=unit.name))
    if new_parent.path.startswith(unit.path):
        raise TreeError(
            _("Không thể chuyển “%(u)s” vào chính nó hoặc một đơn vị trực thuộc nó (“%(p)s”).",
              u=unit.name, p=new_parent.name)
        )  # fmt: skip
    _require_receive(actor, new_parent)
    if new_parent.id == unit.parent_id:
        raise TreeError(_("“%(u)s” đã trực thuộc “%(p)s”.", u=unit.name, p=new_parent.name))
    _check_depth(new_parent, _deepest_below(unit))


def move_unit(
    actor: User | None, unit: OrgUnit, new_parent: OrgUnit, today: date | None = None
) -> MoveResult:
    """Re-parent `unit` (its whole subtree follows). Commits."""
    check_move(actor, unit, new_parent)
    old_parent = unit.parent
    result = _relocate(unit, new_parent, today or local_today())
    audit.record(
        "unit.move", "org_unit", unit.id, _actor_id(actor),
        from_parent=old_parent.code, to_parent=new_parent.code,
        archives=[a.code for a in result.archives],
    )  # fmt: skip
    db.session.commit()
    return result


def _relocate(unit: OrgUnit, new_parent: OrgUnit, today: date) -> MoveResult:
    """Move `unit`'s active subtree under `new_parent`, leaving past years (and closed units)
    at the old place under archive units; re-key the coverage tables. Does not commit."""
    units = subtree(unit)
    ids = [u.id for u in units]
    by_id = {u.id: u for u in units}
    # Every officer whose records change unit or ancestors, and every officer of the subtree
    # (their requirements follow the plan of the new place): locked first, in id order.
    record_users = select(TrainingRecord.user_id).where(TrainingRecord.unit_id.in_(ids))
    lock_officers(select(User.id).where(User.unit_id.in_(ids) | User.id.in_(record_users)))

    archives = _leave_the_past(units, by_id, unit, today)

    tree_coverage.shift_counts(ids, -1)
    for moved in units:  # tree order: a parent is placed before its children
        if moved.active:
            parent = new_parent if moved is unit else by_id[moved.parent_id]
        else:  # closed units stay at the old place, under their parent's archive
            parent = by_id[moved.parent_id]
            parent = archives[parent.id] if parent.active else parent
        moved.set_position(parent)
    db.session.flush()
    tree_coverage.shift_counts(ids, +1)
    tree_coverage.refold_officers(ids)

    moved_officers = list(
        db.session.scalars(select(User).where(User.unit_id.in_(ids), User.active.is_(True)))
    )
    _sync_requirements(moved_officers, today)
    return MoveResult(unit, list(archives.values()))


def _leave_the_past(
    units: list[OrgUnit], by_id: dict[int, OrgUnit], unit: OrgUnit, today: date
) -> dict[int, OrgUnit]:
    """Archive units at the old place for the moved units that have records of past years
    (and for the parents of closed units, which stay there); re-point those records.
    {moved unit id: its archive}."""
    with_past = set(
        db.session.scalars(
            select(TrainingRecord.unit_id)
            .where(TrainingRecord.unit_id.in_(list(by_id)), TrainingRecord.year < today.year)
            .distinct()
        )
    )
    needed: set[int] = set()
    for current in units:
        if current.active and current.id in with_past:
            node = current
        elif not current.active and by_id.get(current.parent_id, unit).active:
            node = by_id[current.parent_id]  # a closed unit stays: its parent needs an archive
        else:
            continue
        while node.id not in needed:  # the unit and its ancestors inside the subtree
            needed.add(node.id)
            if node is unit:
                break
            node = by_id[node.parent_id]
    archives: dict[int, OrgUnit] = {}
    for current in units:
        if current.id not in needed:
            continue
        parent = current.parent if current is unit else archives[current.parent_id]
        archives[current.id] = _archive_of(current, parent, today)
    for unit_id, archive in archives.items():
        if unit_id in with_past:
            db.session.execute(
                update(TrainingRecord)
                .where(TrainingRecord.unit_id == unit_id, TrainingRecord.year < today.year)
                .values(unit_id=archive.id)
                .execution_options(synchronize_session=False)
            )
    return archives


def _archive_of(unit: OrgUnit, parent: OrgUnit, today: date) -> OrgUnit:
    from app.org.services import create_unit as insert_unit

    stem = f"{unit.code[: MAX_CODE - 12]}~{today:%Y%m%d}"
    code, n = stem, 1
    while unit_by_code(code) is not None:
        n += 1
        code = f"{stem}-{n}"
    name = _("%(n)s (trước %(d)s)", n=unit.name, d=today.strftime("%d/%m/%Y"))
    archive = insert_unit(name[:MAX_NAME], code, parent)
    archive.active = False
    return archive


def _sync_requirements(users: list[User], today: date) -> None:
    from app.org.roster import _sync_requirements as sync

    sync(users, today)


# --- merge ---------------------------------------------------------------------------------------


def check_merge(actor: User | None, source: OrgUnit, target: OrgUnit) -> list[OrgUnit]:
    """Raise TreeError when `source` may not merge into `target`; else its active children."""
    _require_change(actor, source)
    if source.parent_id is None:
        raise TreeError(_("Không thể sáp nhập đơn vị gốc."))
    if not source.active:
        raise TreeError(_("Đơn vị “%(n)s” đã đóng.", n=source.name))
    if target.path.startswith(source.path):
        raise TreeError(
            _("Không thể sáp nhập “%(u)s” vào chính nó hoặc một đơn vị trực thuộc nó (“%(p)s”).",
              u=source.name, p=target.name)
        )  # fmt: skip
    _require_receive(actor, target)
    children = [c for c in subtree(source, active_only=True) if c.parent_id == source.id]
    for child in children:
        _check_depth(target, _deepest_below(child))
    return children


def merge_units(
    actor: User | None, source: OrgUnit, target: OrgUnit, today: date | None = None
) -> MergeResult:
    """Merge `source` into `target`: its officers (open memberships), active child units and
    this year's (and later) records go to `target`; `source` is closed with its past years.
    Unit managers of `source` become learners: their scope would otherwise grow to `target`.
    Commits."""
    children = check_merge(actor, source, target)
    today = today or local_today()
    result = MergeResult(target)
    actor_id = _actor_id(actor)
    for child in children:
        result.archives += _relocate(child, target, today).archives
        audit.record(
            "unit.move", "org_unit", child.id, actor_id, from_parent=source.code,
            to_parent=target.code, merge=True,
        )  # fmt: skip
    result.children = len(children)

    officers = list(db.session.scalars(select(User).where(User.unit_id == source.id)))
    record_users = select(TrainingRecord.user_id).where(TrainingRecord.unit_id == source.id)
    lock_officers(select(User.id).where((User.unit_id == source.id) | User.id.in_(record_users)))
    if officers:
        _move_officers(actor_id, officers, source, target, today, result)
    # This year's records of the unit, those of officers who already left it included: this
    # year's figures follow the new tree. (Records imply officers, all locked above.)
    if (
        db.session.scalar(record_users.where(TrainingRecord.year >= today.year).limit(1))
        is not None
    ):
        result.records = db.session.execute(
            update(TrainingRecord)
            .where(TrainingRecord.unit_id == source.id, TrainingRecord.year >= today.year)
            .values(unit_id=target.id)
            .execution_options(synchronize_session=False)
        ).rowcount
    _sync_requirements([o for o in officers if o.active], today)
    result.officers = sum(1 for o in officers if o.active)
    _repoint_unit_rows(source, target, today)
    source.active = False
    audit.record(
        "unit.merge", "org_unit", source.id, actor_id, into=target.code,
        officers=result.officers, children=result.children, records=result.records,
        demoted=result.demoted,
    )  # fmt: skip
    db.session.commit()
    return result


def _move_officers(
    actor_id: int | None,
    officers: list[User],
    source: OrgUnit,
    target: OrgUnit,
    today: date,
    result: MergeResult,
) -> None:
    ids = [o.id for o in officers]
    db.session.execute(
        update(UnitMembership)
        .where(UnitMembership.user_id.in_(ids), UnitMembership.end_on.is_(None))
        .values(end_on=today)
        .execution_options(synchronize_session=False)
    )
    for officer in officers:
        if officer.active:
            db.session.add(UnitMembership(user_id=officer.id, unit_id=target.id, start_on=today))
        if officer.role == Role.UNIT_MANAGER.value:
            officer.role = Role.LEARNER.value
            result.demoted.append(officer.full_name)
            audit.record(
                "officer.role", "user", officer.id, actor_id, from_role=Role.UNIT_MANAGER.value,
                to_role=Role.LEARNER.value, reason="unit.merge",
            )  # fmt: skip
        officer.unit = target
        officer.unit_id = target.id
        audit.record(
            "officer.move", "user", officer.id, actor_id, from_unit=source.code,
            to_unit=target.code, merge=True,
        )  # fmt: skip
    db.session.flush()


def _repoint_unit_rows(source: OrgUnit, target: OrgUnit, today: date) -> None:
    """This year's classes organised by `source`, and its plan lines of this year and later
    (unless `target` has the same line), now belong to `target`."""
    db.session.execute(
        update(TrainingClass)
        .where(TrainingClass.unit_id == source.id, TrainingClass.held_on >= date(today.year, 1, 1))
        .values(unit_id=target.id)
        .execution_options(synchronize_session=False)
    )
    lines = db.session.scalars(
        select(PlanItem).where(PlanItem.unit_id == source.id, PlanItem.year >= today.year)
    ).all()
    for line in lines:
        clash = db.session.scalar(
            select(PlanItem.id).where(
                PlanItem.unit_id == target.id,
                PlanItem.year == line.year,
                PlanItem.course_id == line.course_id,
                PlanItem.officer_type == line.officer_type,
            )
        )
        if clash is None:
            line.unit_id = target.id
