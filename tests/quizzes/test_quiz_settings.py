"""Quiz settings: attempts allowed, server-side time limit, exam blueprint, shuffling."""

import random
from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.extensions import db
from app.quizzes import services
from app.quizzes.models import Attempt, Question
from tests.conftest import login
from tests.quizzes.test_learner_journey import answer_form, take_quiz


def test_attempts_allowed_are_enforced(client, tree, make_user, course):
    course.max_attempts = 2
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    for _ in range(2):
        attempt, form = take_quiz(client, right=False)
        client.post(f"/bai-lam/{attempt.id}", data=form)
    refused = client.post("/khoa-hoc/khoa-thu/kiem-tra", follow_redirects=True)
    assert "Bạn đã dùng hết 2 lần làm bài" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 2


def test_time_limit_is_enforced_by_the_server(client, tree, make_user, course):
    course.time_limit_minutes = 10
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    attempt, form = take_quiz(client)
    assert attempt.deadline_at - attempt.started_at == timedelta(minutes=10)
    assert "Hạn nộp bài" in client.get(f"/bai-lam/{attempt.id}").get_data(as_text=True)
    attempt.deadline_at = utcnow() - timedelta(minutes=5)  # the officer came back too late
    db.session.commit()
    client.post(f"/bai-lam/{attempt.id}", data=form)
    db.session.expire_all()
    late = db.session.get(Attempt, attempt.id)
    assert late.timed_out and late.score == 0.0 and not late.passed
    review = client.get(f"/bai-lam/{attempt.id}/ket-qua").get_data(as_text=True)
    assert "hết thời gian làm bài" in review


def test_within_the_time_limit_counts(client, tree, make_user, course):
    course.time_limit_minutes = 10
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    attempt, form = take_quiz(client)
    client.post(f"/bai-lam/{attempt.id}", data=form)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 100.0


@pytest.mark.parametrize("seed", range(5))
def test_blueprint_draws_n_per_category(app, course, seed):
    questions = db.session.scalars(db.select(Question).order_by(Question.position)).all()
    categories = ["Mục tiêu", "Mục tiêu", "Báo cáo", "Báo cáo"]
    for question, category in zip(questions, categories, strict=True):
        question.category = category
    course.draw_per_category = {"Mục tiêu": 1, "Báo cáo": 2}
    db.session.commit()
    drawn = services.draw_questions(course, random.Random(seed))
    assert [q.category for q in drawn].count("Mục tiêu") == 1
    assert [q.category for q in drawn].count("Báo cáo") == 2


def test_no_shuffle_keeps_the_written_order(client, tree, make_user, course):
    course.shuffle_answers = False
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    attempt, _ = take_quiz(client)
    assert attempt.answers["_order"] == {}
    assert answer_form(attempt)  # still answerable


def test_review_after_pass_hides_answers_until_passed(client, tree, make_user, course):
    course.review_answers = "after_pass"
    course.review_wrong_on_fail = False  # a failed attempt shows only its score
    course.max_attempts = 3
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    failed, form = take_quiz(client, right=False)
    client.post(f"/bai-lam/{failed.id}", data=form)
    hidden = client.get(f"/bai-lam/{failed.id}/ket-qua").get_data(as_text=True)
    assert "Đáp án đúng:" not in hidden and "Kế hoạch đặt mục tiêu 100%." not in hidden
    assert "sẽ hiện khi bạn đạt" in hidden
    passed, form = take_quiz(client)
    client.post(f"/bai-lam/{passed.id}", data=form)
    shown = client.get(f"/bai-lam/{passed.id}/ket-qua").get_data(as_text=True)
    assert "Đáp án đúng:" in shown and "Kế hoạch đặt mục tiêu 100%." in shown
