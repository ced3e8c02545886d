"""Seed for the quiz-rules journeys (issue 15): load tests/fixtures/e2e-courses (a course with
an exam blueprint of 3 topics × 5 of 10 questions) and create learners of their own, so these
journeys never share progress with the other journeys. Prints one JSON object."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LEARNERS = [
    ("thi360", "Vũ Thị Thanh Tâm"),
    ("thi1280", "Đặng Văn Khoa"),
    ("luu360", "Trịnh Thị Ngọc Ánh"),
    ("luu1280", "Phan Văn Đức"),
]


def main(password: str) -> None:
    from sqlalchemy import select

    from app import create_app
    from app.authoring.loader import load_courses
    from app.extensions import db
    from app.org.models import OrgUnit, Role
    from app.org.services import create_officer

    app = create_app()
    with app.app_context():
        report = load_courses(ROOT / "tests" / "fixtures" / "e2e-courses")
        if report.errors:
            sys.exit(f"seed_quiz_rules: {report.errors}")
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "E2E-A1"))
        officers = {}
        for key, name in LEARNERS:
            email = f"{key}@e2e.tdkt.vn"
            create_officer(name, unit, email=email, password=password, role=Role.LEARNER)
            officers[key] = {"name": name, "email": email, "unit": "A1"}
        db.session.commit()
        print(json.dumps({"officers": officers}))


if __name__ == "__main__":
    main(sys.argv[1])
