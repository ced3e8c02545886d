"""Browser journeys: the real app (gunicorn) on a fresh SQLite file, driven by Chromium.

Everything in this folder is marked `e2e`: `make test` runs it as its own step
(`pytest -m e2e`), the SQLite and PostgreSQL steps skip it (`-m "not e2e"`).

The shared server is started once per session: `flask db upgrade`, `flask courses load` (the
shipped courses/, the small test course tests/fixtures/courses/khoa-thu and the legal journey's
tests/fixtures/legal_courses/khoa-van-ban), then tests/e2e/seed.py creates the tree and the
accounts. `empty_server` is another app on its own empty database (the go-live journey starts
from nothing). Chromium is Debian's /usr/bin/chromium (never `playwright install`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.helpers import SCREENSHOTS, Journey
from tests.mail_sink import MailSink

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VIEWPORTS = {"360": {"width": 360, "height": 740}, "1280": {"width": 1280, "height": 800}}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `e2e` (before `-m` deselects)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict, log: Path) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"$ {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        pytest.fail(
            f"e2e set-up step failed ({result.returncode}): {' '.join(args)}\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def _server_env(tmp: Path, port: int) -> dict:
    db_path = tmp / "e2e.sqlite3"
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "TDKT_INSTANCE": str(tmp / "instance"),
        "SECRET_KEY": "e2e-secret-key-not-for-production",
        "RATELIMIT_ENABLED": "0",
        "SESSION_COOKIE_SECURE": "0",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        # Links printed by commands and e-mailed by the server point at the server.
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("TEST_DATABASE_URL", None)
    return env


@contextmanager
def _app_server(tmp: Path, seeded: bool):
    """Migrate and load the courses into a fresh SQLite file under `tmp`, seed it (or not),
    then serve it with gunicorn; yields {"url", "db_path", "seed", "log", "mail", "env"}."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _server_env(tmp, port)
    db_path = tmp / "e2e.sqlite3"
    log = tmp / "server.log"
    py = sys.executable
    _run([py, "-m", "flask", "db", "upgrade"], env, log)
    _run([py, "-m", "flask", "courses", "load"], env, log)
    seed: dict = {}
    if seeded:
        _run([py, "-m", "flask", "courses", "load", str(ROOT / "tests/fixtures/courses")], env, log)
        # the legal-register journey's own course (test_legal_journey.py), so no other journey
        # sees its amendment or its major version
        legal = str(ROOT / "tests/fixtures/legal_courses")
        _run([py, "-m", "flask", "courses", "load", legal], env, log)
        seed = json.loads(_run([py, str(HERE / "seed.py")], env, log).strip().splitlines()[-1])

    # The server's e-mail (invitations, password resets) goes to a real SMTP server in this
    # process.
    mail = MailSink().start()
    server_env = {**env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(mail.port)}
    server_env["MAIL_TIMEOUT"] = "10"
    out = log.open("a", encoding="utf-8")
    proc = subprocess.Popen(
        [
            py, "-m", "gunicorn",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--threads", "4",
            "--access-logfile", "-",
            "app.wsgi:app",
        ],
        cwd=ROOT, env=server_env, stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app server exited:\n{log.read_text()}", pytrace=False)
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app server did not answer:\n{log.read_text()}", pytrace=False)
            time.sleep(0.2)
        yield {"url": url, "db_path": db_path, "seed": seed, "log": log, "mail": mail, "env": env}
    finally:
        mail.stop()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The seeded app (tests/e2e/seed.py), shared by the journeys; stopped at the end of the
    session."""
    with _app_server(tmp_path_factory.mktemp("e2e"), seeded=True) as running:
        yield running


@pytest.fixture
def empty_server(tmp_path_factory):
    """An app on its own EMPTY database (migrated, shipped courses loaded, nothing else), for
    the first-install journey; `env` runs commands such as `flask setup province` against it."""
    with _app_server(tmp_path_factory.mktemp("e2e-empty"), seeded=False) as running:
        yield running


@pytest.fixture(params=list(VIEWPORTS), ids=lambda size: f"{size}px")
def size(request) -> str:
    return request.param


@pytest.fixture
def ui(browser, server, size, request):
    """A fresh browser context at the test's viewport, wrapped in the checks every journey
    makes (see `Journey`). Fails the test on console errors, page errors and failed requests."""
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(
        viewport=VIEWPORTS[size], locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    journey = Journey(page, server, size, request.node.originalname.removeprefix("test_"))
    try:
        yield journey
        journey.assert_no_errors()
    finally:
        context.close()
