"""Each shipped course (courses/) can be completed end to end on a phone: every lesson, the quiz
with the questions drawn for this attempt, the result with explanations and legal references."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import answer_quiz_correctly

pytestmark = pytest.mark.e2e

SHIPPED = ["luat-tdkt-co-ban", "tdkt-cong-doan", "ho-so-khen-thuong", "nghiep-vu-cdcs"]


@pytest.mark.parametrize("size", ["360"], indirect=True)
@pytest.mark.parametrize("slug", SHIPPED)
def test_complete_a_shipped_course(ui, size, slug):
    page = ui.page
    ui.sign_in("learner360")  # the learner journeys use another course
    ui.goto(f"/khoa-hoc/{slug}")
    title = page.get_by_role("heading", level=1).inner_text()
    lessons = page.locator("ol.lesson-list > li")
    count = lessons.count()
    assert 5 <= count <= 8
    lessons.first.get_by_role("link").click()
    for position in range(1, count + 1):
        expect(page).to_have_url(re.compile(rf"/bai/{position}$"))
        ui.check(f"bai-{position}")
        page.get_by_role("button", name="Đánh dấu đã học").click()
    expect(lessons.locator(".badge.ok")).to_have_count(count)

    page.get_by_role("link", name="Bài kiểm tra").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    qids = answer_quiz_correctly(page, ui.server["db_path"])
    ui.check("lam-bai")
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator(".result .score")).to_have_text("100%")
    items = page.locator("ol.review > li")
    expect(items).to_have_count(len(qids))
    expect(items.locator(".explanation")).to_have_count(len(qids))
    expect(items.locator(".reference")).to_have_count(len(qids))
    ui.check("ket-qua")

    page.get_by_role("link", name="Về khóa học của tôi").click()
    card = page.locator("li.course-card", has_text=title)
    expect(card.locator(".progress-text")).to_have_text("100%")
