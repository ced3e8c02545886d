"""Go live, at 360 px, from an empty database (issue 14, first acceptance point):

`flask setup province` → the first admin activates with the printed link → imports a 3-level
tree and a 50-officer roster → adds a plan line → prints the activation sheet (50 slips, 50
distinct codes, read back with pdftotext) → officer A activates with the code on her slip,
officer B with the e-mailed invitation → both pass the course and are counted as trained
(2 of 50) → A resets a forgotten password and her first browser is signed out.

The server is `empty_server`: its own SQLite file with only the migrations and the shipped
courses (no demo seed), so every person and unit here is made through the product."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT, VIEWPORTS
from tests.e2e.helpers import Journey, answer_quiz_correctly

pytestmark = pytest.mark.e2e

CODE = re.compile(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b")
SLIP_TITLE = "PHIẾU KÍCH HOẠT TÀI KHOẢN"
COURSE = "luat-tdkt-co-ban"

PROVINCE = ("LDLD-GL", "Liên đoàn Lao động tỉnh Đồng Xanh")
ADMIN_EMAIL = "quantri@dongxanh.example.vn"
ADMIN_PASSWORD = "Cây-đa-giếng-nước-2026"

# (code, name, level, parent code): the province (already made by setup) → 3 upper-level
# unions → 6 grassroots unions.
UPPER = [
    ("GL-GD", "Công đoàn ngành Giáo dục tỉnh Đồng Xanh"),
    ("GL-YT", "Công đoàn ngành Y tế tỉnh Đồng Xanh"),
    ("GL-KCN", "Công đoàn các Khu công nghiệp tỉnh Đồng Xanh"),
]
GRASSROOTS = [
    ("GL-GD-1", "CĐCS Trường THPT Chu Văn An", "GL-GD"),
    ("GL-GD-2", "CĐCS Trường THCS Trần Phú", "GL-GD"),
    ("GL-YT-1", "CĐCS Bệnh viện Đa khoa Đồng Xanh", "GL-YT"),
    ("GL-YT-2", "CĐCS Trung tâm Y tế Hòa An", "GL-YT"),
    ("GL-KCN-1", "CĐCS Công ty Dệt may Sông Hồng", "GL-KCN"),
    ("GL-KCN-2", "CĐCS Công ty Điện tử Ánh Dương", "GL-KCN"),
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["Thị Hằng", "Văn Quang", "Thị Thúy", "Minh Đức", "Thị Ngọc"]
WITH_EMAIL = 20  # the first 20 officers of the roster have an e-mail address, 30 do not

OFFICER_A = 0  # Nguyễn Thị Hằng, with an e-mail (for the reset), activates with her slip code
OFFICER_B = 1  # Nguyễn Văn Quang, activates with the e-mailed invitation
A_FIRST, A_RESET = "Hoa-sen-trong-đầm-2026", "Mùa-xuân-trên-Tây-Bắc-7"
B_PASSWORD = "Trống-đồng-Ngọc-Lũ-99"


def _roster() -> list[dict]:
    """50 officers, all full-time (chuyên trách), spread over the six grassroots unions; A and
    B both in the first one."""
    officers = []
    for index in range(50):
        officers.append(
            {
                "code": f"GL{index + 1:03d}",
                "name": f"{FAMILY[index // 5]} {GIVEN[index % 5]}",
                "unit": GRASSROOTS[0][0] if index < 5 else GRASSROOTS[index % 6][0],
                "email": f"canbo{index + 1:02d}@dongxanh.example.vn" if index < WITH_EMAIL else "",
            }
        )
    return officers


ROSTER = _roster()
ROSTER_HEADINGS = "Mã cán bộ,Họ và tên,Mã đơn vị,Chuyên trách/Kiêm nhiệm,Thư điện tử\n"


@contextmanager
def phone(browser, server: dict, name: str):
    """A browser of its own (own cookies) at 360 px, with the checks of every journey."""
    context = browser.new_context(
        viewport=VIEWPORTS["360"], locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(15_000)
    journey = Journey(context.new_page(), server, "360", f"go-live-{name}")
    try:
        yield journey
        journey.assert_no_errors()
    finally:
        context.close()


def _flask(server: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=server["env"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"flask {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


def _set_password(ui: Journey, password: str, step: str) -> None:
    ui.page.get_by_label("Mật khẩu mới", exact=True).fill(password)
    ui.page.get_by_label("Nhập lại mật khẩu mới").fill(password)
    ui.check(step)


def _upload(ui: Journey, label: str, name: str, body: str, step: str) -> None:
    """Choose the file, go to the preview, check it."""
    page = ui.page
    page.get_by_label(label).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": body.encode("utf-8")}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Tải lên và xem trước").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xem trước: {name}")
    expect(page.locator("#count-error")).to_have_text("0")
    ui.check(step)


def _confirm(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận nhập").click()


def _study(ui: Journey, course_title: str) -> None:
    """Every lesson, then the quiz answered right, from the officer's dashboard."""
    page = ui.page
    card = page.locator("li.course-card", has_text=course_title)
    expect(card).to_be_visible()
    card.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(course_title)
    lessons = page.locator("ol.lesson-list > li")
    count = lessons.count()
    assert 5 <= count <= 8
    lessons.first.get_by_role("link").click()
    for position in range(1, count + 1):
        expect(page).to_have_url(re.compile(rf"/bai/{position}$"))
        page.get_by_role("button", name="Đánh dấu đã học").click()
    expect(lessons.locator(".badge.ok")).to_have_count(count)
    ui.check("da-hoc")
    page.get_by_role("link", name="Bài kiểm tra").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    answer_quiz_correctly(page, ui.server["db_path"])
    ui.check("lam-bai")
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator(".result .score")).to_have_text("100%")
    page.get_by_role("link", name="Về khóa học của tôi").click()
    expect(card.locator(".progress-text")).to_have_text("100%")
    ui.check("hoan-thanh")


def test_go_live_from_an_empty_database(browser, empty_server, tmp_path):
    server, mail = empty_server, empty_server["mail"]
    course_title = tomllib.loads(
        (ROOT / "courses" / COURSE / "course.toml").read_text(encoding="utf-8")
    )["title"]
    a, b = ROSTER[OFFICER_A], ROSTER[OFFICER_B]

    # 1. First install: the command prints the admin's one-time activation link.
    out = _flask(
        server,
        *("setup", "province", "--code", PROVINCE[0], "--name", PROVINCE[1]),
        *("--admin-email", ADMIN_EMAIL, "--admin-name", "Phan Thị Quản Trị"),
    )
    links = re.findall(r"https?://\S+/kich-hoat/[\w-]+", out)
    assert len(links) == 1 and links[0].startswith(server["url"]), out

    with phone(browser, server, "quan-tri") as admin:
        page = admin.page
        page.goto(links[0])
        expect(page.get_by_role("heading", level=1)).to_have_text("Kích hoạt tài khoản")
        _set_password(admin, ADMIN_PASSWORD, "kich-hoat-quan-tri")
        page.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
        expect(page).to_have_url(re.compile(r"/bang-dieu-khien$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Phan Thị Quản Trị")
        admin.check("quan-tri-da-vao")

        # 2. The 3-level tree, from a CSV file, preview → confirm.
        admin.goto("/don-vi/cay/nhap")
        tree_csv = "Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên\n" + "".join(
            [f"{code},{name},2,{PROVINCE[0]}\n" for code, name in UPPER]
            + [f"{code},{name},3,{parent}\n" for code, name, parent in GRASSROOTS]
        )
        _upload(admin, "Tệp cây đơn vị (.xlsx hoặc .csv)", "cay-don-vi.csv", tree_csv, "cay")
        expect(page.locator("#count-new")).to_have_text("9")
        _confirm(page)
        expect(page.locator("#count-created")).to_have_text("9")
        admin.check("cay-ket-qua")
        page.get_by_role("link", name="Xem cây đơn vị").click()
        for _code, name, _parent in GRASSROOTS:
            expect(page.get_by_role("link", name=name)).to_be_visible()
        admin.check("cay-don-vi")

        # 3. The 50-officer roster (20 with an e-mail address, 30 without).
        admin.goto("/don-vi/can-bo/nhap")
        roster_csv = ROSTER_HEADINGS + "".join(
            f"{o['code']},{o['name']},{o['unit']},Chuyên trách,{o['email']}\n" for o in ROSTER
        )
        _upload(admin, "Tệp danh sách cán bộ (.xlsx hoặc .csv)", "can-bo.csv", roster_csv, "ds")
        expect(page.locator("#count-new")).to_have_text("50")
        _confirm(page)
        expect(page.locator("#count-created")).to_have_text("50")
        admin.check("ds-ket-qua")

        # 4. This year's plan: the course is required of full-time officers (all 50; the admin,
        # part-time by default, is not counted).
        admin.goto("/ke-hoach")
        year = int(page.get_by_role("spinbutton", name="Năm").input_value())
        page.get_by_label("Khóa học bắt buộc").select_option(label=course_title)
        page.get_by_label("Áp dụng cho").select_option(label="Chuyên trách")
        page.get_by_label("Hạn hoàn thành").fill(f"{year}-12-31")
        admin.check("ke-hoach")
        with page.expect_navigation():
            page.get_by_role("button", name="Thêm vào kế hoạch").click()
        plan_row = page.locator("table tbody tr", has_text=course_title)
        expect(plan_row).to_contain_text("Chuyên trách")
        expect(plan_row).to_contain_text(f"31/12/{year}")

        # 5. The activation sheet of the whole province: one slip per officer without a
        # password — exactly the 50 imported (the admin has activated).
        admin.goto("/don-vi/can-bo")
        # The 50 imported, not activated yet, and the admin herself (activated).
        expect(page.get_by_text("51 cán bộ", exact=True)).to_be_visible()
        expect(page.locator("main table .badge", has_text="Chưa kích hoạt")).to_have_count(50)
        admin.check("danh-sach")
        page.get_by_label("Đơn vị (gồm các đơn vị trực thuộc)").select_option(label=PROVINCE[1])
        with page.expect_download() as download:
            page.get_by_role("button", name="In phiếu kích hoạt (PDF)").click()
        pdf = tmp_path / "phieu-kich-hoat.pdf"
        download.value.save_as(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert text.count(SLIP_TITLE) == 50
        slips = text.split(SLIP_TITLE)[1:]
        codes = [CODE.findall(slip) for slip in slips]
        assert all(len(found) == 1 for found in codes), codes
        assert len({found[0] for found in codes}) == 50
        # Each officer has exactly one slip, and A's code is on hers.
        for officer in ROSTER:
            assert sum(officer["name"] in slip for slip in slips) == 1, officer["name"]
        code_a = next(CODE.search(s).group(0) for s in slips if a["name"] in s)

        # 6b. Invitations for the officers with an e-mail address, from the roster page.
        page.get_by_label("Đơn vị (gồm các đơn vị trực thuộc)").select_option(label=PROVINCE[1])
        with page.expect_navigation():
            page.get_by_role("button", name="Gửi thư mời kích hoạt").click()
        expect(page.locator(".flash-success")).to_have_text(
            f"Đã gửi {WITH_EMAIL} thư mời kích hoạt."
        )
        expect(page.locator(".flash-info")).to_contain_text(
            f"{50 - WITH_EMAIL} cán bộ chưa có thư điện tử"
        )
        admin.check("da-gui-thu-moi")
        invitation = mail.link_to(b["email"], "/kich-hoat", wait=5)
        assert invitation.startswith(server["url"])
        assert len({r for rcpts, _m in mail.messages for r in rcpts}) == WITH_EMAIL

    with phone(browser, server, "can-bo-a") as officer_a:
        # 6a. A types the code from her slip (in lower case, as people do).
        officer_a.goto("/")
        officer_a.page.get_by_role("link", name="Kích hoạt tài khoản bằng mã trên phiếu").click()
        officer_a.page.get_by_label("Mã kích hoạt (trên phiếu)").fill(code_a.lower())
        _set_password(officer_a, A_FIRST, "nhap-ma")
        officer_a.page.get_by_role("button", name="Kích hoạt và đăng nhập").click()
        expect(officer_a.page).to_have_url(re.compile(r"/bang-dieu-khien$"))
        expect(officer_a.page.get_by_role("heading", level=1)).to_contain_text(a["name"])
        officer_a.check("a-da-kich-hoat")
        # 7. … and studies the required course.
        _study(officer_a, course_title)

        with phone(browser, server, "can-bo-b") as officer_b:
            # 6b. B follows the e-mailed link.
            officer_b.page.goto(invitation)
            expect(officer_b.page.get_by_role("heading", level=1)).to_have_text(
                "Kích hoạt tài khoản"
            )
            _set_password(officer_b, B_PASSWORD, "b-dat-mat-khau")
            officer_b.page.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
            expect(officer_b.page.get_by_role("heading", level=1)).to_contain_text(b["name"])
            officer_b.check("b-da-kich-hoat")
            _study(officer_b, course_title)

        # 7. Coverage as the admin: 2 of 50 trained, and the names on drill-down.
        with phone(browser, server, "bao-phu") as admin:
            page = admin.page
            admin.goto("/")
            page.get_by_label("Thư điện tử hoặc số điện thoại").fill(ADMIN_EMAIL)
            page.get_by_label("Mật khẩu", exact=True).fill(ADMIN_PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Đăng nhập").click()
            page.get_by_role("link", name="Độ bao phủ").first.click()
            expect(page.locator("p.lead")).to_contain_text(PROVINCE[1])
            page.get_by_label("Khóa học").select_option(label=course_title)
            with page.expect_navigation():
                page.get_by_role("button", name="Xem").click()
            totals = page.locator("table.coverage tfoot td")
            expect(totals.nth(0)).to_have_text("50")
            expect(totals.nth(1)).to_have_text("2")
            admin.check("bao-phu-tinh")
            page.locator("table.coverage").get_by_role("link", name=UPPER[0][1]).click()
            first = page.locator("table.coverage tbody tr", has_text=GRASSROOTS[0][1])
            expect(first.locator("td").nth(1)).to_have_text("2")
            admin.check("bao-phu-nganh")
            first.get_by_role("link", name="Xem tên").click()
            rows = page.locator("main table tbody tr")
            for officer in (a, b):
                expect(rows.filter(has_text=officer["name"]).locator(".badge.ok")).to_contain_text(
                    "Đã tập huấn"
                )
            expect(rows.locator(".badge.ok")).to_have_count(2)
            admin.check("bao-phu-ten")

        # 8. A forgot her password: the reset link comes by mail; she sets a new one on
        # another phone, and the first phone's session ends on the server.
        with phone(browser, server, "quen-mat-khau") as other:
            other.goto("/")
            other.page.get_by_role("link", name="Quên mật khẩu?").click()
            other.page.get_by_label("Thư điện tử").fill(a["email"])
            other.check("quen-mat-khau")
            other.page.get_by_role("button", name="Gửi đường dẫn").click()
            expect(other.page.locator(".flash")).to_contain_text("Nếu thư điện tử này thuộc")
            reset = mail.link_to(a["email"], "/dat-lai-mat-khau", wait=5)
            other.page.goto(reset)
            _set_password(other, A_RESET, "dat-lai")
            other.page.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
            expect(other.page.get_by_role("heading", level=1)).to_contain_text(a["name"])
            other.check("da-dat-lai")

        officer_a.page.goto(server["url"] + "/bang-dieu-khien")
        expect(officer_a.page).to_have_url(re.compile(r"/\?next="))
        expect(officer_a.page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
        officer_a.check("phien-cu-da-ket-thuc")
