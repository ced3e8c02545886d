"""A trainer edits a lesson, sees the live preview, publishes a major version; a learner sees the
new text; script payloads typed into the lesson never run (no dialog, no script in the page)."""

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SLUG = "nghiep-vu-cdcs"
COURSE_TOML = Path(__file__).resolve().parents[2] / "courses" / SLUG / "course.toml"


def next_major() -> str:
    """The version a major publish gives the shipped course (its files' major + 1)."""
    version = tomllib.loads(COURSE_TOML.read_text(encoding="utf-8"))["version"]
    return f"{int(str(version).partition('.')[0]) + 1}.0"


LESSON = "vai-tro-can-bo-tdkt-cdcs"
NEW_TEXT = "Câu bổ sung theo phiên bản mới của bài học."
PAYLOADS = (
    '\n\n<script>alert("xss")</script>\n<img src="data:image/png;base64,AAAA" onerror="alert(1)">\n'
    "[bấm vào đây](javascript:alert(2))\n"
)


def no_script_in(locator) -> None:
    html = locator.inner_html().lower()
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


@pytest.mark.parametrize("size", ["1280"], indirect=True)
def test_trainer_publishes_major_version_learner_sees_it(ui, size):
    page = ui.page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    ui.sign_in("admin")  # the province admin is an author
    ui.goto(f"/soan-thao/khoa-hoc/{SLUG}/bai/{LESSON}")
    body = page.locator("#body_md")
    body.fill(body.input_value() + f"\n\n{NEW_TEXT}" + PAYLOADS)
    preview = page.locator("[data-preview]")
    expect(preview).to_contain_text(NEW_TEXT)  # the live preview, same renderer as learners
    no_script_in(preview)
    ui.check("xem-truoc")
    page.get_by_role("button", name="Lưu bản nháp").click()
    ui.check("da-luu-nhap")

    ui.goto(f"/soan-thao/khoa-hoc/{SLUG}/xuat-ban")
    page.locator("input[name=kind][value=major]").check()
    page.locator("#due_on").fill(date(date.today().year, 12, 31).isoformat())
    ui.check("xuat-ban")
    page.get_by_role("button", name="Xuất bản").click()
    expect(page.locator("main")).to_contain_text(next_major())

    page.get_by_role("button", name="Đăng xuất").click()
    ui.sign_in("learner1280")
    ui.goto(f"/khoa-hoc/{SLUG}")
    expect(page.locator("main")).to_contain_text(f"Phiên bản {next_major()}")
    ui.goto(f"/khoa-hoc/{SLUG}/bai/1")
    lesson = page.locator(".lesson-body")
    expect(lesson).to_contain_text(NEW_TEXT)
    no_script_in(lesson)
    expect(page.get_by_role("link", name=re.compile("bấm vào đây"))).to_have_count(0)
    ui.check("hoc-vien-thay-ban-moi")
    assert dialogs == []
