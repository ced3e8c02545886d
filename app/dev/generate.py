"""Synthetic union data at national scale: `flask dev generate --officers N --seed S`.

A realistic tree (TLĐ → 34 LĐLĐ tỉnh/thành phố, or one for smaller runs → công đoàn ngành, khu công
nghiệp, viên chức, khu vực → CĐCS), officers with Vietnamese names, a yearly plan for the loaded
courses and the training records (and passing attempts) behind coverage — for benchmarks and for
looking at pages with real volumes.

Deterministic: every value comes from `random.Random(seed)` and the reference `year` (no clock),
so two runs with the same arguments into empty databases write identical rows. Rows are inserted
in bulk (app/dev/bulk.py: Core executemany in chunks, COPY on PostgreSQL), never one ORM object
per row; ids of units, officers and attempts are assigned here, after the current maximum, so
paths need no flush. The names and unit kinds it draws from are in app/dev/vocabulary.py;
the plan lines are made in generate_plan.py, the tree in generate_units.py and the officers
with their records and attempts in generate_people.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from sqlalchemy import select

from app.courses.models import Course
from app.dev.bulk import BulkWriter, coverage_triggers_paused, fix_sequences, max_id
from app.dev.generate_people import Context
from app.dev.generate_plan import plan_lines, plan_per_unit
from app.dev.generate_units import unit_row
from app.dev.vocabulary import PROVINCES
from app.extensions import db
from app.org.models import OrgUnit, UnitLevel, User
from app.quizzes.models import Attempt, Question

NATIONAL_SCALE = 100_000  # from this many officers on, all 34 provinces


@dataclass
class Report:
    units: int = 0
    officers: int = 0
    plan_items: int = 0
    records: int = 0
    attempts: int = 0
    courses: int = 0
    provinces: list[int] = field(default_factory=list)  # ids of the generated provinces
    notes: list[str] = field(default_factory=list)


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """`total` split by `weights` into integers that add up exactly."""
    scale = sum(weights)
    shares = [int(total * w / scale) for w in weights]
    for i in rng.sample(range(len(weights)), len(weights))[: total - sum(shares)]:
        shares[i] += 1
    return shares


def generate(
    officers: int,
    seed: int,
    year: int,
    years: int = 2,
    provinces: int | None = None,
    password: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Add `officers` officers in a new set of provinces under the national root (created if
    absent), plus plan lines and records for the loaded courses in `year - years + 1 .. year`.

    Commits per province. Refuses to run twice with the same seed into one database (the codes
    would clash). `password`, if given, becomes the shared password of the province admins, unit
    managers and trainers (hashed once, with a salt derived from the seed: still deterministic).
    """
    rng = random.Random(seed)
    report = Report()
    prefix = f"G{seed}-"
    if db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == f"{prefix}P01")):
        raise ValueError(f"dữ liệu với seed {seed} đã có trong cơ sở dữ liệu")
    count = provinces or (len(PROVINCES) if officers >= NATIONAL_SCALE else 1)
    count = max(1, min(count, len(PROVINCES)))
    chosen = PROVINCES[:count] if count == len(PROVINCES) else rng.sample(PROVINCES, count)
    password_hash = None
    if password:
        salt = random.Random(f"salt-{seed}").randbytes(16)
        password_hash = PasswordHasher().hash(password, salt=salt)

    courses = list(db.session.scalars(select(Course).order_by(Course.id)))
    report.courses = len(courses)
    if not courses:
        report.notes.append(
            "Chưa có khóa học (chạy `flask courses load`): không tạo kế hoạch, hồ sơ."
        )
    question_ids: dict[int, list[int]] = {c.id: [] for c in courses}
    for course_id, question_id in db.session.execute(
        select(Question.course_id, Question.id)
        .where(Question.active.is_(True))
        .order_by(Question.course_id, Question.id)
    ):
        question_ids.setdefault(course_id, []).append(question_id)

    ids = {"unit": max_id(OrgUnit), "user": max_id(User), "attempt": max_id(Attempt)}
    writer = BulkWriter()
    root = db.session.scalar(
        select(OrgUnit).where(OrgUnit.level == UnitLevel.NATIONAL).order_by(OrgUnit.id)
    )
    plan = plan_lines(courses, year, years, root.id if root else None)
    if root is None:
        ids["unit"] += 1
        parent = unit_row(ids["unit"], "TLD", "Tổng Liên đoàn Lao động Việt Nam", None)
        writer.add("org_units", parent)
        report.units += 1
    else:
        parent = {"id": root.id, "path": root.path, "level": 0, "code": root.code}

    ctx = Context(rng, ids, writer, report, year, plan, question_ids, password_hash, prefix)
    ctx.progress = progress
    if not plan_per_unit():
        ctx.plan_items(None)
    budgets = _split(rng, officers, [w for _, w in chosen])
    with coverage_triggers_paused():
        for number, ((name, _), budget) in enumerate(zip(chosen, budgets, strict=True), start=1):
            ctx.province(number, name, budget, parent)
            writer.flush()
            db.session.commit()
    if progress:
        progress(report.officers % 1000)
    fix_sequences()
    db.session.commit()
    return report
