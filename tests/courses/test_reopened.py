"""Issue 15, Build 6: after a major version the course page and the dashboard say why the
course reopened (version, date, the trainer's note), and old attempts carry their version."""

from datetime import date, timedelta

from app.authoring.versions import publish_course
from app.core.dates import format_date, local_today
from app.extensions import db
from app.org.models import Role
from tests.conftest import login, own_every_course
from tests.quizzes.test_learner_journey import study_all_lessons, take_quiz

NOTE = "Cập nhật theo Nghị định 98/2023/NĐ-CP: hồ sơ khen thưởng điện tử"


def publish_major(course, trainer):
    return publish_course(
        course, "major", trainer, note=NOTE, due_on=local_today() + timedelta(days=30)
    )


def test_course_reopened_after_a_major_version(client, tree, make_user, course, plan):
    year = local_today().year
    make_user(tree["A1"], email="hv@test.vn")
    trainer = make_user(tree["province"], role=Role.TRAINER)
    own_every_course(trainer)
    plan(year, date(year, 12, 31))
    login(client, "hv@test.vn")
    study_all_lessons(client)
    attempt, form = take_quiz(client)
    client.post(f"/bai-lam/{attempt.id}", data=form)
    assert "mở lại" not in client.get("/khoa-hoc/khoa-thu").get_data(as_text=True)

    version = publish_major(course, trainer)
    published = format_date(version.published_at)
    for path in ("/khoa-hoc/khoa-thu", "/bang-dieu-khien"):
        page = client.get(path).get_data(as_text=True)
        assert "Khóa học mở lại theo phiên bản 2.0" in page, path
        assert f"(ngày {published})" in page and f"Thay đổi: {NOTE}" in page, path
    start = client.get("/khoa-hoc/khoa-thu/kiem-tra").get_data(as_text=True)
    assert "Phiên bản 1" in start and "phiên bản cũ" in start
    old_review = client.get(f"/bai-lam/{attempt.id}/ket-qua").get_data(as_text=True)
    assert "phiên bản 1" in old_review

    # passing the new version: the notice has done its job
    again, form = take_quiz(client)
    assert again.course_version == 2
    client.post(f"/bai-lam/{again.id}", data=form)
    for path in ("/khoa-hoc/khoa-thu", "/bang-dieu-khien"):
        assert "mở lại" not in client.get(path).get_data(as_text=True), path


def test_no_notice_for_an_officer_new_to_the_course(client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    trainer = make_user(tree["province"], role=Role.TRAINER)
    own_every_course(trainer)
    publish_major(course, trainer)
    db.session.commit()
    login(client, "hv@test.vn")
    for path in ("/khoa-hoc/khoa-thu", "/bang-dieu-khien"):
        assert "mở lại" not in client.get(path).get_data(as_text=True), path
