"""Accounts at 360 px: the province admin prints activation slips and e-mails an invitation
from the roster; one officer activates with the code on her slip, another with the link
caught by the SMTP sink; he later resets a forgotten password, and the browser he used
before is signed out on the server."""

from __future__ import annotations

import re
import subprocess
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import VIEWPORTS
from tests.e2e.helpers import Journey

pytestmark = pytest.mark.e2e

CODE = re.compile(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b")
FIRST = "Hoa-sen-trong-đầm-2026"
SECOND = "Trống-đồng-Ngọc-Lũ-99"
THIRD = "Mùa-xuân-trên-Tây-Bắc-7"
EMAIL = "ngo.van.luc@e2e.tdkt.vn"


@contextmanager
def another_phone(browser, server, name: str):
    """A second browser (its own cookies) at 360 px, with the same checks as `ui`."""
    context = browser.new_context(
        viewport=VIEWPORTS["360"], locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(10_000)
    journey = Journey(context.new_page(), server, "360", name)
    try:
        yield journey
        journey.assert_no_errors()
    finally:
        context.close()


def set_password(ui: Journey, password: str, step: str) -> None:
    ui.page.get_by_label("Mật khẩu mới", exact=True).fill(password)
    ui.page.get_by_label("Nhập lại mật khẩu mới").fill(password)
    ui.check(step)


@pytest.mark.parametrize("size", ["360"], indirect=True)
def test_officers_activate_and_reset(ui, size, browser, server, tmp_path):
    page, seed, mail = ui.page, ui.seed, server["mail"]
    oanh = seed["officers"]["c1_officer"]["name"]
    luc = seed["officers"]["b1_officer2"]["name"]

    # The admin prints the slips of unit C (its one grassroots union, C1).
    ui.sign_in("admin")
    ui.goto("/don-vi/can-bo")
    ui.check("danh-sach")
    page.get_by_label("Đơn vị (gồm các đơn vị trực thuộc)").select_option(
        str(seed["units"]["C"]["id"])
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="In phiếu kích hoạt (PDF)").click()
    pdf = tmp_path / "phieu.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert oanh in text and text.count("PHIẾU KÍCH HOẠT TÀI KHOẢN") == 1
    code = CODE.search(text).group(0)

    # … and invites Ngô Văn Lực by e-mail once his address is on the roster.
    page.get_by_label("Tìm theo họ tên, mã cán bộ hoặc thư điện tử").fill(luc)
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name=luc).click()
    page.get_by_label("Thư điện tử", exact=True).fill(EMAIL)
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".flash")).to_contain_text("Đã lưu thay đổi.")
    ui.check("can-bo")
    page.get_by_role("button", name="Gửi thư mời kích hoạt").click()
    expect(page.locator(".flash")).to_contain_text("Đã gửi 1 thư mời kích hoạt.")
    invitation = mail.link_to(EMAIL, "/kich-hoat", wait=5)
    assert invitation.startswith(server["url"])

    # Lý Thị Kim Oanh types the code from her slip.
    with another_phone(browser, server, "kich-hoat-ma") as her:
        her.goto("/")
        her.page.get_by_role("link", name="Kích hoạt tài khoản bằng mã trên phiếu").click()
        her.page.get_by_label("Mã kích hoạt (trên phiếu)").fill(code.lower())
        set_password(her, FIRST, "nhap-ma")
        her.page.get_by_role("button", name="Kích hoạt và đăng nhập").click()
        expect(her.page).to_have_url(re.compile(r"/bang-dieu-khien$"))
        expect(her.page.get_by_role("heading", level=1)).to_contain_text(oanh)
        her.check("da-kich-hoat")

    # Ngô Văn Lực follows the e-mailed link; this browser stays signed in.
    with another_phone(browser, server, "kich-hoat-thu") as old:
        old.page.goto(invitation)
        expect(old.page.get_by_role("heading", level=1)).to_have_text("Kích hoạt tài khoản")
        set_password(old, SECOND, "dat-mat-khau")
        old.page.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
        expect(old.page.get_by_role("heading", level=1)).to_contain_text(luc)
        old.check("da-kich-hoat-thu")

        # Later, on another phone, he has forgotten the password.
        with another_phone(browser, server, "quen-mat-khau") as new:
            new.goto("/")
            new.page.get_by_role("link", name="Quên mật khẩu?").click()
            new.page.get_by_label("Thư điện tử").fill(EMAIL)
            new.check("quen-mat-khau")
            new.page.get_by_role("button", name="Gửi đường dẫn").click()
            expect(new.page.locator(".flash")).to_contain_text("Nếu thư điện tử này thuộc")
            reset = mail.link_to(EMAIL, "/dat-lai-mat-khau", wait=5)
            new.page.goto(reset)
            set_password(new, THIRD, "dat-lai")
            new.page.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
            expect(new.page.get_by_role("heading", level=1)).to_contain_text(luc)

        # The first phone's session ended on the server.
        old.page.goto(server["url"] + "/bang-dieu-khien")
        expect(old.page).to_have_url(re.compile(r"/\?next="))
        expect(old.page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
        old.check("phien-cu-da-ket-thuc")
