"""Bench S5 (issue 18): a quiz submit reads and grades before it writes. On SQLite one writer
holds the database at a time, so the write transaction (BEGIN IMMEDIATE) of a submit holds only
the claim of the attempt and the completion; everything else (the officer, the attempt, the
questions, the grading, the lessons done) is read before, in a reader's transaction. Answers
saved between the reads and the write are not lost, and a submit still counts once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select

from app.core.dates import local_today
from app.extensions import db
from app.progress.models import TrainingRecord
from app.quizzes import services
from app.quizzes.models import Attempt
from tests.conftest import login
from tests.quizzes.test_answers_saved import by_key, one_answer, saved
from tests.quizzes.test_learner_journey import answer_form, study_all_lessons, take_quiz


@pytest.fixture
def learner(client, tree, make_user, course, plan):
    make_user(tree["A1"], email="hv@test.vn")
    plan(local_today().year, date(local_today().year, 12, 31))
    login(client, "hv@test.vn")
    study_all_lessons(client)
    return client


class Transactions:
    """The statements each transaction ran, as the driver saw them (BEGIN … COMMIT)."""

    def __init__(self):
        self.all: list[list[str]] = []

    def __call__(self, conn, cursor, statement, *args):
        words = statement.split()
        if words and words[0] == "BEGIN":
            self.all.append([])
        if self.all:
            self.all[-1].append(" ".join(words[:6]))

    def writers(self) -> list[list[str]]:
        return [t for t in self.all if t[0].startswith("BEGIN IMMEDIATE")]


@pytest.fixture
def transactions(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL locks rows")
    seen = Transactions()
    event.listen(db.engine, "before_cursor_execute", seen)
    yield seen
    event.remove(db.engine, "before_cursor_execute", seen)


def test_a_passing_submit_holds_the_write_lock_only_for_its_writes(learner, transactions):
    attempt, form = take_quiz(learner)
    transactions.all.clear()
    response = learner.post(f"/bai-lam/{attempt.id}", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/ket-qua")
    writers = transactions.writers()
    assert len(writers) == 1, transactions.all
    body = writers[0][1:]
    # the claim first, then the completion: the officer's record read and written …
    assert body[0].startswith("UPDATE attempts SET"), body
    assert any(s.startswith("UPDATE training_records SET completed_on") for s in body), body
    assert all("attempts" in s or "training_records" in s for s in body), body
    assert not any(s.startswith("SELECT attempts") for s in body), body  # no second look
    # … and none of the reads: the officer, the questions, the course, the lessons done
    readers = [s for t in transactions.all if t not in writers for s in t]
    for table in ("users", "questions", "courses", "lessons", "lesson_progress"):
        assert any(f"{table}." in s for s in readers), (table, readers)
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert done.is_submitted and done.passed and done.score == 100.0
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.attempt_id == done.id))
    assert record is not None and record.completed_on == local_today()


def test_an_undisturbed_submit_is_graded_once_and_claimed_at_once(learner, monkeypatch):
    """The claim's check of the saved answers matches what is stored (both databases): a
    miss would grade everything again inside the write transaction."""
    graded = []
    real_grade = services._grade
    monkeypatch.setattr(services, "_grade", lambda *a: graded.append(a) or real_grade(*a))
    attempt, form = take_quiz(learner)
    learner.post(f"/bai-lam/{attempt.id}/luu", data=one_answer(attempt, "t-03"))  # saved first
    learner.post(f"/bai-lam/{attempt.id}", data=form)
    assert len(graded) == 1
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 100.0


def _between_reads_and_writes(monkeypatch, write):
    """Run `write` (another request's committed transaction) after the submit has read and
    graded, just before its write transaction."""
    real = services.writing

    def racing(session):
        with db.engine.begin() as other:
            write(other)
        return real(session)

    monkeypatch.setattr(services, "writing", racing)


def _t04_saved_in_another_tab(attempt, form) -> tuple:
    """The submit form without question t-04, and another tab's save of t-04 (right) with
    the answers saved so far. Plain values only: the save runs inside the request."""
    attempt_id, t04_id = attempt.id, str(by_key(attempt)["t-04"].id)
    answers = {
        **db.session.get(Attempt, attempt_id).answers,
        t04_id: answer_form(attempt)[f"q{t04_id}"],
    }

    def save(other):
        other.execute(
            Attempt.__table__.update().where(Attempt.id == attempt_id).values(answers=answers)
        )

    without_t04 = {k: v for k, v in form.items() if k != f"q{t04_id}"}
    return save, {**without_t04, "xac-nhan": "1"}, t04_id, answers[t04_id]


def test_an_answer_saved_meanwhile_is_graded_not_lost(learner, monkeypatch):
    attempt, form = take_quiz(learner)
    save, submit_form, t04_id, t04_answer = _t04_saved_in_another_tab(attempt, form)
    _between_reads_and_writes(monkeypatch, save)
    response = learner.post(f"/bai-lam/{attempt.id}", data=submit_form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/ket-qua")
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert done.is_submitted and done.score == 100.0 and done.passed
    assert saved(attempt.id)[t04_id] == t04_answer
    assert set(saved(attempt.id)) == {str(q) for q in attempt.question_ids}


def test_a_submit_that_lands_meanwhile_stands_and_counts_once(learner, monkeypatch):
    attempt, form = take_quiz(learner)
    attempt_id = attempt.id

    def submit_from_another_device(other):
        other.execute(
            Attempt.__table__.update()
            .where(Attempt.id == attempt_id)
            .values(submitted_at=func.current_timestamp(), score=0.0, passed=False)
        )

    _between_reads_and_writes(monkeypatch, submit_from_another_device)
    response = learner.post(f"/bai-lam/{attempt.id}", data=form, follow_redirects=True)
    assert "đã được nộp trước đó" in response.get_data(as_text=True)
    db.session.expire_all()
    done = db.session.get(Attempt, attempt.id)
    assert done.score == 0.0 and done.passed is False  # the first submit stands
    assert saved(attempt.id) == {}  # and what it stored (nothing): this one changed nothing
    completed = select(func.count()).where(TrainingRecord.completed_on.is_not(None))
    assert db.session.scalar(completed) == 0


def test_the_race_test_sees_a_missing_guard(learner, monkeypatch):
    """Without the claim's check of the saved answers, the answer saved meanwhile is lost
    (the submit stores the answers it read): the test above would catch it."""
    real_claim = services._claim
    monkeypatch.setattr(services, "_claim", lambda attempt, graded, *_: real_claim(attempt, graded))
    attempt, form = take_quiz(learner)
    save, submit_form, t04_id, _ = _t04_saved_in_another_tab(attempt, form)
    _between_reads_and_writes(monkeypatch, save)
    learner.post(f"/bai-lam/{attempt.id}", data=submit_form)
    assert t04_id not in saved(attempt.id)
    assert db.session.get(Attempt, attempt.id).score == 75.0


def test_a_submit_with_blank_questions_saves_them_in_a_write_transaction(learner, transactions):
    attempt, form = take_quiz(learner)
    t04 = by_key(attempt)["t-04"]
    transactions.all.clear()
    data = {**one_answer(attempt, "t-01"), "shown": [str(q) for q in attempt.question_ids]}
    response = learner.post(f"/bai-lam/{attempt.id}", data=data)
    assert response.headers["Location"].endswith("/nop")  # the summary of blank questions
    # the save's UPDATE in a writer's transaction (never a reader's, which SQLite could not
    # turn into a writer's once another request has written)
    updates = [t for t in transactions.all if any(s.startswith("UPDATE attempts") for s in t)]
    assert len(updates) == 1 and updates[0] in transactions.writers()
    assert str(by_key(attempt)["t-01"].id) in saved(attempt.id)
    assert saved(attempt.id)[str(t04.id)] == ""  # shown, left blank
    assert not db.session.get(Attempt, attempt.id).is_submitted
