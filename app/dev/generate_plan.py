"""The yearly plan lines `flask dev generate` adds for the loaded courses (app/dev/generate.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app.courses.models import Course
from app.extensions import db
from app.org.models import OfficerType
from app.progress.models import PlanItem

FULL, PART = OfficerType.FULL_TIME.value, OfficerType.PART_TIME.value

# Courses required by the plan, cycling over the loaded courses: all, all, part-time, full-time.
PLAN_TYPES = ["", "", PART, FULL]
PLAN_DUE = [(6, 30), (9, 30), (11, 30), (12, 15)]


def plan_lines(courses: list[Course], year: int, years: int, root_id: int | None) -> list[dict]:
    """Plan lines per (year, course): an existing national one, else a line to add ("new").

    Where plan lines belong to a unit (`PlanItem.unit_id`), new lines are added per generated
    province; otherwise once, for everyone.
    """
    stmt = select(PlanItem).order_by(PlanItem.id)
    if plan_per_unit():
        stmt = stmt.where(PlanItem.unit_id == root_id)
    existing = {(p.year, p.course_id): p for p in db.session.scalars(stmt)}
    lines = []
    for y in range(year - years + 1, year + 1):
        for index, course in enumerate(courses):
            item = existing.get((y, course.id))
            if item is not None:
                due, officer_type, new = item.due_on, item.officer_type, False
            else:
                month, day = PLAN_DUE[index % len(PLAN_DUE)]
                due, officer_type, new = date(y, month, day), PLAN_TYPES[index % 4], True
            lines.append(
                {"year": y, "course": course, "type": officer_type, "due": due, "new": new}
            )
    return lines


def plan_per_unit() -> bool:
    return "unit_id" in PlanItem.__table__.c


def plan_rows(lines: list[dict], unit_id: int | None) -> list[dict]:
    rows = []
    for line in lines:
        if line["new"]:
            row = {
                "year": line["year"],
                "course_id": line["course"].id,
                "officer_type": line["type"],
                "due_on": line["due"],
                "created_at": datetime(line["year"], 1, 5, 2, 0),
            }
            if unit_id is not None:
                row["unit_id"] = unit_id
            rows.append(row)
    return rows
