"""`flask dev generate`: deterministic for a seed, a consistent tree, coverage that adds up."""

from __future__ import annotations

import unicodedata
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select

from app.dev.generate import generate
from app.extensions import db
from app.org.models import OrgUnit, Role, UnitLevel, UnitMembership, User, subtree_filter
from app.progress.models import PlanItem, TrainingRecord
from app.quizzes.models import Attempt
from app.reports.services import coverage

YEAR = 2025
TODAY = date(2025, 10, 1)
# Tables the generator writes, and whether their ids come from the database (then left out of
# the comparison: sequences are not reset by a DELETE on PostgreSQL).
TABLES = [
    (TrainingRecord, True),
    (Attempt, False),
    (UnitMembership, True),
    (User, False),
    (PlanItem, True),
    (OrgUnit, False),
]


def dump() -> dict[str, list[tuple]]:
    result = {}
    for model, db_ids in TABLES:
        columns = [c for c in model.__table__.c if not (db_ids and c.name == "id")]
        rows = db.session.execute(select(*columns)).all()
        result[model.__tablename__] = sorted((tuple(row) for row in rows), key=repr)
    return result


def clear_generated() -> None:
    for model, _ in TABLES:
        db.session.execute(delete(model))
    db.session.commit()


@pytest.mark.usefixtures("records_written_by_hand")  # clear_generated deletes them all
def test_same_seed_gives_identical_rows_and_another_seed_does_not(app, course):
    generate(300, seed=7, year=YEAR, password="mat-khau-chung")
    first = dump()
    assert len(first["users"]) == 300 and first["training_records"]
    clear_generated()
    generate(300, seed=7, year=YEAR, password="mat-khau-chung")
    assert dump() == first
    clear_generated()
    generate(300, seed=8, year=YEAR, password="mat-khau-chung")
    other = dump()
    assert other["users"] != first["users"] and other["org_units"] != first["org_units"]


@pytest.fixture
def generated(app, course):
    report = generate(600, seed=3, year=YEAR, provinces=2, password="mat-khau-chung")
    return report


def test_tree_is_consistent_with_set_position(generated):
    units = {u.id: u for u in db.session.scalars(select(OrgUnit))}
    roots = [u for u in units.values() if u.parent_id is None]
    assert [r.name for r in roots] == ["Tổng Liên đoàn Lao động Việt Nam"]
    assert {u.level for u in units.values()} == {0, 1, 2, 3}
    assert sum(u.level == UnitLevel.PROVINCE for u in units.values()) == 2
    for unit in units.values():
        parent = units.get(unit.parent_id)
        expected = SimpleNamespace(id=unit.id)
        OrgUnit.set_position(expected, parent)  # what the ORM path would have stored
        assert (unit.path, unit.level) == (expected.path, expected.level), unit.code
        for n in (1, 2, 3):
            assert getattr(unit, f"level{n}_id") == getattr(expected, f"level{n}_id"), unit.code
        assert unicodedata.is_normalized("NFC", unit.name)
    grassroots = [u.name for u in units.values() if u.level == UnitLevel.GRASSROOTS]
    assert all(name.startswith("CĐCS ") for name in grassroots)


def test_officers_roles_and_accounts(generated):
    users = list(db.session.scalars(select(User)))
    assert len(users) == 600
    unit_ids = set(db.session.scalars(select(OrgUnit.id)))
    assert all(u.unit_id in unit_ids for u in users)
    assert all(unicodedata.is_normalized("NFC", u.full_name) for u in users)
    assert all(len(u.full_name.split()) >= 3 for u in users)
    by_role = {role: [u for u in users if u.role == role.value] for role in Role}
    assert len(by_role[Role.PROVINCE_ADMIN]) == 2
    assert all(u.unit.level == UnitLevel.PROVINCE for u in by_role[Role.PROVINCE_ADMIN])
    assert by_role[Role.TRAINER]
    uppers = db.session.scalars(select(OrgUnit).where(OrgUnit.level == UnitLevel.UPPER)).all()
    managers = [u.unit_id for u in by_role[Role.UNIT_MANAGER]]
    assert sorted(managers) == sorted(unit.id for unit in uppers)  # one per upper union
    for user in users:
        if user.role == Role.LEARNER.value:
            assert user.password_hash is None
        else:
            assert user.password_hash.startswith("$argon2id$") and user.email
    assert len({u.password_hash for u in users if u.password_hash}) == 1  # hashed once
    province_staff = [u for u in users if u.unit.level == UnitLevel.PROVINCE]
    assert all(u.officer_type == "chuyen_trach" for u in province_staff)
    assert {u.officer_type for u in users} == {"chuyen_trach", "kiem_nhiem"}
    memberships = db.session.scalar(select(func.count()).select_from(UnitMembership))
    assert memberships == 600


def test_records_only_for_active_officers_and_match_their_unit(generated):
    records = db.session.execute(select(TrainingRecord, User).join(User)).all()
    assert records
    assert all(user.active for _, user in records)
    assert all(r.unit_id == u.unit_id and r.officer_type == u.officer_type for r, u in records)
    assert {r.year for r, _ in records} == {YEAR - 1, YEAR}
    required = [r for r, _ in records if r.required]
    share = sum(r.completed_on is not None for r in required) / len(required)
    assert 0.55 < share < 0.9
    assert all(r.due_on and r.due_on.year == r.year for r in required)
    assert all(r.completed_on.year == r.year for r, _ in records if r.completed_on)
    assert {r.source for r, _ in records if r.completed_on} == {"online", "class"}
    online = [r for r, _ in records if r.source == "online"]
    attempts = {a.id: a for a in db.session.scalars(select(Attempt))}
    for record in online:
        attempt = attempts[record.attempt_id]
        assert attempt.passed and attempt.user_id == record.user_id
        assert attempt.course_id == record.course_id and attempt.submitted_at


def _direct(root: OrgUnit, year: int) -> tuple[int, int, int]:
    base = (
        select(func.count())
        .select_from(TrainingRecord)
        .join(OrgUnit, OrgUnit.id == TrainingRecord.unit_id)
        .where(
            TrainingRecord.year == year,
            TrainingRecord.required.is_(True),
            subtree_filter(OrgUnit.path, root.path),
        )
    )
    required = db.session.scalar(base)
    trained = db.session.scalar(base.where(TrainingRecord.completed_on.is_not(None)))
    late = db.session.scalar(
        base.where(TrainingRecord.completed_on.is_(None), TrainingRecord.due_on < TODAY)
    )
    return required, trained, late


def test_coverage_equals_a_direct_count(generated):
    provinces = db.session.scalars(
        select(OrgUnit).where(OrgUnit.level == UnitLevel.PROVINCE).order_by(OrgUnit.id)
    ).all()
    national = db.session.scalar(select(OrgUnit).where(OrgUnit.level == UnitLevel.NATIONAL))
    for root in [*provinces, national]:
        for year in (YEAR - 1, YEAR):
            result = coverage(root, year, today=TODAY)
            total = result.total
            assert (total.required, total.trained, total.late) == _direct(root, year)
            assert total.required > 0
            for row in result.rows:
                if row.unit is not None:
                    direct = _direct(row.unit, year)
                    assert (row.required, row.trained, row.late) == direct


def test_plan_lines_for_each_year_and_course(generated, course):
    items = db.session.scalars(select(PlanItem)).all()
    assert {(i.year, i.course_id) for i in items} == {(YEAR - 1, course.id), (YEAR, course.id)}


def test_refuses_the_same_seed_twice_and_orm_inserts_still_work(generated):
    with pytest.raises(ValueError):
        generate(10, seed=3, year=YEAR)
    db.session.rollback()
    from app.org.services import create_unit

    parent = db.session.scalar(select(OrgUnit).where(OrgUnit.level == UnitLevel.PROVINCE))
    unit = create_unit("CĐCS thêm bằng tay", "MANUAL-1", parent)  # sequences moved past ids
    db.session.commit()
    assert unit.id > max(db.session.scalars(select(OrgUnit.id).where(OrgUnit.id != unit.id)))


def test_without_courses_no_records_and_says_so(app):
    report = generate(120, seed=1, year=YEAR)
    assert report.officers == 120 and report.records == 0 and report.plan_items == 0
    assert any("flask courses load" in note for note in report.notes)


def test_cli_command(runner, course):
    result = runner.invoke(
        args=["dev", "generate", "--officers", "80", "--seed", "5", "--year", str(YEAR)]
    )
    assert result.exit_code == 0, result.output
    assert "80 cán bộ" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 80


def test_one_course_coverage_from_the_trigger_kept_counts(generated, course):
    """Bulk inserts fire the triggers too: the per-course path agrees with a direct count."""
    from app.reports import services

    if not hasattr(services, "CoverageCount"):
        pytest.skip("no pre-aggregated coverage table in this version")
    province = db.session.scalar(select(OrgUnit).where(OrgUnit.level == UnitLevel.PROVINCE))
    for root in (province, *province.children):
        for year in (YEAR - 1, YEAR):
            total = coverage(root, year, course.id, today=TODAY).total
            required, trained, late = _direct(root, year)  # one course: records = officers
            assert (total.required, total.trained, total.late) == (required, trained, late)
