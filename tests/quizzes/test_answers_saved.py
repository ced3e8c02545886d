"""Issue 15, Build 3: no answer lost. Answers are saved on the server as the officer works
(the page's script, or "Lưu và tiếp tục" without it); the attempt resumes anywhere with every
answer in place; nobody saves into another officer's attempt or a submitted one; a busy
database keeps what was saved; an expired attempt is graded with what was saved in time."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from app.core.db import utcnow
from app.extensions import db
from app.quizzes import saving
from app.quizzes.models import Attempt, Question
from tests.conftest import csrf_token, login
from tests.quizzes.test_learner_journey import RIGHT, answer_form, take_quiz

JSON = {"Accept": "application/json"}


def by_key(attempt) -> dict[str, Question]:
    questions = [db.session.get(Question, qid) for qid in attempt.question_ids]
    return {q.key: q for q in questions}


def one_answer(attempt, key: str, right=True) -> dict:
    """Form data answering only question `key`, with the `shown` marker of that question."""
    question = by_key(attempt)[key]
    data = {k: v for k, v in answer_form(attempt, right).items() if k == f"q{question.id}"}
    return {**data, "shown": str(question.id)}


def saved(attempt_id: int) -> dict:
    db.session.expire_all()
    answers = dict(db.session.get(Attempt, attempt_id).answers)
    answers.pop("_order", None)
    return answers


@pytest.fixture
def officer(client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    return client


def test_save_and_continue_without_javascript(officer):
    attempt, _ = take_quiz(officer)
    t01 = by_key(attempt)["t-01"]
    response = officer.post(
        f"/bai-lam/{attempt.id}/luu", data={**one_answer(attempt, "t-01"), "goto": "2"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("trang=2")
    assert saved(attempt.id) == {str(t01.id): one_answer(attempt, "t-01")[f"q{t01.id}"]}
    page = officer.get(f"/bai-lam/{attempt.id}").get_data(as_text=True)
    assert f'value="{saved(attempt.id)[str(t01.id)][0]}" checked' in page
    assert "Đã trả lời 1/4" in page


def test_autosave_answers_json_and_counts(officer):
    attempt, _ = take_quiz(officer)
    response = officer.post(
        f"/bai-lam/{attempt.id}/luu", data=one_answer(attempt, "t-04"), headers=JSON
    )
    assert response.status_code == 200
    assert response.get_json()["answered"] == 1 and response.get_json()["total"] == 4
    assert len(response.get_json()["unanswered"]) == 3
    assert saved(attempt.id) == {str(by_key(attempt)["t-04"].id): "15%"}


def test_a_save_keeps_the_answers_of_other_pages_and_clears_unticked(officer):
    attempt, _ = take_quiz(officer)
    officer.post(f"/bai-lam/{attempt.id}/luu", data=one_answer(attempt, "t-01"), headers=JSON)
    officer.post(f"/bai-lam/{attempt.id}/luu", data=one_answer(attempt, "t-02"), headers=JSON)
    keys = by_key(attempt)
    assert set(saved(attempt.id)) == {str(keys["t-01"].id), str(keys["t-02"].id)}
    # every box of t-02 unticked: the page lists it in `shown` and sends no value
    officer.post(f"/bai-lam/{attempt.id}/luu", data={"shown": str(keys["t-02"].id)}, headers=JSON)
    answers = saved(attempt.id)
    assert answers[str(keys["t-02"].id)] == [] and answers[str(keys["t-01"].id)]


def test_resume_on_another_device_with_every_answer(app, officer, course):
    attempt, form = take_quiz(officer)
    officer.post(f"/bai-lam/{attempt.id}/luu", data={**form, "shown": ""}, headers=JSON)
    phone = app.test_client()
    login(phone, "hv@test.vn")
    location = phone.post("/khoa-hoc/khoa-thu/kiem-tra").headers["Location"]
    assert location.endswith(f"/bai-lam/{attempt.id}")
    page = phone.get(location).get_data(as_text=True)
    assert "Đã trả lời 4/4" in page
    t04 = by_key(attempt)["t-04"]
    assert f'name="q{t04.id}" autocomplete="off" value="15%"' in page


def test_submit_grades_the_saved_answers(officer):
    attempt, form = take_quiz(officer)
    officer.post(f"/bai-lam/{attempt.id}/luu", data=form, headers=JSON)
    officer.post(f"/bai-lam/{attempt.id}", data={"xac-nhan": "1"})
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert done.is_submitted and done.score == 100.0 and done.passed


def test_blank_questions_lead_to_the_summary_first(officer):
    attempt, _ = take_quiz(officer)
    keys = by_key(attempt)
    shown = [str(q.id) for q in keys.values()]
    data = {**one_answer(attempt, "t-01"), "shown": shown}
    response = officer.post(f"/bai-lam/{attempt.id}", data=data)
    assert response.headers["Location"].endswith(f"/bai-lam/{attempt.id}/nop")
    db.session.expire_all()
    assert not db.session.get(Attempt, attempt.id).is_submitted
    summary = officer.get(f"/bai-lam/{attempt.id}/nop").get_data(as_text=True)
    assert "Đã trả lời 1/4" in summary and summary.count('<li><a href="/bai-lam/') == 3
    officer.post(f"/bai-lam/{attempt.id}", data={"xac-nhan": "1"})
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert done.is_submitted and done.score == 25.0


def test_saving_into_another_officers_attempt_is_refused(app, officer, tree, make_user):
    attempt, _ = take_quiz(officer)
    officer.post(f"/bai-lam/{attempt.id}/luu", data=one_answer(attempt, "t-01"), headers=JSON)
    before = saved(attempt.id)
    make_user(tree["A1"], email="khac@test.vn")
    other = app.test_client()
    login(other, "khac@test.vn")
    wrong = one_answer(attempt, "t-01", right=False)
    assert other.post(f"/bai-lam/{attempt.id}/luu", data=wrong, headers=JSON).status_code == 404
    assert other.post(f"/bai-lam/{attempt.id}/luu", data=wrong).status_code == 404
    assert other.get(f"/bai-lam/{attempt.id}/nop").status_code == 404
    assert saved(attempt.id) == before


def test_saving_into_a_submitted_attempt_is_refused(officer):
    attempt, form = take_quiz(officer)
    officer.post(f"/bai-lam/{attempt.id}", data=form)
    db.session.expire_all()
    before = saved(attempt.id)
    score = db.session.get(Attempt, attempt.id).score
    wrong = one_answer(attempt, "t-01", right=False)
    response = officer.post(f"/bai-lam/{attempt.id}/luu", data=wrong, headers=JSON)
    assert response.status_code == 409 and "đã được nộp" in response.get_json()["error"]
    assert response.get_json()["review_url"].endswith("/ket-qua")
    assert officer.post(f"/bai-lam/{attempt.id}/luu", data=wrong).status_code == 302
    assert saved(attempt.id) == before
    assert db.session.get(Attempt, attempt.id).score == score == 100.0


def test_save_needs_the_csrf_token(app, officer):
    attempt, _ = take_quiz(officer)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        data = one_answer(attempt, "t-04")
        response = officer.post(f"/bai-lam/{attempt.id}/luu", data=data, headers=JSON)
        assert response.status_code == 400 and saved(attempt.id) == {}
        token = csrf_token(officer.get(f"/bai-lam/{attempt.id}").get_data(as_text=True))
        headers = {**JSON, "X-CSRFToken": token}
        response = officer.post(f"/bai-lam/{attempt.id}/luu", data=data, headers=headers)
        assert response.status_code == 200 and len(saved(attempt.id)) == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_busy_database_keeps_what_was_saved(officer, monkeypatch):
    attempt, _ = take_quiz(officer)
    officer.post(f"/bai-lam/{attempt.id}/luu", data=one_answer(attempt, "t-01"), headers=JSON)
    before = saved(attempt.id)

    def locked(*args, **kwargs):
        raise OperationalError("UPDATE attempts", {}, Exception("database is locked"))

    monkeypatch.setattr(saving, "save_answers", locked)
    response = officer.post(f"/bai-lam/{attempt.id}/luu", data=one_answer(attempt, "t-04"))
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "các câu trả lời đã lưu trước đó vẫn được giữ" in response.get_data(as_text=True)
    assert saved(attempt.id) == before


def test_expired_attempt_is_graded_with_what_was_saved(officer, course):
    course.time_limit_minutes = 10
    db.session.commit()
    attempt, form = take_quiz(officer)
    officer.post(f"/bai-lam/{attempt.id}/luu", data=one_answer(attempt, "t-01"), headers=JSON)
    db.session.expire_all()
    late = db.session.get(Attempt, attempt.id)
    late.deadline_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    # the next request that touches it submits it; the late answers are not taken
    response = officer.post(f"/bai-lam/{attempt.id}/luu", data=form, headers=JSON)
    assert response.status_code == 409
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert done.is_submitted and done.timed_out and done.score == 25.0
    assert set(saved(attempt.id)) == {str(by_key(attempt)["t-01"].id)}


def test_expired_attempt_is_submitted_when_the_page_is_opened(officer, course):
    course.time_limit_minutes = 10
    db.session.commit()
    attempt, _ = take_quiz(officer)
    officer.post(f"/bai-lam/{attempt.id}/luu", data=one_answer(attempt, "t-04"), headers=JSON)
    db.session.expire_all()
    db.session.get(Attempt, attempt.id).deadline_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    response = officer.get(f"/bai-lam/{attempt.id}")
    assert response.headers["Location"].endswith("/ket-qua")
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 25.0


def test_double_submit_counts_once(officer):
    attempt, form = take_quiz(officer)
    officer.post(f"/bai-lam/{attempt.id}", data=form)
    second = officer.post(f"/bai-lam/{attempt.id}", data={}, follow_redirects=True)
    assert "đã được nộp trước đó" in second.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 100.0
    assert set(RIGHT) == set(by_key(attempt))


def test_pages_of_five_questions():
    class Q:
        def __init__(self, i):
            self.id = i

    questions = [Q(i) for i in range(1, 13)]
    assert saving.page_count(questions) == 3
    assert [q.id for q in saving.page_of(questions, 3)] == [11, 12]


def test_late_submit_grades_what_was_saved_not_what_it_carries(officer, course):
    course.time_limit_minutes = 10
    db.session.commit()
    attempt, form = take_quiz(officer)
    officer.post(f"/bai-lam/{attempt.id}/luu", data=one_answer(attempt, "t-03"), headers=JSON)
    db.session.expire_all()
    db.session.get(Attempt, attempt.id).deadline_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    officer.post(f"/bai-lam/{attempt.id}", data={**form, "xac-nhan": "1"})
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert done.timed_out and done.score == 25.0 and not done.passed
