"""TĐKT Learn: the application factory."""

from pathlib import Path

from flask import Flask, request

from app.config import INSTANCE, ROOT, Config
from app.extensions import babel, csrf, db, limiter, login_manager


def create_app(config: type[Config] | dict | None = None, serving: bool = False) -> Flask:
    """The application. `serving=True` (app/wsgi.py, for gunicorn) leaves out the migration
    machinery (Alembic, ~10 MB per worker) that only `flask db …` needs."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(INSTANCE),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A local file cannot drop a connection: pre-ping would only add a statement to
        # every request. PostgreSQL keeps it (a restarted server leaves stale connections).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            k: v for k, v in app.config["SQLALCHEMY_ENGINE_OPTIONS"].items() if k != "pool_pre_ping"
        }

    configure_serving(app, serving)
    configure_extensions(app, with_migrations=not serving)
    from app.core import params

    params.install(app)  # the bounded `int` converter, before any route is added
    configure_blueprints(app)
    configure_template_helpers(app)
    configure_security_headers(app)
    configure_errorhandlers(app)
    configure_cli(app)
    return app


def configure_serving(app: Flask, serving: bool) -> None:
    """Safe production defaults (app/core/serving.py): refuse the default secret key, trust
    the configured proxies, log every request to stdout, warn about per-worker limits."""
    from app.core import serving as defaults

    defaults.configure_logging(app)
    defaults.refuse_default_secret_key(app, serving)
    app.wsgi_app = defaults.TrustedProxies(app, app.wsgi_app)
    defaults.configure_request_log(app)
    defaults.warn_memory_rate_limits(app)


def configure_extensions(app: Flask, with_migrations: bool = True) -> None:
    from app.core.db import configure_sqlite_transactions, write_intent
    from app.core.i18n import install_fast_template_gettext

    db.init_app(app)
    if with_migrations:
        from flask_migrate import Migrate

        Migrate(
            app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
        )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=lambda: "vi")
    install_fast_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    with app.app_context():
        configure_sqlite_transactions(db.engine)
    if app.config.get("CHECK_RECORD_LOCKS") or app.config.get("CHECK_RECORD_WRITERS"):
        from app.progress.records import install_checks

        install_checks()

    @app.before_request
    def _mark_write_requests():
        view = app.view_functions.get(request.endpoint)
        write_intent.set(
            request.method not in {"GET", "HEAD", "OPTIONS"}
            and not getattr(view, "reads_first", False)  # it opens `writing()` itself
        )

    from app import models  # noqa: F401  (register every model with the metadata)


def configure_blueprints(app: Flask) -> None:
    from app.auth.views import bp as auth_bp
    from app.learning.views import bp as courses_bp
    from app.plan.views import bp as plan_bp
    from app.quizzes.views import bp as quizzes_bp
    from app.reports.views import bp as reports_bp

    for blueprint in (auth_bp, courses_bp, quizzes_bp, reports_bp, plan_bp):
        app.register_blueprint(blueprint)

    from app.certificates.views import bp as certificates_bp

    app.register_blueprint(certificates_bp)

    from app.classes.views import bp as progress_bp
    from app.roster.views import bp as org_bp
    from app.tree.views import bp as tree_bp

    app.register_blueprint(org_bp)
    app.register_blueprint(tree_bp)
    app.register_blueprint(progress_bp)

    from app.authoring.views import bp as authoring_bp

    app.register_blueprint(authoring_bp)

    from app.legal.views import bp as legal_bp

    app.register_blueprint(legal_bp)

    from app.quizzes.bank_views import bp as bank_bp
    from app.quizzes.file_views import bp as question_files_bp

    app.register_blueprint(bank_bp)
    app.register_blueprint(question_files_bp)


# Scripts and styles come only from our own static files; the one inline style attribute is
# the width of a progress bar. Pages may not be framed (clickjacking).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def configure_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def configure_template_helpers(app: Flask) -> None:
    from app.core import dates, page_parts
    from app.org.models import OfficerType
    from app.quizzes.rendering import cloze_inputs, question_html

    app.jinja_env.filters["date"] = dates.format_date
    app.jinja_env.filters["datetime"] = dates.format_datetime
    app.jinja_env.filters["percent"] = lambda v: f"{v:.0f}%" if v is not None else "—"
    app.jinja_env.filters["isodate"] = dates.format_iso_date
    app.jinja_env.filters["officer_type"] = OfficerType
    app.jinja_env.filters["question_html"] = question_html
    app.jinja_env.filters["cloze_inputs"] = cloze_inputs
    page_parts.install(app)


def configure_errorhandlers(app: Flask) -> None:
    from flask import render_template
    from flask_babel import lazy_gettext as _l  # extracted by `make messages` (-k _l)

    messages = {
        400: _l("Yêu cầu không hợp lệ."),
        401: _l("Bạn cần đăng nhập."),
        403: _l("Bạn không có quyền truy cập trang này."),
        404: _l("Không tìm thấy trang."),
        413: _l(
            "Tệp hoặc dữ liệu gửi lên quá lớn (tối đa %(mb)s MB). Không có gì được lưu: hãy "
            "chia nhỏ tệp rồi gửi lại."
        ),
        429: _l("Bạn đã thử quá nhiều lần. Vui lòng chờ một lát rồi thử lại."),
        500: _l("Đã xảy ra lỗi. Vui lòng thử lại sau."),
    }

    def handle(error):
        code = getattr(error, "code", 500) or 500
        message = messages.get(code)  # lazy: str() translates it for this request
        if code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH") or 0
            message = str(message) % {"mb": max(1, round(limit / (1024 * 1024)))}
        return render_template(
            "errors/error.html", code=code, message=str(message) if message else None
        ), code

    for code in messages:
        app.register_error_handler(code, handle)

    def handle_rate_limited(error):
        # Tell the client when to come back (RFC 9110 §10.2.3): the current window's reset.
        import math
        import time

        from app.extensions import limiter

        current = limiter.current_limit
        wait = math.ceil(current.reset_at - time.time()) if current is not None else 60
        page, code = handle(error)
        return page, code, {"Retry-After": str(max(1, wait))}

    app.register_error_handler(429, handle_rate_limited)

    from flask import request
    from sqlalchemy.exc import OperationalError

    busy = _l(
        "Hệ thống đang bận ghi dữ liệu (ví dụ một danh sách cán bộ lớn) và chưa lưu được thao "
        "tác vừa rồi. Vui lòng quay lại và gửi lại sau ít giây."
    )

    busy_quiz = _l(
        "Bài làm của bạn vẫn còn: các câu trả lời đã lưu trước đó vẫn được giữ; chỉ câu vừa "
        "chọn cần gửi lại."
    )

    def handle_operational(error: OperationalError):
        # SQLite gives up after its busy timeout while another transaction holds the only
        # write lock: nothing of this request was written, so say so and ask for a retry. The
        # log keeps the words "database is locked" (bench S5 counts them). Anything else is
        # an ordinary server error.
        if "database is locked" not in str(error.orig):
            raise error
        app.logger.warning("database is locked: %s %s answered 503", request.method, request.path)
        # The page must not touch the database again: the lock may still be held, and loading
        # the signed-in user (base.html's menu) would wait another busy timeout and end in a
        # 500. So the transaction is given up and the page is drawn for an anonymous visitor.
        from flask import g

        from app.extensions import login_manager

        db.session.rollback()
        g._login_user = login_manager.anonymous_user()
        message = str(busy)
        if request.blueprint == "quizzes" and (request.view_args or {}).get("attempt_id"):
            # An officer in a quiz fears for the answers given so far: they are safe.
            message += " " + str(busy_quiz)
        page = render_template("errors/error.html", code=503, message=message)
        return page, 503, {"Retry-After": "5"}

    app.register_error_handler(OperationalError, handle_operational)


def configure_cli(app: Flask) -> None:
    from app.cli import register

    register(app)
