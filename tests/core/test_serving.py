"""Safe production defaults (issue 14, Build 5): the default secret key is refused when
serving, the real client is seen behind a trusted proxy, per-worker limits are warned about,
oversized bodies get a Vietnamese 413, every request is logged, headers are set."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.core import serving
from app.extensions import db, limiter
from app.org.models import Role
from tests.conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "TEST_DATABASE_URL"}}
    env.update(
        TDKT_INSTANCE=str(tmp_path / "instance"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        FLASK_APP="app",
        PYTHONUNBUFFERED="1",
        WEB_CONCURRENCY="1",
    )
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_exits_with_one_line_when_secret_key_is_unset(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{_free_port()}", "app.wsgi:app"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if "SECRET_KEY" in line]
    assert ours == [serving.SECRET_KEY_MESSAGE]
    assert "chưa được đặt" in ours[0] and "refusing" in ours[0]
    assert "Traceback" not in result.stderr


def test_flask_run_without_debug_refuses_the_default_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "run", "--port", str(_free_port())],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert serving.SECRET_KEY_MESSAGE in result.stderr


def _serve_until_ready(args, env, tmp_path, url):
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, (tmp_path / "server.log").read_text()
        try:
            with urllib.request.urlopen(url, timeout=2):
                return proc
        except urllib.error.HTTPError:
            return proc
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
        time.sleep(0.2)


def test_flask_run_debug_is_allowed_for_developers(tmp_path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/static/favicon.svg"
    args = [sys.executable, "-m", "flask", "run", "--debug", "--no-reload", "--port", str(port)]
    proc = _serve_until_ready(args, _env(tmp_path), tmp_path, url)
    proc.terminate()
    proc.wait(timeout=10)


def test_gunicorn_with_a_key_serves_and_logs_each_request_to_stdout(tmp_path):
    port = _free_port()
    env = _env(tmp_path, SECRET_KEY="k" * 64, TRUSTED_PROXIES="1")
    url = f"http://127.0.0.1:{port}/static/favicon.svg"
    args = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "app.wsgi:app"]
    proc = _serve_until_ready(args, env, tmp_path, url)
    try:
        request = urllib.request.Request(
            url, headers={"X-Request-ID": "nginx-abc-123", "X-Forwarded-For": "203.0.113.9"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.headers["X-Request-ID"] == "nginx-abc-123"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    log = (tmp_path / "server.log").read_text()
    line = next(line for line in log.splitlines() if "request_id=nginx-abc-123" in line)
    assert "ip=203.0.113.9" in line and "method=GET" in line and "status=200" in line
    assert "path=/static/favicon.svg" in line and re.search(r"duration_ms=\d+\.\d", line)


# --- behind a proxy: one rate-limit bucket per real client ----------------------------------


@pytest.fixture
def strict_login_limit(app):
    app.config.update(LOGIN_RATE_LIMIT="2 per minute")
    limiter.reset()
    yield
    app.config.update(LOGIN_RATE_LIMIT="100000 per minute", TRUSTED_PROXIES=0)
    limiter.reset()


def _try_sign_in(client, forwarded_for: str) -> int:
    return client.post(
        "/",
        data={"email": "x@test.vn", "password": "sai"},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},  # nginx on the same machine
    ).status_code


def test_trusted_proxy_gives_each_client_its_own_login_bucket(app, client, strict_login_limit):
    app.config["TRUSTED_PROXIES"] = 1
    first = [_try_sign_in(client, "203.0.113.1") for _ in range(3)]
    assert first == [200, 200, 429]
    assert _try_sign_in(client, "203.0.113.2") == 200  # another officer is not locked out
    assert _try_sign_in(client, "203.0.113.1") == 429


def test_forwarded_header_is_ignored_without_trusted_proxies(app, client, strict_login_limit):
    app.config["TRUSTED_PROXIES"] = 0
    assert [_try_sign_in(client, "203.0.113.1") for _ in range(2)] == [200, 200]
    # A client cannot escape its bucket by writing the header itself.
    assert _try_sign_in(client, "203.0.113.2") == 429


# --- memory:// with several workers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "argv", "expected"),
    [
        ({}, ["flask", "run"], 1),
        ({"WEB_CONCURRENCY": "4"}, ["flask"], 4),
        ({}, ["/srv/.venv/bin/gunicorn", "--workers", "3", "app.wsgi:app"], 3),
        ({}, ["gunicorn", "-w", "5", "app.wsgi:app"], 5),
        ({}, ["gunicorn", "--workers=6", "app.wsgi:app"], 6),
        ({"GUNICORN_CMD_ARGS": "--bind :80 -w 2"}, ["gunicorn", "app.wsgi:app"], 2),
        ({"WEB_CONCURRENCY": "nonsense"}, ["flask"], 1),
    ],
)
def test_configured_workers(environ, argv, expected):
    assert serving.configured_workers(environ, argv) == expected


def test_memory_storage_with_several_workers_warns_at_start(app, monkeypatch, caplog):
    monkeypatch.setattr(sys, "argv", ["gunicorn", "--workers", "4", "app.wsgi:app"])
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    with caplog.at_level(logging.WARNING, logger="app"):
        serving.warn_memory_rate_limits(app)
    assert "memory://" in caplog.text and "4 worker" in caplog.text

    caplog.clear()
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://cache:6379")
    serving.warn_memory_rate_limits(app)
    monkeypatch.setattr(sys, "argv", ["gunicorn", "app.wsgi:app"])
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "memory://")
    serving.warn_memory_rate_limits(app)
    assert caplog.text == ""


# --- 413, request log, headers --------------------------------------------------------------


def test_oversized_upload_gets_a_vietnamese_413_and_saves_nothing(
    app, client, tree, make_user, monkeypatch
):
    from app.roster.jobs import RosterImportJob

    make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn")
    login(client, "admin@test.vn")
    uploads = Path(app.instance_path)
    before = sorted(p.name for p in uploads.rglob("*"))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    body = b"x" * (1024 * 1024 + 1)
    from io import BytesIO

    response = client.post(
        "/don-vi/can-bo/nhap",
        data={"file": (BytesIO(body), "ds.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "quá lớn (tối đa 1 MB)" in page and "Không có gì được lưu" in page
    assert sorted(p.name for p in uploads.rglob("*")) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(RosterImportJob)) == 0


def test_each_request_is_logged_with_id_user_status_and_duration(
    app, client, tree, make_user, caplog
):
    user = make_user(tree["A1"], email="log@test.vn")
    login(client, "log@test.vn", PASSWORD)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="app.requests"):
        response = client.get("/bang-dieu-khien", headers={"X-Request-ID": "spoofed"})
    (line,) = [r.getMessage() for r in caplog.records if r.name == "app.requests"]
    request_id = response.headers["X-Request-ID"]
    assert request_id != "spoofed"  # no trusted proxy: a client cannot choose the id
    assert f"request_id={request_id} user={user.id} " in line
    assert "method=GET path=/bang-dieu-khien status=200 duration_ms=" in line


def test_request_id_from_a_trusted_proxy_is_kept(app, client, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    with caplog.at_level(logging.INFO, logger="app.requests"):
        kept = client.get("/", headers={"X-Request-ID": "req-42"})
        unsafe = client.get("/", headers={"X-Request-ID": "bad id; forged=line"})
    assert kept.headers["X-Request-ID"] == "req-42"
    assert re.fullmatch(r"[0-9a-f]{32}", unsafe.headers["X-Request-ID"])
    assert "request_id=req-42 user=- " in caplog.text
    assert "forged" not in caplog.text


def test_security_headers_on_every_response(client):
    for path in ("/", "/static/favicon.svg", "/khong-co-trang-nay"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_or_event_handlers():
    """The CSP forbids inline script: a template that had one would silently stop working."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        html = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b[^>]*>", html):
            if "src=" not in match.group(0):
                offenders.append(f"{template}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=", html):
            offenders.append(f"{template}: {match.group(0)}")
        if "javascript:" in html:
            offenders.append(f"{template}: javascript:")
    assert offenders == []
