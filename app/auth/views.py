"""Sign-in and sign-out, activation by link or printed code, "quên mật khẩu" and
"đổi mật khẩu". Every secret-taking page counts wrong secrets per client address: the 11th
in a minute is refused (ACTIVATION_RATE_LIMIT)."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.auth import services, tokens
from app.auth.activation import request_reset
from app.auth.forms import (
    ChangePasswordForm,
    CodeActivationForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
)
from app.auth.models import TokenKind
from app.auth.passwords import password_problem
from app.extensions import db, limiter, login_manager
from app.org.models import User

bp = Blueprint("auth", __name__)


# Built once: every signed-in request runs it, and building a statement costs more than
# running it on SQLite (bench S1). `session.get` builds its own each time. The user's grants
# in force come in the same statement: every page's menu and permission checks read them.
_USER_BY_ID = select(User).options(joinedload(User.grants)).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session's (or remember cookie's) "id:version": an older version was ended on the
    server (logout, password change or reset, deactivation). The grants come in the same query."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    result = db.session.execute(_USER_BY_ID, {"user_id": int(user_id)})
    user = result.unique().scalar_one_or_none()
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _secret_limit() -> str:
    return current_app.config["ACTIVATION_RATE_LIMIT"]


def _wrong_secret(_response) -> bool:
    """Only wrong or spent codes and links count against the limit."""
    return bool(g.get("wrong_secret"))


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: no open redirect through ?next=."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("courses.dashboard")


def _sign_in_again(user: User) -> None:
    """After a password change the session carries the new version; a browser that was
    remembered stays remembered."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered)


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("courses.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Thư điện tử/số điện thoại hoặc mật khẩu không đúng."))
    return render_template("auth/login.html", form=form)


@bp.post("/dang-xuat")
@login_required
def logout():
    services.logout(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


def _set_password_with(token, form: NewPasswordForm):
    """Check the password rule for the token's person, then redeem. A response, or None
    when the form must be shown again (errors are on the form)."""
    problem = password_problem(token.user, form.password.data)
    if problem:
        form.password.errors.append(problem)
        return None
    user = tokens.redeem(token, form.password.data)
    if user is None:  # a concurrent request used it first
        g.wrong_secret = True
        return None
    db.session.commit()
    logout_user()
    login_user(user)
    if token.kind == TokenKind.RESET:
        flash(_("Đã đặt mật khẩu mới. Các phiên đăng nhập khác đã được kết thúc."), "success")
    else:
        flash(_("Tài khoản đã được kích hoạt. Chào mừng đồng chí!"), "success")
    return redirect(url_for("courses.dashboard"))


def _link_page(kinds: tuple[TokenKind, ...], token: str, title: str):
    token_row = tokens.find(kinds, token)
    if token_row is None:
        g.wrong_secret = True
        return render_template("auth/link_invalid.html", title=title), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        done = _set_password_with(token_row, form)
        if done is not None:
            return done
        if g.get("wrong_secret"):
            return render_template("auth/link_invalid.html", title=title), 404
    status = 422 if form.errors else 200
    return render_template(
        "auth/set_password.html", form=form, title=title, person=token_row.user
    ), status


@bp.route("/kich-hoat/<token>", methods=["GET", "POST"])
@limiter.limit(_secret_limit, deduct_when=_wrong_secret)
def activate_link(token: str):
    return _link_page(tokens.ACTIVATION, token, _("Kích hoạt tài khoản"))


@bp.route("/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
@limiter.limit(_secret_limit, deduct_when=_wrong_secret)
def reset(token: str):
    return _link_page((TokenKind.RESET,), token, _("Đặt lại mật khẩu"))


@bp.route("/kich-hoat", methods=["GET", "POST"])
@limiter.limit(_secret_limit, methods=["POST"], deduct_when=_wrong_secret)
def activate_code():
    form = CodeActivationForm()
    if request.method == "GET" and request.args.get("ma"):
        form.code.data = tokens.format_code(tokens.normalise_code(request.args["ma"])[:20])
    if form.validate_on_submit():
        token_row = tokens.find((TokenKind.CODE,), form.code.data)
        if token_row is None:
            g.wrong_secret = True
            form.code.errors.append(_("Mã kích hoạt không đúng, đã dùng hoặc đã hết hạn."))
        else:
            done = _set_password_with(token_row, form)
            if done is not None:
                return done
            if g.get("wrong_secret"):
                form.code.errors.append(_("Mã kích hoạt không đúng, đã dùng hoặc đã hết hạn."))
    status = 422 if form.errors else 200
    return render_template("auth/activate_code.html", form=form), status


@bp.route("/quen-mat-khau", methods=["GET", "POST"])
@limiter.limit(_secret_limit, methods=["POST"])
def forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_reset(form.email.data)
        # The same words whether or not the account exists.
        flash(
            _(
                "Nếu thư điện tử này thuộc một tài khoản, đường dẫn đặt lại mật khẩu đã được "
                "gửi tới đó (hết hạn sau 1 giờ). Hãy kiểm tra cả hộp thư rác."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        problem = password_problem(user, form.password.data)
        if problem:
            form.password.errors.append(problem)
        elif not services.change_password(user, form.current.data, form.password.data):
            form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            db.session.commit()
            _sign_in_again(user)
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã được kết thúc."), "success")
            return redirect(url_for("courses.dashboard"))
    status = 422 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status
