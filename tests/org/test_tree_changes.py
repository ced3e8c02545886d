"""Moving and merging units: the coverage tables stay exact (`flask coverage check`), last
year's figures do not change at any level, this year's follow the new tree."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.dates import local_today
from app.extensions import db
from app.org.models import OfficerType, OrgUnit, Role, RoleGrant, UnitMembership, User
from app.org.services import create_officer
from app.progress import coverage_upkeep
from app.progress.models import TrainingRecord
from app.reports.services import coverage, coverage_by_scan
from app.tree import moves as tree_moves
from app.tree import services as tree_service
from tests.conftest import require

YEAR = local_today().year
LAST = YEAR - 1


def _officers(unit, count, prefix):
    people = [
        create_officer(
            f"{prefix} {n}",
            unit,
            email=f"{prefix.lower()}{n}@test.vn",
            officer_type=OfficerType.FULL_TIME if n % 3 == 0 else OfficerType.PART_TIME,
        )
        for n in range(count)
    ]
    db.session.flush()
    return people


@pytest.fixture
def province(tree, course):
    """200 officers in A1, 20 in A2, 30 in B1, a manager attached to A; records of last year
    and this year (some completed, some open)."""
    people = {
        "A1": _officers(tree["A1"], 200, "Mot"),
        "A2": _officers(tree["A2"], 20, "Hai"),
        "B1": _officers(tree["B1"], 30, "Ba"),
        "A": _officers(tree["A"], 1, "Quanly"),
    }
    db.session.add(
        RoleGrant(user_id=people["A"][0].id, role=Role.UNIT_MANAGER.value, unit_id=tree["A"].id)
    )
    for group in people.values():
        for n, officer in enumerate(group):
            require(
                officer, course, LAST, date(LAST, 6, 30),
                completed_on=date(LAST, 3, 1) if n % 2 == 0 else None,
            )  # fmt: skip
            require(
                officer, course, YEAR, date(YEAR, 12, 31),
                completed_on=date(YEAR, 1, 10) if n % 4 == 0 else None,
            )  # fmt: skip
    db.session.commit()
    return people


def _figures(units, year, course_id):
    """{unit code: (required, trained, late)} for one course and for all courses."""
    today = date(YEAR, 12, 30)
    numbers = {}
    for unit in units:
        for cid in (course_id, None):
            result = coverage(unit, year, cid, today=today)
            numbers[(unit.code, cid)] = (
                result.total.required,
                result.total.trained,
                result.total.late,
            )
    return numbers


def _scan(unit, year, course_id):
    result = coverage_by_scan(unit, year, course_id, today=date(YEAR, 12, 30))
    return result.total.required, result.total.trained


def _assert_last_year_kept(before, watched, archives, course_id):
    """Every unit shows last year's numbers as before, a moved unit's own on its archive."""
    after = _figures([*watched, *archives.values()], LAST, course_id)
    for code, archive in archives.items():
        for cid in (course_id, None):
            assert after.pop((archive.code, cid)) == before[(code, cid)]
            assert after[(code, cid)] == (0, 0, 0)
            after[(code, cid)] = before[(code, cid)]
    assert after == before


def _healthy():
    health = coverage_upkeep.check()
    assert health.ok, health


def _units(tree, *codes):
    return [tree[code] for code in codes]


def test_moving_a_unit_of_200_officers_keeps_last_year_and_moves_this_year(tree, course, province):
    watched = _units(tree, "national", "province", "A", "B", "A1", "A2", "B1")
    before_last = _figures(watched, LAST, course.id)
    _healthy()

    result = tree_moves.move_unit(None, tree["A1"], tree["B"])
    db.session.commit()  # the test is the boundary

    _healthy()
    # Last year: the same numbers for every unit, A (the old parent) included; A1's own
    # last year is read on its archive, the unit as it stood under A.
    [archive] = result.archives
    _assert_last_year_kept(before_last, watched, {"A1": archive}, course.id)
    assert before_last[("A", course.id)] == (221, 111, 110)
    # This year follows the new tree: A keeps A2 and its own manager, B gains A1's 200.
    now = _figures(watched, YEAR, course.id)
    assert now[("A", course.id)] == (21, 5 + 1, 0)  # A2: 20 (5 done) + the manager (done)
    assert now[("B", course.id)] == (230, 50 + 8, 0)  # A1: 200 (50 done) + B1: 30 (8 done)
    assert now[("P", course.id)] == (251, 64, 0)
    assert now[("A1", course.id)] == (200, 50, 0)
    assert now[("A1", None)] == (200, 50, 0)
    assert now[("B", None)] == (230, 58, 0)
    assert _scan(tree["B"], YEAR, course.id) == (230, 58)

    # A's coverage page: last year lists the archive (A1 as it was), this year does not.
    day = date(YEAR, 12, 30)
    last_rows = {
        r.unit.code: r.required
        for r in coverage(tree["A"], LAST, course.id, today=day).rows
        if r.unit
    }
    this_rows = {
        r.unit.code: r.required
        for r in coverage(tree["A"], YEAR, course.id, today=day).rows
        if r.unit
    }
    assert last_rows == {archive.code: 200, "A2": 20}
    assert this_rows == {"A2": 20}

    moved = db.session.get(OrgUnit, tree["A1"].id)
    assert moved.parent_id == tree["B"].id
    assert moved.path == f"{tree['B'].path}{moved.id}/"
    assert moved.level2_id == tree["B"].id and moved.level3_id == moved.id
    # Last year's records sit on the archive at the old place, this year's on the unit.
    assert archive.parent_id == tree["A"].id and not archive.active
    assert archive.name.startswith("CĐCS A1 (trước ")
    last_units = set(
        db.session.scalars(
            select(TrainingRecord.unit_id).where(
                TrainingRecord.year == LAST,
                TrainingRecord.user_id.in_([o.id for o in province["A1"]]),
            )
        )
    )
    assert last_units == {archive.id}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unit.move"))
    assert event.details["from_parent"] == "A" and event.details["to_parent"] == "B"


def test_flask_coverage_check_passes_after_a_move_and_a_merge(tree, course, province, runner):
    assert runner.invoke(args=["units", "move", "A1", "--to", "B"]).exit_code == 0
    assert runner.invoke(args=["units", "merge", "A2", "--into", "B1"]).exit_code == 0
    result = runner.invoke(args=["coverage", "check"])
    assert result.exit_code == 0, result.output
    assert "Số liệu độ bao phủ đúng với hồ sơ tập huấn." in result.output


def test_merging_two_units_keeps_last_year_and_moves_this_year(tree, course, province):
    watched = _units(tree, "national", "province", "A", "B", "A1", "A2", "B1")
    before_last = _figures(watched, LAST, course.id)
    manager = province["A"][0]

    result = tree_moves.merge_units(None, tree["A"], tree["B"])
    db.session.commit()  # the test is the boundary

    _healthy()
    archives = {a.name.split(" (")[0][-2:]: a for a in result.archives}
    assert sorted(archives) == ["A1", "A2"]
    assert all(a.parent_id == tree["A"].id for a in result.archives)
    _assert_last_year_kept(before_last, watched, archives, course.id)
    now = _figures(watched, YEAR, course.id)
    assert now[("B", course.id)] == (251, 64, 0)  # everything of A, and B1
    assert now[("A", course.id)] == (0, 0, 0)
    assert now[("P", course.id)] == (251, 64, 0)
    assert now[("B", None)] == (251, 64, 0)
    assert (result.officers, result.children) == (1, 2)

    closed = db.session.get(OrgUnit, tree["A"].id)
    assert not closed.active and closed.parent_id == tree["province"].id
    for code in ("A1", "A2"):
        assert db.session.get(OrgUnit, tree[code].id).parent_id == tree["B"].id
    manager = db.session.get(User, manager.id)
    assert manager.unit_id == tree["B"].id
    assert manager.role == Role.LEARNER.value  # his scope would have grown to all of B
    memberships = db.session.scalars(
        select(UnitMembership).where(UnitMembership.user_id == manager.id)
    ).all()
    assert [(m.unit_id, m.end_on is None) for m in memberships] == [(tree["B"].id, True)]
    # The manager's record of last year stayed with A (closed, at its place).
    assert (
        db.session.scalar(
            select(TrainingRecord.unit_id).where(
                TrainingRecord.user_id == manager.id, TrainingRecord.year == LAST
            )
        )
        == tree["A"].id
    )


def _snapshot():
    units = db.session.execute(
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.path, OrgUnit.active, OrgUnit.name)
    ).all()
    records = db.session.execute(select(TrainingRecord.id, TrainingRecord.unit_id)).all()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    return sorted(units), sorted(records), events


@pytest.mark.parametrize(
    "unit, parent, message",
    [
        ("A", "A1", "chính nó hoặc một đơn vị trực thuộc"),  # a cycle
        ("A", "A", "chính nó hoặc một đơn vị trực thuộc"),
        ("province", "national", "đơn vị gốc"),
        ("A", "B", "chỉ có 3 cấp"),  # A1, A2 would be at level 4
        ("A1", "A", "đã trực thuộc"),
    ],
)
def test_refused_moves_change_nothing(tree, course, province, unit, parent, message):
    if unit == "province":  # the root of this tree is the national unit: move that
        unit = "national"
    before = _snapshot()
    with pytest.raises(tree_service.TreeError, match=message):
        tree_moves.move_unit(None, tree[unit], tree[parent])
    db.session.rollback()
    assert _snapshot() == before


@pytest.mark.parametrize(
    "source, target, message",
    [
        ("A", "A1", "chính nó hoặc một đơn vị trực thuộc"),
        ("national", "A", "đơn vị gốc"),
        ("province", "A", "chính nó hoặc một đơn vị trực thuộc"),
    ],
)
def test_refused_merges_change_nothing(tree, course, province, source, target, message):
    before = _snapshot()
    with pytest.raises(tree_service.TreeError, match=message):
        tree_moves.merge_units(None, tree[source], tree[target])
    db.session.rollback()
    assert _snapshot() == before


def test_a_grassroots_unit_may_go_straight_under_the_province(tree, course, province):
    tree_moves.move_unit(None, tree["B1"], tree["province"])
    db.session.commit()  # the test is the boundary
    _healthy()
    b1 = db.session.get(OrgUnit, tree["B1"].id)
    assert b1.level == 2 and b1.level2_id == b1.id and b1.level3_id is None
    now = _figures([tree["province"], tree["B"], b1], YEAR, course.id)
    assert now[("B1", course.id)] == (30, 8, 0)
    assert now[("B", course.id)] == (0, 0, 0)
    assert now[("P", course.id)] == (251, 64, 0)


def test_moving_twice_and_back_keeps_every_year_exact(tree, course, province):
    watched = _units(tree, "province", "A", "B")
    before_last = _figures(watched, LAST, course.id)
    before_now = _figures(watched, YEAR, course.id)
    tree_moves.move_unit(None, tree["A1"], tree["B"])
    db.session.commit()  # the test is the boundary
    tree_moves.move_unit(None, db.session.get(OrgUnit, tree["A1"].id), tree["A"])
    db.session.commit()  # the test is the boundary
    _healthy()
    assert _figures(watched, LAST, course.id) == before_last
    assert _figures(watched, YEAR, course.id) == before_now


def test_closing_needs_an_empty_unit(tree, course, province):
    with pytest.raises(tree_service.TreeError, match="còn cán bộ"):
        tree_service.close_unit(None, tree["B1"])
    empty = tree_service.create_unit(None, tree["B"], "CĐCS mới", "B9")
    tree_service.close_unit(None, empty)
    assert not db.session.get(OrgUnit, empty.id).active
    with pytest.raises(tree_service.TreeError, match="chỉ có 3 cấp"):
        tree_service.create_unit(None, tree["B1"], "Dưới cơ sở", "B1X")
    with pytest.raises(tree_service.TreeError, match="đã được dùng"):
        tree_service.create_unit(None, tree["B"], "Trùng mã", "B1")


def test_a_merge_takes_this_years_records_of_officers_who_already_left(tree, course):
    """An officer moved from A2 to B1 this year keeps his completed record at A2 (the roster's
    rule); merging A2 into A1 takes that record to A1, last year's stays at A2."""
    [left] = _officers(tree["B1"], 1, "Roi")
    require(left, course, YEAR, date(YEAR, 12, 31), unit_id=tree["A2"].id,
            completed_on=date(YEAR, 2, 1))  # fmt: skip
    require(left, course, LAST, date(LAST, 12, 31), unit_id=tree["A2"].id)
    db.session.commit()

    result = tree_moves.merge_units(None, tree["A2"], tree["A1"])
    db.session.commit()  # the test is the boundary

    _healthy()
    assert (result.officers, result.records) == (0, 1)
    units = dict(
        db.session.execute(
            select(TrainingRecord.year, TrainingRecord.unit_id).where(
                TrainingRecord.user_id == left.id
            )
        ).all()
    )
    assert units == {YEAR: tree["A1"].id, LAST: tree["A2"].id}
    a1 = _figures([tree["A1"]], YEAR, course.id)[("A1", course.id)]
    assert a1 == (1, 1, 0)


def test_a_merged_unit_takes_no_officers_from_a_roster_import(tree, course):
    from app.roster.services import parse_roster

    tree_moves.merge_units(None, tree["A2"], tree["A1"])
    db.session.commit()  # the test is the boundary
    rows = [
        (2, {"full_name": "Người Mới", "unit_code": "A2", "email": "moi@test.vn"}),
        (3, {"full_name": "Người Hai", "unit_code": "A1", "email": "hai@test.vn"}),
    ]
    preview = parse_roster(tree["province"], rows)
    assert [r.action for r in preview.rows] == ["error", "new"], [r.errors for r in preview.rows]
    assert "A2" in " ".join(preview.rows[0].errors)


def test_without_re_keying_the_check_would_catch_the_move(tree, course, province, monkeypatch):
    """The control: the same move without tree_coverage leaves the tables wrong, and the
    check says so (so the checks above do test the re-keying)."""
    from app.tree import coverage as tree_coverage

    monkeypatch.setattr(tree_coverage, "shift_counts", lambda ids, sign: None)
    monkeypatch.setattr(tree_coverage, "refold_officers", lambda ids: None)
    tree_moves.move_unit(None, tree["A1"], tree["B"])
    db.session.commit()  # the test is the boundary
    health = coverage_upkeep.check()
    assert not health.ok
    assert health.differing_rows["coverage_counts"] != (0, 0)
    assert health.differing_rows["coverage_officer_counts"] != (0, 0)


def test_moving_a_unit_with_a_closed_unit_below_leaves_that_one_at_the_old_place(
    tree, course, province
):
    """A1 moves to B (its past stays on an archive under A); then A itself moves up to the
    national level: the archive, closed, stays under P with A's own past."""
    watched = _units(tree, "national", "province", "B")
    before_last = _figures(watched, LAST, course.id)
    first = tree_moves.move_unit(None, tree["A1"], tree["B"])
    db.session.commit()  # the test is the boundary
    second = tree_moves.move_unit(None, db.session.get(OrgUnit, tree["A"].id), tree["national"])
    db.session.commit()  # the test is the boundary

    _healthy()
    assert _figures(watched, LAST, course.id) == before_last
    [a1_archive] = first.archives
    archives = {a.id: a for a in second.archives}
    a_archive = db.session.get(OrgUnit, a1_archive.id).parent
    assert a_archive.id in archives and a_archive.parent_id == tree["province"].id
    a = db.session.get(OrgUnit, tree["A"].id)
    assert (a.level, a.parent_id) == (1, tree["national"].id)
    assert db.session.get(OrgUnit, tree["A2"].id).level == 2
    now = _figures([*watched, a], YEAR, course.id)
    assert now[("P", course.id)] == (230, 58, 0)  # B: A1 and B1
    assert now[("A", course.id)] == (21, 6, 0)  # A2 and the manager
    assert now[("TLD", course.id)] == (251, 64, 0)
