"""A small world for the security suite: one user per role, the fixture course, a class, a
submitted attempt and a certificate of the learner, and a signed-in client per role."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.org.models import Role
from tests.conftest import login

ROLES = ("anonymous", "learner", "trainer", "manager", "admin")


@pytest.fixture
def world(app, tree, make_user, course, plan):
    from datetime import date

    from app.courses.models import Lesson
    from app.progress.classes import create_class
    from app.progress.services import record_completion
    from app.quizzes.models import Question
    from app.reports import certificates

    learner = make_user(tree["A1"], Role.LEARNER, name="Học Viên Một", email="hv@test.vn")
    trainer = make_user(tree["A1"], Role.TRAINER, name="Giảng Viên", email="gv@test.vn")
    manager = make_user(tree["A"], Role.UNIT_MANAGER, name="Quản Lý A", email="ql@test.vn")
    admin = make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn")
    outsider = make_user(tree["B1"], Role.LEARNER, name="Ngoài Phạm Vi", email="b1@test.vn")
    plan(date.today().year)
    klass = create_class(trainer, course, date.today(), "Hội trường A1")
    record = record_completion(learner, course, on=date.today())
    db.session.commit()
    client = app.test_client()
    login(client, "hv@test.vn")
    started = client.post(f"/khoa-hoc/{course.slug}/kiem-tra")
    attempt_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    client.post(f"/bai-lam/{attempt_id}", data={})
    lesson = db.session.scalar(db.select(Lesson).where(Lesson.course_id == course.id).limit(1))
    question = db.session.scalar(db.select(Question).where(Question.course_id == course.id))
    certificate = certificates.issue_certificate(record)
    return {
        "users": {"learner": learner, "trainer": trainer, "manager": manager, "admin": admin},
        "emails": {
            "learner": "hv@test.vn",
            "trainer": "gv@test.vn",
            "manager": "ql@test.vn",
            "admin": "admin@test.vn",
        },
        "ids": {
            "slug": course.slug,
            "lesson_slug": lesson.slug,
            "position": 1,
            "key": question.key,
            "officer": learner.id,
            "outsider": outsider.id,
            "unit": tree["A"].id,
            "other_unit": tree["B"].id,
            "klass": klass.id,
            "attempt": attempt_id,
            "record": record.id,
            "token": "a" * 32,
            "cert": certificate.token,
        },
    }


@pytest.fixture
def role_client(app, world):
    """role_client("trainer") → a test client signed in as that role (anonymous: none)."""

    def make(role: str):
        client = app.test_client()
        if role != "anonymous":
            login(client, world["emails"][role])
        return client

    return make
