from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp

from app.core.text import nfc


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Thư điện tử"),
        validators=[
            DataRequired(message=_l("Vui lòng nhập thư điện tử.")),
            # A plain shape check: wtforms' Email() needs the email_validator package, which
            # is not a dependency (every sign-in answered 500 without it).
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Thư điện tử không hợp lệ.")),
            Length(max=255),
        ],
        filters=[nfc],
    )
    password = PasswordField(
        _l("Mật khẩu"), validators=[DataRequired(message=_l("Vui lòng nhập mật khẩu."))]
    )
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên thiết bị này"))
