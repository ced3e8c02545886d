"""Question-bank forms: the upload (file, format, encoding, category prefix) and the
confirmation (only the CSRF token: the file itself stays on the server)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.core.text import nfc

UPLOAD_EXTENSIONS = ["gift", "txt", "xml", "xlsx", "aiken"]
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
FORMAT_CHOICES = [
    SelectChoice("", _l("Tự nhận")),
    SelectChoice("gift", "GIFT"),
    SelectChoice("aiken", "Aiken"),
    SelectChoice("xml", "Moodle XML"),
    SelectChoice("xlsx", _l("Bảng tính Excel (.xlsx)")),
]
ENCODING_CHOICES = [
    SelectChoice("", _l("Tự nhận")),
    SelectChoice("utf-8", "UTF-8"),
    SelectChoice("utf-16", "UTF-16"),
    SelectChoice("cp1258", "Windows-1258"),
]


class BankUploadForm(FlaskForm):
    file = FileField(
        _l("Tệp câu hỏi (GIFT, Aiken, Moodle XML hoặc .xlsx)"),
        validators=[
            FileRequired(message=_l("Vui lòng chọn tệp.")),
            FileAllowed(
                UPLOAD_EXTENSIONS,
                message=_l("Chỉ nhận tệp .gift, .txt, .xml hoặc .xlsx."),
            ),
        ],
    )
    fmt = SelectField(_l("Định dạng"), choices=FORMAT_CHOICES, default="")
    encoding = SelectField(_l("Bảng mã (tệp văn bản)"), choices=ENCODING_CHOICES, default="")
    category_prefix = StringField(
        _l("Đặt vào danh mục (không bắt buộc)"),
        validators=[Length(max=200)],
        filters=[nfc],
    )


class BankConfirmForm(FlaskForm):
    """Only the CSRF token."""
