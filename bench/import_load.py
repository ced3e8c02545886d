"""S9: a province's roster import (15,000 new officers) on SQLite while 20 learners submit
quizzes. Target: submits see p99 < 2 s and none is lost.

The import runs as `flask roster import` (the same chunked import as the web job) in its own
process against a scratch copy of the province dataset; the learners submit through gunicorn,
each one attempt every PACE seconds, from the moment the import starts until it ends. A
learner's submit that waits for SQLite's write lock shows up in its latency; one that gives up
(503 "busy") or fails shows up as an error and as an attempt left open (lost)."""

from __future__ import annotations

import csv
import statistics
import subprocess
import threading
import time

from lib import DATA, FLASK, ROOT, Browser, app_env, app_server, log, make_app, sqlite_copy

LEARNERS = 20
PACE = 0.25  # seconds between two submits of one learner: 80 submits/s in all
PER_LEARNER = 240  # attempts prepared per learner: enough for a 60 s import at that pace
OFFICERS = 15_000


def _province_and_units(database_url: str) -> tuple[str, list[str]]:
    """The province with the most grassroots units, and their codes."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.org.models import OrgUnit, UnitLevel

    app = make_app(database_url)
    with app.app_context():
        province_id = db.session.scalar(
            select(OrgUnit.level2_id)
            .where(OrgUnit.level == UnitLevel.GRASSROOTS)
            .group_by(OrgUnit.level2_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        province = db.session.get(OrgUnit, province_id)
        units = db.session.scalars(
            select(OrgUnit.code).where(
                OrgUnit.level2_id == province_id, OrgUnit.level == UnitLevel.GRASSROOTS
            )
        ).all()
        code = province.code
        db.engine.dispose()
    return code, list(units)


def _roster_file(units: list[str]) -> str:
    from app.roster.files import COLUMNS

    path = DATA / "s9-roster.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow([heading for _key, heading in COLUMNS])
        for i in range(OFFICERS):
            row = {
                "officer_code": f"S9-{i + 1:05d}",
                "full_name": f"Trần Văn Nhập {i + 1}",
                "birth_date": f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1965 + i % 35}",
                "unit_code": units[i % len(units)],
                "officer_type": "Chuyên trách" if i % 7 == 0 else "Kiêm nhiệm",
                "email": f"s9.nhap{i + 1}@bench.local",
            }
            writer.writerow([row.get(key, "") for key, _heading in COLUMNS])
    return str(path)


class _Learner(threading.Thread):
    """Submits its attempts one every PACE seconds until told to stop; times each submit."""

    def __init__(self, port: int, email: str, attempts: list, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.email, self.attempts, self.stop = port, email, attempts, stop
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors = 0
        self.submitted: list[int] = []

    def sign_in(self) -> _Learner:
        """Before the import starts: only the submits are measured."""
        self.browser = Browser(self.port).login(self.email)
        self.token = self.browser.csrf(f"/bai-lam/{self.attempts[0][0]}")
        return self

    def run(self) -> None:
        browser, token = self.browser, self.token
        for attempt_id, answers in self.attempts:
            if self.stop.is_set():
                return
            started = time.perf_counter()
            try:
                body = {"csrf_token": token, **answers}
                status, _html, _headers = browser.request("POST", f"/bai-lam/{attempt_id}", body)
            except OSError:
                self.errors += 1
                continue
            self.latencies.append(time.perf_counter() - started)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 302:
                self.submitted.append(attempt_id)
            else:
                self.errors += 1
            time.sleep(max(0.0, PACE - (time.perf_counter() - started)))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def import_under_load(source_url: str, result: dict, prepare_submits, submit_check) -> None:
    database_url = sqlite_copy(source_url, "s9.sqlite3")
    province, units = _province_and_units(database_url)
    roster = _roster_file(units)
    _slug, plan = prepare_submits(database_url, LEARNERS, PER_LEARNER)
    stop = threading.Event()
    with app_server(database_url, 18291, "s9-app") as app:
        learners = [_Learner(app.port, email, attempts, stop).sign_in() for email, attempts in plan]
        calm = _calm_submits(app.port, plan)  # the same submits with nothing else running
        started = time.perf_counter()
        importer = subprocess.Popen(
            [FLASK, "roster", "import", roster, "--unit", province],
            env=app_env(database_url),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for learner in learners:
            learner.start()
        try:
            out, err = importer.communicate(timeout=600)
        finally:
            import_s = time.perf_counter() - started
            stop.set()
            for learner in learners:
                learner.join(60)
        app_log = app.log_text()
    latencies = [x for learner in learners for x in learner.latencies]
    submitted = [a for learner in learners for a in learner.submitted]
    sent = len(latencies) + sum(learner.errors for learner in learners)
    check = submit_check(database_url, submitted)
    statuses: dict[int, int] = {}
    for learner in learners:
        for status, n in learner.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    result["S9"] = {
        "officers": OFFICERS,
        "learners": LEARNERS,
        "pace_s": PACE,
        "import_exit": importer.returncode,
        "import_s": round(import_s, 1),
        "import_last_lines": (out or "").strip().splitlines()[-1:]
        + (err or "").strip().splitlines()[-2:],
        "submits_sent": sent,
        "submits_ok": len(submitted),
        "responses": statuses,
        "errors": sum(learner.errors for learner in learners),
        "lost": check["lost"],
        "latency_ms_p50": round(1000 * _percentile(latencies, 0.5), 1),
        "latency_ms_p99": round(1000 * _percentile(latencies, 0.99), 1),
        "latency_ms_max": round(1000 * max(latencies or [0.0]), 1),
        "calm_latency_ms_p50": calm["p50"],
        "calm_latency_ms_p99": calm["p99"],
        "locked_in_logs": app_log.count("database is locked"),
    }
    log(f"S9: {result['S9']}")


def _calm_submits(port: int, plan: list) -> dict:
    """Context: the latency of one learner's submits with no import running (its last 20
    prepared attempts, which the loaded run does not reach)."""
    email, attempts = plan[0]
    spare = attempts[-20:]
    del attempts[-20:]
    browser = Browser(port).login(email)
    token = browser.csrf(f"/bai-lam/{spare[0][0]}")
    latencies = []
    for attempt_id, answers in spare:
        started = time.perf_counter()
        browser.request("POST", f"/bai-lam/{attempt_id}", {"csrf_token": token, **answers})
        latencies.append(time.perf_counter() - started)
    return {
        "p50": round(1000 * statistics.median(latencies), 1),
        "p99": round(1000 * _percentile(latencies, 0.99), 1),
    }
