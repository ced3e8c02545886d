"""Roster imports write in chunks of short transactions and can be resumed: a worker killed in
the middle of an import leaves the chunks it committed, the job's page says how far it got, and
"Tiếp tục" ends in exactly the state an uninterrupted import gives. Jobs are claimed with one
conditional UPDATE, so two workers starting the same job run it once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from datetime import date

import pytest
from sqlalchemy import func, select, text

from app.core import jobs as background_jobs
from app.core.audit import AuditEvent
from app.core.dates import local_today
from app.core.db import write_intent
from app.extensions import db
from app.org.models import OrgUnit, Role, UnitMembership, User
from app.org.services import create_officer, create_unit
from app.progress import coverage_upkeep, records
from app.progress.models import TrainingRecord
from app.roster import files as roster_files
from app.roster import jobs
from app.roster import services as roster
from tests.conftest import PASSWORD, ROOT, _wipe, login
from tests.killed_worker import kill_when
from tests.org.roster_files import officer_rows

FILE_UNITS = ["A2", "B1", "A1", "A"]
BAD = {5: "unit", 700: "date"}
# Of the file's 1,200 rows: the 200 known officers are moved, but the 50 already in A1 (one
# of them a bad row); rows 201+ are new, one of them bad.
CREATED, UPDATED = 999, 149


def _scene() -> User:
    """A province, a plan line requiring the fixture course, 200 officers already on the
    roster (the file moves them all) and the admin who imports."""
    from app.authoring.loader import load_courses
    from app.courses.models import Course
    from app.progress.services import add_plan_item

    national = create_unit("Tổng Liên đoàn", "TLD")
    province = create_unit("LĐLĐ tỉnh Thử nghiệm", "P", national)
    units = {"P": province}
    units["A"] = create_unit("Công đoàn ngành A", "A", province)
    units["B"] = create_unit("Công đoàn ngành B", "B", province)
    for code, parent in (("A1", "A"), ("A2", "A"), ("B1", "B")):
        units[code] = create_unit(f"CĐCS {code}", code, units[parent])
    admin = create_officer(
        "Quản trị", province, email="admin@test.vn", password=PASSWORD, role=Role.PROVINCE_ADMIN
    )
    db.session.commit()
    assert load_courses(ROOT / "tests" / "fixtures" / "courses").errors == []
    course = db.session.scalar(select(Course).where(Course.slug == "khoa-thu"))
    year = local_today().year
    add_plan_item(year, course, date(year, 12, 31), province)
    base = [(n + 2, _text(row)) for n, row in enumerate(officer_rows(200, ["A1"]))]
    roster.import_roster(province, base, admin.id)
    return admin


def _text(row: dict) -> dict:
    return {k: v.strftime("%d/%m/%Y") if isinstance(v, date) else str(v) for k, v in row.items()}


def _file_rows() -> list[tuple[int, dict]]:
    return [(n + 2, _text(r)) for n, r in enumerate(officer_rows(1200, FILE_UNITS, BAD))]


def _queued_job(admin: User) -> tuple[int, str]:
    rows = _file_rows()
    token = roster_files.save_upload(admin.id, jobs.UPLOAD_KIND, "ds.csv", rows)
    job_id = jobs.create(admin.id, admin.unit_id, token, "ds.csv", len(rows))
    return job_id, token


def _state() -> dict:
    """Everything an import writes, named by codes (not ids, which differ between runs)."""
    db.session.rollback()
    officers = select(
        User.officer_code, User.full_name, OrgUnit.code, User.email, User.officer_type, User.active
    ).join(OrgUnit, OrgUnit.id == User.unit_id)
    memberships = (
        select(User.officer_code, OrgUnit.code, UnitMembership.start_on, UnitMembership.end_on)
        .join(User, User.id == UnitMembership.user_id)
        .join(OrgUnit, OrgUnit.id == UnitMembership.unit_id)
    )
    records = (
        select(
            User.officer_code,
            TrainingRecord.year,
            OrgUnit.code,
            TrainingRecord.officer_type,
            TrainingRecord.required,
            TrainingRecord.due_on,
            TrainingRecord.completed_on,
        )
        .join(User, User.id == TrainingRecord.user_id)
        .join(OrgUnit, OrgUnit.id == TrainingRecord.unit_id)
    )
    audits = select(AuditEvent.action, func.count()).group_by(AuditEvent.action)
    counts = text(
        "SELECT u.code, c.year, c.officer_type, c.due_on, c.done_month, c.records"
        " FROM coverage_counts c JOIN org_units u ON u.id = c.unit_id WHERE c.records <> 0"
    )
    folds = text(
        "SELECT u.code, c.year, c.own, c.officer_type, c.partial, c.first_missing_due,"
        " c.done_month, c.officers FROM coverage_officer_counts c"
        " JOIN org_units u ON u.id = c.unit_id WHERE c.officers <> 0"
    )
    return {
        name: sorted(tuple(map(str, row)) for row in db.session.execute(query))
        for name, query in {
            "officers": officers,
            "memberships": memberships,
            "records": records,
            "audits": audits,
            "coverage_counts": counts,
            "coverage_officer_counts": folds,
        }.items()
    }


_KILLABLE_WORKER = """
import json, os, sys, time
from app import create_app
from app.core import jobs as background_jobs
from app.roster import jobs
from app.roster import services as roster

app = create_app(json.loads(os.environ["TDKT_TEST_CONFIG"]))
real = roster._write_chunk

def slow_chunk(*args, **kwargs):  # time for the test to kill us between two commits
    written = real(*args, **kwargs)
    time.sleep(0.4)
    return written

roster._write_chunk = slow_chunk
background_jobs._run_in_app(app, jobs.run, int(sys.argv[1]))
"""


def _kill_after_first_chunk(app, job_id: int) -> None:
    kill_when(
        app,
        _KILLABLE_WORKER,
        job_id,
        lambda: db.session.get(jobs.RosterImportJob, job_id).resume_line > 0,
    )


def test_a_killed_import_resumes_to_the_state_of_an_uninterrupted_one(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_INLINE_ROWS", 5000)  # "Tiếp tục" runs in the request
    admin = _scene()
    job_id, _token = _queued_job(admin)
    jobs.run(job_id)
    uninterrupted = _state()
    done = db.session.get(jobs.RosterImportJob, job_id)
    assert (done.status, done.summary["created"], done.summary["updated"]) == (
        "done",
        CREATED,
        UPDATED,
    )
    assert done.summary["errors"] == 2

    _wipe()
    admin = _scene()
    job_id, token = _queued_job(admin)
    _kill_after_first_chunk(app, job_id)

    job = db.session.get(jobs.RosterImportJob, job_id)
    assert job.status == jobs.RUNNING  # as the killed worker left it
    written = (
        db.session.scalar(select(func.count(User.id)).where(User.officer_code.is_not(None))) - 200
    )
    assert 0 < written < CREATED, "the kill came after the last chunk: nothing to resume"
    assert coverage_upkeep.check().ok  # every committed chunk left the counts exact
    login(client, "admin@test.vn")
    assert client.get(f"/don-vi/can-bo/nhap/{token}/tien-do").get_json()["status"] == "failed"
    page = client.get(f"/don-vi/can-bo/nhap/{token}/ket-qua").get_data(as_text=True)
    assert "Tiếp tục" in page and f"Đã ghi {job.done} dòng" in page

    resumed = client.post(f"/don-vi/can-bo/nhap/{token}/thu-lai")
    assert resumed.status_code == 302
    job = db.session.get(jobs.RosterImportJob, job_id)
    assert job.status == "done"
    assert (job.summary["created"], job.summary["updated"], job.summary["errors"]) == (
        CREATED,
        UPDATED,
        2,
    )
    assert _state() == uninterrupted
    assert coverage_upkeep.check().ok


def test_a_failed_chunk_keeps_the_chunks_before_it_and_resumes(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_INLINE_ROWS", 5000)
    admin = _scene()
    job_id, token = _queued_job(admin)
    real = records.sync_requirements
    calls = []

    def fail_on_the_third_chunk(users, today):
        calls.append(len(users))
        if len(calls) == 5:  # two calls a chunk: the third chunk fails
            raise RuntimeError("disk full")
        return real(users, today)

    monkeypatch.setattr(records, "sync_requirements", fail_on_the_third_chunk)
    jobs.run(job_id)
    job = db.session.get(jobs.RosterImportJob, job_id)
    assert job.status == jobs.FAILED and job.done == 1000  # two chunks of 500 committed
    login(client, "admin@test.vn")
    page = client.get(f"/don-vi/can-bo/nhap/{token}/ket-qua").get_data(as_text=True)
    assert "Đã ghi 1000 dòng" in page and "disk full" not in page

    monkeypatch.setattr(records, "sync_requirements", real)
    client.post(f"/don-vi/can-bo/nhap/{token}/thu-lai")
    job = db.session.get(jobs.RosterImportJob, job_id)
    assert (job.status, job.summary["created"], job.summary["updated"]) == (
        "done",
        CREATED,
        UPDATED,
    )
    imports = select(func.count()).where(AuditEvent.action == "roster.import")
    assert db.session.scalar(imports) == 2  # the scene's import, then this one: once
    assert coverage_upkeep.check().ok


def test_a_job_of_a_live_worker_is_not_given_up(app):
    """Only a worker known dead (or silent for STALE_AFTER) lets a running job be retried."""
    admin = _scene()
    job_id, _token = _queued_job(admin)
    assert background_jobs.claim(jobs.RosterImportJob, job_id)
    job = db.session.get(jobs.RosterImportJob, job_id)
    assert job.worker == background_jobs.this_worker()
    assert job.progress()["status"] == jobs.RUNNING
    assert not jobs.retry(job)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        job.worker = f"{background_jobs.this_worker().rpartition(':')[0]}:{sleeper.pid}"
        db.session.commit()
        assert job.progress()["status"] == jobs.RUNNING  # alive on this host
    finally:
        sleeper.kill()
        sleeper.wait()
    assert job.progress()["status"] == jobs.FAILED  # now known dead
    job.worker = "another-host:1"
    db.session.commit()
    assert job.progress()["status"] == jobs.RUNNING  # elsewhere: only silence tells


def _in_threads(app, target, n: int = 2) -> list:
    """Run `target` in `n` threads at once, as `n` workers would (each its own session)."""
    db.session.rollback()  # the test's transaction would hold SQLite's write lock
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def work(i: int) -> None:
        with app.app_context():
            background_jobs.write_intent.set(True)
            barrier.wait()
            try:
                results[i] = target()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_two_workers_claiming_the_same_job_get_it_once(app):
    admin = _scene()
    job_id, _token = _queued_job(admin)
    db.session.commit()
    claims = _in_threads(app, lambda: background_jobs.claim(jobs.RosterImportJob, job_id), 4)
    assert sorted(claims) == [False, False, False, True]


def test_two_workers_starting_the_same_job_import_once(app):
    admin = _scene()
    job_id, _token = _queued_job(admin)
    db.session.commit()
    before = _state()
    _in_threads(app, lambda: jobs.run(job_id))
    after = _state()
    assert len(after["officers"]) - len(before["officers"]) == CREATED
    assert dict(after["audits"])["roster.import"] == "2"  # the scene's import, then this one
    assert db.session.get(jobs.RosterImportJob, job_id).status == "done"


def test_other_writers_get_in_while_an_import_checks_and_between_its_chunks(app):
    """A province's roster takes seconds to check and to write: SQLite's only write lock must
    be free while it checks and after each chunk, or quiz submits wait for the whole import."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers do not share one lock")
    admin = _scene()
    province = db.session.get(OrgUnit, admin.unit_id)
    path = db.engine.url.database
    got_in = []

    def another_writer(phase: str, done: int, total: int) -> None:
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE org_units SET name = name WHERE id = ?", (province.id,))
            other.execute("COMMIT")
            got_in.append((phase, done))
        except sqlite3.OperationalError:
            got_in.append((phase, done, "locked"))
        finally:
            other.close()

    writing = write_intent.set(True)  # as in a job's thread or the CLI: BEGIN IMMEDIATE
    try:
        roster.import_roster(province, _file_rows(), admin.id, progress=another_writer)
    finally:
        write_intent.reset(writing)
    assert [step for step in got_in if "locked" in step] == []
    assert ("check", 500) in got_in and ("write", 500) in got_in
