"""S4: the coverage page of a small unit (the bench learners' grassroots union, ~60 officers)
for its unit manager, against the app's own empty signed-in route, at 10 concurrent clients.

Both run on the probe server (bench/probe_app.py: the app plus empty routes), with the same
signed-in session, measured alternately round after round. The page's req/s is printed so the
comparison with Kolibri 0.19.5's coach class summary of 50 learners (26.7 req/s on this machine
kind, /work/shared/PERF-NOTES.md) can be redone.

The scene is set on a scratch copy through the app's own services: the year's plan lines that
cover the unit are applied (the bench learners were added after the plan, so they had no
records), every other officer of the unit completes the planned courses, and a unit manager
is added.
"""

from __future__ import annotations

import statistics

from lib import PASSWORD, Browser, log, make_app, probe_server, sqlite_copy
from loadgen import get, run

MANAGER = "bench.manager50@bench.local"
KOLIBRI_COACH_SUMMARY_REQ_S = 26.7
PAGE = "/bao-cao/bao-phu"
EMPTY = "/bench/da-dang-nhap"


def prepare_unit(database_url: str) -> dict:
    from datetime import timedelta

    from sqlalchemy import func, select

    from app.core.dates import local_today
    from app.courses.models import Course
    from app.extensions import db
    from app.org.models import OrgUnit, Role, User
    from app.org.services import create_officer
    from app.progress.models import PlanItem, TrainingRecord
    from app.progress.records import apply_plan_line as apply_plan_item
    from app.progress.records import complete as record_completion

    app = make_app(database_url)
    today = local_today()
    with app.app_context():
        unit = db.session.scalar(
            select(OrgUnit)
            .join(User, User.unit_id == OrgUnit.id)
            .where(User.email == "bench.learner0@bench.local")
        )
        items = [
            item
            for item in db.session.scalars(select(PlanItem).where(PlanItem.year == today.year))
            if unit.path.startswith(db.session.get(OrgUnit, item.unit_id).path)
        ]
        for item in items:
            apply_plan_item(item)
        officers = db.session.scalars(
            select(User).where(User.unit_id == unit.id).order_by(User.id)
        ).all()
        for item in items:
            course = db.session.get(Course, item.course_id)
            for officer in officers[::2]:
                record_completion(officer, course, on=today - timedelta(days=1))
        create_officer(
            "Quản lý Bench Đơn vị nhỏ",
            unit,
            email=MANAGER,
            password=PASSWORD,
            role=Role.UNIT_MANAGER,
        )
        db.session.commit()
        scene = {
            "unit": unit.name,
            "officers": db.session.scalar(
                select(func.count()).select_from(User).where(User.unit_id == unit.id)
            ),
            "required_records": db.session.scalar(
                select(func.count())
                .select_from(TrainingRecord)
                .where(
                    TrainingRecord.unit_id == unit.id,
                    TrainingRecord.year == today.year,
                    TrainingRecord.required,
                )
            ),
            "plan_lines": len(items),
        }
        db.engine.dispose()
    return scene


def unit_coverage(source_url: str, result: dict, rounds: int, seconds: float) -> None:
    database_url = sqlite_copy(source_url, "s4.sqlite3")
    scene = prepare_unit(database_url)
    log(f"S4 scene: {scene}")
    with probe_server(database_url, 18241) as probe:
        browser = Browser(probe.port).login(MANAGER)
        status, html, _ = browser.request("GET", PAGE)
        assert status == 200, status
        assert scene["unit"] in html, "S4: the page does not show the manager's unit"
        assert browser.request("GET", EMPTY)[0] == 200, "S4: not signed in on the probe"
        sources = {
            who: [[get(route, cookie=browser.cookie)] for _ in range(10)]
            for who, route in (("empty", EMPTY), ("page", PAGE))
        }
        for clients in sources.values():  # warm: every worker, its connection, its caches
            run("127.0.0.1", probe.port, clients, 1.0, 10**6)
        runs: dict[str, list[dict]] = {who: [] for who in sources}
        for round_ in range(rounds):
            for who, clients in sources.items():
                r = run("127.0.0.1", probe.port, clients, seconds, 10**6).summary()
                r["bad"] = r["errors"] + sum(n for s, n in r["statuses"].items() if s != 200)
                runs[who].append(r)
                log(f"S4 round {round_ + 1} {who}: {r['req_per_s']} req/s, {r['bad']} bad")
    rate = {who: statistics.median(r["req_per_s"] for r in rs) for who, rs in runs.items()}
    result["S4"] = {
        **scene,
        "page_bytes": len(html.encode()),
        "page_req_s": rate["page"],
        "empty_signed_in_req_s": rate["empty"],
        "ratio": rate["page"] / rate["empty"],
        "ratio_rounds": [
            p["req_per_s"] / e["req_per_s"]
            for p, e in zip(runs["page"], runs["empty"], strict=True)
        ],
        "page_latency_ms_p50": statistics.median(r["latency_ms_p50"] for r in runs["page"]),
        "kolibri_req_s": KOLIBRI_COACH_SUMMARY_REQ_S,
        "bad_responses": sum(r["bad"] for rs in runs.values() for r in rs),
        "runs": runs,
    }
    log(f"S4: page {rate['page']} req/s, empty signed-in {rate['empty']} req/s")
