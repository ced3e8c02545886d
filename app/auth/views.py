from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.auth.forms import LoginForm
from app.auth.services import authenticate
from app.extensions import db, limiter, login_manager
from app.org.models import User

bp = Blueprint("auth", __name__)


# Built once: every signed-in request runs it, and building a statement costs more than
# running it on SQLite (bench S1). `session.get` builds its own each time. The user's grants
# in force come in the same statement: every page's menu and permission checks read them.
_USER_BY_ID = select(User).options(joinedload(User.grants)).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    result = db.session.execute(_USER_BY_ID, {"user_id": int(user_id)})
    return result.unique().scalar_one_or_none()


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: no open redirect through ?next=."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("courses.dashboard")


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("courses.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Thư điện tử hoặc mật khẩu không đúng."))
    return render_template("auth/login.html", form=form)


@bp.post("/dang-xuat")
@login_required
def logout():
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))
