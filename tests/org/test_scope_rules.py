"""The scope module (app/org/scope.py): every "may this user see / change it?" answer, the
guards and the lookups that answer 404 — each with the cases that must say no."""

from __future__ import annotations

from datetime import date

import pytest
from flask_login import login_user
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden, NotFound

from app.core.audit import AuditEvent
from app.core.db import utcnow
from app.extensions import db
from app.org import grants
from app.org.models import OrgUnit, Role, RoleGrant
from app.org.scope import (
    MANAGING_ROLES,
    TEACHING_ROLES,
    attempt_in_scope_or_404,
    class_in_scope_or_404,
    grading_refusal,
    job_in_scope_or_404,
    may_grant,
    may_manage_officer,
    may_manage_unit,
    may_see_unit,
    own_attempt_or_404,
    record_in_scope_or_404,
    require_roles,
    within,
    within_any,
)
from app.progress.models import TrainingClass
from app.quizzes.models import Attempt
from app.roster import jobs
from tests.conftest import login, require


@pytest.fixture
def staff(tree, make_user):
    """Who acts: the province admin, the manager and a trainer of A, a trainer of B, a learner
    of A1 (whose objects the others look at), a learner of B1 (an outsider for A's staff)."""
    return {
        "admin": make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn"),
        "manager_a": make_user(tree["A"], Role.UNIT_MANAGER, email="qa@test.vn"),
        "trainer_a": make_user(tree["A"], Role.TRAINER, email="gva@test.vn"),
        "trainer_b": make_user(tree["B"], Role.TRAINER, email="gvb@test.vn"),
        "learner_a1": make_user(tree["A1"], email="a1@test.vn"),
        "learner_b1": make_user(tree["B1"], email="b1@test.vn"),
    }


# --- paths ----------------------------------------------------------------------------------------


def test_within_is_a_subtree_test_not_a_text_prefix():
    assert within("/1/4/", "/1/4/")  # the unit itself
    assert within("/1/4/9/", "/1/4/")
    assert within("/1/4/9/", "/1/")
    assert not within("/1/40/", "/1/4/")  # unit 40 is not under unit 4
    assert not within("/1/4/", "/1/40/")
    assert not within("/1/", "/1/4/")  # above is not within


def test_within_any_is_the_union_of_subtrees():
    assert within_any("/1/4/9/", ["/2/", "/1/4/"])
    assert not within_any("/1/5/", ["/2/", "/1/4/"])
    assert not within_any("/1/4/", [])


# --- may see a unit, manage a unit or an officer, grant a role ------------------------------------


def test_may_see_unit_within_the_grants_subtrees_only(tree, staff):
    manager = staff["manager_a"]
    assert may_see_unit(manager, tree["A"]) and may_see_unit(manager, tree["A1"])
    assert not may_see_unit(manager, tree["B1"])
    assert not may_see_unit(manager, tree["province"])  # nothing above his unit
    assert not may_see_unit(manager, None)
    assert not may_see_unit(staff["learner_a1"], tree["A1"])  # no grant, no scope
    # A trainer's grant counts for teaching (classes, grading), not for officer data.
    assert may_see_unit(staff["trainer_a"], tree["A1"], TEACHING_ROLES)
    assert not may_see_unit(staff["trainer_a"], tree["A1"], MANAGING_ROLES)
    assert not may_see_unit(staff["trainer_b"], tree["A1"], TEACHING_ROLES)


def test_may_manage_unit_strictly_below_a_managers_own_unit(tree, staff):
    manager, admin = staff["manager_a"], staff["admin"]
    assert may_manage_unit(manager, tree["A1"])
    assert not may_manage_unit(manager, tree["A"])  # his own unit: never
    assert not may_manage_unit(manager, tree["province"])  # above it: never
    assert not may_manage_unit(manager, tree["B1"])  # beside it: never
    assert may_manage_unit(admin, tree["province"])  # the admin: his grant's unit too
    assert may_manage_unit(admin, tree["B1"])
    assert not may_manage_unit(admin, tree["national"])  # not above his grant
    assert not may_manage_unit(staff["trainer_a"], tree["A1"])  # a trainer changes no unit


def test_may_grant_never_above_ones_rank_nor_on_ones_own_unit(tree, staff):
    manager, admin = staff["manager_a"], staff["admin"]
    assert may_grant(manager, Role.UNIT_MANAGER, tree["A1"])
    assert may_grant(manager, Role.TRAINER, tree["A1"])
    assert not may_grant(manager, Role.PROVINCE_ADMIN, tree["A1"])  # above his rank
    assert not may_grant(manager, Role.TRAINER, tree["A"])  # his own unit
    assert not may_grant(manager, Role.TRAINER, tree["B1"])  # outside his subtree
    assert may_grant(admin, Role.PROVINCE_ADMIN, tree["province"])
    assert not may_grant(admin, Role.TRAINER, tree["national"])
    assert not may_grant(staff["trainer_a"], Role.TRAINER, tree["A1"])


def test_a_second_grant_widens_the_scope(tree, staff):
    manager = staff["manager_a"]
    grants.add_grant(manager, Role.UNIT_MANAGER, tree["B"])
    db.session.commit()
    assert may_see_unit(manager, tree["B1"]) and may_manage_unit(manager, tree["B1"])
    assert not may_manage_unit(manager, tree["B"])


def test_may_manage_officer_only_in_a_managing_scope(staff):
    manager = staff["manager_a"]
    assert may_manage_officer(manager, staff["learner_a1"])
    assert may_manage_officer(manager, manager)  # his own record (his grants stay guarded)
    assert not may_manage_officer(manager, staff["learner_b1"])
    assert not may_manage_officer(manager, None)
    assert not may_manage_officer(staff["trainer_a"], staff["learner_a1"])
    assert not may_manage_officer(staff["learner_a1"], staff["learner_a1"])


def test_grant_role_refuses_an_officer_outside_the_actors_scope_and_writes_nothing(tree, staff):
    grants_before = db.session.scalar(select(func.count(RoleGrant.id)))
    audits_before = db.session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(grants.GrantRefused):
        # A1 is his to grant over, but the officer (of B1) is not his to manage.
        grants.grant_role(staff["manager_a"], staff["learner_b1"], Role.TRAINER, tree["A1"])
    db.session.rollback()
    assert db.session.scalar(select(func.count(RoleGrant.id))) == grants_before
    assert db.session.scalar(select(func.count(AuditEvent.id))) == audits_before
    # … while the same grant to an officer of his subtree is made.
    grants.grant_role(staff["manager_a"], staff["learner_a1"], Role.TRAINER, tree["A1"])
    assert db.session.scalar(select(func.count(RoleGrant.id))) == grants_before + 1


# --- attempts: scope and the object rules of grading ----------------------------------------------


def _attempt(course, user, submitted: bool = True) -> Attempt:
    attempt = Attempt(
        user_id=user.id,
        course_id=course.id,
        course_version=course.version_major,
        question_ids=[],
        submitted_at=utcnow() if submitted else None,
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def test_grading_refusal_submitted_attempts_only_and_never_ones_own(course, staff):
    trainer, learner = staff["trainer_a"], staff["learner_a1"]
    assert grading_refusal(trainer, _attempt(course, learner)) is None
    assert "chưa nộp" in grading_refusal(trainer, _attempt(course, learner, submitted=False))
    assert "chính mình" in grading_refusal(trainer, _attempt(course, trainer))


def test_attempt_in_scope_or_404_by_the_officers_unit(course, staff):
    attempt = _attempt(course, staff["learner_a1"])
    assert attempt_in_scope_or_404(staff["trainer_a"], attempt) is attempt
    assert attempt_in_scope_or_404(staff["admin"], attempt) is attempt
    with pytest.raises(NotFound):
        attempt_in_scope_or_404(staff["trainer_b"], attempt)  # another branch's trainer
    with pytest.raises(NotFound):
        attempt_in_scope_or_404(staff["learner_b1"], attempt)
    with pytest.raises(NotFound):
        attempt_in_scope_or_404(staff["trainer_a"], None)  # no such attempt


def test_own_attempt_or_404_is_the_officers_own_only(course, staff):
    attempt = _attempt(course, staff["learner_a1"])
    assert own_attempt_or_404(staff["learner_a1"], attempt) is attempt
    for other in ("admin", "trainer_a", "learner_b1"):  # not even his trainer: 404
        with pytest.raises(NotFound):
            own_attempt_or_404(staff[other], attempt)
    with pytest.raises(NotFound):
        own_attempt_or_404(staff["learner_a1"], None)


# --- classes, records, jobs -----------------------------------------------------------------------


def test_class_in_scope_or_404_by_the_organising_unit(tree, course, staff):
    klass = TrainingClass(
        course_id=course.id, unit_id=tree["A"].id, held_on=date(2026, 3, 2), place="Hội trường"
    )
    db.session.add(klass)
    db.session.commit()
    assert class_in_scope_or_404(staff["trainer_a"], klass) is klass
    assert class_in_scope_or_404(staff["manager_a"], klass) is klass
    for outsider in ("trainer_b", "learner_a1"):
        with pytest.raises(NotFound):
            class_in_scope_or_404(staff[outsider], klass)
    with pytest.raises(NotFound):
        class_in_scope_or_404(staff["trainer_a"], None)


def test_record_in_scope_or_404_own_or_a_managers_in_scope(course, staff):
    record = require(staff["learner_a1"], course, 2026, date(2026, 12, 31))
    db.session.commit()
    assert record_in_scope_or_404(staff["learner_a1"], record) is record
    assert record_in_scope_or_404(staff["manager_a"], record) is record
    assert record_in_scope_or_404(staff["admin"], record) is record
    for other in ("learner_b1", "trainer_a"):  # another learner; a trainer sees no records
        with pytest.raises(NotFound):
            record_in_scope_or_404(staff[other], record)
    with pytest.raises(NotFound):
        record_in_scope_or_404(staff["manager_a"], None)


def test_job_in_scope_or_404_only_for_who_started_it(tree, staff):
    job_id = jobs.create(staff["manager_a"].id, tree["A"].id, "a" * 32, "ds.xlsx", 3)
    job = db.session.get(jobs.RosterImportJob, job_id)
    assert job_in_scope_or_404(staff["manager_a"], job) is job
    with pytest.raises(NotFound):
        job_in_scope_or_404(staff["admin"], job)  # not even the province admin
    with pytest.raises(NotFound):
        job_in_scope_or_404(staff["manager_a"], None)


# --- the blueprint guard --------------------------------------------------------------------------


def test_require_roles_guard(app, staff):
    guard = require_roles(*MANAGING_ROLES)
    with app.test_request_context("/don-vi/can-bo"):
        anonymous = guard()
        assert anonymous.status_code == 302 and "next=" in anonymous.location
    with app.test_request_context("/don-vi/can-bo", method="OPTIONS"):
        assert guard() is None  # as login_required: OPTIONS is not guarded
    for allowed in ("manager_a", "admin"):
        with app.test_request_context("/don-vi/can-bo"):
            login_user(staff[allowed])
            assert guard() is None
    for refused in ("trainer_a", "learner_a1"):
        with app.test_request_context("/don-vi/can-bo"):
            login_user(staff[refused])
            with pytest.raises(Forbidden):
                guard()


def test_the_guarded_blueprints_refuse_before_any_view_runs(client, tree, staff):
    """A trainer posting a complete "add a unit" form to the tree: 403, and no unit."""
    login(client, "gva@test.vn")
    units_before = db.session.scalar(select(func.count(OrgUnit.id)))
    answer = client.post(
        "/don-vi/cay/them", data={"parent_id": tree["A"].id, "name": "CĐCS Mới", "code": "M1"}
    )
    assert answer.status_code == 403
    assert db.session.scalar(select(func.count(OrgUnit.id))) == units_before
    client.post("/dang-xuat")
    anonymous = client.get("/bao-cao/bao-phu")
    assert anonymous.status_code == 302 and "next=" in anonymous.location


@pytest.mark.parametrize("blueprint", ["org", "tree", "reports", "progress", "plan"])
def test_each_single_audience_blueprint_has_its_guard(app, blueprint):
    guards = [f.__qualname__ for f in app.before_request_funcs.get(blueprint, [])]
    assert "require_roles.<locals>.guard" in guards


@pytest.mark.parametrize(
    ("page", "refused", "allowed"),
    [
        ("/don-vi/can-bo", "gva@test.vn", "qa@test.vn"),  # org: managers, admins
        ("/don-vi/cay/", "gva@test.vn", "qa@test.vn"),  # tree: the same
        ("/bao-cao/bao-phu", "a1@test.vn", "qa@test.vn"),  # reports: the same
        ("/lop-tap-huan", "qa@test.vn", "gva@test.vn"),  # classes: trainers, admins
        ("/ke-hoach/", "qa@test.vn", "admin@test.vn"),  # plan: the province admin
    ],
)
def test_each_guard_lets_in_its_audience_only(client, staff, page, refused, allowed):
    """Which roles a guard admits, not only that one is attached: a learner or the wrong role
    gets 403 on the blueprint's first page, its audience gets the page."""
    login(client, "a1@test.vn")
    assert client.get(page).status_code == 403
    client.post("/dang-xuat")
    login(client, refused)
    assert client.get(page).status_code == 403
    client.post("/dang-xuat")
    login(client, allowed)
    assert client.get(page).status_code == 200
