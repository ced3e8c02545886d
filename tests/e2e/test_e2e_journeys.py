"""The four browser journeys, each at 360×740 and 1280×800 (the `size` fixture).

Every screen visited goes through `Journey.check`: no console or page errors, no failed request
(≥ 400) except a declared one, `<html lang="vi">`, no horizontal scroll, every control labelled;
and a full-page screenshot in tests/e2e/screenshots/<journey>-<size>-<step>.png.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import answer_quiz_correctly

pytestmark = pytest.mark.e2e


def test_learner_completes_course(ui, size):
    """Sign in → dashboard → lessons (each marked done) → quiz, all right → result with
    explanations and references → the dashboard shows the course at 100%."""
    page, seed = ui.page, ui.seed
    title = seed["course_title"]
    ui.sign_in(f"learner{size}")
    card = page.locator("li.course-card", has_text=title)
    expect(card.locator(".progress-text")).to_have_text("0%")
    expect(page.locator("#due-title + ul")).to_contain_text(title)  # required by the plan
    ui.check("bang-dieu-khien")

    card.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    lessons = page.locator("ol.lesson-list > li")
    count = lessons.count()
    assert count == 3
    ui.check("khoa-hoc")

    lessons.first.get_by_role("link").click()
    for position in range(1, count + 1):
        expect(page).to_have_url(re.compile(rf"/bai/{position}$"))
        expect(page.get_by_text(f"Bài {position} / {count}")).to_be_visible()
        ui.check(f"bai-{position}")
        page.get_by_role("button", name="Đánh dấu đã học").click()
    # After the last lesson: back on the course page, every lesson ticked.
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(lessons.locator(".badge.ok")).to_have_count(count)
    ui.check("khoa-hoc-da-hoc")

    page.get_by_role("link", name="Bài kiểm tra").click()
    expect(page.get_by_text(f"Bạn đã học {count}/{count} bài.")).to_be_visible()
    ui.check("kiem-tra")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page).to_have_url(re.compile(r"/bai-lam/\d+$"))
    ui.check("lam-bai")

    qids = answer_quiz_correctly(page, ui.server["db_path"])
    ui.check("lam-bai-da-chon")
    page.get_by_role("button", name="Nộp bài").click()

    expect(page).to_have_url(re.compile(r"/bai-lam/\d+/ket-qua$"))
    expect(page.locator(".result .score")).to_have_text("100%")
    expect(page.locator(".result")).to_contain_text("Đạt")
    items = page.locator("ol.review > li")
    expect(items).to_have_count(len(qids))
    expect(items.locator(".mark")).to_have_text(["✔ Đúng"] * len(qids))
    expect(items.locator(".explanation")).to_have_count(len(qids))
    expect(page.locator(".explanation", has_text="Kế hoạch đặt mục tiêu 100%.")).to_be_visible()
    expect(items.locator(".reference")).to_have_count(len(qids))
    references = page.locator(".reference", has_text="Kế hoạch thực hiện Nghị quyết 07/NQ-TLĐ")
    expect(references).to_have_count(len(qids))
    expect(page.locator(".reference", has_text="Mục II.5")).to_be_visible()
    ui.check("ket-qua")

    page.get_by_role("link", name="Về khóa học của tôi").click()
    expect(page).to_have_url(re.compile(r"/bang-dieu-khien$"))
    card = page.locator("li.course-card", has_text=title)
    expect(card.locator(".progress-text")).to_have_text("100%")
    expect(card.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(card.locator(".badge.ok")).to_contain_text("Đã hoàn thành")
    expect(page.locator("#due-title + ul", has_text=title)).to_have_count(0)
    ui.check("bang-dieu-khien-100")


def _names_in(ui, *keys):
    return [ui.seed["officers"][k]["name"] for k in keys]


def test_manager_drills_down_to_names(ui, size):
    """A unit manager: coverage of the own unit → a child unit → "Xem tên" → the names."""
    page, units = ui.page, ui.seed["units"]
    ui.sign_in("manager")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Độ bao phủ"
    ).click()
    expect(page).to_have_url(re.compile(r"/bao-cao/bao-phu$"))
    expect(page.locator("p.lead")).to_contain_text(units["A"]["name"])
    table = page.locator("table.coverage")
    for code in ("A1", "A2"):
        expect(table.get_by_role("link", name=units[code]["name"])).to_be_visible()
    for code in ("B", "B1", "C", "C1"):
        expect(page.locator("main")).not_to_contain_text(units[code]["name"])
    ui.check("bao-phu")

    table.get_by_role("link", name=units["A1"]["name"]).click()
    expect(page).to_have_url(re.compile(rf"/bao-cao/bao-phu/{units['A1']['id']}\b"))
    expect(page.locator("p.lead")).to_contain_text(units["A1"]["name"])
    ui.check("bao-phu-cdcs")

    page.locator("table.coverage tbody").get_by_role("link", name="Xem tên").first.click()
    expect(page).to_have_url(re.compile(rf"/bao-cao/bao-phu/{units['A1']['id']}/can-bo"))
    names = page.locator("main table tbody td:first-child")
    expect(names).to_have_count(4)
    for name in _names_in(ui, "learner360", "learner1280", "a1_other", "a1_other2"):
        expect(names.filter(has_text=name)).to_have_count(1)
    main = page.locator("main")
    for name in _names_in(ui, "a2_officer", "b1_officer", "b1_officer2", "c1_officer"):
        expect(main).not_to_contain_text(name)
    ui.check("danh-sach")


def test_province_admin_sees_whole_tree(ui, size):
    """The province admin's coverage lists every upper-level union of the province."""
    page, units = ui.page, ui.seed["units"]
    ui.sign_in("admin")
    page.get_by_role("link", name="Độ bao phủ").click()
    expect(page.locator("p.lead")).to_contain_text(units["P"]["name"])
    table = page.locator("table.coverage")
    for code in ("A", "B", "C"):
        expect(table.get_by_role("link", name=units[code]["name"])).to_be_visible()
    # Everyone seeded is under the province and required by the plan.
    total_required = table.locator("tfoot td").first
    expect(total_required).to_have_text(str(len(ui.seed["officers"])))
    ui.check("bao-phu-tinh")

    table.get_by_role("link", name=units["B"]["name"]).click()
    expect(
        page.locator("table.coverage").get_by_role("link", name=units["B1"]["name"])
    ).to_be_visible()
    expect(page.locator("nav.crumbs")).to_contain_text(units["P"]["name"])
    ui.check("bao-phu-nganh")


def test_manager_cannot_open_sibling_unit(ui, size):
    """Typing a sibling unit's URL answers 404 and shows none of its names."""
    page, units = ui.page, ui.seed["units"]
    ui.sign_in("manager")
    sibling_names = [units[c]["name"] for c in ("B", "B1")] + _names_in(
        ui, "b_manager", "b1_officer", "b1_officer2"
    )
    for path in (
        f"/bao-cao/bao-phu/{units['B']['id']}",
        f"/bao-cao/bao-phu/{units['B1']['id']}",
        f"/bao-cao/bao-phu/{units['B1']['id']}/can-bo",
    ):
        ui.goto(path, expect_status=404)
        expect(page.get_by_role("heading", level=1)).to_have_text("Lỗi 404")
        expect(page.locator("main")).to_contain_text("Không tìm thấy trang.")
        body = page.locator("body").inner_text()
        for name in sibling_names:
            assert name not in body, f"{path} shows {name!r}"
        ui.check("tu-choi-" + path.rstrip("/").split("/")[-1])
    # The manager's own subtree still opens.
    ui.goto(f"/bao-cao/bao-phu/{units['A2']['id']}")
    expect(page.locator("p.lead")).to_contain_text(units["A2"]["name"])
    ui.check("bao-phu-cua-minh")
