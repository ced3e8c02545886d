"""Configuration read from the environment (see README for every variable)."""

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("TDKT_INSTANCE", ROOT / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    # Unset: a known development value that serving refuses (app/core/serving.py).
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-change-me"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE / 'tdkt.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    COURSES_DIR = os.environ.get("TDKT_COURSES_DIR", str(ROOT / "courses"))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    # Session cookies: HttpOnly and SameSite always; Secure when served over HTTPS
    # (production sets SESSION_COOKIE_SECURE=1, the local `make run` is plain HTTP).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Not sent on cross-site requests (CSRF through a remembered sign-in); the cookie carries
    # the session version, so logout and password changes revoke it (app/auth/services.py).
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    WTF_CSRF_TIME_LIMIT = 8 * 3600  # long lessons: a form opened in the morning still posts

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ["vi", "en"]

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # Wrong activation codes / links and "quên mật khẩu" requests per client address: the
    # 11th wrong try in a minute is refused (429), right ones are not counted.
    ACTIVATION_RATE_LIMIT = os.environ.get("ACTIVATION_RATE_LIMIT", "10 per minute")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "tdkt-learn@localhost")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None  # SMTP login only when set
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)  # STARTTLS after connecting
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "30"))  # seconds per SMTP operation

    # `flask reminders send`: remind this many days before a due date; escalate to the unit
    # manager when an officer is late by more than REMINDER_ESCALATE_AFTER_DAYS.
    REMINDER_DAYS_BEFORE = int(os.environ.get("REMINDER_DAYS_BEFORE", "14"))
    REMINDER_ESCALATE_AFTER_DAYS = int(os.environ.get("REMINDER_ESCALATE_AFTER_DAYS", "30"))

    PER_PAGE = 50

    # How many reverse proxies (nginx …) stand in front: their X-Forwarded-For/-Proto/-Host
    # and X-Request-ID are believed for that many hops. 0: the headers are ignored.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Largest request body (uploads included): beyond it a 413 page, nothing read or saved.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024)))
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    # A confirmed roster import with more rows than this runs in a background job whose page
    # shows progress (app/roster/jobs.py); smaller ones finish within the request.
    ROSTER_INLINE_ROWS = int(os.environ.get("ROSTER_INLINE_ROWS", "1000"))

    # Fail any write of a training record whose officer was not locked first (see
    # app/progress/locking.py): on in the tests, off in production (a check, not a lock).
    CHECK_RECORD_LOCKS = False
    # Fail any write of a training record made outside app/progress/records.py (see
    # app/progress/writer_guard.py): on in the tests, off in production.
    CHECK_RECORD_WRITERS = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    # The limiter stays on (as in production) with a limit no test reaches by accident; the
    # rate-limit test lowers it.
    LOGIN_RATE_LIMIT = "100000 per minute"
    ACTIVATION_RATE_LIMIT = "100000 per minute"
    CHECK_RECORD_LOCKS = True
    CHECK_RECORD_WRITERS = True
