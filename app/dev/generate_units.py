"""The generated union tree: unit rows placed as `OrgUnit.set_position` would, a province's
upper-level unions and CĐCS with plausible names, and the generation context they share
(app/dev/generate.py runs it; officers and training: app/dev/generate_people.py)."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable

from app.dev.generate_plan import plan_per_unit, plan_rows
from app.dev.vocabulary import (
    AREA_KIND,
    BRANDS,
    COMMUNES,
    COMPANY_FORMS,
    DEPARTMENTS,
    FAMILY,
    FAMOUS,
    KINDERGARTEN,
    PLACES,
    SECTORS,
    UPPER_KINDS,
)
from app.org.models import OfficerType, Role, UnitLevel

FULL, PART = OfficerType.FULL_TIME.value, OfficerType.PART_TIME.value


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def weighted(rng: random.Random, pairs):
    names, weights = zip(*pairs, strict=True)
    return lambda: rng.choices(names, weights)[0]


def unit_row(unit_id: int, code: str, name: str, parent: dict | None) -> dict:
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


class UnitsContext:
    """What a generation run draws from and writes to, and the units it adds."""

    def __init__(self, rng, ids, writer, report, year, plan, question_ids, password_hash, prefix):
        self.rng, self.ids, self.writer, self.report = rng, ids, writer, report
        self.year, self.plan, self.question_ids = year, plan, question_ids
        self.password_hash, self.prefix = password_hash, prefix
        self.family = weighted(rng, FAMILY)
        self.progress: Callable[[int], None] | None = None

    def plan_items(self, unit_id: int | None) -> None:
        for row in plan_rows(self.plan, unit_id):
            self.writer.add("plan_items", row)
            self.report.plan_items += 1

    # --- units -----------------------------------------------------------------------------

    def unit(self, code: str, name: str, parent: dict) -> dict:
        self.ids["unit"] += 1
        row = unit_row(self.ids["unit"], code, name, parent)
        self.writer.add("org_units", row)
        self.report.units += 1
        return row

    def province(self, number: int, name: str, budget: int, root: dict) -> None:
        rng, place = self.rng, name  # "tỉnh Nghệ An", "thành phố Huế"
        code = f"{self.prefix}P{number:02d}"
        province = self.unit(code, f"Liên đoàn Lao động {name}", root)
        self.report.provinces.append(province["id"])
        if plan_per_unit():
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
        pick = weighted(rng, [(u, u[2]) for u in uppers])
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
