"""Confirmed roster imports run as jobs: progress while they write, one import per upload
however often "confirm" is pressed, a failure that can be retried (resumed: see
test_roster_resume.py), and
job pages only for the manager who uploaded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core import jobs as background_jobs
from app.core.audit import AuditEvent
from app.core.db import utcnow
from app.extensions import db
from app.org.models import User
from app.roster import jobs
from app.roster import services as roster
from tests.conftest import login
from tests.org.roster_files import bad_rows, count, officer_rows, preview_token, to_csv, upload

UNITS = ["A1", "A2", "B1", "A"]


def _officers() -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.officer_code.is_not(None)))


def _uploaded(client, n: int, bad: dict | None = None) -> str:
    login(client, "admin@test.vn")
    return preview_token(upload(client, to_csv(officer_rows(n, UNITS, bad)), "ds.csv"))


def fresh() -> None:
    """End the test session's transaction: see what a request or a job thread committed."""
    db.session.rollback()


def test_confirming_twice_imports_once(client, people):
    token = _uploaded(client, 30)
    first = client.post(f"/don-vi/can-bo/nhap/{token}")
    second = client.post(f"/don-vi/can-bo/nhap/{token}")
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(jobs.RosterImportJob)) == 1
    imports = select(func.count(AuditEvent.id)).where(AuditEvent.action == "roster.import")
    assert db.session.scalar(imports) == 1
    assert _officers() == 30


def test_a_second_job_for_the_same_upload_is_refused(app, people):
    """Two confirms at the same moment both pass the "no job yet" check: the unique token
    lets only one job in."""
    admin = people["admin"]
    assert jobs.create(admin.id, admin.unit_id, "t" * 32, "ds.csv", 3) is not None
    assert jobs.create(admin.id, admin.unit_id, "t" * 32, "ds.csv", 3) is None
    assert db.session.scalar(select(func.count()).select_from(jobs.RosterImportJob)) == 1


def test_a_large_import_runs_in_the_background_with_progress(app, client, people, monkeypatch):
    monkeypatch.setitem(app.config, "ROSTER_INLINE_ROWS", 10)
    token = _uploaded(client, 40, {3: "unit"})
    result_url = client.post(f"/don-vi/can-bo/nhap/{token}").headers["Location"]
    job_id = jobs.job_for(people["admin"].id, token).id
    fresh()  # the test's session must not hold SQLite's write lock while the job runs
    jobs.wait(job_id)
    fresh()
    progress = client.get(f"/don-vi/can-bo/nhap/{token}/tien-do").get_json()
    assert progress == {"status": "done", "kind": "import", "done": 40, "total": 40}
    page = client.get(result_url).get_data(as_text=True)
    assert count(page, "created") == 39 and count(page, "error") == 1
    assert list(bad_rows(page)) == [5]  # data row 4 is line 5 of the file
    assert _officers() == 39
    assert background_jobs.read_live(token) is None  # the live file goes with the job


def test_the_page_of_a_running_job_shows_its_live_progress(client, people):
    token = _uploaded(client, 20)
    admin = people["admin"]
    job_id = jobs.create(admin.id, admin.unit_id, token, "ds.csv", 20)
    job = db.session.get(jobs.RosterImportJob, job_id)
    job.status = jobs.RUNNING
    db.session.commit()
    background_jobs.report_live(token, 7, 19, "write")
    try:
        progress = client.get(f"/don-vi/can-bo/nhap/{token}/tien-do").get_json()
        assert progress == {
            "status": "running",
            "kind": "import",
            "done": 7,
            "total": 19,
            "phase": "write",
        }
        page = client.get(f"/don-vi/can-bo/nhap/{token}/ket-qua").get_data(as_text=True)
        assert "Bước 2/2: ghi vào cơ sở dữ liệu" in page
        assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
        assert "js/job-progress.js" in page and 'aria-valuenow="36"' in page
    finally:
        background_jobs.clear_live(token)


def test_import_reports_checking_then_writing(app, people, tree):
    rows = [(n + 2, row) for n, row in enumerate(_text_rows(officer_rows(1200, UNITS)))]
    calls = []
    roster.import_roster(tree["province"], rows, None, lambda *step: calls.append(step))
    assert calls == [
        ("check", 500, 1200),
        ("check", 1000, 1200),
        ("write", 0, 1200),
        ("write", 500, 1200),
        ("write", 1000, 1200),
        ("write", 1200, 1200),
    ]
    assert _officers() == 1200


def _text_rows(rows: list[dict]) -> list[dict]:
    return [
        {k: v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else str(v) for k, v in r.items()}
        for r in rows
    ]


def test_an_expired_upload_fails_the_job_with_a_reason(client, people):
    token = _uploaded(client, 5)
    admin = people["admin"]
    job_id = jobs.create(admin.id, admin.unit_id, token, "ds.csv", 5)
    from app.roster import files as roster_files

    roster_files.discard_upload(token)
    jobs.run(job_id)
    page = client.get(f"/don-vi/can-bo/nhap/{token}/ket-qua").get_data(as_text=True)
    assert "hết hạn" in page
    # nothing to retry with: the page says why instead of starting a job that cannot work
    retried = client.post(f"/don-vi/can-bo/nhap/{token}/thu-lai", follow_redirects=True)
    assert "Không thể thử lại" in retried.get_data(as_text=True)


def test_a_job_whose_worker_died_is_reported_failed(client, people):
    token = _uploaded(client, 5)
    admin = people["admin"]
    job = db.session.get(
        jobs.RosterImportJob, jobs.create(admin.id, admin.unit_id, token, "ds.csv", 5)
    )
    job.status = jobs.RUNNING
    db.session.commit()
    db.session.execute(
        jobs.RosterImportJob.__table__.update().values(updated_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    assert client.get(f"/don-vi/can-bo/nhap/{token}/tien-do").get_json()["status"] == "failed"
    assert "Thử lại" in client.get(f"/don-vi/can-bo/nhap/{token}/ket-qua").get_data(as_text=True)


@pytest.mark.parametrize("suffix", ["", "/ket-qua", "/tien-do"])
def test_only_the_uploader_sees_the_job(app, client, people, suffix):
    token = _uploaded(client, 3)
    client.post(f"/don-vi/can-bo/nhap/{token}")
    other = app.test_client()
    login(other, "qa@test.vn")  # a unit manager, not the uploader
    assert other.get(f"/don-vi/can-bo/nhap/{token}{suffix}").status_code == 404
    assert other.post(f"/don-vi/can-bo/nhap/{token}/thu-lai").status_code == 404
    learner = app.test_client()
    login(learner, "a1@test.vn")
    assert learner.get(f"/don-vi/can-bo/nhap/{token}{suffix}").status_code == 403


def test_the_upload_page_lists_the_managers_recent_imports(app, client, people):
    token = _uploaded(client, 3)
    client.post(f"/don-vi/can-bo/nhap/{token}")
    page = client.get("/don-vi/can-bo/nhap").get_data(as_text=True)
    assert "Các lần nhập gần đây của bạn" in page
    assert f'href="/don-vi/can-bo/nhap/{token}/ket-qua">ds.csv</a>' in page and "Đã nhập" in page
    other = app.test_client()
    login(other, "qa@test.vn")  # another manager sees only their own
    assert token not in other.get("/don-vi/can-bo/nhap").get_data(as_text=True)
