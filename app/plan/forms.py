from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import DataRequired, NumberRange, ValidationError

from app.org.models import OFFICER_TYPE_LABELS


class PlanItemForm(FlaskForm):
    year = IntegerField(
        _l("Năm"),
        validators=[
            DataRequired(message=_l("Vui lòng nhập năm.")),
            NumberRange(2020, 2100, message=_l("Năm không hợp lệ.")),
        ],
    )
    course_id = SelectField(_l("Khóa học bắt buộc"), coerce=int)
    officer_type = SelectField(_l("Áp dụng cho"))
    due_on = DateField(
        _l("Hạn hoàn thành"),
        validators=[DataRequired(message=_l("Vui lòng chọn hạn hoàn thành (ngày/tháng/năm)."))],
    )

    def __init__(self, courses, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.course_id.choices = [(c.id, c.title) for c in courses]
        self.officer_type.choices = [("", _l("Mọi cán bộ"))] + [
            (t.value, label) for t, label in OFFICER_TYPE_LABELS.items()
        ]

    def validate_due_on(self, field):
        if field.data and self.year.data and field.data.year != self.year.data:
            raise ValidationError(_l("Hạn hoàn thành phải nằm trong năm của kế hoạch."))
