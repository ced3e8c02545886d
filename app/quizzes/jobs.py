"""Question-bank imports that run in the background: the job row a progress page polls, the
uploaded bytes kept on the server under a random token, and the thread that does the work.

A job has two kinds in turn: "preview" (a dry run whose summary the trainer reviews) and then,
once confirmed, "import" (the same file, written for real). Progress (`done`/`total`) is
committed by the job's own thread while it checks questions; the writing of the questions
themselves (`app.quizzes.bank.import_questions`) is committed at the end with the job's
outcome, in one transaction, so a failure leaves the bank as it was.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core import jobs as background_jobs
from app.core.jobs import DONE, FAILED, QUEUED, JobState
from app.extensions import db

PREVIEW, IMPORT = "preview", "import"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class ImportJob(JobState, db.Model):
    __tablename__ = "question_import_jobs"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=PREVIEW)
    fmt: Mapped[str] = mapped_column(String(12), default="")  # "" = detect
    encoding: Mapped[str] = mapped_column(String(20), default="")  # "" = detect
    category_prefix: Mapped[str] = mapped_column(String(255), default="")


# --- uploaded files --------------------------------------------------------------------------


def _upload_dir() -> Path:
    return Path(current_app.instance_path) / "question-uploads"


def upload_path(token: str) -> Path:
    if not _TOKEN.match(token):
        raise ValueError("bad token")
    return _upload_dir() / f"{token}.bin"


def save_upload(data: bytes) -> str:
    """Keep the bytes on the server under a random token (never in a form field); files left
    unconfirmed for a day are removed."""
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.bin"):
        if time.time() - old.stat().st_mtime > 86_400:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    upload_path(token).write_bytes(data)
    return token


def discard_upload(token: str) -> None:
    upload_path(token).unlink(missing_ok=True)


# --- jobs ------------------------------------------------------------------------------------


def create_job(
    course_id: int,
    user_id: int | None,
    data: bytes,
    *,
    filename: str = "",
    fmt: str = "",
    encoding: str = "",
    category_prefix: str = "",
) -> tuple[int, str]:
    """Store the upload and a queued preview job for it: (job id, token). Commits."""
    token = save_upload(data)
    job = ImportJob(
        token=token,
        course_id=course_id,
        user_id=user_id,
        kind=PREVIEW,
        status=QUEUED,
        filename=filename[:255],
        fmt=fmt,
        encoding=encoding,
        category_prefix=category_prefix[:255],
        summary={},
    )
    db.session.add(job)
    db.session.flush()
    job_id = job.id
    db.session.commit()
    return job_id, token


def recent(user_id: int, course_id: int) -> list[tuple[ImportJob, dict]]:
    return background_jobs.recent(ImportJob, user_id, course_id=course_id)


def job_for(user_id: int, course_id: int, token: str) -> ImportJob | None:
    """The user's own job on this course, or None (unknown token, someone else's)."""
    if not _TOKEN.match(token):
        return None
    return db.session.scalar(
        select(ImportJob).where(
            ImportJob.token == token,
            ImportJob.user_id == user_id,
            ImportJob.course_id == course_id,
        )
    )


def confirm(job: ImportJob) -> bool:
    """Turn a finished preview into the real import (queued). False when there is nothing to
    confirm: already confirmed, still running, failed, or the upload is gone. Commits."""
    if job.kind != PREVIEW or job.status != DONE or not upload_path(job.token).exists():
        return False
    job.kind, job.status, job.done = IMPORT, QUEUED, 0
    db.session.commit()
    return True


def start(job_id: int, *, background: bool) -> None:
    background_jobs.start(run, job_id, background=background)


def wait(job_id: int, timeout: float = 60) -> None:
    """Block until a background job's thread ends (tests, the CLI)."""
    background_jobs.wait(run, job_id, timeout)


def run(job_id: int) -> None:
    """Parse the stored upload and import it (dry run for a preview). Never raises: a failure
    is written to the job (status "failed", the reason in its summary)."""
    from app.courses.models import Course
    from app.quizzes.bank import import_questions, parse_upload

    if not background_jobs.claim(ImportJob, job_id):
        return  # not queued, or another worker claimed it first
    job = db.session.get(ImportJob, job_id)
    job.done, job.total = 0, 0
    db.session.commit()
    token, kind = job.token, job.kind

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        db.session.commit()

    try:
        data = upload_path(token).read_bytes()
        result = parse_upload(data, job.filename, job.fmt or None, job.encoding or None)
        course = db.session.get(Course, job.course_id)
        summary = import_questions(
            course,
            result,
            category_prefix=job.category_prefix,
            actor_id=job.user_id,
            dry_run=kind == PREVIEW,
            filename=job.filename,
            progress=progress,
        )
    except Exception as exc:  # reported on the job's page; the bank is untouched
        db.session.rollback()
        current_app.logger.exception("question import job %s failed", job_id)
        job = db.session.get(ImportJob, job_id)
        job.status = FAILED
        job.summary = {"failure": f"Không xử lý được tệp: {exc}"}
        db.session.commit()
        return
    job = db.session.get(ImportJob, job_id)
    job.summary = summary.to_dict()
    job.total = job.done = summary.total
    job.status = DONE
    db.session.commit()
    if kind == IMPORT:
        discard_upload(token)
