"""Forms of the union tree pages: add, rename, move, merge, close a unit; upload a tree file.

Choices of a parent or a merge target are filled by the view with the units the user may use
(`tree.may_receive`): a posted id outside them fails validation, with the message beside it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.core.text import nfc
from app.roster.forms import _upload_field


def _unit_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class UnitSelectField(SelectField):
    """A unit chosen from the list the view allows; anything else is refused in Vietnamese."""

    def __init__(self, label, **kwargs):
        super().__init__(label, coerce=_unit_id, validate_choice=False, **kwargs)

    def pre_validate(self, form):
        from wtforms.validators import ValidationError

        if self.data not in {value for value, _label in self.choices or ()}:
            raise ValidationError(_l("Vui lòng chọn một đơn vị trong danh sách."))


def _name_field():
    return StringField(
        _l("Tên đơn vị"),
        validators=[DataRequired(message=_l("Vui lòng nhập tên đơn vị.")), Length(max=255)],
        filters=[nfc],
    )


def _code_field():
    return StringField(
        _l("Mã đơn vị"),
        validators=[DataRequired(message=_l("Vui lòng nhập mã đơn vị.")), Length(max=40)],
        filters=[nfc],
    )


class UnitCreateForm(FlaskForm):
    parent_id = UnitSelectField(_l("Đơn vị cấp trên"))
    name = _name_field()
    code = _code_field()


class RenameForm(FlaskForm):
    name = _name_field()
    code = _code_field()


class MoveForm(FlaskForm):
    parent_id = UnitSelectField(_l("Chuyển về dưới đơn vị"))


class MergeForm(FlaskForm):
    target_id = UnitSelectField(_l("Sáp nhập vào đơn vị"))


class CloseForm(FlaskForm):
    """Only the CSRF token."""


class TreeUploadForm(FlaskForm):
    file = _upload_field(_l("Tệp cây đơn vị (.xlsx hoặc .csv)"))


def set_choices(field: SelectField, units, indent: int) -> None:
    field.choices = [(u.id, f"{'— ' * (u.level - indent)}{u.name} ({u.code})") for u in units]
