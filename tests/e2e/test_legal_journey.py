"""Issue 16, acceptance 2 in Chromium: a trainer records "NĐ 98/2023 replaced by NĐ 152/2025
from 01/07/2025" in the legal register → the lessons and questions citing NĐ 98 are listed →
a learner sees the notice, and the lesson footer shows document names and articles (never
ids) → a major publish re-assigns the officers who had completed, and coverage drops.

The journey uses its own course (tests/fixtures/legal_courses/khoa-van-ban), so the other
journeys never see its amendment or its major version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SLUG = "khoa-van-ban"
NOTICE = "Văn bản pháp luật đã thay đổi"


def seed_scene(server) -> int:
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "DATABASE_URL": f"sqlite:///{server['db_path']}",
        "TDKT_INSTANCE": str(Path(server["db_path"]).parent / "instance"),
        "SECRET_KEY": "e2e-secret-key-not-for-production",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests/e2e/legal_seed.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])["course_id"]


def trained_total(ui, course_id: int) -> tuple[str, str]:
    ui.goto(f"/bao-cao/bao-phu?khoa={course_id}")
    cells = ui.page.locator("table.coverage tfoot td")
    return cells.nth(0).inner_text().strip(), cells.nth(1).inner_text().strip()


def sign_out(ui) -> None:
    ui.page.get_by_role("button", name="Đăng xuất").click()


@pytest.mark.parametrize("size", ["360"], indirect=True)
def test_replaced_decree_is_flagged_noticed_and_reassigned(ui, size):
    page = ui.page
    course_id = seed_scene(ui.server)
    required = str(len(ui.seed["officers"]))

    ui.sign_in("admin")
    assert trained_total(ui, course_id) == (required, "3")
    ui.check("bao-phu-truoc")

    # 1. the register: record the replacement of NĐ 98/2023
    ui.goto("/soan-thao/van-ban/")
    row = page.locator("tr", has_text="98/2023/NĐ-CP")
    expect(row).to_contain_text("Còn hiệu lực")
    ui.check("danh-muc")
    row.get_by_role("link", name="Ghi nhận thay đổi").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("98/2023/NĐ-CP")
    ui.check("ghi-nhan")
    page.get_by_label("Bị thay thế").check()
    page.get_by_label("Văn bản thay thế").fill("nd-152-2025")
    page.get_by_label("Áp dụng từ ngày").fill("2025-07-01")
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã ghi nhận thay đổi")
    expect(page.locator("tr", has_text="98/2023/NĐ-CP")).to_contain_text(
        "Bị thay thế bởi nd-152-2025 từ 01/07/2025"
    )

    # 2. the authoring dashboard lists what cites NĐ 98, and only that
    ui.goto("/soan-thao/")
    impact = page.locator("section.legal-impact", has_text="98/2023/NĐ-CP")
    expect(impact).to_contain_text("từ 01/07/2025")
    expect(impact.get_by_role("link", name="Nghị định hướng dẫn")).to_be_visible()
    expect(impact.get_by_role("link", name="vb-02")).to_be_visible()
    expect(impact.get_by_role("link", name="vb-01")).to_have_count(0)
    expect(impact.get_by_role("link", name="Luật Thi đua, khen thưởng")).to_have_count(0)
    # the course still to publish a major version (shipped courses citing NĐ 98 may be too)
    publish_link = impact.locator(f"a[href$='/soan-thao/khoa-hoc/{SLUG}/xuat-ban']")
    expect(publish_link).to_have_count(1)
    ui.check("soan-thao-van-ban-thay-doi")
    sign_out(ui)

    # 3. the learner sees the notice; the lesson footer shows names and articles
    ui.sign_in("learner360")
    ui.goto(f"/khoa-hoc/{SLUG}")
    expect(page.locator(".legal-notice")).to_contain_text(NOTICE)
    expect(page.locator(".legal-notice")).to_contain_text("từ ngày 01/07/2025")
    ui.check("khoa-hoc-thong-bao")
    ui.goto(f"/khoa-hoc/{SLUG}/bai/2")
    expect(page.locator(".legal-notice")).to_contain_text("152/2025/NĐ-CP")
    footer = page.locator(".articles")
    expect(footer).to_contain_text(
        "Nghị định quy định chi tiết một số điều của Luật Thi đua, khen thưởng 98/2023/NĐ-CP, "
        "Điều 5 khoản 1"
    )
    expect(footer).to_contain_text("Luật Thi đua, khen thưởng 06/2022/QH15, Điều 80")
    expect(footer.locator(".badge.warn")).to_have_count(1)  # NĐ 98 is CORROBORATED only
    body = page.locator("main").inner_text()
    assert "nd-98-2023" not in body and "luat-tdkt-2022" not in body
    ui.check("bai-hoc-can-cu")
    sign_out(ui)

    # 4. a major version re-assigns the three officers who had completed
    ui.sign_in("admin")
    ui.goto(f"/soan-thao/khoa-hoc/{SLUG}/xuat-ban")
    page.locator("input[name=kind][value=major]").check()
    page.locator("#due_on").fill(date(date.today().year, 12, 31).isoformat())
    page.get_by_role("button", name="Xuất bản").click()
    expect(page.locator("main")).to_contain_text("2.0")
    assert trained_total(ui, course_id) == (required, "0")
    ui.check("bao-phu-sau")
    ui.goto("/soan-thao/")
    expect(publish_link).to_have_count(0)  # this course no longer waits for a major version
    sign_out(ui)

    ui.sign_in("learner360")
    ui.goto(f"/khoa-hoc/{SLUG}")
    expect(page.locator(".legal-notice")).to_have_count(0)
