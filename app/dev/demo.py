"""The demo province `make run` creates: a few units, ~30 officers, one account per role."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select

from app.courses.models import Course
from app.courses.owners import add_owner_row
from app.extensions import db
from app.org.models import OfficerType, OrgUnit, Role
from app.org.services import create_officer, create_unit
from app.progress.models import PlanItem
from app.progress.services import add_plan_item

DEMO_ACCOUNTS = [
    # (e-mail, role, name, unit code, position, officer type)
    (
        "admin@demo.tdkt.vn",
        Role.PROVINCE_ADMIN,
        "Nguyễn Thị Thu Hà",
        "LDLD-DEMO",
        "Chuyên viên Ban Kiểm tra – Pháp luật",
        OfficerType.FULL_TIME,
    ),
    (
        "quanly@demo.tdkt.vn",
        Role.UNIT_MANAGER,
        "Trần Văn Hùng",
        "CDN-GD",
        "Phó Chủ tịch Công đoàn ngành Giáo dục",
        OfficerType.PART_TIME,
    ),
    (
        "giangvien@demo.tdkt.vn",
        Role.TRAINER,
        "Lê Minh Châu",
        "LDLD-DEMO",
        "Giảng viên kiêm nhiệm",
        OfficerType.FULL_TIME,
    ),
    (
        "hocvien@demo.tdkt.vn",
        Role.LEARNER,
        "Phạm Thị Lan",
        "CDCS-THPT-NTMK",
        "Ủy viên Ban Chấp hành CĐCS",
        OfficerType.PART_TIME,
    ),
]

UNITS = [
    # (code, name, parent code)
    ("TLD", "Tổng Liên đoàn Lao động Việt Nam", None),
    ("LDLD-DEMO", "Liên đoàn Lao động tỉnh Demo", "TLD"),
    ("CDN-GD", "Công đoàn ngành Giáo dục tỉnh", "LDLD-DEMO"),
    ("CDN-YT", "Công đoàn ngành Y tế tỉnh", "LDLD-DEMO"),
    ("CD-KCN", "Công đoàn các Khu công nghiệp tỉnh", "LDLD-DEMO"),
    ("CDCS-THPT-NTMK", "CĐCS Trường THPT Nguyễn Thị Minh Khai", "CDN-GD"),
    ("CDCS-THCS-LQD", "CĐCS Trường THCS Lê Quý Đôn", "CDN-GD"),
    ("CDCS-BVDK", "CĐCS Bệnh viện Đa khoa tỉnh", "CDN-YT"),
    ("CDCS-TTYT", "CĐCS Trung tâm Y tế huyện Hòa Bình", "CDN-YT"),
    ("CDCS-MAY-AP", "CĐCS Công ty TNHH May mặc Ánh Phát", "CD-KCN"),
    ("CDCS-DT-VN", "CĐCS Công ty Cổ phần Điện tử Việt Nhật", "CD-KCN"),
]

OTHER_OFFICERS = [
    ("Đỗ Quang Vinh", "CDCS-THPT-NTMK"),
    ("Hoàng Thị Mai", "CDCS-THCS-LQD"),
    ("Vũ Đức Thắng", "CDCS-THCS-LQD"),
    ("Bùi Thị Hồng Nhung", "CDCS-BVDK"),
    ("Ngô Văn Lực", "CDCS-BVDK"),
    ("Đặng Thị Thảo", "CDCS-TTYT"),
    ("Dương Minh Tuấn", "CDCS-TTYT"),
    ("Lý Thị Kim Oanh", "CDCS-MAY-AP"),
    ("Trịnh Văn Nam", "CDCS-MAY-AP"),
    ("Phan Thị Ngọc Ánh", "CDCS-MAY-AP"),
    ("Võ Thành Trung", "CDCS-DT-VN"),
    ("Huỳnh Thị Bích", "CDCS-DT-VN"),
    ("Mai Xuân Trường", "CDCS-DT-VN"),
    ("Tạ Thị Hương", "CDN-GD"),
    ("Lương Văn Sơn", "CDN-YT"),
    ("Đinh Thị Yến", "CD-KCN"),
    ("Cao Văn Phúc", "LDLD-DEMO"),
    ("Kiều Thị Loan", "CDCS-BVDK"),
    ("Hà Văn Bình", "CDCS-THPT-NTMK"),
    ("Chu Thị Thanh", "CDCS-THCS-LQD"),
    ("Lâm Quốc Bảo", "CDCS-TTYT"),
    ("Tô Thị Diệu", "CDCS-MAY-AP"),
    ("Quách Văn Khánh", "CDCS-DT-VN"),
    ("Âu Thị Nga", "CD-KCN"),
    ("Mạc Văn Tài", "CDN-YT"),
    ("Triệu Thị Vân", "CDN-GD"),
]


def seed_demo(year: int) -> list[tuple[str, str, str]] | None:
    """Create the demo province once; returns [(e-mail, role, password)] or None if present."""
    if db.session.scalar(select(OrgUnit).where(OrgUnit.code == "LDLD-DEMO")) is not None:
        return None
    units: dict[str, OrgUnit] = {}
    for code, name, parent in UNITS:
        units[code] = create_unit(name, code, units.get(parent) if parent else None)
    accounts = []
    for email, role, name, unit_code, position, officer_type in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(9)
        officer = create_officer(
            name,
            units[unit_code],
            email=email,
            password=password,
            role=role,
            officer_type=officer_type,
            position=position,
        )
        accounts.append((email, role.value, password))
        if role == Role.TRAINER:  # the demo trainer owns the shipped courses: he may edit them
            db.session.flush()
            for course in db.session.scalars(select(Course).order_by(Course.id)):
                add_owner_row(course, officer)
    for index, (name, unit_code) in enumerate(OTHER_OFFICERS, start=1):
        officer_type = OfficerType.PART_TIME if unit_code != "LDLD-DEMO" else OfficerType.FULL_TIME
        create_officer(
            name,
            units[unit_code],
            email=f"canbo{index:02d}@demo.tdkt.vn",
            officer_type=officer_type,
            position="Cán bộ làm công tác TĐKT",
        )
    db.session.commit()
    province = units["LDLD-DEMO"]
    for course in db.session.scalars(select(Course).order_by(Course.id)):
        planned = select(PlanItem).where(PlanItem.year == year, PlanItem.course_id == course.id)
        if db.session.scalar(planned) is None:
            add_plan_item(year, course, date(year, 12, 15), province)
    db.session.commit()
    return accounts
