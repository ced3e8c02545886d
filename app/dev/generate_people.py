"""The generated officers: names, positions, roles, memberships, and the training records and
passing attempts behind their coverage (app/dev/generate.py runs it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.courses.models import Course
from app.dev.generate_units import UnitsContext, nfc
from app.dev.vocabulary import GIVEN_F, GIVEN_M, MIDDLE_F, MIDDLE_M, POSITIONS
from app.org.models import Role, UnitLevel


class Context(UnitsContext):
    """The generation context: units (UnitsContext) and the officers in them."""

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
