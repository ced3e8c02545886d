from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from app.core.text import nfc


class LoginForm(FlaskForm):
    # Named "email" as before (bookmarked forms, password managers); takes a phone number too.
    email = StringField(
        _l("Thư điện tử hoặc số điện thoại"),
        validators=[
            DataRequired(message=_l("Vui lòng nhập thư điện tử hoặc số điện thoại.")),
            Length(max=255),
        ],
        filters=[nfc],
    )
    password = PasswordField(
        _l("Mật khẩu"), validators=[DataRequired(message=_l("Vui lòng nhập mật khẩu."))]
    )
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên thiết bị này"))


class NewPasswordForm(FlaskForm):
    """Setting a password (activation link, code, reset): the rule itself is checked against
    the person (app.auth.passwords) once the secret says who it is."""

    password = PasswordField(
        _l("Mật khẩu mới"),
        validators=[DataRequired(message=_l("Vui lòng nhập mật khẩu mới."))],
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[
            DataRequired(message=_l("Vui lòng nhập lại mật khẩu mới.")),
            EqualTo("password", message=_l("Hai lần nhập mật khẩu không khớp.")),
        ],
    )


class CodeActivationForm(NewPasswordForm):
    code = StringField(
        _l("Mã kích hoạt (trên phiếu)"),
        validators=[
            DataRequired(message=_l("Vui lòng nhập mã kích hoạt.")),
            Length(max=40, message=_l("Mã kích hoạt không đúng.")),
        ],
        filters=[nfc],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Thư điện tử"),
        validators=[
            DataRequired(message=_l("Vui lòng nhập thư điện tử.")),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Thư điện tử không hợp lệ.")),
            Length(max=255),
        ],
        filters=[nfc],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[DataRequired(message=_l("Vui lòng nhập mật khẩu hiện tại."))],
    )
