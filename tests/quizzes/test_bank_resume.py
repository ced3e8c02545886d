"""Question-bank imports write in chunks of short transactions and can be resumed: a worker
killed in the middle of an import leaves the chunks it committed (as drafts: learners see
nothing until a publish), the job's page says how far it got, and "Tiếp tục" ends in exactly
the state an uninterrupted import gives — drafts, live questions, categories, images, audit."""

from __future__ import annotations

import base64
import json
import re
import sqlite3

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.db import write_intent
from app.courses.models import Course, QuestionDraft
from app.extensions import db
from app.legal.models import LegalReference
from app.org.models import Role, User
from app.org.services import create_officer, create_unit
from app.quizzes import bank, bank_chunks, bank_drafts, jobs
from app.quizzes.models import Question, QuestionCategory, QuestionFile
from tests.conftest import PASSWORD, ROOT, _wipe, csrf_token, login, own_every_course
from tests.killed_worker import kill_when
from tests.quizzes.bank_helpers import publish_imports

CHUNK = 20  # 149 valid questions: 8 chunks
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
OLD_IMAGE, NEW_IMAGE = PNG, PNG + b"new"  # the bank has the first already
# Of the file's 150 questions: Q001–Q010 as in the bank, Q011–Q030 changed, Q031–Q150 new,
# Q099 bad (no right answer).
CREATED, UPDATED, UNCHANGED = 119, 20, 10


def _question(number: int, changed: bool = False) -> str:
    image, files = "", ""
    if number in (5, 45, 125):  # Q005 the bank's image; Q045 and Q125 (chunks 3, 7) a new one
        content = OLD_IMAGE if number == 5 else NEW_IMAGE
        image = '<img src="@@PLUGINFILE@@/hinh.png" alt="hình">'
        encoded = base64.b64encode(content).decode()
        files = f'<file name="hinh.png" path="/" encoding="base64">{encoded}</file>'
    right = "0" if number == 99 else "100"
    text = f"Câu số {number} {'(đã sửa)' if changed else ''}đúng không?"
    return f"""<question type="truefalse">
    <name><text>Câu {number:03}</text></name>
    <idnumber>Q{number:03}</idnumber>
    <questiontext format="html"><text><![CDATA[<p>{text} {image}</p>]]></text>{files}
    </questiontext>
    <generalfeedback format="html"><text>Giải thích {number}.</text></generalfeedback>
    <tdkt_reference>kh-nq07; Mục II</tdkt_reference>
    <answer fraction="{right}"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>"""


def _xml(numbers, description: str, changed=range(0)) -> bytes:
    questions = "\n".join(_question(n, n in changed) for n in numbers)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Hồ sơ</text></category>
    <info format="html"><text>{description}</text></info>
    <idnumber>HS-01</idnumber>
  </question>
  {questions}
</quiz>""".encode()


BASE = _xml(range(1, 31), "Câu hỏi về hồ sơ")
FILE = _xml(range(1, 151), "Câu hỏi về hồ sơ khen thưởng", changed=range(11, 31))


def _scene() -> User:
    """The fixture course, whose bank already has Q001–Q030 live (published) and a described
    category, and the trainer who owns it."""
    from app.authoring.loader import load_courses

    province = create_unit("LĐLĐ tỉnh Thử nghiệm", "P", create_unit("Tổng Liên đoàn", "TLD"))
    trainer = create_officer(
        "Giảng viên", province, email="gv@test.vn", password=PASSWORD, role=Role.TRAINER
    )
    db.session.commit()
    assert load_courses(ROOT / "tests" / "fixtures" / "courses").errors == []
    own_every_course(trainer)
    course = _course()
    base = bank.import_questions(
        course, bank.parse_upload(BASE, "goc.xml"), actor_id=trainer.id, filename="goc.xml"
    )
    assert (base.created, base.errors) == (30, [])
    publish_imports(course)
    db.session.commit()
    return trainer


def _course() -> Course:
    return db.session.scalar(select(Course).where(Course.slug == "khoa-thu"))


def _confirmed_job(trainer: User) -> tuple[int, str]:
    """The file uploaded, previewed and confirmed, as on the bank's pages."""
    job_id, token = jobs.create_job(_course().id, trainer.id, FILE, filename="ngan-hang.xml")
    jobs.run(job_id)
    job = db.session.get(jobs.ImportJob, job_id)
    preview = bank.ImportSummary.from_dict(job.summary)
    assert (preview.created, preview.updated, preview.unchanged) == (CREATED, UPDATED, UNCHANGED)
    assert jobs.confirm(job)
    return job_id, token


def _state() -> dict:
    """Everything an import writes, named by keys, paths and digests (not ids)."""
    db.session.rollback()
    shas = dict(db.session.execute(select(QuestionFile.id, QuestionFile.sha256)).all())

    def plain(text: str) -> str:  # an image's URL names its row id: name its content instead
        return re.sub(r"/tep-cau-hoi/(\d+)/", lambda m: f"/tep-cau-hoi/{shas[int(m[1])]}/", text)

    drafts = [
        (d.key, d.qtype, d.title, plain(d.text), d.text_format, json.dumps(d.data))
        + (d.explanation, d.reference, d.category, json.dumps(d.tags), d.active)
        + (db.session.get(User, d.author_id).email if d.author_id else None,)
        for d in db.session.scalars(select(QuestionDraft))
    ]
    questions = [
        (q.key, q.qtype, q.title, plain(q.text), json.dumps(q.data), q.category, q.active)
        + (q.position,)
        for q in db.session.scalars(select(Question))
    ]
    categories = db.session.execute(
        select(QuestionCategory.path, QuestionCategory.idnumber, QuestionCategory.description)
    ).all()
    files = db.session.execute(
        select(QuestionFile.sha256, QuestionFile.name, QuestionFile.mimetype)
    ).all()
    audits = [
        (a.action, a.target_type, json.dumps(a.details, sort_keys=True))
        for a in db.session.scalars(select(AuditEvent))
    ]
    references = db.session.execute(
        select(LegalReference.document_code, LegalReference.place, LegalReference.article)
    ).all()
    return {
        name: sorted(map(str, rows))
        for name, rows in {
            "drafts": drafts,
            "questions": questions,
            "categories": categories,
            "files": files,
            "audits": audits,
            "references": references,
        }.items()
    }


def _summary(job_id: int) -> dict:
    summary = dict(db.session.get(jobs.ImportJob, job_id).summary)
    summary["preview"] = [
        {**p, "text": re.sub(r"/\d+/", "/", p["text"])} for p in summary["preview"]
    ]
    return summary


_KILLABLE_WORKER = """
import json, os, sys, time
from app import create_app
from app.core import jobs as background_jobs
from app.quizzes import bank_chunks, jobs

app = create_app(json.loads(os.environ["TDKT_TEST_CONFIG"]))
app.instance_path = os.environ["TDKT_TEST_INSTANCE"]
bank_chunks.CHUNK = int(os.environ["TDKT_TEST_CHUNK"])
real = bank_chunks._write_chunk

def slow_chunk(*args, **kwargs):  # time for the test to kill us between two commits
    real(*args, **kwargs)
    time.sleep(0.4)

bank_chunks._write_chunk = slow_chunk
background_jobs._run_in_app(app, jobs.run, int(sys.argv[1]))
"""


def _kill_after_first_chunk(app, job_id: int) -> None:
    kill_when(
        app,
        _KILLABLE_WORKER,
        job_id,
        lambda: db.session.get(jobs.ImportJob, job_id).resume_chunk > 0,
        TDKT_TEST_INSTANCE=app.instance_path,
        TDKT_TEST_CHUNK=str(CHUNK),
    )


@pytest.fixture
def chunked(app, monkeypatch, tmp_path):
    monkeypatch.setattr(bank_chunks, "CHUNK", CHUNK)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "BANK_SYNC_MAX_BYTES", 10_000_000)  # "Tiếp tục" runs inline
    return app


def test_a_killed_import_resumes_to_the_state_of_an_uninterrupted_one(chunked, client):
    trainer = _scene()
    job_id, _token = _confirmed_job(trainer)
    jobs.run(job_id)
    assert db.session.get(jobs.ImportJob, job_id).status == "done"
    uninterrupted, summary = _state(), _summary(job_id)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (
        CREATED,
        UPDATED,
        UNCHANGED,
    )
    assert len(summary["errors"]) == 1 and summary["errors"][0]["title"] == "Câu 099"
    assert len(uninterrupted["files"]) == 2  # the new image stored once for Q045 and Q125

    _wipe()
    trainer = _scene()
    live_before = _state()["questions"]
    job_id, token = _confirmed_job(trainer)
    _kill_after_first_chunk(chunked, job_id)

    job = db.session.get(jobs.ImportJob, job_id)
    assert job.status == jobs.RUNNING  # as the killed worker left it
    assert 0 < job.resume_chunk < 8  # of 8 chunks
    assert job.done == job.resume_chunk * CHUNK and job.total == 149
    drafts = db.session.scalar(select(func.count()).select_from(QuestionDraft))
    assert 0 < drafts < CREATED + UPDATED, "the kill came after the last chunk: nothing to resume"
    assert _state()["questions"] == live_before  # drafts only: learners see no change
    login(client, "gv@test.vn")
    assert client.get(f"/ngan-hang/khoa-thu/nhap/{token}/tien-do").get_json()["status"] == (
        "failed"
    )
    page = client.get(f"/ngan-hang/khoa-thu/nhap/{token}").get_data(as_text=True)
    assert "Tiếp tục" in page and f"Đã ghi {job.done}/149 câu hỏi hợp lệ" in page

    resumed = client.post(
        f"/ngan-hang/khoa-thu/nhap/{token}/tiep-tuc", data={"csrf_token": csrf_token(page)}
    )
    assert resumed.status_code == 302
    db.session.rollback()
    assert db.session.get(jobs.ImportJob, job_id).status == "done"
    assert _state() == uninterrupted
    assert _summary(job_id) == summary
    page = client.get(f"/ngan-hang/khoa-thu/nhap/{token}").get_data(as_text=True)
    assert "Đã nhập: ngan-hang.xml" in page and 'id="count-new">119<' in page


def test_a_failed_chunk_keeps_the_chunks_before_it_and_resumes(chunked, client, monkeypatch):
    trainer = _scene()
    job_id, token = _confirmed_job(trainer)
    real = bank_drafts.stage_chunk
    calls = []

    def fail_on_the_third_chunk(session, course_id, items, actor_id):
        calls.append(len(items))
        if len(calls) == 3:
            raise RuntimeError("đĩa đầy")
        return real(session, course_id, items, actor_id)

    monkeypatch.setattr(bank_drafts, "stage_chunk", fail_on_the_third_chunk)
    jobs.run(job_id)
    job = db.session.get(jobs.ImportJob, job_id)
    assert (job.status, job.resume_chunk, job.done) == ("failed", 2, 40)
    # Q001–Q010 unchanged, Q011–Q030 updated, Q031–Q040 new: 30 drafts written, no more
    assert db.session.scalar(select(func.count()).select_from(QuestionDraft)) == 30
    imports = select(func.count()).where(AuditEvent.action == "questions.import")
    assert db.session.scalar(imports) == 1  # the scene's; this one's comes with its last chunk
    login(client, "gv@test.vn")
    page = client.get(f"/ngan-hang/khoa-thu/nhap/{token}").get_data(as_text=True)
    assert "Đã ghi 40/149 câu hỏi hợp lệ" in page and "đĩa đầy" not in page
    assert "Lỗi hệ thống khi ghi câu hỏi" in page

    monkeypatch.setattr(bank_drafts, "stage_chunk", real)
    # resumed from the questions written, not from a chunk number: another chunk size (a new
    # release between the failure and "Tiếp tục") neither skips nor loses a question
    monkeypatch.setattr(bank_chunks, "CHUNK", 50)
    client.post(f"/ngan-hang/khoa-thu/nhap/{token}/tiep-tuc", data={"csrf_token": csrf_token(page)})
    db.session.rollback()
    job = db.session.get(jobs.ImportJob, job_id)
    assert (job.status, job.summary["created"], job.summary["updated"]) == (
        "done",
        CREATED,
        UPDATED,
    )
    assert db.session.scalar(select(func.count()).select_from(QuestionDraft)) == CREATED + UPDATED
    assert db.session.scalar(imports) == 2  # once for this import, not once per run
    assert not jobs.upload_path(token).exists()  # done: the upload is discarded


def test_resume_is_refused_for_a_job_that_did_not_fail(chunked, client, monkeypatch):
    trainer = _scene()
    job_id, token = _confirmed_job(trainer)
    login(client, "gv@test.vn")
    page = client.get("/ngan-hang/khoa-thu").get_data(as_text=True)
    monkeypatch.setitem(chunked.config, "WTF_CSRF_ENABLED", True)
    url = f"/ngan-hang/khoa-thu/nhap/{token}/tiep-tuc"
    assert client.post(url).status_code == 400  # no CSRF token
    before = _state()
    refused = client.post(url, data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert refused.status_code == 200 and "Không thể tiếp tục" in refused.get_data(as_text=True)
    assert _state() == before  # queued, not failed: nothing written
    assert db.session.get(jobs.ImportJob, job_id).status == "queued"
    jobs.run(job_id)
    refused = client.post(url, data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "Không thể tiếp tục" in refused.get_data(as_text=True)  # done: nothing to resume
    db.session.rollback()
    assert db.session.get(jobs.ImportJob, job_id).status == "done"
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "questions.import")) == 2
    )


def test_someone_elses_import_cannot_be_resumed(chunked, client):
    trainer = _scene()
    job_id, token = _confirmed_job(trainer)
    job = db.session.get(jobs.ImportJob, job_id)
    job.status = "failed"
    db.session.commit()
    other = create_officer(
        "Giảng viên khác",
        trainer.unit,
        email="gv2@test.vn",
        password=PASSWORD,
        role=Role.TRAINER,
    )
    db.session.commit()
    own_every_course(other)
    login(client, "gv2@test.vn")
    page = client.get("/ngan-hang/khoa-thu").get_data(as_text=True)
    response = client.post(
        f"/ngan-hang/khoa-thu/nhap/{token}/tiep-tuc", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 404
    assert db.session.get(jobs.ImportJob, job_id).status == "failed"


def test_other_writers_get_in_while_an_import_checks_and_between_its_chunks(chunked, monkeypatch):
    """A large bank takes seconds to check and to write: SQLite's only write lock must be free
    while it checks and after each chunk, or learners' quiz submits wait for the whole import."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers do not share one lock")
    trainer = _scene()
    course = _course()
    course_id, path = course.id, db.engine.url.database
    got_in = []

    def another_writer(phase: str, done: int, total: int) -> None:
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE courses SET title = title WHERE id = ?", (course_id,))
            other.execute("COMMIT")
            got_in.append((phase, done))
        except sqlite3.OperationalError:
            got_in.append((phase, done, "locked"))
        finally:
            other.close()

    monkeypatch.setattr(bank, "PROGRESS_EVERY", 50)
    writing = write_intent.set(True)  # as in a job's thread or the CLI: BEGIN IMMEDIATE
    try:
        summary = bank.import_questions(
            course,
            bank.parse_upload(FILE, "ngan-hang.xml"),
            actor_id=trainer.id,
            filename="ngan-hang.xml",
            progress=another_writer,
        )
    finally:
        write_intent.reset(writing)
    assert summary.created == CREATED
    assert [step for step in got_in if "locked" in step] == []
    assert ("check", 50) in got_in and ("write", 20) in got_in and ("write", 149) in got_in
