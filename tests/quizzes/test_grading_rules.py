"""Manual grading has rules: only submitted attempts, never one's own, and a regrade decides
the attempt again — a pass taken away withdraws the completion and revokes the certificate,
with an audit entry; the learner sees the grader's comment and "đang chờ chấm" meanwhile."""

from sqlalchemy import func, select

from app.certificates.models import Certificate
from app.certificates.services import issue_certificate
from app.core.audit import AuditEvent
from app.core.dates import local_today
from app.extensions import db
from app.org.models import Role
from app.progress.models import TrainingRecord
from app.quizzes.models import Attempt
from tests.conftest import login
from tests.quizzes.test_essay_grading import add_essay
from tests.quizzes.test_learner_journey import answer_form, study_all_lessons, take_quiz

ESSAY_TEXT = "Tổ chức sơ kết giữa kỳ, biểu dương cá nhân tiêu biểu."


def _state(attempt_id: int) -> tuple:
    """Everything a grade could change, to check that a refused one changed nothing."""
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    records = db.session.execute(
        select(TrainingRecord.completed_on, TrainingRecord.attempt_id).where(
            TrainingRecord.user_id == attempt.user_id
        )
    ).all()
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
    return (
        attempt.submitted_at,
        dict(attempt.scores or {}),
        attempt.score,
        attempt.passed,
        attempt.pending_grading,
        dict(attempt.grader_comments or {}),
        attempt.graded_by_id,
        sorted(records),
        audits,
    )


def _submit_with_essay(client, essay, skip=()):
    attempt, _ = take_quiz(client)
    form = answer_form(attempt, skip={"t-essay", *skip})
    form[f"q{essay.id}"] = ESSAY_TEXT
    assert client.post(f"/bai-lam/{attempt.id}", data=form).status_code == 302
    return attempt


def test_grading_an_open_attempt_is_refused(client, tree, make_user, course):
    essay = add_essay(course)
    make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["province"], Role.TRAINER, email="gv@test.vn")
    login(client, "hv@test.vn")
    attempt, _ = take_quiz(client)  # started, not submitted
    client.post("/dang-xuat")
    before = _state(attempt.id)

    login(client, "gv@test.vn")
    response = client.post(
        f"/cham-bai/{attempt.id}",
        data={f"diem-{essay.id}": "100", f"nhan-xet-{essay.id}": "Tốt"},
        follow_redirects=True,
    )
    assert "Bài làm chưa nộp nên chưa thể chấm." in response.get_data(as_text=True)
    assert _state(attempt.id) == before
    assert before[0] is None  # still open


def test_grading_ones_own_attempt_is_refused(client, tree, make_user, course, plan):
    essay = add_essay(course)
    make_user(tree["A1"], Role.TRAINER, email="gv@test.vn")
    plan(local_today().year)
    login(client, "gv@test.vn")
    study_all_lessons(client)
    attempt = _submit_with_essay(client, essay)
    before = _state(attempt.id)
    assert before[4] is True  # pending grading

    assert f"/cham-bai/{attempt.id}" not in client.get("/cham-bai").get_data(as_text=True)
    page = client.get(f"/cham-bai/{attempt.id}", follow_redirects=True).get_data(as_text=True)
    assert "Bạn không thể tự chấm bài làm của chính mình." in page
    response = client.post(
        f"/cham-bai/{attempt.id}", data={f"diem-{essay.id}": "100"}, follow_redirects=True
    )
    assert "Bạn không thể tự chấm bài làm của chính mình." in response.get_data(as_text=True)
    assert _state(attempt.id) == before
    assert before[7][0][0] is None  # the plan's record stays not completed


def test_regrade_below_the_pass_mark_revokes_completion_and_certificate(
    client, tree, make_user, course, plan
):
    essay = add_essay(course)
    officer = make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["province"], Role.TRAINER, email="gv@test.vn")
    plan(local_today().year)
    login(client, "hv@test.vn")
    study_all_lessons(client)
    attempt = _submit_with_essay(client, essay, skip={"t-04"})  # 3 of 4 right, essay waits
    client.post("/dang-xuat")

    login(client, "gv@test.vn")
    client.post(f"/cham-bai/{attempt.id}", data={f"diem-{essay.id}": "100"})
    db.session.expire_all()
    graded = db.session.get(Attempt, attempt.id)
    assert graded.score == 80.0 and graded.passed  # (3 + 1) / 5 ≥ 75
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.user_id == officer.id))
    assert record.completed_on == local_today() and record.attempt_id == attempt.id
    certificate = issue_certificate(record)
    assert certificate.is_valid

    client.post(
        f"/cham-bai/{attempt.id}",
        data={f"diem-{essay.id}": "0", f"nhan-xet-{essay.id}": "Chưa nêu thành phần dự."},
    )
    db.session.expire_all()
    regraded = db.session.get(Attempt, attempt.id)
    assert regraded.score == 60.0 and regraded.passed is False
    record = db.session.get(TrainingRecord, record.id)
    assert record.completed_on is None and record.attempt_id is None and record.required
    assert db.session.get(Certificate, certificate.id).status == "revoked"
    actions = [
        (e.action, e.details)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if e.action in ("attempt.regrade", "certificate.revoke")
    ]
    assert [a for a, _d in actions] == ["certificate.revoke", "attempt.regrade"]
    regrade = actions[1][1]
    assert regrade["completion_withdrawn"] is True
    assert regrade["was_passed"] is True and regrade["passed"] is False

    # and back above the mark: completed again, with a new certificate
    client.post(f"/cham-bai/{attempt.id}", data={f"diem-{essay.id}": "100"})
    db.session.expire_all()
    record = db.session.get(TrainingRecord, record.id)
    assert record.completed_on == local_today() and record.attempt_id == attempt.id
    valid = db.session.scalars(select(Certificate).where(Certificate.status == "valid")).all()
    assert len(valid) == 1 and valid[0].id != certificate.id
    assert issue_certificate(record).id == valid[0].id


def test_regrade_keeps_completion_given_by_another_pass(client, tree, make_user, course, plan):
    essay = add_essay(course)
    officer = make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["province"], Role.TRAINER, email="gv@test.vn")
    plan(local_today().year)
    login(client, "hv@test.vn")
    study_all_lessons(client)
    first = _submit_with_essay(client, essay, skip={"t-04"})
    client.post("/dang-xuat")
    login(client, "gv@test.vn")
    client.post(f"/cham-bai/{first.id}", data={f"diem-{essay.id}": "100"})
    client.post("/dang-xuat")
    login(client, "hv@test.vn")
    second, _ = take_quiz(client)  # passes on its own: blank essay, 4 of 5 = 80
    client.post(f"/bai-lam/{second.id}", data=answer_form(second, skip={"t-essay"}))
    client.post("/dang-xuat")

    login(client, "gv@test.vn")
    client.post(f"/cham-bai/{first.id}", data={f"diem-{essay.id}": "0"})
    db.session.expire_all()
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.user_id == officer.id))
    assert record.completed_on == local_today() and record.attempt_id == second.id


def test_learner_sees_waiting_then_the_graders_comment(client, tree, make_user, course):
    essay = add_essay(course)
    make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["province"], Role.TRAINER, email="gv@test.vn")
    login(client, "hv@test.vn")
    attempt = _submit_with_essay(client, essay)
    review = client.get(f"/bai-lam/{attempt.id}/ket-qua").get_data(as_text=True)
    essay_item = review[review.index("Nêu cách tổ chức sơ kết") :]
    essay_item = essay_item[: essay_item.index("</li>")]
    assert "Đang chờ chấm" in essay_item and "Chưa đúng" not in essay_item
    client.post("/dang-xuat")

    login(client, "gv@test.vn")
    form = client.get(f"/cham-bai/{attempt.id}").get_data(as_text=True)
    assert f'name="nhan-xet-{essay.id}"' in form
    client.post(
        f"/cham-bai/{attempt.id}",
        data={f"diem-{essay.id}": "40", f"nhan-xet-{essay.id}": "Cần nêu rõ thành phần dự."},
    )
    client.post("/dang-xuat")
    login(client, "hv@test.vn")
    review = client.get(f"/bai-lam/{attempt.id}/ket-qua").get_data(as_text=True)
    assert "Nhận xét của giảng viên:" in review and "Cần nêu rõ thành phần dự." in review
    assert "Đang chờ chấm" not in review
