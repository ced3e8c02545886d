"""Seed the browser-test database: a small union tree, one account per journey, a yearly plan.

Run by the e2e session fixture as a subprocess (`python tests/e2e/seed.py`) with DATABASE_URL
pointing at the fresh SQLite file, after `flask db upgrade` and `flask courses load`. Prints one
JSON object (unit ids, e-mails, names) on stdout for the tests.
"""

from __future__ import annotations

import inspect
import json
import sys
from datetime import date

PASSWORD = "mat-khau-e2e-2024"

# (code, name, parent code)
UNITS = [
    ("TLD", "Tổng Liên đoàn Lao động Việt Nam", None),
    ("P", "Liên đoàn Lao động tỉnh Thử nghiệm", "TLD"),
    ("A", "Công đoàn ngành Giáo dục tỉnh", "P"),
    ("B", "Công đoàn ngành Y tế tỉnh", "P"),
    ("C", "Công đoàn các Khu công nghiệp tỉnh", "P"),
    ("A1", "CĐCS Trường THPT Nguyễn Thị Minh Khai", "A"),
    ("A2", "CĐCS Trường THCS Lê Quý Đôn", "A"),
    ("B1", "CĐCS Bệnh viện Đa khoa tỉnh", "B"),
    ("C1", "CĐCS Công ty May mặc Ánh Phát", "C"),
]

# (key, name, unit code, role, e-mail or None)
OFFICERS = [
    ("admin", "Nguyễn Thị Thu Hà", "P", "province_admin", "admin@e2e.tdkt.vn"),
    ("manager", "Trần Văn Hùng", "A", "unit_manager", "quanly@e2e.tdkt.vn"),
    ("learner360", "Phạm Thị Lan", "A1", "learner", "hocvien360@e2e.tdkt.vn"),
    ("learner1280", "Lê Minh Châu", "A1", "learner", "hocvien1280@e2e.tdkt.vn"),
    ("a1_other", "Đỗ Quang Vinh", "A1", "learner", None),
    ("a1_other2", "Hà Văn Bình", "A1", "learner", None),
    ("a2_officer", "Hoàng Thị Mai", "A2", "learner", None),
    ("b_manager", "Mạc Văn Tài", "B", "unit_manager", "quanly-b@e2e.tdkt.vn"),
    ("b1_officer", "Bùi Thị Hồng Nhung", "B1", "learner", None),
    ("b1_officer2", "Ngô Văn Lực", "B1", "learner", None),
    ("c1_officer", "Lý Thị Kim Oanh", "C1", "learner", None),
]

COURSE = "khoa-thu"


def main() -> None:
    from sqlalchemy import select

    from app import create_app
    from app.core.dates import local_today
    from app.courses.models import Course
    from app.extensions import db
    from app.org.models import Role
    from app.org.services import create_officer, create_unit
    from app.progress.services import add_plan_item

    app = create_app()
    with app.app_context():
        units = {}
        for code, name, parent in UNITS:
            units[code] = create_unit(name, f"E2E-{code}", units[parent] if parent else None)
        officers = {}
        for key, name, unit_code, role, email in OFFICERS:
            officers[key] = create_officer(
                name,
                units[unit_code],
                email=email,
                password=PASSWORD if email else None,
                role=Role(role),
            )
        db.session.commit()

        course = db.session.scalar(select(Course).where(Course.slug == COURSE))
        if course is None:
            sys.exit(f"seed: course {COURSE!r} was not loaded")
        year = local_today().year
        # add_plan_item(year, course, due_on, unit, officer_type="", …): the unit (the plan's
        # scope) is a newer argument; older code took officer_type fourth and no unit.
        scoped = list(inspect.signature(add_plan_item).parameters)[3] != "officer_type"
        add_plan_item(year, course, date(year, 12, 31), *([units["P"]] if scoped else []))
        db.session.commit()  # the seed script is the boundary: services never commit

        print(
            json.dumps(
                {
                    "password": PASSWORD,
                    "year": year,
                    "course_title": course.title,
                    "units": {code: {"id": u.id, "name": u.name} for code, u in units.items()},
                    "officers": {
                        key: {"name": o.full_name, "email": o.email, "unit": unit_code}
                        for (key, _n, unit_code, _r, _e), o in zip(
                            OFFICERS, officers.values(), strict=True
                        )
                    },
                }
            )
        )


if __name__ == "__main__":
    main()
