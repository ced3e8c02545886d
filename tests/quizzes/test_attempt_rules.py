"""Issue 15, Build 2: review options and attempt rules, enforced on the server.

A failed attempt shows which questions were wrong and why, never the right answers; attempts
per day and the wait after two failed attempts hold the officer back (the refusal says until
when, in Vietnam's time); consecutive attempts draw different questions when the bank allows.
"""

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.core.dates import format_datetime
from app.core.db import utcnow
from app.extensions import db
from app.org.models import Role
from app.quizzes import rules
from app.quizzes.models import Attempt, Question
from tests.conftest import ROOT, login, own_every_course
from tests.quizzes.test_learner_journey import take_quiz

# The right answers of the fixture course as the review page would write them.
RIGHT_TEXTS = ["Đáp án đúng:", "06 tháng; hằng năm"]


def attempts_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt))


def fail_once(client):
    attempt, form = take_quiz(client, right=False)
    client.post(f"/bai-lam/{attempt.id}", data=form)
    return attempt


def test_defaults_are_on(app, course):
    assert (course.attempts_per_day, course.retry_wait_minutes) == (3, 30)
    assert course.review_answers == "after_pass" and course.review_wrong_on_fail is True


def test_failed_attempt_shows_what_was_wrong_not_the_right_answers(client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    failed = fail_once(client)
    page = client.get(f"/bai-lam/{failed.id}/ket-qua").get_data(as_text=True)
    assert page.count("✘ Chưa đúng") == 4
    assert "Cán bộ ở CĐCS là kiêm nhiệm." in page  # the explanation of a wrong answer
    for text in RIGHT_TEXTS:
        assert text not in page
    assert "Đáp án đúng sẽ hiện khi bạn đạt" in page


def test_passed_attempt_shows_the_right_answers(client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    attempt, form = take_quiz(client)
    client.post(f"/bai-lam/{attempt.id}", data=form)
    page = client.get(f"/bai-lam/{attempt.id}/ket-qua").get_data(as_text=True)
    for text in RIGHT_TEXTS:
        assert text in page


def test_right_answers_when_attempts_run_out(client, tree, make_user, course):
    course.max_attempts = 1
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    failed = fail_once(client)
    page = client.get(f"/bai-lam/{failed.id}/ket-qua").get_data(as_text=True)
    assert "Đáp án đúng:" in page


def test_never_shows_right_answers_even_after_a_pass(client, tree, make_user, course):
    course.review_answers = "never"
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    attempt, form = take_quiz(client)
    client.post(f"/bai-lam/{attempt.id}", data=form)
    page = client.get(f"/bai-lam/{attempt.id}/ket-qua").get_data(as_text=True)
    assert "Đáp án đúng:" not in page and page.count("✔ Đúng") == 4


def test_wrong_marks_off_shows_only_the_score(client, tree, make_user, course):
    course.review_wrong_on_fail = False
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    failed = fail_once(client)
    page = client.get(f"/bai-lam/{failed.id}/ket-qua").get_data(as_text=True)
    assert "Chưa đúng" not in page and "Cán bộ ở CĐCS là kiêm nhiệm." not in page
    assert "Đáp án đúng:" not in page and "Chưa đạt" in page


def test_start_page_shows_the_rules(client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    page = client.get("/khoa-hoc/khoa-thu/kiem-tra").get_data(as_text=True)
    assert "Tối đa 3 lần làm bài mỗi ngày." in page
    assert "bạn cần chờ 30 phút trước khi làm lại" in page
    assert "không xem được đáp án đúng" in page


def test_wait_after_two_failed_attempts(client, tree, make_user, course):
    course.attempts_per_day = 0
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    fail_once(client)
    second = fail_once(client)
    db.session.refresh(second)
    refused = client.post("/khoa-hoc/khoa-thu/kiem-tra", follow_redirects=True)
    text = refused.get_data(as_text=True)
    retry_at = format_datetime(second.submitted_at + timedelta(minutes=30))
    assert f"bạn có thể làm lại từ {retry_at}" in text
    assert re.search(r"từ \d\d:\d\d \d\d/\d\d/\d{4}", text)
    assert attempts_count() == 2  # refused: nothing was started
    start_page = client.get("/khoa-hoc/khoa-thu/kiem-tra").get_data(as_text=True)
    assert retry_at in start_page and "Bắt đầu làm bài" not in start_page
    # 31 minutes later the officer may try again
    for attempt in db.session.scalars(select(Attempt)):
        attempt.submitted_at -= timedelta(minutes=31)
    db.session.commit()
    assert client.post("/khoa-hoc/khoa-thu/kiem-tra").status_code == 302
    assert attempts_count() == 3


def test_one_failed_attempt_needs_no_wait(client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    fail_once(client)
    response = client.post("/khoa-hoc/khoa-thu/kiem-tra")
    assert re.search(r"/bai-lam/\d+$", response.headers["Location"])


def test_attempts_per_day(client, tree, make_user, course):
    course.retry_wait_minutes = 0
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    for _ in range(3):
        fail_once(client)
    refused = client.post("/khoa-hoc/khoa-thu/kiem-tra", follow_redirects=True)
    tomorrow = rules.local_day_start_utc(utcnow()) + timedelta(days=1)
    text = refused.get_data(as_text=True)
    assert "Bạn đã làm 3 lần hôm nay" in text
    assert f"từ {format_datetime(tomorrow)}" in text and "00:00" in format_datetime(tomorrow)
    assert attempts_count() == 3
    # yesterday's attempts do not count
    for attempt in db.session.scalars(select(Attempt)):
        attempt.started_at -= timedelta(days=1)
    db.session.commit()
    assert client.post("/khoa-hoc/khoa-thu/kiem-tra").status_code == 302
    assert attempts_count() == 4


def test_an_open_attempt_resumes_whatever_the_rules(client, tree, make_user, course):
    course.attempts_per_day = 1
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    first = client.post("/khoa-hoc/khoa-thu/kiem-tra").headers["Location"]
    again = client.post("/khoa-hoc/khoa-thu/kiem-tra").headers["Location"]
    assert first == again and attempts_count() == 1
    assert "Làm tiếp bài đang dở" in client.get("/khoa-hoc/khoa-thu/kiem-tra").get_data(
        as_text=True
    )


def test_local_day_is_vietnam_day():
    # 18:30 UTC on 05/12 is 01:30 on 06/12 in Hà Nội: the day began at 17:00 UTC on 05/12.
    assert rules.local_day_start_utc(datetime(2026, 12, 5, 18, 30)) == datetime(2026, 12, 5, 17, 0)
    assert rules.local_day_start_utc(datetime(2026, 12, 5, 16, 59)) == datetime(2026, 12, 4, 17, 0)


def _blueprint(course, categories):
    questions = db.session.scalars(select(Question).order_by(Question.position)).all()
    for question, category in zip(questions, categories, strict=True):
        question.category = category
    course.attempts_per_day = 0
    course.retry_wait_minutes = 0


def test_consecutive_attempts_draw_different_questions(client, tree, make_user, course):
    _blueprint(course, ["Mục tiêu", "Mục tiêu", "Báo cáo", "Báo cáo"])
    course.draw_per_category = {"Mục tiêu": 1, "Báo cáo": 1}
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    previous = None
    for _ in range(6):
        attempt = fail_once(client)
        drawn = set(attempt.question_ids)
        assert len(drawn) == 2
        if previous is not None:
            assert not drawn & previous, "a question of the previous attempt came back"
        previous = drawn


def test_a_small_pool_repeats_rather_than_draws_less(client, tree, make_user, course):
    _blueprint(course, ["Mục tiêu", "Mục tiêu", "Mục tiêu", "Báo cáo"])
    course.draw_per_category = {"Mục tiêu": 2, "Báo cáo": 1}
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    first = fail_once(client)
    second = fail_once(client)
    assert len(first.question_ids) == len(second.question_ids) == 3
    # "Báo cáo" has one question: it comes back; "Mục tiêu" keeps one new question at least
    assert len(set(first.question_ids) & set(second.question_ids)) == 2


def test_trainer_edits_the_rules(client, tree, make_user, course):
    own_every_course(make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn"))
    login(client, "gv@test.vn")
    form = client.get("/soan-thao/khoa-hoc/khoa-thu/thong-tin").get_data(as_text=True)
    assert 'name="attempts_per_day"' in form and 'value="3"' in form
    response = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/thong-tin",
        data={
            "title": "Khóa thử nghiệm",
            "pass_mark": "75",
            "attempts_per_day": "5",
            "retry_wait_minutes": "60",
            "review_answers": "never",
            "shuffle_answers": "y",
            "legal_basis-0-doc_id": "kh-nq07",
            "legal_basis-0-title": "Kế hoạch thực hiện Nghị quyết 07/NQ-TLĐ",
            "legal_basis-0-status": "VERIFIED",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert course.attempts_per_day == 3  # a draft until the next publish
    client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    db.session.expire_all()
    assert (course.attempts_per_day, course.retry_wait_minutes) == (5, 60)
    assert course.review_answers == "never" and course.review_wrong_on_fail is False


def test_trainer_form_refuses_out_of_range_rules(client, tree, make_user, course):
    own_every_course(make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn"))
    login(client, "gv@test.vn")
    page = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/thong-tin",
        data={"title": "Khóa thử nghiệm", "pass_mark": "75", "attempts_per_day": "-1"},
    )
    assert page.status_code in (200, 400)
    assert "Từ 0 đến 50 lần." in page.get_data(as_text=True)
    db.session.expire_all()
    assert course.attempts_per_day == 3


def test_rules_survive_export_and_reload(app, course, tmp_path):
    from app.authoring.exporter import course_toml
    from app.authoring.loader import load_courses

    assert "attempts_per_day" not in course_toml(course)  # defaults are not written
    course.attempts_per_day, course.retry_wait_minutes = 5, 0
    course.review_answers, course.review_wrong_on_fail = "never", False
    db.session.commit()
    text = course_toml(course)
    for line in (
        'review = "never"',
        "review_wrong_on_fail = false",
        "attempts_per_day = 5",
        "retry_wait_minutes = 0",
    ):
        assert line in text
    course.attempts_per_day, course.retry_wait_minutes = 3, 30
    course.review_answers, course.review_wrong_on_fail = "after_pass", True
    db.session.commit()
    target = tmp_path / "khoa-thu"
    (target / "lessons").mkdir(parents=True)
    source = ROOT / "tests" / "fixtures" / "courses" / "khoa-thu"
    for lesson in (source / "lessons").iterdir():
        (target / "lessons" / lesson.name).write_bytes(lesson.read_bytes())
    (target / "questions.gift").write_bytes((source / "questions.gift").read_bytes())
    (target / "course.toml").write_text(text, encoding="utf-8")
    assert load_courses(tmp_path, force=True).errors == []
    db.session.expire_all()
    assert (course.attempts_per_day, course.retry_wait_minutes) == (5, 0)
    assert (course.review_answers, course.review_wrong_on_fail) == ("never", False)
