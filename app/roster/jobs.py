"""Roster imports confirmed from the web run as jobs: a province's list (15,000 officers) takes
tens of seconds to write, longer than a request should hold a worker, and the importer should
see how far it has got.

The job works on the upload the preview was built from (roster_files, same token) and writes
it in chunks of short transactions (app.roster.services.import_roster), recording with each
chunk the last line written and the counts so far in its row. A job that fails, or whose
worker dies, shows how far it got and offers "Tiếp tục", which writes the rest and ends exactly
where an uninterrupted run would. Progress while checking the file comes from the live file
(app.core.jobs.report_live); while writing, from the committed row as well.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core import jobs as background_jobs
from app.core.db import utcnow
from app.core.jobs import DONE, FAILED, QUEUED, RUNNING, JobState, LostClaim
from app.extensions import db
from app.org.models import OrgUnit
from app.roster import files as roster_files
from app.roster import services as roster

IMPORT = "import"
UPLOAD_KIND = "roster"  # what roster_files stores the parsed rows under
# Why a job failed, as stored (the page words it in the reader's language)
EXPIRED, ERROR = "upload-expired", "error"


class RosterImportJob(JobState, db.Model):
    __tablename__ = "roster_import_jobs"

    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=IMPORT)
    # The last line of the file a committed chunk wrote; a resumed run starts after it. The
    # counts so far are in summary["partial"].
    resume_line: Mapped[int] = mapped_column(default=0)

    @property
    def partial(self) -> roster.ImportSummary | None:
        data = (self.summary or {}).get("partial")
        return roster.ImportSummary.from_dict(data) if data else None


def job_for(user_id: int, token: str) -> RosterImportJob | None:
    """The user's own job for this upload, or None (none yet, unknown token, someone else's)."""
    if not roster_files.valid_token(token):
        return None
    return db.session.scalar(
        select(RosterImportJob).where(
            RosterImportJob.token == token, RosterImportJob.user_id == user_id
        )
    )


def recent(user_id: int) -> list[tuple[RosterImportJob, dict]]:
    return background_jobs.recent(RosterImportJob, user_id)


def create(user_id: int, unit_id: int, token: str, filename: str, rows: int) -> int | None:
    """A queued job for this upload: its id, or None when the upload already has one (a second
    click on "confirm", possibly at the same moment: the token is unique). Commits."""
    job = RosterImportJob(
        token=token, user_id=user_id, unit_id=unit_id, filename=filename[:255], total=rows
    )
    db.session.add(job)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    job_id = job.id
    db.session.commit()
    return job_id


def retry(job: RosterImportJob) -> bool:
    """Queue a failed job again (its upload is kept on failure), to resume after the last
    chunk it wrote. A job still running is queued again only when its worker is dead (the
    job's progress says "failed" then). Commits."""
    if job.progress()["status"] != FAILED or not roster_files.upload_exists(job.token):
        return False
    partial = (job.summary or {}).get("partial")
    job.status, job.summary = QUEUED, {"partial": partial} if partial else {}
    db.session.commit()
    return True


def start(job_id: int, rows: int) -> None:
    """Run the job: in a thread when its file is large enough to need a progress page."""
    background = rows > current_app.config["ROSTER_INLINE_ROWS"]
    background_jobs.start(run, job_id, background=background)


def wait(job_id: int, timeout: float = 120) -> None:
    background_jobs.wait(run, job_id, timeout)


def run(job_id: int) -> None:
    """Import the job's upload, or the rest of it after the last chunk written. Never raises:
    a failure is written to the job, with what was written before it."""
    if not background_jobs.claim(RosterImportJob, job_id):
        return  # not queued, or another worker claimed it first
    job = db.session.get(RosterImportJob, job_id)
    token, user_id, unit_id = job.token, job.user_id, job.unit_id
    resume, after_line, worker = job.partial, job.resume_line, job.worker

    def progress(phase: str, done: int, total: int) -> None:
        background_jobs.report_live(token, done, total, phase)

    def checkpoint(summary: roster.ImportSummary, last_line: int) -> None:
        """In the chunk's transaction: the chunk and the record of it commit together."""
        moved = db.session.execute(
            update(RosterImportJob)
            .where(RosterImportJob.id == job_id, RosterImportJob.worker == worker)
            .where(RosterImportJob.status == RUNNING)
            .values(
                resume_line=last_line,
                done=summary.created + summary.updated,
                summary={"partial": summary.to_dict()},
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise LostClaim(job_id)

    try:
        stored = roster_files.load_upload(user_id, UPLOAD_KIND, token)
        if stored is None:
            raise LookupError(EXPIRED)
        _filename, rows = stored
        unit = db.session.get(OrgUnit, unit_id)
        summary = roster.import_roster(
            unit,
            rows,
            user_id,
            progress=progress,
            resume=resume,
            after_line=after_line,
            checkpoint=checkpoint,
        )
    except LostClaim:
        db.session.rollback()
        current_app.logger.warning("roster import job %s was taken over; stopped", job_id)
        return
    except Exception as exc:  # shown on the job's page with what the committed chunks wrote
        db.session.rollback()
        current_app.logger.exception("roster import job %s failed", job_id)
        job = db.session.get(RosterImportJob, job_id)
        job.status = FAILED
        job.summary = {
            **(job.summary or {}),
            "failure": EXPIRED if isinstance(exc, LookupError) else ERROR,
        }
        db.session.commit()
        background_jobs.clear_live(token)
        return
    job = db.session.get(RosterImportJob, job_id)
    job.summary = summary.to_dict()
    job.done = job.total = len(rows)
    job.status = DONE
    db.session.commit()
    roster_files.discard_upload(token)
    background_jobs.clear_live(token)
