"""Essays are graded by a trainer: the attempt waits, then is decided and counted."""

from sqlalchemy import select

from app.core.dates import local_today
from app.extensions import db
from app.org.models import Role
from app.progress.models import TrainingRecord
from app.quizzes.models import Attempt, Question
from tests.conftest import login
from tests.quizzes.test_learner_journey import answer_form, study_all_lessons, take_quiz


def add_essay(course):
    essay = Question(
        course_id=course.id,
        key="t-essay",
        qtype="essay",
        position=5,
        text="Nêu cách tổ chức sơ kết một phong trào thi đua.",
        data={},
        explanation="Cần nêu thời điểm, thành phần, nội dung, biểu dương.",
    )
    db.session.add(essay)
    db.session.commit()
    return essay


def test_essay_waits_for_a_trainer_then_counts(client, tree, make_user, course, plan):
    essay = add_essay(course)
    officer = make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["province"], Role.TRAINER, email="gv@test.vn")
    make_user(tree["B"], Role.TRAINER, email="gv-b@test.vn")
    plan(local_today().year)
    login(client, "hv@test.vn")
    study_all_lessons(client)
    attempt, form = take_quiz(client)
    form = answer_form(attempt, skip={"t-essay"})
    form[f"q{essay.id}"] = "Tổ chức sơ kết giữa kỳ, biểu dương cá nhân tiêu biểu."
    client.post(f"/bai-lam/{attempt.id}", data=form)
    db.session.expire_all()
    waiting = db.session.get(Attempt, attempt.id)
    assert waiting.pending_grading and waiting.passed is None
    assert waiting.score == 80.0  # 4 of 5 so far
    assert "Chờ giảng viên chấm" in client.get(f"/bai-lam/{attempt.id}/ket-qua").get_data(
        as_text=True
    )
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.user_id == officer.id))
    assert record.completed_on is None

    client.post("/dang-xuat")
    login(client, "gv-b@test.vn")  # a trainer of another branch cannot see it
    assert client.get(f"/cham-bai/{attempt.id}").status_code == 404
    client.post("/dang-xuat")
    login(client, "gv@test.vn")
    assert "Cán bộ Số" in client.get("/cham-bai").get_data(as_text=True)
    bad = client.post(f"/cham-bai/{attempt.id}", data={f"diem-{essay.id}": "150"})
    assert "Nhập điểm từ 0 đến 100." in bad.get_data(as_text=True)
    client.post(f"/cham-bai/{attempt.id}", data={f"diem-{essay.id}": "50"})
    db.session.expire_all()
    graded = db.session.get(Attempt, attempt.id)
    assert not graded.pending_grading and graded.score == 90.0 and graded.passed
    assert db.session.get(TrainingRecord, record.id).completed_on == local_today()


def test_blank_essay_scores_zero_without_waiting(client, tree, make_user, course):
    add_essay(course)
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    attempt, _ = take_quiz(client)
    client.post(f"/bai-lam/{attempt.id}", data=answer_form(attempt, skip={"t-essay"}))
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert not done.pending_grading and done.score == 80.0 and done.passed


def test_learners_and_managers_cannot_grade(client, tree, make_user):
    make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["A"], Role.UNIT_MANAGER, email="ql@test.vn")
    for email in ("hv@test.vn", "ql@test.vn"):
        login(client, email)
        assert client.get("/cham-bai").status_code == 403
        assert client.post("/cham-bai/1", data={}).status_code == 403
        client.post("/dang-xuat")
