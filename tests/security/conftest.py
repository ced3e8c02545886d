"""A small world for the security suite: one user per role, the fixture course (owned by the
trainer), a class, a submitted and an open attempt and a certificate of the learner, an
invitation and a reset link, a question image, and a signed-in client per role."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.org.models import Role
from tests.conftest import login, own_every_course

ROLES = ("anonymous", "learner", "trainer", "manager", "admin")


@pytest.fixture
def world(app, tree, make_user, course, plan):
    from datetime import date

    from app.auth import tokens
    from app.auth.models import TokenKind
    from app.certificates import services as certificates
    from app.classes.services import create_class
    from app.courses.models import Lesson
    from app.org.grants import add_grant
    from app.progress.records import complete as record_completion
    from app.quizzes.models import Question, QuestionFile

    learner = make_user(tree["A1"], Role.LEARNER, name="Học Viên Một", email="hv@test.vn")
    trainer = make_user(tree["A1"], Role.TRAINER, name="Giảng Viên", email="gv@test.vn")
    manager = make_user(tree["A"], Role.UNIT_MANAGER, name="Quản Lý A", email="ql@test.vn")
    admin = make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn")
    outsider = make_user(tree["B1"], Role.LEARNER, name="Ngoài Phạm Vi", email="b1@test.vn")
    outsider_grant = add_grant(outsider, Role.TRAINER, tree["B1"])
    # a second trainer of A1 who owns no course (the non-owner answers)
    make_user(tree["A1"], Role.TRAINER, name="Giảng Viên Khác", email="gv2@test.vn")
    newcomer = make_user(tree["A1"], Role.LEARNER, name="Người Mới", email="moi@test.vn")
    invite = tokens.issue(newcomer, TokenKind.INVITE, admin.id)
    reset = tokens.issue(outsider, TokenKind.RESET, None)
    image = QuestionFile(
        course_id=course.id, sha256="0" * 64, name="hinh.png", mimetype="image/png", content=b"x"
    )
    db.session.add(image)
    db.session.commit()
    own_every_course(trainer)
    # a course not yet published, with an image: its owner (the trainer) and the admin see it
    from app.authoring.services import create_course

    draft_course = create_course("khoa-nhap", {"title": "Khóa đang soạn"}, trainer)
    draft_image = QuestionFile(
        course_id=draft_course.id,
        sha256="1" * 64,
        name="nhap.png",
        mimetype="image/png",
        content=b"y",
    )
    db.session.add(draft_image)
    db.session.commit()
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
    opened = client.post(f"/khoa-hoc/{course.slug}/kiem-tra")
    open_attempt_id = int(opened.headers["Location"].rstrip("/").split("/")[-1])
    assert open_attempt_id != attempt_id
    return {
        "users": {"learner": learner, "trainer": trainer, "manager": manager, "admin": admin},
        "emails": {
            "learner": "hv@test.vn",
            "trainer": "gv@test.vn",
            "other_trainer": "gv2@test.vn",
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
            "trainer": trainer.id,
            "manager": manager.id,
            "trainer_grant": trainer.grants[0].id,
            "manager_grant": manager.grants[0].id,
            "outsider_grant": outsider_grant.id,
            "unit": tree["A"].id,
            "sub_unit": tree["A1"].id,
            "other_unit": tree["B"].id,
            "klass": klass.id,
            "attempt": attempt_id,
            "open_attempt": open_attempt_id,
            "record": record.id,
            "token": "a" * 32,
            "cert": certificate.token,
            "invite": invite,
            "reset": reset,
            "doc": "kh-nq07",
            "image": image.id,
            "draft_image": draft_image.id,
        },
    }


@pytest.fixture
def role_client(app, world):
    """role_client("trainer") → a test client signed in as that role (anonymous: none);
    "other_trainer" is a trainer of the same unit who owns no course."""

    def make(role: str):
        client = app.test_client()
        if role != "anonymous":
            login(client, world["emails"][role])
        return client

    return make
