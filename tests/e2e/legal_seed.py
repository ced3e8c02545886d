"""Set the scene of the legal-register journey (test_legal_journey.py): the province requires
its course this year, and three officers have completed it. Run as a subprocess with
DATABASE_URL pointing at the e2e database; prints {"course_id": …} as JSON."""

from __future__ import annotations

import json
import sys
from datetime import date

SLUG = "khoa-van-ban"
COMPLETED = ("Bùi Thị Hồng Nhung", "Ngô Văn Lực", "Lý Thị Kim Oanh")


def main() -> None:
    from sqlalchemy import select

    from app import create_app
    from app.core.dates import local_today
    from app.courses.models import Course
    from app.extensions import db
    from app.org.models import OrgUnit, User
    from app.progress.records import complete as record_completion
    from app.progress.services import add_plan_item

    app = create_app()
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == SLUG))
        if course is None:
            sys.exit(f"legal_seed: course {SLUG!r} was not loaded")
        province = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "E2E-P"))
        year = local_today().year
        add_plan_item(year, course, date(year, 12, 31), province)
        for name in COMPLETED:
            officer = db.session.scalar(select(User).where(User.full_name == name))
            record_completion(officer, course, on=local_today())
        db.session.commit()
        print(json.dumps({"course_id": course.id}))


if __name__ == "__main__":
    main()
