"""Long work that runs beside the request: the state every job row keeps, the thread that runs
it, and the live progress a job reports while its write transaction is open.

Question-bank imports (app.quizzes.jobs) and roster imports (app.roster.jobs) are such jobs. A job
row is created and committed by the request, its work runs inline (small inputs) or in a daemon
thread with its own app context (large ones), and a page polls the row's progress.

Progress a job writes to its row must be committed, which is impossible while the job's own
write transaction is open (on SQLite that transaction also holds the only write lock). So a job
may also report progress to a small file in the instance folder, where every worker serving
the poll can read it: the uploads a job works on already live there, so workers must share it.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import JSON, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow, write_intent
from app.extensions import db

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
# A job whose thread has not written for this long died with its worker (restart, crash).
STALE_AFTER = timedelta(minutes=10)
_threads: dict[tuple[str, int], threading.Thread] = {}


class JobState:
    """Columns and status logic shared by the job tables."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # in URLs, not guessable
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(String(255), default="")
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # "host:pid" of the process that claimed the job (see `claim`): a job is given up on only
    # when that process is known dead, or has said nothing for STALE_AFTER on another host.
    worker: Mapped[str] = mapped_column(String(120), default="")

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)

    @property
    def stale(self) -> bool:
        return self._stale(read_live(self.token))

    def _stale(self, live: dict | None) -> bool:
        if self.finished:
            return False
        if self.status == RUNNING and worker_dead(self.worker):
            return True
        last = max(self.updated_at, live["at"]) if live else self.updated_at
        return utcnow() - last > STALE_AFTER

    def progress(self) -> dict:
        """What the progress page shows: the row's figures, or the live ones while running."""
        state = {"status": self.status, "kind": self.kind, "done": self.done, "total": self.total}
        live = read_live(self.token) if self.status == RUNNING else None
        if live:
            state.update(done=live["done"], total=live["total"], phase=live["phase"])
        if self._stale(live):
            state["status"] = FAILED
        return state


def recent(model: type[JobState], user_id: int, limit: int = 5, **where) -> list[tuple]:
    """The user's latest jobs of this kind, newest first, each with its progress: the way back
    to a job's page after leaving it."""
    query = (
        select(model)
        .filter_by(user_id=user_id, **where)
        .order_by(model.created_at.desc(), model.id.desc())
        .limit(limit)
    )
    return [(job, job.progress()) for job in db.session.scalars(query)]


# --- claiming ---------------------------------------------------------------------------------


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_dead(worker: str) -> bool:
    """True when the process named `worker` is known to have ended: it ran on this host and no
    such process exists any more. A worker on another host is never *known* dead; its job is
    given up on only after STALE_AFTER of silence."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False  # this very process: its thread ends by writing the job's outcome
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, owned by someone else
        return False
    return False


def claim(model: type[JobState], job_id: int) -> bool:
    """Move a queued job to running, atomically: one conditional UPDATE, so of two workers
    starting the same job at the same moment exactly one gets it (a read-then-write let both
    run it on PostgreSQL). Commits."""
    claimed = db.session.execute(
        update(model)
        .where(model.id == job_id, model.status == QUEUED)
        .values(status=RUNNING, worker=this_worker(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


class LostClaim(RuntimeError):
    """Another worker took the job over (this one was given up for dead): stop writing."""


def let_other_writers_in(held: float) -> None:
    """Call after committing a chunk of a long import. On SQLite, pause for as long as the
    chunk held the only write lock (at most a second): writers that waited for it poll the
    lock now and then (SQLite's busy handler sleeps up to 100 ms between tries), while the
    import's loop would take it back at once, so a quiz submit could wait through chunk after
    chunk. Halves the import's speed while it runs; PostgreSQL locks rows, not the database,
    and needs no pause."""
    if db.session.get_bind().dialect.name == "sqlite":
        time.sleep(min(held, 1.0))


# --- live progress --------------------------------------------------------------------------


def _live_path(token: str) -> Path:
    return Path(current_app.instance_path) / "job-progress" / f"{token}.json"


def report_live(token: str, done: int, total: int, phase: str = "") -> None:
    """Progress readable by every worker while the job's transaction is still open. The file
    is replaced whole (rename), so a reader never sees half of it."""
    path = _live_path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    state = {"done": done, "total": total, "phase": phase, "at": utcnow().isoformat()}
    partial.write_text(json.dumps(state), "utf-8")
    partial.replace(path)


def read_live(token: str) -> dict | None:
    try:
        state = json.loads(_live_path(token).read_text("utf-8"))
        state["at"] = datetime.fromisoformat(state["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state


def clear_live(token: str) -> None:
    _live_path(token).unlink(missing_ok=True)


# --- running ------------------------------------------------------------------------------


def _sweep_live() -> None:
    """Remove the live files of jobs whose worker died before clearing them (a day is plenty)."""
    folder = Path(current_app.instance_path) / "job-progress"
    for old in folder.glob("*.json") if folder.is_dir() else ():
        if time.time() - old.stat().st_mtime > 86_400:
            old.unlink(missing_ok=True)


def start(run: Callable[[int], None], job_id: int, *, background: bool) -> None:
    """Run `run(job_id)` now (small inputs) or in a thread with its own app context.

    The caller should not open a transaction after a background start until its request ends:
    on SQLite a write transaction of the request would make the job's thread wait for it."""
    _sweep_live()
    if not background:
        run(job_id)
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(target=_run_in_app, args=(app, run, job_id), daemon=True)
    _threads[_key(run, job_id)] = thread
    thread.start()


def wait(run: Callable[[int], None], job_id: int, timeout: float = 60) -> None:
    """Block until a background job's thread ends (tests, the CLI)."""
    thread = _threads.pop(_key(run, job_id), None)
    if thread is not None:
        thread.join(timeout)


def _key(run: Callable[[int], None], job_id: int) -> tuple[str, int]:
    return f"{run.__module__}.{run.__qualname__}", job_id


def _run_in_app(app: Flask, run: Callable[[int], None], job_id: int) -> None:
    with app.app_context():
        write_intent.set(True)  # this thread writes: SQLite transactions BEGIN IMMEDIATE
        try:
            run(job_id)
        finally:
            db.session.remove()
            _threads.pop(_key(run, job_id), None)  # nothing left to wait for
