"""Coverage: required / trained / late per child unit, from trigger-kept counts (a scan of the
indexed TrainingRecord table gives the same numbers: the reference the tests compare with)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, bindparam, case, distinct, func, or_, select
from sqlalchemy.orm import joinedload

from app.core.dates import local_today
from app.core.pagination import paginate
from app.extensions import db
from app.org.models import OrgUnit, UnitLevel, User, level_column, subtree_filter
from app.org.scope import scope_paths, within
from app.progress.coverage_counts import CoverageCount
from app.progress.coverage_officers import CoverageOfficerCount
from app.progress.models import PlanItem, TrainingRecord


@dataclass
class CoverageRow:
    unit: OrgUnit | None  # None: officers attached to the viewed unit itself
    required: int
    trained: int
    late: int

    @property
    def percent(self) -> float:
        return 100.0 * self.trained / self.required if self.required else 0.0


@dataclass
class Coverage:
    root: OrgUnit
    year: int
    course_id: int | None
    officer_type: str
    rows: list[CoverageRow]
    total: CoverageRow
    # [(month, trained by its end)] — computed with the coverage for one course (same scan)
    monthly: list[tuple[int, int]] | None = None


def _filters(year: int, course_id: int | None, officer_type: str):
    conditions = [TrainingRecord.year == year, TrainingRecord.required.is_(True)]
    if course_id:
        conditions.append(TrainingRecord.course_id == course_id)
    if officer_type:
        conditions.append(TrainingRecord.officer_type == officer_type)
    return conditions


def _missing_and_overdue(today: date):
    missing = TrainingRecord.completed_on.is_(None)
    return missing, missing & (TrainingRecord.due_on < today)


def _counts(today: date, per_officer: bool):
    """(required, not trained, late) aggregates.

    For one course each officer has one record, so counting records counts officers. Across
    all required courses an officer counts once: trained only when every required course is
    completed, late when any is overdue.
    """
    missing, overdue = _missing_and_overdue(today)
    if per_officer:
        user = TrainingRecord.user_id
        return (
            func.count(distinct(user)),
            func.count(distinct(case((missing, user)))),
            func.count(distinct(case((overdue, user)))),
        )
    return func.count(), func.count(case((missing, 1))), func.count(case((overdue, 1)))


def scope(root: OrgUnit, conditions: list):
    """(the column to group by — the child-level ancestor —, conditions narrowed to the
    subtree of `root`)."""
    if root.level >= UnitLevel.GRASSROOTS:
        return OrgUnit.id, [*conditions, OrgUnit.id == root.id]
    if root.level > UnitLevel.NATIONAL:
        conditions = [*conditions, level_column(root.level) == root.id]
    return level_column(root.level + 1), conditions


def _children(root: OrgUnit) -> list[OrgUnit]:
    if root.level >= UnitLevel.GRASSROOTS:
        return []
    return list(
        db.session.scalars(
            select(OrgUnit).where(OrgUnit.parent_id == root.id).order_by(OrgUnit.name)
        )
    )


def _assemble(root, year, course_id, officer_type, children, counts, monthly=None) -> Coverage:
    rows = []
    own_key = None if root.level < UnitLevel.GRASSROOTS else root.id
    own = counts.pop(own_key, None)
    if own and own[0]:
        rows.append(_row(None, own))
    for child in children:
        numbers = counts.get(child.id, (0, 0, 0))
        if not child.active and not numbers[0]:
            continue  # a closed unit (merged, or a moved unit's past) where it had officers
        rows.append(_row(child, numbers))
    total = CoverageRow(
        root, sum(r.required for r in rows), sum(r.trained for r in rows), sum(r.late for r in rows)
    )
    return Coverage(root, year, course_id, officer_type, rows, total, monthly)


def coverage(
    root: OrgUnit,
    year: int,
    course_id: int | None = None,
    officer_type: str = "",
    today: date | None = None,
) -> Coverage:
    """Coverage of `root`'s subtree, one row per child unit (plus the root's own officers).

    For one course it reads the trigger-kept `coverage_counts`; across all required courses
    (an officer counts once) the trigger-kept `coverage_officer_counts`. Either way a few rows
    per child unit, whatever the number of officers; `coverage_by_scan` gives the same numbers
    from the records.
    """
    today = today or local_today()
    if not course_id:
        return _coverage_all_courses(root, year, officer_type, today)
    children = _children(root)
    wanted = [child.id for child in children]
    if root.level > UnitLevel.NATIONAL:
        wanted.append(root.id)
    values = {"year": year, "course_id": course_id, "units": wanted, "today": today}
    if officer_type:
        values["officer_type"] = officer_type
    counts, per_month = _tally(db.session.execute(_one_course_counts(bool(officer_type)), values))
    if root.level > UnitLevel.NATIONAL:
        # The root's row counts its whole subtree: its own officers are what the children
        # do not account for.
        whole = counts.pop(root.id, (0, 0, 0))
        own = tuple(
            whole[i] - sum(counts.get(c, (0, 0, 0))[i] for c in wanted[:-1]) for i in range(3)
        )
        counts[None if root.level < UnitLevel.GRASSROOTS else root.id] = own
        months = per_month.get(root.id, [0] * 13)
    else:
        # Officers attached to the national root itself have no ancestor row: counted directly.
        own_scan = coverage_by_scan(root, year, course_id, officer_type, today, own_only=True)
        counts[None] = own_scan
        months = [sum(per_month.get(c, [0] * 13)[m] for c in wanted) for m in range(13)]
    return _assemble(root, year, course_id, officer_type, children, counts, _cumulative(months))


@functools.cache
def _one_course_counts(by_type: bool):
    """The one-course aggregate, built once per shape (building it cost more than running it
    on SQLite: bench S4); parameters year, course_id, units, today (and officer_type)."""
    conditions = [
        CoverageCount.year == bindparam("year"),
        CoverageCount.course_id == bindparam("course_id"),
        CoverageCount.unit_id.in_(bindparam("units", expanding=True)),
    ]
    if by_type:
        conditions.append(CoverageCount.officer_type == bindparam("officer_type"))
    today = bindparam("today", type_=Date)
    return (
        select(
            CoverageCount.unit_id,
            CoverageCount.done_month,
            *_numbers(CoverageCount.records, CoverageCount.due_on, CoverageCount.done_month, today),
        )
        .where(*conditions)
        .group_by(CoverageCount.unit_id, CoverageCount.done_month)
    )


def _coverage_all_courses(root: OrgUnit, year: int, officer_type: str, today: date) -> Coverage:
    """Every required course: each child unit's row of officer folds (an officer whose records
    sit under two children counts in each, as in the scan), and the root's own officers from
    its `own` row (the grassroots root: its subtree row, which is the same thing)."""
    counted = CoverageOfficerCount
    children = _children(root)
    subtree = counted.own.is_(False)
    if root.level >= UnitLevel.GRASSROOTS:
        own_key, scope_rule = root.id, and_(counted.unit_id == root.id, subtree)
    else:
        own_key = None
        scope_rule = or_(
            and_(counted.unit_id.in_([child.id for child in children]), subtree),
            and_(counted.unit_id == root.id, counted.own.is_(True)),
        )
    # The unfiltered view reads each officer's fold over all his types (`partial` rows fold one
    # type of an officer who had several); a type filter reads that type's folds.
    type_rule = counted.officer_type == officer_type if officer_type else counted.partial.is_(False)
    stmt = (
        select(
            counted.unit_id,
            counted.done_month,
            *_numbers(counted.officers, counted.first_missing_due, counted.done_month, today),
        )
        .where(counted.year == year, type_rule, scope_rule)
        .group_by(counted.unit_id, counted.done_month)
    )
    counts, per_month = _tally(
        db.session.execute(stmt), key=lambda unit_id: own_key if unit_id == root.id else unit_id
    )
    months = [sum(row[m] for row in per_month.values()) for m in range(13)]
    return _assemble(root, year, None, officer_type, children, counts, _cumulative(months))


def _numbers(number, due, done_month, today: date):
    """The sums read from a trigger-kept table: how many, and how many of them are late (not
    done and due before today: decided when reading, the stored due date is the earliest one
    still open). Summing in SQL returns one row per unit and month rather than one per due date."""
    late = case((and_(done_month == 0, due < today), number), else_=0)
    return func.sum(number), func.sum(late)


def _tally(rows, key=lambda unit_id: unit_id) -> tuple[dict, dict]:
    """From pre-aggregated rows (unit id, month of completion or 0, number, late): the
    (required, not trained, late) per `key(unit id)`, and completions per month per key."""
    counts: dict = {}
    per_month: dict = {}
    for unit_id, done_month, number, late in rows:
        number = int(number or 0)
        k = key(unit_id)
        required, not_done, late_so_far = counts.get(k, (0, 0, 0))
        if done_month:
            per_month.setdefault(k, [0] * 13)[done_month] += number
            counts[k] = (required + number, not_done, late_so_far)
        else:
            counts[k] = (required + number, not_done + number, late_so_far + int(late or 0))
    return counts, per_month


def coverage_by_scan(
    root: OrgUnit,
    year: int,
    course_id: int | None = None,
    officer_type: str = "",
    today: date | None = None,
    own_only: bool = False,
):
    """Coverage computed from the records (one GROUP BY over the indexed table): the definition
    the trigger-kept tables must agree with (the tests compare them), per record for one course,
    per officer across all courses (trained when every required course is done, late when any
    is overdue). `own_only`: the (required, not trained, late) of the root's own officers."""
    today = today or local_today()
    group, conditions = scope(root, _filters(year, course_id, officer_type))
    per_officer = not course_id
    if own_only:
        stmt = (
            select(*_counts(today, per_officer))
            .select_from(TrainingRecord)
            .where(TrainingRecord.unit_id == root.id, *_filters(year, course_id, officer_type))
        )
        return tuple(int(v or 0) for v in db.session.execute(stmt).one())
    if per_officer:
        counts, monthly = _per_officer_counts(group, conditions, today)
        return _assemble(root, year, course_id, officer_type, _children(root), counts, monthly)
    stmt = (
        select(group, *_counts(today, per_officer))
        .select_from(TrainingRecord)
        .join(OrgUnit, OrgUnit.id == TrainingRecord.unit_id)
        .where(*conditions)
        .group_by(group)
    )
    counts = {row[0]: row[1:] for row in db.session.execute(stmt)}
    return _assemble(root, year, course_id, officer_type, _children(root), counts)


def _per_officer_counts(group, conditions, today: date):
    """One scan for the "all required courses" view: records are first folded per officer
    (done when every required course is done, on the date of the last one; late when any is
    overdue), then counted per child unit and month — the table and the monthly chart."""
    missing, overdue = _missing_and_overdue(today)
    officers = (
        select(
            group.label("unit_id"),
            (func.count() == func.count(TrainingRecord.completed_on)).label("done"),
            func.max(TrainingRecord.completed_on).label("done_on"),
            func.max(case((overdue, 1), else_=0)).label("late"),
        )
        .select_from(TrainingRecord)
        .join(OrgUnit, OrgUnit.id == TrainingRecord.unit_id)
        .where(*conditions)
        .group_by(group, TrainingRecord.user_id)
        .subquery()
    )
    month = func.extract("month", officers.c.done_on)
    stmt = select(
        officers.c.unit_id, officers.c.done, month, officers.c.late, func.count()
    ).group_by(officers.c.unit_id, officers.c.done, month, officers.c.late)
    counts: dict = {}
    per_month = [0] * 13
    for unit_id, done, done_month, late, number in db.session.execute(stmt):
        required, not_done, late_count = counts.get(unit_id, (0, 0, 0))
        if done:
            per_month[int(done_month)] += number
        else:
            not_done += number
        counts[unit_id] = (required + number, not_done, late_count + (number if late else 0))
    return counts, _cumulative(per_month)


def _cumulative(per_month: list[int]) -> list[tuple[int, int]]:
    running, result = 0, []
    for month in range(1, 13):
        running += per_month[month]
        result.append((month, running))
    return result


def _row(unit: OrgUnit | None, counts) -> CoverageRow:
    required, missing, late = (int(value or 0) for value in counts)
    return CoverageRow(unit, required, required - missing, late)


def officer_statuses(
    root: OrgUnit,
    year: int,
    course_id: int | None,
    officer_type: str,
    page: int,
    per_page: int,
    only_own_unit: bool = False,
):
    """The names behind the numbers: required records under `root` (paginated)."""
    stmt = (
        select(TrainingRecord, User, OrgUnit)
        .join(User, User.id == TrainingRecord.user_id)
        .join(OrgUnit, OrgUnit.id == TrainingRecord.unit_id)
        .where(*_filters(year, course_id, officer_type))
        .options(joinedload(TrainingRecord.course))
        .order_by(TrainingRecord.completed_on.is_not(None), OrgUnit.name, User.full_name)
    )
    if only_own_unit:
        stmt = stmt.where(OrgUnit.id == root.id)
    else:
        stmt = stmt.where(subtree_filter(OrgUnit.path, root.path))
    return paginate(stmt, page, per_page)


# Built once (the coverage page opens with it; building cost more than running it: bench S4).
_PLAN_LINES = (
    select(PlanItem.course_id, OrgUnit.path)
    .join(OrgUnit, OrgUnit.id == PlanItem.unit_id)
    .where(PlanItem.year == bindparam("year"))
    .order_by(PlanItem.due_on, PlanItem.id)
)


def default_course_id(viewer: User, year: int) -> int | None:
    """The course of the plan line due first among those covering the viewer's unit."""
    lines = db.session.execute(_PLAN_LINES, {"year": year}).all()
    viewer_paths = scope_paths(viewer) or [viewer.unit.path]
    for course_id, path in lines:
        if any(within(v, path) or within(path, v) for v in viewer_paths):
            return course_id
    return None
