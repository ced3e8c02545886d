"""Acceptance 4: nobody sees beyond their scope — tested per route, forbidden paths first."""

import pytest

from app.core.dates import local_today
from app.org.models import Role
from tests.conftest import login
from tests.quizzes.test_learner_journey import take_quiz


@pytest.fixture
def people(tree, make_user, course, plan):
    people = {
        "manager_a": make_user(
            tree["A"], Role.UNIT_MANAGER, email="qa@test.vn", name="Quản Lý Ngành A"
        ),
        "learner_a1": make_user(tree["A1"], email="a1@test.vn", name="Học Viên A Một"),
        "learner_b1": make_user(tree["B1"], email="b1@test.vn", name="Học Viên B Một"),
        "admin": make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn"),
    }
    plan(local_today().year)  # after the officers exist: it requires the course of each
    return people


def test_learner_cannot_open_another_officers_attempt(client, people):
    login(client, "b1@test.vn")
    attempt, form = take_quiz(client)
    client.post("/dang-xuat")
    login(client, "a1@test.vn")
    assert client.get(f"/bai-lam/{attempt.id}").status_code == 404
    assert client.get(f"/bai-lam/{attempt.id}/ket-qua").status_code == 404
    assert client.post(f"/bai-lam/{attempt.id}", data=form).status_code == 404
    from app.extensions import db
    from app.quizzes.models import Attempt

    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).submitted_at is None  # nothing changed


@pytest.mark.parametrize(
    "path", ["/bao-cao/bao-phu", "/bao-cao/bao-phu/{P}", "/bao-cao/bao-phu/{P}/can-bo"]
)
def test_learner_cannot_see_coverage(client, people, tree, path):
    login(client, "a1@test.vn")
    assert client.get(path.format(P=tree["A1"].id)).status_code == 403


@pytest.mark.parametrize("unit", ["B", "B1", "province", "national"])
@pytest.mark.parametrize("path", ["/bao-cao/bao-phu/{id}", "/bao-cao/bao-phu/{id}/can-bo"])
def test_unit_manager_refused_outside_subtree(client, people, tree, unit, path):
    login(client, "qa@test.vn")
    response = client.get(path.format(id=tree[unit].id))
    assert response.status_code == 404
    assert "Học Viên B Một" not in response.get_data(as_text=True)


def test_unit_manager_sees_own_subtree_and_names(client, people, tree):
    login(client, "qa@test.vn")
    page = client.get("/bao-cao/bao-phu").get_data(as_text=True)
    assert "CĐCS A1" in page and "CĐCS A2" in page and "CĐCS B1" not in page
    names = client.get(f"/bao-cao/bao-phu/{tree['A1'].id}/can-bo").get_data(as_text=True)
    assert "Học Viên A Một" in names and "Học Viên B Một" not in names
    everyone = client.get(f"/bao-cao/bao-phu/{tree['A'].id}/can-bo").get_data(as_text=True)
    assert "Học Viên B Một" not in everyone


def test_province_admin_sees_whole_province(client, people, tree):
    login(client, "admin@test.vn")
    page = client.get("/bao-cao/bao-phu").get_data(as_text=True)
    assert "Công đoàn ngành A" in page and "Công đoàn ngành B" in page
    assert client.get(f"/bao-cao/bao-phu/{tree['B1'].id}/can-bo").status_code == 200
    assert client.get(f"/bao-cao/bao-phu/{tree['national'].id}").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, people):
    for path in ["/bang-dieu-khien", "/bao-cao/bao-phu", "/khoa-hoc/khoa-thu"]:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/?next=")
