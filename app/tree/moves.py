"""Moving (re-parenting) and merging units of the union tree.

Past years stay as they were reported. Coverage counts a record under the ancestors of its
unit, so moving a unit as it is would move its past years under the new parent too. A move
therefore first leaves the past behind: each moved unit with records of earlier years gets a
closed *archive* unit at its old place ("<name> (trước dd/mm/yyyy)"), and those records are
re-pointed to it — last year's figures stay the same at every level, the old parent's
included. This year's and later records stay with the unit and follow it to its new place
(app/tree/coverage.py re-keys the coverage tables in the same transaction).

Checks, scope and TreeError are in app/tree/services.py; like its services, these never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.core import audit
from app.core.dates import local_today
from app.core.db import utcnow
from app.extensions import db
from app.org.models import OrgUnit, RoleGrant, UnitMembership, User
from app.org.scope import within
from app.progress import records
from app.progress.models import PlanItem, TrainingClass, TrainingRecord
from app.tree import coverage as tree_coverage
from app.tree.services import (
    MAX_CODE,
    MAX_NAME,
    TreeError,
    actor_id_of,
    check_depth,
    levels_below,
    require_change,
    require_receive,
    subtree,
    unit_by_code,
)


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


# --- move ----------------------------------------------------------------------------------------


def _check_leaving(
    actor: User | None, unit: OrgUnit, destination: OrgUnit, *, root: str, into_itself: str
) -> None:
    """What a move and a merge both require of the unit that leaves its place and of where it
    goes (messages worded per action by the caller)."""
    require_change(actor, unit)
    if unit.parent_id is None:
        raise TreeError(root)
    if not unit.active:
        raise TreeError(_("Đơn vị “%(n)s” đã đóng.", n=unit.name))
    if within(destination.path, unit.path):
        raise TreeError(into_itself)
    require_receive(actor, destination)


def check_move(actor: User | None, unit: OrgUnit, new_parent: OrgUnit) -> None:
    """Raise TreeError when `unit` may not go under `new_parent` (nothing is written)."""
    _check_leaving(
        actor, unit, new_parent,
        root=_("Không thể chuyển đơn vị gốc."),
        into_itself=_(
            "Không thể chuyển “%(u)s” vào chính nó hoặc một đơn vị trực thuộc nó (“%(p)s”).",
            u=unit.name, p=new_parent.name),
    )  # fmt: skip
    if new_parent.id == unit.parent_id:
        raise TreeError(_("“%(u)s” đã trực thuộc “%(p)s”.", u=unit.name, p=new_parent.name))
    check_depth(new_parent, levels_below(unit))


def move_unit(
    actor: User | None, unit: OrgUnit, new_parent: OrgUnit, today: date | None = None
) -> MoveResult:
    """Re-parent `unit` (its whole subtree follows)."""
    check_move(actor, unit, new_parent)
    old_parent = unit.parent
    result = _relocate(unit, new_parent, today or local_today())
    audit.record(
        "unit.move", "org_unit", unit.id, actor_id_of(actor),
        from_parent=old_parent.code, to_parent=new_parent.code,
        archives=[a.code for a in result.archives],
    )  # fmt: skip
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
    records.lock_officers(select(User.id).where(User.unit_id.in_(ids) | User.id.in_(record_users)))

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
    records.sync_requirements(moved_officers, today)
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
            records.archive_past_years(unit_id, archive.id, today.year)
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


# --- merge ---------------------------------------------------------------------------------------


def check_merge(actor: User | None, source: OrgUnit, target: OrgUnit) -> list[OrgUnit]:
    """Raise TreeError when `source` may not merge into `target`; else its active children."""
    _check_leaving(
        actor, source, target,
        root=_("Không thể sáp nhập đơn vị gốc."),
        into_itself=_(
            "Không thể sáp nhập “%(u)s” vào chính nó hoặc một đơn vị trực thuộc nó (“%(p)s”).",
            u=source.name, p=target.name),
    )  # fmt: skip
    children = [c for c in subtree(source, active_only=True) if c.parent_id == source.id]
    for child in children:
        check_depth(target, levels_below(child))
    return children


def merge_units(
    actor: User | None, source: OrgUnit, target: OrgUnit, today: date | None = None
) -> MergeResult:
    """Merge `source` into `target`: its officers (open memberships), active child units and
    this year's (and later) records go to `target`; `source` is closed with its past years.
    The role grants held over `source` end (audited): a closed unit is nobody's scope, and a
    manager of `source` must not find himself managing `target`."""
    children = check_merge(actor, source, target)
    today = today or local_today()
    result = MergeResult(target)
    actor_id = actor_id_of(actor)
    for child in children:
        result.archives += _relocate(child, target, today).archives
        audit.record(
            "unit.move", "org_unit", child.id, actor_id, from_parent=source.code,
            to_parent=target.code, merge=True,
        )  # fmt: skip
    result.children = len(children)

    officers = list(db.session.scalars(select(User).where(User.unit_id == source.id)))
    record_users = select(TrainingRecord.user_id).where(TrainingRecord.unit_id == source.id)
    records.lock_officers(
        select(User.id).where((User.unit_id == source.id) | User.id.in_(record_users))
    )
    if officers:
        _move_officers(actor_id, officers, source, target, today, result)
    # This year's records of the unit, those of officers who already left it included: this
    # year's figures follow the new tree. (Records imply officers, all locked above.)
    if (
        db.session.scalar(record_users.where(TrainingRecord.year >= today.year).limit(1))
        is not None
    ):
        result.records = records.move_current_years(source.id, target.id, today.year)
    records.sync_requirements([o for o in officers if o.active], today)
    result.officers = sum(1 for o in officers if o.active)
    _repoint_unit_rows(source, target, today)
    _end_grants_over(source, actor_id, result)
    source.active = False
    audit.record(
        "unit.merge", "org_unit", source.id, actor_id, into=target.code,
        officers=result.officers, children=result.children, records=result.records,
        demoted=result.demoted,
    )  # fmt: skip
    return result


def _end_grants_over(source: OrgUnit, actor_id: int | None, result: MergeResult) -> None:
    grants = db.session.scalars(
        select(RoleGrant).where(RoleGrant.unit_id == source.id, RoleGrant.revoked_at.is_(None))
    ).all()
    for grant in grants:
        grant.revoked_at = utcnow()
        grant.revoked_by_id = actor_id
        result.demoted.append(db.session.get(User, grant.user_id).full_name)
        audit.record(
            "role.revoke", "user", grant.user_id, actor_id, role=grant.role,
            unit=source.code, grant=grant.id, reason="unit.merge",
        )  # fmt: skip


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
