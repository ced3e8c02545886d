"""The union tree pages in Chromium, at 360 px and 1280 px: the admin adds a unit, imports a
small tree (one bad row listed with its line), and moves a unit under another parent.

Only units this journey creates are changed (codes per viewport): the other journeys share
the seeded tree."""

import sqlite3

from playwright.sync_api import expect


def _parent_of(db_path, code: str) -> str | None:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT p.code FROM org_units u JOIN org_units p ON p.id = u.parent_id"
            " WHERE u.code = ?",
            (code,),
        ).fetchone()
    return row[0] if row else None


def test_tree_add_import_move(ui, size, tmp_path):
    page, units = ui.page, ui.seed["units"]
    ui.sign_in("admin")
    ui.goto("/don-vi/cay/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cây đơn vị")
    ui.check("cay")

    upper = f"E2E-N{size}"
    page.get_by_label("Đơn vị cấp trên").select_option(str(units["P"]["id"]))
    page.get_by_label("Tên đơn vị").fill(f"Công đoàn ngành Thử {size}")
    page.get_by_label("Mã đơn vị").fill(upper)
    with page.expect_navigation():
        page.get_by_role("button", name="Thêm đơn vị").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Công đoàn ngành Thử {size}")
    ui.check("da-them")

    ui.goto("/don-vi/cay/nhap")
    grassroots = f"{upper}-G1"
    body = (
        "Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên\n"
        f"{grassroots},CĐCS Thử Một,3,{upper}\n"
        f"{upper}-X,Sai cấp,2,{upper}\n"
    )
    page.get_by_label("Tệp cây đơn vị (.xlsx hoặc .csv)").set_input_files(
        {"name": "cay.csv", "mimeType": "text/csv", "buffer": body.encode()}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.locator("#count-new")).to_have_text("1")
    expect(page.locator("table.bad-rows")).to_contain_text("Cấp 2 không đúng")
    expect(page.locator("table.bad-rows td.num")).to_have_text("3")
    ui.check("xem-truoc")
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.locator("#count-created")).to_have_text("1")
    ui.check("ket-qua")
    assert _parent_of(ui.server["db_path"], grassroots) == upper

    page.get_by_role("link", name="Xem cây đơn vị").click()
    with page.expect_navigation():
        page.get_by_role("link", name="CĐCS Thử Một").first.click()
    page.get_by_label("Chuyển về dưới đơn vị").select_option(str(units["C"]["id"]))
    with page.expect_navigation():
        page.get_by_role("button", name="Chuyển đơn vị").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã chuyển")
    ui.check("da-chuyen")
    assert _parent_of(ui.server["db_path"], grassroots) == "E2E-C"
