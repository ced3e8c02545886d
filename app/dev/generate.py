"""Synthetic union data at national scale: `flask dev generate --officers N --seed S`.

A realistic tree (TLĐ → 34 LĐLĐ tỉnh/thành phố, or one for smaller runs → công đoàn ngành, khu công
nghiệp, viên chức, khu vực → CĐCS), officers with Vietnamese names, a yearly plan for the loaded
courses and the training records (and passing attempts) behind coverage — for benchmarks and for
looking at pages with real volumes.

Deterministic: every value comes from `random.Random(seed)` and the reference `year` (no clock),
so two runs with the same arguments into empty databases write identical rows. Rows are inserted
in bulk (app/dev/bulk.py: Core executemany in chunks, COPY on PostgreSQL), never one ORM object
per row; ids of units, officers and attempts are assigned here, after the current maximum, so
paths need no flush. The names and unit kinds it draws from are in app/dev/vocabulary.py.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import select

from app.courses.models import Course
from app.dev.bulk import BulkWriter, coverage_triggers_paused, fix_sequences, max_id
from app.dev.vocabulary import (
    AREA_KIND,
    BRANDS,
    COMMUNES,
    COMPANY_FORMS,
    DEPARTMENTS,
    FAMILY,
    FAMOUS,
    GIVEN_F,
    GIVEN_M,
    KINDERGARTEN,
    MIDDLE_F,
    MIDDLE_M,
    PLACES,
    POSITIONS,
    PROVINCES,
    SECTORS,
    UPPER_KINDS,
)
from app.extensions import db
from app.org.models import OfficerType, OrgUnit, Role, UnitLevel, User
from app.progress.models import PlanItem
from app.quizzes.models import Attempt, Question

NATIONAL_SCALE = 100_000  # from this many officers on, all 34 provinces
FULL, PART = OfficerType.FULL_TIME.value, OfficerType.PART_TIME.value


# Courses required by the plan, cycling over the loaded courses: all, all, part-time, full-time.
PLAN_TYPES = ["", "", PART, FULL]
PLAN_DUE = [(6, 30), (9, 30), (11, 30), (12, 15)]


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


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _weighted(rng: random.Random, pairs):
    names, weights = zip(*pairs, strict=True)
    return lambda: rng.choices(names, weights)[0]


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
    plan = _plan(courses, year, years, root.id if root else None)
    if root is None:
        ids["unit"] += 1
        parent = _unit_row(ids["unit"], "TLD", "Tổng Liên đoàn Lao động Việt Nam", None)
        writer.add("org_units", parent)
        report.units += 1
    else:
        parent = {"id": root.id, "path": root.path, "level": 0, "code": root.code}

    ctx = _Context(rng, ids, writer, report, year, plan, question_ids, password_hash, prefix)
    ctx.progress = progress
    if not _plan_per_unit():
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


def _plan(courses: list[Course], year: int, years: int, root_id: int | None) -> list[dict]:
    """Plan lines per (year, course): an existing national one, else a line to add ("new").

    Where plan lines belong to a unit (`PlanItem.unit_id`), new lines are added per generated
    province; otherwise once, for everyone.
    """
    stmt = select(PlanItem).order_by(PlanItem.id)
    if _plan_per_unit():
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


def _plan_per_unit() -> bool:
    return "unit_id" in PlanItem.__table__.c


def _plan_rows(lines: list[dict], unit_id: int | None) -> list[dict]:
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


def _unit_row(unit_id: int, code: str, name: str, parent: dict | None) -> dict:
    """A unit row exactly as `OrgUnit.set_position` would place it."""
    level = parent["level"] + 1 if parent else UnitLevel.NATIONAL
    row = {
        "id": unit_id,
        "code": code,
        "name": nfc(name),
        "level": int(level),
        "parent_id": parent["id"] if parent else None,
        "path": f"{parent['path'] if parent else '/'}{unit_id}/",
        "active": True,
    }
    for n in (1, 2, 3):
        if n < level:
            row[f"level{n}_id"] = parent[f"level{n}_id"]
        elif n == level:
            row[f"level{n}_id"] = unit_id
        else:
            row[f"level{n}_id"] = None
    return row


class _Context:
    def __init__(self, rng, ids, writer, report, year, plan, question_ids, password_hash, prefix):
        self.rng, self.ids, self.writer, self.report = rng, ids, writer, report
        self.year, self.plan, self.question_ids = year, plan, question_ids
        self.password_hash, self.prefix = password_hash, prefix
        self.family = _weighted(rng, FAMILY)
        self.progress: Callable[[int], None] | None = None

    def plan_items(self, unit_id: int | None) -> None:
        for row in _plan_rows(self.plan, unit_id):
            self.writer.add("plan_items", row)
            self.report.plan_items += 1

    # --- units -----------------------------------------------------------------------------

    def unit(self, code: str, name: str, parent: dict) -> dict:
        self.ids["unit"] += 1
        row = _unit_row(self.ids["unit"], code, name, parent)
        self.writer.add("org_units", row)
        self.report.units += 1
        return row

    def province(self, number: int, name: str, budget: int, root: dict) -> None:
        rng, place = self.rng, name  # "tỉnh Nghệ An", "thành phố Huế"
        code = f"{self.prefix}P{number:02d}"
        province = self.unit(code, f"Liên đoàn Lao động {name}", root)
        self.report.provinces.append(province["id"])
        if _plan_per_unit():
            self.plan_items(province["id"])
        # Officers: ~1% full-time staff at the province, 2–6 per upper union, the rest in CĐCS.
        at_province = min(budget, max(3, round(budget * 0.01)))
        kinds = list(UPPER_KINDS) + [AREA_KIND] * max(1, budget // 2500)
        kinds = kinds[: max(1, min(len(kinds), (budget - at_province) // 30))]
        trainers = 1 + budget // 5000
        for index in range(at_province):
            role = Role.LEARNER
            if index == 0:
                role = Role.PROVINCE_ADMIN
            elif index <= trainers:
                role = Role.TRAINER
            self.officer(province, role, FULL, index)
        remaining = budget - at_province
        uppers, area, names_used = [], 0, set()
        for index, (prefix_name, kind, weight) in enumerate(kinds, start=1):
            if kind == "area":
                area += 1
                label = f"{prefix_name} {PLACES[(number * 7 + area) % len(PLACES)]}"
            else:
                label = f"{prefix_name} {place}"
            upper = self.unit(f"{code}-U{index:02d}", label, province)
            staff = min(remaining, rng.randint(2, 6))
            remaining -= staff
            for n in range(staff):
                officer_type = FULL if n == 0 or rng.random() < 0.5 else PART
                self.officer(upper, Role.UNIT_MANAGER if n == 0 else Role.LEARNER, officer_type, n)
            uppers.append((upper, kind, weight, names_used))
        if not uppers:
            return
        pick = _weighted(rng, [(u, u[2]) for u in uppers])
        number_in_upper: dict[int, int] = {}
        while remaining > 0:
            upper, kind, _, used = pick()
            size = min(remaining, max(1, int(rng.triangular(1, 14, 4))))
            remaining -= size
            name_ = self.grassroots_name(kind, place, used)
            n = number_in_upper[upper["id"]] = number_in_upper.get(upper["id"], 0) + 1
            unit = self.unit(f"{upper['code']}-{n:05d}", f"CĐCS {name_}", upper)
            full_time_share = 0.15 if size >= 10 else 0.02
            for index in range(size):
                officer_type = FULL if rng.random() < full_time_share else PART
                self.officer(unit, Role.LEARNER, officer_type, index)

    def grassroots_name(self, kind: str, place: str, used: set[str]) -> str:
        """A plausible name, unique within the province (a second school named after the same
        person is told apart by its commune, as in real rosters)."""
        for _ in range(6):
            name = self._draw_name(kind, place)
            if name not in used:
                break
        base, n = name, 1
        located = any(word in base for word in ("xã ", "phường ", "tỉnh ", "thành phố ", "Sở "))
        while name in used:
            n += 1
            if located or n > 4:
                name = f"{base} (cơ sở {n})"
            else:
                name = f"{base}, xã {self.rng.choice(COMMUNES)}"
        used.add(name)
        return name

    def _draw_name(self, kind: str, place: str) -> str:
        rng = self.rng
        if kind == "area":
            kind = rng.choice(["school", "company", "commune", "company", "health"])
        if kind == "school":
            grade = rng.choices(["THPT", "THCS", "Tiểu học", "Mầm non"], [2, 3, 4, 3])[0]
            who = rng.choice(KINDERGARTEN if grade == "Mầm non" else FAMOUS)
            return f"Trường {grade} {who}"
        if kind == "health":
            return rng.choices(
                [
                    f"Bệnh viện Đa khoa khu vực {rng.choice(PLACES)}",
                    f"Trung tâm Y tế khu vực {rng.choice(PLACES)}",
                    f"Trạm Y tế phường {rng.choice(COMMUNES)}",
                    f"Bệnh viện Sản – Nhi {place}",
                    f"Bệnh viện Y học cổ truyền {place}",
                ],
                [3, 3, 6, 1, 1],
            )[0]
        if kind == "office" and rng.random() < 0.3:
            return rng.choice(DEPARTMENTS)
        if kind in ("office", "commune"):
            body = rng.choice(
                ["Cơ quan UBND", "Cơ quan Đảng ủy", "Trung tâm Phục vụ hành chính công"]
            )
            return f"{body} {rng.choice(['xã', 'phường'])} {rng.choice(COMMUNES)}"
        if kind == "farm":
            return rng.choice(
                [
                    f"Công ty TNHH MTV Lâm nghiệp {rng.choice(PLACES)}",
                    f"Hợp tác xã Nông nghiệp {rng.choice(PLACES)}",
                    f"Công ty Cổ phần Cao su {rng.choice(BRANDS)}",
                ]
            )
        return f"{rng.choice(COMPANY_FORMS)} {rng.choice(SECTORS)} {rng.choice(BRANDS)}"

    # --- officers and their training ---------------------------------------------------------

    def person_name(self) -> str:
        rng = self.rng
        female = rng.random() < 0.55
        middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
        given = rng.choice(GIVEN_F if female else GIVEN_M)
        if female and rng.random() < 0.2:  # a second middle name: Nguyễn Thị Thu Hà
            middle = f"Thị {rng.choice(['Thu', 'Minh', 'Ngọc', 'Thanh', 'Kim', 'Hồng'])}"
        return nfc(f"{self.family()} {middle} {given}")

    def officer(self, unit: dict, role: Role, officer_type: str, index: int) -> None:
        rng = self.rng
        self.ids["user"] += 1
        user_id = self.ids["user"]
        level = UnitLevel(unit["level"])
        if level == UnitLevel.PROVINCE and role == Role.PROVINCE_ADMIN:
            position = "Chuyên viên Ban Tổ chức – Kiểm tra (quản trị hệ thống)"
        elif role == Role.UNIT_MANAGER:
            position = "Chủ tịch"
        elif role == Role.TRAINER:
            position = "Giảng viên kiêm nhiệm"
        else:
            position = rng.choice(POSITIONS[level])
        email, password_hash = None, None
        if role != Role.LEARNER:
            tag = {Role.PROVINCE_ADMIN: "admin", Role.UNIT_MANAGER: "quanly"}.get(role, "giangvien")
            email = f"{tag}{index or ''}.{unit['code'].lower()}@gen.tdkt.vn"
            password_hash = self.password_hash
        phone = None
        if rng.random() < 0.8:
            rng.randrange(10**8)  # drawn as before, so the rest of a seeded run is unchanged
            phone = f"09{user_id % 10**8:08d}"  # phone numbers are unique (they sign in)
        active = role != Role.LEARNER or rng.random() >= 0.02
        self.writer.add(
            "users",
            {
                "id": user_id,
                "full_name": self.person_name(),
                "email": email,
                "phone": phone,
                "birth_date": date(1966, 1, 1) + timedelta(days=rng.randrange(34 * 365)),
                "unit_id": unit["id"],
                "position": nfc(position),
                "officer_type": officer_type,
                "active": active,
                "password_hash": password_hash,
                "created_at": datetime(self.year - 2, 1, 1) + timedelta(days=user_id % 365),
            },
        )
        if role != Role.LEARNER:  # a staff role covers the officer's own unit
            self.writer.add(
                "role_grants",
                {
                    "user_id": user_id,
                    "role": role.value,
                    "unit_id": unit["id"],
                    "granted_at": datetime(self.year - 2, 1, 1),
                },
            )
        joined = date(self.year - 2, 1, 1) + timedelta(days=user_id % 365)
        self.writer.add(
            "unit_memberships",
            {
                "user_id": user_id,
                "unit_id": unit["id"],
                "start_on": joined,
                "end_on": None if active else date(self.year - 1, 1, 1) + timedelta(user_id % 300),
            },
        )
        self.report.officers += 1
        if self.progress and self.report.officers % 1000 == 0:
            self.progress(1000)
        if active:
            self.records(user_id, unit["id"], officer_type)

    def records(self, user_id: int, unit_id: int, officer_type: str) -> None:
        rng = self.rng
        for line in self.plan:
            course, year = line["course"], line["year"]
            required = line["type"] in ("", officer_type)
            rate = 0.74 if year < self.year else 0.70  # 62–86% / 58–82% by unit
            if required:
                done = rng.random() < rate + 0.12 * (unit_id % 7 - 3) / 3
            else:
                done = rng.random() < 0.05  # took a course not required of them
            row = {
                "user_id": user_id,
                "course_id": course.id,
                "year": year,
                "unit_id": unit_id,
                "officer_type": officer_type,
                "required": required,
                "due_on": line["due"] if required else None,
                "completed_on": None,
                "source": None,
                "course_version": None,
                "attempt_id": None,
                "updated_at": datetime(year, 1, 5, 2, 0),
            }
            if not required and not done:
                continue
            if done:
                due = line["due"]
                latest = due if rng.random() < 0.85 else date(year, 12, 31)
                start = date(year, 1, 15)
                on = start + timedelta(days=rng.randrange(max(1, (latest - start).days + 1)))
                online = bool(self.question_ids.get(course.id)) and rng.random() < 0.7
                row.update(
                    completed_on=on,
                    source="online" if online else "class",
                    course_version=course.version_major,
                    updated_at=datetime.combine(on, datetime.min.time()) + timedelta(hours=3),
                )
                if online:
                    row["attempt_id"] = self.attempts(user_id, course, on)
            self.writer.add("training_records", row)
            self.report.records += 1

    def attempts(self, user_id: int, course: Course, on: date) -> int:
        """A passing attempt submitted on `on` (after a failed one, sometimes); its id."""
        rng = self.rng
        pool = self.question_ids[course.id]
        take = course.questions_per_attempt or len(pool)
        tries = [False, True] if rng.random() < 0.15 else [True]
        for index, passed in enumerate(tries):
            self.ids["attempt"] += 1
            day = on - timedelta(days=(len(tries) - 1 - index) * rng.randint(1, 5))
            # 08:00–21:00 in Vietnam = 01:00–14:00 UTC (stored naive UTC)
            started = datetime.combine(day, datetime.min.time()) + timedelta(
                hours=1, minutes=rng.randrange(13 * 60)
            )
            low, high = (course.pass_mark, 100) if passed else (20, max(20, course.pass_mark - 1))
            self.writer.add(
                "attempts",
                {
                    "id": self.ids["attempt"],
                    "user_id": user_id,
                    "course_id": course.id,
                    "course_version": course.version_major,
                    "question_ids": rng.sample(pool, min(take, len(pool))),
                    "answers": {},
                    "scores": {},
                    "score": float(rng.randint(low, high)),
                    "passed": passed,
                    "started_at": started,
                    "submitted_at": started + timedelta(minutes=rng.randint(8, 40)),
                },
            )
            self.report.attempts += 1
        return self.ids["attempt"]
