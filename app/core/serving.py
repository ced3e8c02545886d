"""Safe production defaults, applied by the factory: no serving with the default secret key,
the real client address behind trusted proxies, a warning when per-worker rate-limit storage
is shared by nobody, and one log line per request on stdout.

Why here and not in wsgi.py: `flask run` and gunicorn build the same app, and the tests build
it too; the checks must see which of those is starting.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import sys
import time
import uuid

from flask import Flask, current_app, g, request
from sqlalchemy import inspect
from werkzeug.middleware.proxy_fix import ProxyFix

DEFAULT_SECRET_KEY = "dev-only-change-me"

SECRET_KEY_MESSAGE = (
    "SECRET_KEY chưa được đặt: không khởi động với khoá mặc định / "
    "SECRET_KEY is not set: refusing to serve with the default key "
    "(export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'))"
)

# gunicorn halts (instead of restarting the worker forever) when a worker exits with this.
GUNICORN_APP_LOAD_ERROR = 4

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

request_log = logging.getLogger("app.requests")


class DefaultSecretKeyError(SystemExit):
    """Raised at start when serving with the default SECRET_KEY (a SystemExit: no traceback)."""

    def __init__(self) -> None:
        super().__init__(GUNICORN_APP_LOAD_ERROR)


def is_flask_run() -> bool:
    """True while `flask run` is loading the app (its click command is the current one)."""
    import click

    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.info_name == "run"


def refuse_default_secret_key(app: Flask, serving: bool) -> None:
    """Serving — gunicorn (`serving=True`) or `flask run` outside debug — with the default key
    would let anyone forge a session cookie: stop with one line on stderr. The test config and
    `flask run --debug` on a developer's machine may keep it; `make run` generates a key."""
    if app.config.get("TESTING") or app.config["SECRET_KEY"] != DEFAULT_SECRET_KEY:
        return
    if serving or (is_flask_run() and not app.debug):
        print(SECRET_KEY_MESSAGE, file=sys.stderr, flush=True)
        raise DefaultSecretKeyError()


class TrustedProxies:
    """WSGI middleware: `TRUSTED_PROXIES` hops of X-Forwarded-For/-Proto/-Host are believed
    (werkzeug's ProxyFix), none when 0. Read per request so a test can switch it."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._fixes: dict[int, ProxyFix] = {}

    def __call__(self, environ, start_response):
        hops = int(self.app.config.get("TRUSTED_PROXIES") or 0)
        if hops <= 0:
            return self.wsgi_app(environ, start_response)
        fix = self._fixes.get(hops)
        if fix is None:
            fix = ProxyFix(self.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
            self._fixes[hops] = fix
        return fix(environ, start_response)


def configured_workers(environ=None, argv=None) -> int:
    """How many gunicorn workers this server runs: WEB_CONCURRENCY (which gunicorn reads too),
    else `-w N` / `--workers N` on gunicorn's command line or in GUNICORN_CMD_ARGS; 1 if
    neither says (and under `flask run`)."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    args: list[str] = []
    if argv and "gunicorn" in os.path.basename(argv[0]) or "gunicorn" in argv[:3]:
        args = list(argv[1:])
    args += shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))
    workers = None
    for i, arg in enumerate(args):
        if arg in ("-w", "--workers") and i + 1 < len(args):
            workers = args[i + 1]
        elif arg.startswith("--workers="):
            workers = arg.split("=", 1)[1]
        elif arg.startswith("-w") and arg[2:].isdigit():
            workers = arg[2:]
    if workers is None:
        workers = environ.get("WEB_CONCURRENCY")
    try:
        return max(1, int(workers)) if workers is not None else 1
    except ValueError:
        return 1


def warn_memory_rate_limits(app: Flask) -> None:
    """Each gunicorn worker has its own `memory://` counters: with 4 workers a client gets 4×
    the sign-in tries. Say so at start; Redis or Memcached share one count."""
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    workers = configured_workers()
    if storage.startswith("memory://") and workers > 1:
        app.logger.warning(
            "RATELIMIT_STORAGE_URI=memory:// với %d worker: mỗi worker đếm riêng, giới hạn đăng "
            "nhập thực tế gấp %d lần / each of the %d workers counts on its own; set "
            "RATELIMIT_STORAGE_URI to redis:// or memcached://",
            workers,
            workers,
            workers,
        )


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is at the time (containers and journald read stdout)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(app: Flask) -> None:
    """The app's log (logger "app" and its children, e.g. "app.requests") goes to stdout, one
    line a record; installed once even when several apps are built (tests)."""
    from flask.logging import default_handler

    logger = logging.getLogger("app")
    app.logger.removeHandler(default_handler)
    if not any(isinstance(h, _StdoutHandler) for h in logger.handlers):
        handler = _StdoutHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))


def _request_id() -> str:
    """The proxy's X-Request-ID when a trusted proxy is in front (so nginx's and our lines
    match), else a new one. Only a short token of safe characters is accepted: it is logged."""
    if int(current_app.config.get("TRUSTED_PROXIES") or 0) > 0:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        if _SAFE_REQUEST_ID.match(given):
            return given
    return uuid.uuid4().hex


def configure_request_log(app: Flask) -> None:
    """One line per request: id, user id, method, path, status, duration, client address."""

    @app.before_request
    def _start_request_log():
        g.request_started = time.perf_counter()
        g.request_id = _request_id()

    @app.after_request
    def _log_request(response):
        started = g.get("request_started")
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers.setdefault(REQUEST_ID_HEADER, request_id)
        duration_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        # The user Flask-Login loaded for this request, if any: no query just to log it (a
        # request that committed has expired the user: his id is read from the identity).
        user = g.get("_login_user")
        state = inspect(user, raiseerr=False) if user is not None else None
        user_id = state.identity[0] if state is not None and state.identity else "-"
        request_log.info(
            "request_id=%s user=%s ip=%s method=%s path=%s status=%s duration_ms=%.1f",
            request_id,
            user_id,
            request.remote_addr or "-",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
        )
        return response
