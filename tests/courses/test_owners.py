"""Course owners (issue 14, Build 2): only a course's owners and the province admin edit or
publish it; the province admin adds and removes owners. Refused requests change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.courses.models import Course, CourseOwner, CourseVersion, LessonDraft
from app.extensions import db
from app.org.models import Role
from app.quizzes.models import Question
from tests.conftest import login, own_every_course

LESSON = {"title": "Mở đầu mới", "articles": "", "body_md": "Nội dung mới.", "save": "1"}


@pytest.fixture
def people(tree, make_user, course):
    return {
        "admin": make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn"),
        "owner": make_user(tree["province"], Role.TRAINER, email="owner@test.vn"),
        "other": make_user(tree["province"], Role.TRAINER, email="other@test.vn"),
        "learner": make_user(tree["A1"], email="hv@test.vn"),
    }


@pytest.fixture
def owned(people):
    own_every_course(people["owner"])
    return people


def _state():
    db.session.expire_all()
    course = db.session.scalar(select(Course).where(Course.slug == "khoa-thu"))
    return {
        "version": course.version_label,
        "versions": db.session.scalar(select(func.count()).select_from(CourseVersion)),
        "drafts": db.session.scalar(select(func.count()).select_from(LessonDraft)),
        "questions": db.session.scalar(select(func.count()).select_from(Question)),
        "owners": sorted(db.session.execute(select(CourseOwner.user_id)).scalars()),
        "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
    }


def test_trainer_who_does_not_own_the_course_can_neither_edit_nor_publish(client, owned):
    login(client, "other@test.vn")
    before = _state()
    assert client.get("/soan-thao/khoa-hoc/khoa-thu").status_code == 403
    assert client.post("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau", data=LESSON).status_code == 403
    publish = client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    assert publish.status_code == 403
    major = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "major", "due_on": "2099-12-31"}
    )
    assert major.status_code == 403
    assert client.get("/ngan-hang/khoa-thu").status_code == 403  # nor its question bank
    assert _state() == before
    # and the course is not offered in his authoring list
    assert "/soan-thao/khoa-hoc/khoa-thu" not in client.get("/soan-thao/").get_data(as_text=True)


def test_owner_edits_and_publishes(client, owned):
    login(client, "owner@test.vn")
    assert "/soan-thao/khoa-hoc/khoa-thu" in client.get("/soan-thao/").get_data(as_text=True)
    assert client.post("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau", data=LESSON).status_code == 302
    done = client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    assert done.status_code == 302
    assert _state()["version"] == "1.1"


def test_province_admin_edits_without_being_an_owner(client, owned):
    login(client, "admin@test.vn")
    assert client.post("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau", data=LESSON).status_code == 302
    assert (
        client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"}).status_code
        == 302
    )
    assert _state()["version"] == "1.1"


def test_admin_adds_and_removes_an_owner(client, owned):
    other = owned["other"]
    login(client, "admin@test.vn")
    added = client.post("/soan-thao/khoa-hoc/khoa-thu/phu-trach", data={"email": "Other@Test.vn"})
    assert added.status_code == 302
    assert other.id in _state()["owners"]
    page = client.get("/soan-thao/khoa-hoc/khoa-thu/phu-trach").get_data(as_text=True)
    assert other.full_name in page
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "course.owner_add" in actions

    client.post("/dang-xuat")
    login(client, "other@test.vn")
    assert client.post("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau", data=LESSON).status_code == 302

    client.post("/dang-xuat")
    login(client, "admin@test.vn")
    removed = client.post(f"/soan-thao/khoa-hoc/khoa-thu/phu-trach/{other.id}/bo")
    assert removed.status_code == 302
    assert other.id not in _state()["owners"]
    assert "course.owner_remove" in db.session.scalars(select(AuditEvent.action)).all()
    client.post("/dang-xuat")
    login(client, "other@test.vn")
    assert client.get("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau").status_code == 403


def test_an_owner_cannot_add_or_remove_owners(client, owned):
    login(client, "owner@test.vn")
    before = _state()
    add = client.post("/soan-thao/khoa-hoc/khoa-thu/phu-trach", data={"email": "other@test.vn"})
    assert add.status_code == 403
    remove = client.post(f"/soan-thao/khoa-hoc/khoa-thu/phu-trach/{owned['owner'].id}/bo")
    assert remove.status_code == 403
    assert _state() == before


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("hv@test.vn", "chưa có vai trò giảng viên"),
        ("khong-co@test.vn", "Không tìm thấy cán bộ"),
        ("owner@test.vn", "đã phụ trách"),
    ],
)
def test_adding_an_unsuitable_owner_is_refused_with_a_message(client, owned, email, message):
    login(client, "admin@test.vn")
    before = _state()
    response = client.post("/soan-thao/khoa-hoc/khoa-thu/phu-trach", data={"email": email})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _state() == before


def test_the_creator_of_a_course_owns_it(client, people):
    login(client, "other@test.vn")
    created = client.post(
        "/soan-thao/khoa-hoc/moi",
        data={"slug": "khoa-moi", "title": "Khóa mới", "pass_mark": 70, "summary": ""},
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    course = db.session.scalar(select(Course).where(Course.slug == "khoa-moi"))
    assert db.session.get(CourseOwner, (course.id, people["other"].id)) is not None
    assert client.get("/soan-thao/khoa-hoc/khoa-moi").status_code == 200
    assert client.get("/soan-thao/khoa-hoc/khoa-thu").status_code == 403
