"""Issue 15, acceptance (Chromium, 360 px): a quiz that cannot be passed by copying, and
answers that are never lost.

1. A learner fails, cannot see the right answers, copies the visible text of the result page
   into the next attempt (which draws other questions) and fails again, is then held by the
   wait, and after the wait gets yet another draw and passes.
2. Answer 5 of 15, close the page, sign in on a second browser context, resume with the 5
   answers; block the network mid-quiz, answer, reconnect; the database answers 503 for a
   moment; submit: nothing lost.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import VIEWPORTS
from tests.e2e.helpers import Journey

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent.parent
SLUG = "sat-hach"


@pytest.fixture
def size():
    """The acceptance asks for a phone: these journeys run at 360 px only."""
    return "360"


@pytest.fixture(scope="module")
def learners(server):
    """The rules course and learners of their own (tests/e2e/seed_quiz_rules.py)."""
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "DATABASE_URL": f"sqlite:///{server['db_path']}",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests/e2e/seed_quiz_rules.py"), server["seed"]["password"]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    officers = json.loads(result.stdout.strip().splitlines()[-1])["officers"]
    server["seed"]["officers"].update(officers)  # so that Journey.sign_in knows them
    return officers


def query(db_path: Path, sql: str, *args):
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return conn.execute(sql, args).fetchall()


def choices(db_path: Path, qid: int) -> list[dict]:
    return json.loads(query(db_path, "SELECT data FROM questions WHERE id = ?", qid)[0][0])[
        "choices"
    ]


def right_choice(db_path: Path, qid: int) -> dict:
    return next(c for c in choices(db_path, qid) if c["fraction"] >= 0.999)


def wrong_choice(db_path: Path, qid: int) -> dict:
    return next(c for c in choices(db_path, qid) if c["fraction"] <= 0)


def page_qids(page) -> list[int]:
    return [int(v) for v in page.locator("input[name=shown]").evaluate_all(
        "els => els.map(el => el.value)"
    )]  # fmt: skip


def tick(page, qid: int, choice: dict) -> None:
    page.locator(f"input[name=q{qid}][value='{choice['id']}']").check()


def latest_attempt(db_path: Path, email: str):
    return query(
        db_path,
        "SELECT a.id, a.question_ids, a.answers, a.score, a.passed FROM attempts a "
        "JOIN users u ON u.id = a.user_id WHERE u.email = ? ORDER BY a.id DESC LIMIT 1",
        email,
    )[0]


def start_quiz(ui: Journey, button="Bắt đầu làm bài") -> None:
    ui.goto(f"/khoa-hoc/{SLUG}/kiem-tra")
    ui.page.get_by_role("button", name=button).click()
    expect(ui.page).to_have_url(re.compile(r"/bai-lam/\d+$"))


def answer_all_pages(ui: Journey, pick) -> list[int]:
    """Answer every page with `pick(qid)` (a choice, or None to leave blank), moving on with
    "Lưu và tiếp tục" and ending with "Nộp bài"; returns the question ids in order."""
    page, seen = ui.page, []
    while True:
        qids = page_qids(page)
        seen += qids
        for qid in qids:
            choice = pick(qid)
            if choice is not None:
                tick(page, qid, choice)
        next_button = page.get_by_role("button", name="Lưu và tiếp tục")
        if next_button.count() == 0:
            page.get_by_role("button", name="Nộp bài").click()
            return seen
        next_button.click()
        expect(page).to_have_url(re.compile(rf"trang={len(seen) // 5 + 1}$"))


def test_failing_learner_cannot_copy_answers_and_waits(ui, learners):
    page, db_path = ui.page, ui.server["db_path"]
    email = learners["thi360"]["email"]
    ui.sign_in("thi360")
    ui.goto(f"/khoa-hoc/{SLUG}/kiem-tra")
    rules = page.locator("main")
    expect(rules).to_contain_text("Tối đa 3 lần làm bài mỗi ngày.")
    expect(rules).to_contain_text("Sau hai lần liền nhau chưa đạt, bạn cần chờ 30 phút")
    expect(rules).to_contain_text("không xem được đáp án đúng")
    ui.check("luat-lam-bai")

    # 1. First attempt, every answer wrong: failed, and no right answer anywhere on the page.
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page.get_by_text("Đã trả lời 0/15")).to_be_visible()
    ui.check("lan-1")
    first = answer_all_pages(ui, lambda qid: wrong_choice(db_path, qid))
    expect(page).to_have_url(re.compile(r"/ket-qua$"))
    expect(page.locator(".result")).to_contain_text("Chưa đạt")
    expect(page.locator(".review .mark")).to_have_text(["✘ Chưa đúng"] * 15)
    expect(page.locator(".explanation")).to_have_count(15)
    copied = page.locator("body").inner_text()
    for qid in first:
        assert right_choice(db_path, qid)["text"] not in copied
    assert "Đáp án đúng:" not in copied
    ui.check("ket-qua-1")

    # 2. Second attempt: other questions; the copied text answers none of them.
    page.get_by_role("link", name="Làm lại").click()
    start_quiz(ui)
    second_ids = json.loads(latest_attempt(db_path, email)[1])
    assert not set(second_ids) & set(first), "the second draw repeats the first"

    def from_copy(qid):
        return next((c for c in choices(db_path, qid) if c["text"] in copied), None)

    second = answer_all_pages(ui, from_copy)
    assert sorted(second) == sorted(second_ids)
    # blanks left: the summary lists them before the real submit
    expect(page).to_have_url(re.compile(r"/nop$"))
    expect(page.locator("main")).to_contain_text("Đã trả lời 0/15")
    expect(page.locator("ul.unanswered li")).to_have_count(15)
    ui.check("tom-tat")
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator(".result")).to_contain_text("Chưa đạt")
    expect(page.locator(".result .score")).to_have_text("0%")
    text = page.locator("body").inner_text()
    assert "Đáp án đúng:" not in text
    for qid in second:
        assert right_choice(db_path, qid)["text"] not in text

    # 3. Two fails in a row: held by the wait, told until when (HH:MM dd/mm/yyyy).
    page.get_by_role("link", name="Làm lại").click()
    notice = page.locator("main .notice[role=status]")
    expect(notice).to_contain_text(re.compile(r"làm lại từ \d\d:\d\d \d\d/\d\d/\d{4}"))
    expect(page.get_by_role("button", name="Bắt đầu làm bài")).to_have_count(0)
    ui.check("cho-lam-lai")
    assert len(query(db_path, "SELECT a.id FROM attempts a JOIN users u ON u.id = a.user_id "
                              "WHERE u.email = ?", email)) == 2  # fmt: skip

    # 4. Half an hour later (the clock moved in the database): a new draw, and a pass.
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE attempts SET submitted_at = datetime(submitted_at, '-31 minutes') "
            "WHERE user_id = (SELECT id FROM users WHERE email = ?)",
            (email,),
        )
    start_quiz(ui)
    third = answer_all_pages(ui, lambda qid: right_choice(db_path, qid))
    assert set(third) != set(second)
    expect(page.locator(".result")).to_contain_text("Đạt")
    expect(page.locator("main")).to_contain_text("Đáp án đúng:")
    ui.check("dat")


def test_answers_survive_closing_the_page_a_second_device_and_the_network(ui, learners, browser):
    page, db_path = ui.page, ui.server["db_path"]
    email = learners["luu360"]["email"]
    ui.sign_in("luu360")
    start_quiz(ui)
    first_page = page_qids(page)
    assert len(first_page) == 5
    for qid in first_page:  # 5 of 15, saved by the page's script as they are ticked
        tick(page, qid, right_choice(db_path, qid))
    expect(page.locator("[data-save-status]")).to_contain_text("Đã lưu tất cả câu trả lời")
    expect(page.locator("[data-answered-count]")).to_have_text("Đã trả lời 5/15")
    ui.check("da-tra-loi-5")
    ui.assert_no_errors()
    page.close()  # the tab is closed: nothing was submitted

    # A second device: a new browser context signs in and resumes with the 5 answers.
    context = browser.new_context(
        viewport=VIEWPORTS["360"], locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(10_000)
    try:
        phone = Journey(context.new_page(), ui.server, "360", "tiep-tuc-tren-may-khac")
        phone.sign_in("luu360")
        start_quiz(phone, button="Làm tiếp bài đang dở")
        page = phone.page
        expect(page.get_by_text("Đã trả lời 5/15")).to_be_visible()
        for qid in first_page:
            choice_id = right_choice(db_path, qid)["id"]
            expect(page.locator(f"input[name=q{qid}][value='{choice_id}']")).to_be_checked()
        phone.check("may-thu-hai")
        page.get_by_role("button", name="Lưu và tiếp tục").click()
        expect(page).to_have_url(re.compile(r"trang=2$"))

        # The network drops mid-quiz: answers wait on the phone and go when it is back.
        save_path = f"/bai-lam/{latest_attempt(db_path, email)[0]}/luu"
        phone.expected_failures.add(save_path)
        context.set_offline(True)
        second_page = page_qids(page)
        for qid in second_page:
            tick(page, qid, right_choice(db_path, qid))
        expect(page.locator("[data-save-status]")).to_contain_text("Mất kết nối")
        saved = json.loads(latest_attempt(db_path, email)[2])
        assert not set(map(str, second_page)) & set(saved), "saved while offline?"
        context.set_offline(False)
        expect(page.locator("[data-save-status]")).to_contain_text(
            "Đã lưu tất cả câu trả lời", timeout=40_000
        )
        saved = json.loads(latest_attempt(db_path, email)[2])
        assert set(map(str, first_page + second_page)) <= set(saved)
        # requests that failed while offline are the point of this step, not a fault
        phone.errors = [e for e in phone.errors if save_path not in e]
        phone.check("sau-mat-mang")

        page.get_by_role("button", name="Lưu và tiếp tục").click()
        last_page = page_qids(page)
        # The database is busy (503) for a moment: the page says the saved answers are safe,
        # and sends the new one again.
        page.route(f"**{save_path}", lambda route: route.fulfill(status=503, body="bận"))
        tick(page, last_page[0], right_choice(db_path, last_page[0]))
        expect(page.locator("[data-save-status]")).to_contain_text(
            "Các câu trả lời đã lưu trước đó vẫn được giữ"
        )
        assert str(last_page[0]) not in json.loads(latest_attempt(db_path, email)[2])
        page.unroute(f"**{save_path}")
        expect(page.locator("[data-save-status]")).to_contain_text(
            "Đã lưu tất cả câu trả lời", timeout=20_000
        )
        assert str(last_page[0]) in json.loads(latest_attempt(db_path, email)[2])
        for qid in last_page[1:]:
            tick(page, qid, right_choice(db_path, qid))
        page.get_by_role("button", name="Nộp bài").click()
        expect(page).to_have_url(re.compile(r"/ket-qua$"))
        expect(page.locator(".result .score")).to_have_text("100%")
        phone.check("nop-bai")
        _id, question_ids, answers, score, passed = latest_attempt(db_path, email)
        answers = json.loads(answers)
        assert all(str(qid) in answers for qid in json.loads(question_ids))
        assert score == 100.0 and passed
        phone.assert_no_errors()
    finally:
        context.close()
