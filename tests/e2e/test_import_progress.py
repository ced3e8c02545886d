"""The progress page of a roster import, in Chromium: job-progress.js moves the bar, names the
step, and opens the result when the job ends.

A real import of a few rows ends before the page could be seen, so the test plays the job's
part: it writes the job row and the live progress file as the import thread does
(app/roster/jobs.py, app/core/jobs.py) and watches the page follow.
"""

import json
import re
import sqlite3
from datetime import UTC, datetime

from playwright.sync_api import expect

SUMMARY = {
    "created": 19,
    "updated": 0,
    "unchanged": 0,
    "errors": 1,
    "bad_rows": [[5, "Nguyễn Văn Bình", "Không có đơn vị mã “KHONG-CO”."]],
}


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _report(instance, token: str, done: int, total: int, phase: str) -> None:
    folder = instance / "job-progress"
    folder.mkdir(parents=True, exist_ok=True)
    state = {"done": done, "total": total, "phase": phase, "at": _now().replace(" ", "T")}
    (folder / f"{token}.json").write_text(json.dumps(state), "utf-8")


def test_roster_import_progress_follows_the_job(ui, size):
    page, db_path = ui.page, ui.server["db_path"]
    instance = db_path.parent / "instance"
    admin = ui.sign_in("admin")
    token = f"e2e-tien-do-{size}-" + "x" * 20
    with sqlite3.connect(db_path) as conn:
        admin_id, unit_id = conn.execute(
            "SELECT id, unit_id FROM users WHERE email = ?", (admin["email"],)
        ).fetchone()
        conn.execute(
            "INSERT INTO roster_import_jobs (token, user_id, unit_id, kind, status, total, done,"
            " filename, summary, created_at, updated_at)"
            " VALUES (?, ?, ?, 'import', 'running', 20, 0, 'danh-sach.xlsx', '{}', ?, ?)",
            (token, admin_id, unit_id, _now(), _now()),
        )
    _report(instance, token, 5, 20, "check")
    ui.goto(f"/don-vi/can-bo/nhap/{token}/ket-qua")
    phase, bar = page.locator("[data-phase]"), page.locator(".progress")
    expect(phase).to_have_text("Bước 1/2: kiểm tra lại các dòng")
    expect(bar).to_have_attribute("aria-valuenow", "25")
    ui.check("kiem-tra")

    _report(instance, token, 10, 20, "write")  # the poll picks it up within a second or two
    expect(phase).to_contain_text("Bước 2/2: ghi vào cơ sở dữ liệu")
    expect(bar).to_have_attribute("aria-valuenow", "50")
    expect(page.locator("[data-done]")).to_have_text("10")
    ui.check("dang-ghi")

    with sqlite3.connect(db_path) as conn:  # the job ends, as the thread writes it
        conn.execute(
            "UPDATE roster_import_jobs SET status = 'done', done = 20, summary = ? WHERE token = ?",
            (json.dumps(SUMMARY, ensure_ascii=False), token),
        )
    (instance / "job-progress" / f"{token}.json").unlink()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả nhập: danh-sach.xlsx")
    expect(page).to_have_url(re.compile(rf"/nhap/{token}/ket-qua$"))
    expect(page.locator("#count-created")).to_have_text("19")
    expect(page.locator("table.bad-rows")).to_contain_text("KHONG-CO")
    ui.check("ket-qua")
