"""Run a job's worker in a subprocess and SIGKILL it once it has committed some of its work: the
kill-and-resume tests of the roster and question-bank imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable

from app.core.db import write_intent
from app.extensions import db
from tests.conftest import ROOT


def kill_when(app, script: str, job_id: int, reached: Callable[[], bool], **env: str) -> None:
    """Start `script` (python -c) with the app's test configuration and `job_id`, and kill it
    as soon as `reached()` — read in a fresh transaction each time — says the work has begun."""
    db.session.commit()
    # The test's own reads must not take SQLite's write lock (the app's CLI set-up asks every
    # transaction of this thread to BEGIN IMMEDIATE): they would hold the worker off.
    reading = write_intent.set(False)
    config = {k: v for k, v in app.config.items() if k.isupper() and _jsonable(v)}
    worker = subprocess.Popen(
        [sys.executable, "-c", script, str(job_id)],
        cwd=ROOT,
        env={**os.environ, "TDKT_TEST_CONFIG": json.dumps(config), **env},
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and worker.poll() is None:
            db.session.rollback()
            if reached():
                break
            time.sleep(0.05)
        assert worker.poll() is None, worker.stderr.read().decode()
    finally:
        worker.kill()
        worker.wait()
        worker.stderr.close()
        db.session.rollback()
        write_intent.reset(reading)


def _jsonable(value) -> bool:
    try:
        json.dumps(value)
    except TypeError:
        return False
    return True
