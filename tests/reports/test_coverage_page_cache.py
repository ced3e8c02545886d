"""The coverage page kept per worker (app/core/page_cache.py, keyed by the counters of
app/progress/coverage_stamps.py): served again while nothing it shows changed, never stale after
a completion, a regrade, a roster import, a tree move or a rename, never shown outside the
viewer's scope."""

from __future__ import annotations

import re

import pytest
from flask import template_rendered
from sqlalchemy import select

from app.core.dates import local_today
from app.extensions import db
from app.org.models import OrgUnit, Role
from app.progress import coverage_stamps, coverage_upkeep
from app.progress.records import complete as record_completion
from tests.conftest import login

PAGE = "/bao-cao/bao-phu"


@pytest.fixture
def renders(app):
    names: list[str] = []

    def record(_app, template, context, **kw):
        names.append(template.name)

    with template_rendered.connected_to(record, app):
        yield names


@pytest.fixture
def scene(app, tree, make_user, course, plan):
    """Two officers in A1, one in B1, the fixture course required of the province this year;
    a province admin and a manager of A and one of B, each signed in on a client."""
    people = {
        "a1x": make_user(tree["A1"]),
        "a1y": make_user(tree["A1"]),
        "b1x": make_user(tree["B1"]),
    }
    plan(local_today().year)
    make_user(tree["province"], Role.PROVINCE_ADMIN, email="tinh@test.vn")
    make_user(tree["A"], Role.UNIT_MANAGER, email="ql-a@test.vn")
    make_user(tree["B"], Role.UNIT_MANAGER, email="ql-b@test.vn")
    clients = {}
    for who in ("tinh", "ql-a", "ql-b"):
        clients[who] = app.test_client()
        login(clients[who], f"{who}@test.vn")
    return {"people": people, "clients": clients}


def _summary(client, path: str = PAGE) -> tuple[int, int]:
    """(required, trained) as the page shows them."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    required = re.search(r'<span class="big">(\d+)</span> cán bộ phải tập huấn', html)
    trained = re.search(r'<span class="big">(\d+)</span> cán bộ đã tập huấn', html)
    return int(required.group(1)), int(trained.group(1))


def _kept(client, renders, path: str = PAGE) -> str:
    """The page, asked twice: the second time from the copy (not rendered again)."""
    client.get(path)
    before = renders.count("reports/coverage.html")
    html = client.get(path).get_data(as_text=True)
    assert renders.count("reports/coverage.html") == before, "the page was not kept"
    return html


def test_the_page_is_kept_and_served_again(scene, renders):
    tinh = scene["clients"]["tinh"]
    first = tinh.get(PAGE).get_data(as_text=True)
    assert renders.count("reports/coverage.html") == 1
    second = tinh.get(PAGE).get_data(as_text=True)
    assert renders.count("reports/coverage.html") == 1
    assert second == first
    assert "cán bộ phải tập huấn" in second


def test_a_completion_is_shown_at_once(scene, renders, course):
    tinh = scene["clients"]["tinh"]
    _kept(tinh, renders)
    assert _summary(tinh) == (3, 0)
    record_completion(scene["people"]["a1x"], course)
    db.session.commit()
    assert _summary(tinh) == (3, 1)
    # and the page of A, kept by A's manager before, too
    ql_a = scene["clients"]["ql-a"]
    assert _summary(ql_a) == (2, 1)


def test_a_regrade_is_shown_at_once(app, scene, renders, tree, make_user, course):
    from tests.quizzes.test_essay_grading import add_essay
    from tests.quizzes.test_grading_rules import _submit_with_essay
    from tests.quizzes.test_learner_journey import study_all_lessons

    essay = add_essay(course)
    make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["province"], Role.TRAINER, email="gv@test.vn")
    learner, grader = app.test_client(), app.test_client()
    login(learner, "hv@test.vn")
    study_all_lessons(learner)
    attempt = _submit_with_essay(learner, essay, skip={"t-04"})
    login(grader, "gv@test.vn")
    tinh = scene["clients"]["tinh"]
    grader.post(f"/cham-bai/{attempt.id}", data={f"diem-{essay.id}": "100"})
    _kept(tinh, renders)
    assert _summary(tinh) == (4, 1)
    grader.post(
        f"/cham-bai/{attempt.id}",
        data={f"diem-{essay.id}": "0", f"nhan-xet-{essay.id}": "Chưa đủ."},
    )
    assert _summary(tinh) == (4, 0)


def test_a_roster_import_is_shown_at_once(scene, renders, tree):
    from app.roster.services import import_roster

    tinh = scene["clients"]["tinh"]
    _kept(tinh, renders)
    assert _summary(tinh) == (3, 0)
    rows = [(2, {"full_name": "Mới Nhập", "unit_code": "B1", "email": "moi@test.vn"})]
    summary = import_roster(tree["province"], rows, None)
    assert summary.created == 1
    assert _summary(tinh) == (4, 0)


def test_a_tree_move_and_a_rename_are_shown_at_once(scene, renders, tree):
    from app.tree.moves import move_unit

    ql_a = scene["clients"]["ql-a"]
    page_of_a = f"{PAGE}/{tree['A'].id}"
    html = _kept(ql_a, renders, page_of_a)
    assert "CĐCS A1" in html and _summary(ql_a, page_of_a) == (2, 0)
    move_unit(None, db.session.get(OrgUnit, tree["A1"].id), db.session.get(OrgUnit, tree["B"].id))
    html = ql_a.get(page_of_a).get_data(as_text=True)
    assert "CĐCS A1" not in html and _summary(ql_a, page_of_a) == (0, 0)

    _kept(ql_a, renders, page_of_a)
    db.session.get(OrgUnit, tree["A2"].id).name = "CĐCS A2 đổi tên"
    db.session.commit()
    assert "CĐCS A2 đổi tên" in ql_a.get(page_of_a).get_data(as_text=True)


def test_a_course_title_and_a_rebuild_move_the_page_on(scene, renders, course):
    tinh = scene["clients"]["tinh"]
    _kept(tinh, renders)
    course.title = "Khóa thử — tên mới"
    db.session.commit()
    assert "Khóa thử — tên mới" in tinh.get(PAGE).get_data(as_text=True)

    province = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "P"))
    before = coverage_stamps.unit_stamp(province.id)
    _kept(tinh, renders)
    rendered = renders.count("reports/coverage.html")
    coverage_upkeep.rebuild()
    db.session.commit()  # as `flask coverage rebuild` does
    after = coverage_stamps.unit_stamp(province.id)
    assert after[:2] == before[:2] and after[2] > before[2]
    tinh.get(PAGE)
    assert renders.count("reports/coverage.html") == rendered + 1  # drawn again, not the copy


def test_a_page_is_never_shown_outside_the_scope(scene, renders, tree):
    clients = scene["clients"]
    page_of_a = f"{PAGE}/{tree['A'].id}"
    html = _kept(clients["tinh"], renders, page_of_a)
    assert "LĐLĐ tỉnh Thử nghiệm" in html  # the province admin's breadcrumbs start above A
    # B's manager asks for A's page, kept for the province admin: refused, nothing served
    response = clients["ql-b"].get(page_of_a)
    assert response.status_code == 404
    assert "CĐCS A1" not in response.get_data(as_text=True)
    # A's manager gets A's page, with his own breadcrumbs (nothing above his unit)
    mine = clients["ql-a"].get(page_of_a).get_data(as_text=True)
    assert "CĐCS A1" in mine
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', mine, re.S).group(0)
    assert "LĐLĐ tỉnh Thử nghiệm" not in crumbs
    # each manager's own page is his own unit's
    assert "CĐCS B1" in clients["ql-b"].get(PAGE).get_data(as_text=True)
    assert "CĐCS B1" not in clients["ql-a"].get(PAGE).get_data(as_text=True)


def test_a_revoked_grant_ends_access_to_a_kept_page(scene, renders, tree):
    from app.org.models import RoleGrant, User

    ql_a = scene["clients"]["ql-a"]
    page_of_a = f"{PAGE}/{tree['A'].id}"
    _kept(ql_a, renders, page_of_a)
    manager = db.session.scalar(select(User).where(User.email == "ql-a@test.vn"))
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == manager.id))
    grant.revoked_at = grant.granted_at
    db.session.commit()
    assert ql_a.get(page_of_a).status_code == 403
