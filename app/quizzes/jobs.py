"""Question-bank imports that run in the background: the job row a progress page polls, the
uploaded bytes kept on the server under a random token, and the thread that does the work.

A job has two kinds in turn: "preview" (a dry run whose summary the trainer reviews) and then,
once confirmed, "import" (the same file, written for real). Both check the file in a read
transaction, reporting progress through the live file (app.core.jobs.report_live). An import
then writes in chunks of short transactions (app.quizzes.bank_chunks), each committing with
the job's record of the chunk reached (`resume_chunk`); an import that fails or whose worker
dies shows how far it got and offers "Tiếp tục", which writes the rest and ends exactly where
an uninterrupted import would.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.core import jobs as background_jobs
from app.core.db import utcnow
from app.core.jobs import DONE, FAILED, QUEUED, RUNNING, JobState, LostClaim
from app.extensions import db

PREVIEW, IMPORT = "preview", "import"
WRITE_ERROR = "write-error"  # why an import failed, as stored (the page words it)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class ImportJob(JobState, db.Model):
    __tablename__ = "question_import_jobs"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=PREVIEW)
    fmt: Mapped[str] = mapped_column(String(12), default="")  # "" = detect
    encoding: Mapped[str] = mapped_column(String(20), default="")  # "" = detect
    category_prefix: Mapped[str] = mapped_column(String(255), default="")
    # The chunks of an import a committed transaction wrote, and (`done`) the file's valid
    # questions they passed: a resumed run starts after them. The summary of the whole file,
    # taken before the first write, is in summary["partial"].
    resume_chunk: Mapped[int] = mapped_column(default=0)

    @property
    def partial(self):
        """What the import set out to do (an ImportSummary), once a chunk of it is written."""
        from app.quizzes.bank import ImportSummary

        data = (self.summary or {}).get("partial")
        return ImportSummary.from_dict(data) if data else None


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
    job.kind, job.status, job.done, job.resume_chunk = IMPORT, QUEUED, 0, 0
    db.session.commit()
    return True


def retry(job: ImportJob) -> bool:
    """Queue a failed import again (its upload is kept on failure), to resume after the last
    chunk it wrote. A job still running is queued again only when its worker is dead (the
    job's progress says "failed" then). Commits."""
    if job.kind != IMPORT or job.progress()["status"] != FAILED:
        return False
    if not upload_path(job.token).exists():
        return False
    partial = (job.summary or {}).get("partial")
    job.status, job.summary = QUEUED, {"partial": partial} if partial else {}
    db.session.commit()
    return True


def start(job_id: int, *, background: bool) -> None:
    background_jobs.start(run, job_id, background=background)


def wait(job_id: int, timeout: float = 60) -> None:
    """Block until a background job's thread ends (tests, the CLI)."""
    background_jobs.wait(run, job_id, timeout)


def run(job_id: int) -> None:
    """Parse the stored upload and import it (dry run for a preview), or the rest of it after
    the last chunk written. Never raises: a failure is written to the job (status "failed",
    the reason in its summary, with what the committed chunks wrote)."""
    from app.courses.models import Course
    from app.quizzes.bank import import_questions, parse_upload

    if not background_jobs.claim(ImportJob, job_id):
        return  # not queued, or another worker claimed it first
    job = db.session.get(ImportJob, job_id)
    token, kind, worker = job.token, job.kind, job.worker
    resume, after_chunk, after = None, 0, 0
    if kind == IMPORT and job.resume_chunk:
        resume, after_chunk, after = job.partial, job.resume_chunk, job.done
    recorded = resume is not None  # the whole file's summary is in the row already

    def progress(phase: str, done: int, total: int) -> None:
        background_jobs.report_live(token, done, total, phase)

    def checkpoint(summary, chunks: int, done: int, total: int) -> None:
        """In the chunk's transaction: the chunk and the record of it commit together."""
        nonlocal recorded
        values = {"resume_chunk": chunks, "done": done, "total": total, "updated_at": utcnow()}
        if not recorded:
            values["summary"] = {"partial": summary.to_dict()}
        moved = db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.worker == worker)
            .where(ImportJob.status == RUNNING)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise LostClaim(job_id)
        recorded = True

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
            resume=resume,
            after_chunk=after_chunk,
            after=after,
            checkpoint=checkpoint,
        )
    except LostClaim:
        db.session.rollback()
        current_app.logger.warning("question import job %s was taken over; stopped", job_id)
        return
    except Exception as exc:  # reported on the job's page with what the chunks wrote
        db.session.rollback()
        current_app.logger.exception("question import job %s failed", job_id)
        job = db.session.get(ImportJob, job_id)
        job.status = FAILED
        # A preview's reason is about the file; an import's is worded by the page (the error
        # itself is for the server's log only).
        failure = f"Không xử lý được tệp: {exc}" if kind == PREVIEW else WRITE_ERROR
        job.summary = {**(job.summary or {}), "failure": failure}
        db.session.commit()
        background_jobs.clear_live(token)
        return
    job = db.session.get(ImportJob, job_id)
    job.summary = summary.to_dict()
    job.total = job.done = summary.total
    job.status = DONE
    db.session.commit()
    background_jobs.clear_live(token)
    if kind == IMPORT:
        discard_upload(token)
