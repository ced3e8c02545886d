"""Forms for in-person classes: the class itself, picking attendees, uploading a sheet."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.core.dates import local_today
from app.core.params import bounded_id
from app.core.text import nfc


class TrainingClassForm(FlaskForm):
    course_id = SelectField(
        _l("Khóa học"), coerce=int, validators=[DataRequired(message=_l("Vui lòng chọn khóa học."))]
    )
    held_on = DateField(
        _l("Ngày học (dd/mm/yyyy)"),
        format=["%d/%m/%Y", "%Y-%m-%d"],
        # A text box, not the browser's date picker: dd/mm/yyyy whatever the browser's locale.
        render_kw={"type": "text", "inputmode": "numeric", "placeholder": "dd/mm/yyyy"},
        validators=[DataRequired(message=_l("Ngày học không hợp lệ (cần dạng dd/mm/yyyy)."))],
    )
    place = StringField(
        _l("Địa điểm"),
        validators=[DataRequired(message=_l("Vui lòng nhập địa điểm.")), Length(max=255)],
        filters=[nfc],
    )
    trainer_name = StringField(_l("Giảng viên"), validators=[Length(max=255)], filters=[nfc])
    notes = TextAreaField(_l("Ghi chú"), validators=[Length(max=5000)], filters=[nfc])

    def validate_held_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_l("Ngày học không được sau hôm nay."))
        if field.data and field.data.year < 2000:
            raise ValidationError(_l("Ngày học không hợp lệ."))


class AddAttendeesForm(FlaskForm):
    user_ids = SelectMultipleField(
        _l("Cán bộ"),
        coerce=bounded_id,
        validate_choice=False,
        validators=[DataRequired(message=_l("Chọn ít nhất một cán bộ."))],
    )


class AttendanceSheetForm(FlaskForm):
    file = FileField(
        _l("Danh sách điểm danh (.xlsx hoặc .csv)"),
        validators=[
            FileRequired(message=_l("Vui lòng chọn tệp.")),
            FileAllowed(["csv", "xlsx"], message=_l("Chỉ nhận tệp .xlsx hoặc .csv.")),
        ],
    )


class RemoveAttendeeForm(FlaskForm):
    pass
