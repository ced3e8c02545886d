"""Roster forms: the upload, the confirmation, one officer's edit form, deactivation."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.core.text import nfc, normalise_phone
from app.org.models import OFFICER_TYPE_LABELS, ROLE_LABELS
from app.roster.check import parse_date

UPLOAD_EXTENSIONS = ["csv", "xlsx"]
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _upload_field(label):
    return FileField(
        label,
        validators=[
            FileRequired(message=_l("Vui lòng chọn tệp.")),
            FileAllowed(UPLOAD_EXTENSIONS, message=_l("Chỉ nhận tệp .xlsx hoặc .csv.")),
        ],
    )


class RosterUploadForm(FlaskForm):
    file = _upload_field(_l("Tệp danh sách cán bộ (.xlsx hoặc .csv)"))


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the rows themselves stay on the server."""


def _spaces(value: str | None) -> str:
    return re.sub(r"\s+", " ", nfc(value))


def _lower(value: str | None) -> str:
    return nfc(value).lower()


class OfficerForm(FlaskForm):
    """One officer's details. `for_officer` fills it from the stored officer."""

    full_name = StringField(
        _l("Họ và tên"),
        validators=[DataRequired(message=_l("Vui lòng nhập họ và tên.")), Length(max=255)],
        filters=[_spaces],
    )
    officer_code = StringField(_l("Mã cán bộ"), validators=[Length(max=40)], filters=[nfc])
    birth_date = StringField(_l("Ngày sinh (dd/mm/yyyy)"), validators=[Optional()], filters=[nfc])
    unit_id = SelectField(_l("Đơn vị"), coerce=int)
    position = StringField(_l("Chức vụ"), validators=[Length(max=255)], filters=[_spaces])
    officer_type = SelectField(
        _l("Chuyên trách/Kiêm nhiệm"),
        choices=[SelectChoice(t.value, label) for t, label in OFFICER_TYPE_LABELS.items()],
    )
    email = StringField(
        _l("Thư điện tử"),
        validators=[Length(max=255, message=_l("Thư điện tử dài quá 255 ký tự."))],
        filters=[_lower],
    )
    phone = StringField(_l("Điện thoại"), validators=[Length(max=30)], filters=[nfc])

    def validate_birth_date(self, field):
        if field.data and parse_date(field.data) is None:
            raise ValidationError(_l("Ngày sinh không hợp lệ (cần dạng dd/mm/yyyy)."))

    def validate_email(self, field):
        if field.data and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", field.data):
            raise ValidationError(_l("Thư điện tử không hợp lệ."))

    def validate_phone(self, field):
        # Stored in one form (officers sign in with it): "+84 912 345 678" → "0912345678".
        if field.data:
            phone = normalise_phone(field.data)
            if phone is None:
                raise ValidationError(_l("Số điện thoại không hợp lệ (ví dụ: 0912345678)."))
            field.data = phone

    @classmethod
    def for_officer(cls, officer) -> OfficerForm:
        birth = officer.birth_date.strftime("%d/%m/%Y") if officer.birth_date else ""
        return cls(
            data={
                "full_name": officer.full_name,
                "officer_code": officer.officer_code or "",
                "birth_date": birth,
                "unit_id": officer.unit_id,
                "position": officer.position,
                "officer_type": officer.officer_type,
                "email": officer.email or "",
                "phone": officer.phone or "",
            }
        )

    def values(self) -> dict:
        """What the roster service saves. Unlike an import row, an emptied field is cleared."""
        return {
            "full_name": self.full_name.data,
            "officer_code": self.officer_code.data or None,
            "birth_date": parse_date(self.birth_date.data) if self.birth_date.data else None,
            "unit_id": self.unit_id.data,
            "position": self.position.data or "",
            "officer_type": self.officer_type.data,
            "email": self.email.data or None,
            "phone": self.phone.data or None,
        }


class DeactivateForm(FlaskForm):
    reason = SelectField(
        _l("Lý do"),
        choices=[SelectChoice("Nghỉ", _l("Nghỉ")), SelectChoice("Đã chuyển", _l("Đã chuyển"))],
        validators=[DataRequired()],
    )


class ActivateForm(FlaskForm):
    pass


class BulkActivationForm(FlaskForm):
    """Invite by e-mail, or print activation slips, for the not-yet-activated officers of a
    unit and everything under it (choices: the manager's own subtree)."""

    # Scope is checked by the view (unit_in_scope_or_404: out of scope answers 404 as every
    # roster route does), not by the choice list.
    unit_id = SelectField(
        _l("Đơn vị (gồm các đơn vị trực thuộc)"), coerce=int, validate_choice=False
    )


class ReissueForm(FlaskForm):
    pass


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class GrantForm(FlaskForm):
    """Give an officer a role over a unit's subtree (choices: what the actor may give). The
    choices are checked here with Vietnamese messages; the grant service checks the rule."""

    # Named apart from the officer form beside it on the same page (ids must be unique).
    grant_role = SelectField(
        _l("Vai trò"),
        validate_choice=False,
        validators=[DataRequired(message=_l("Vui lòng chọn vai trò."))],
    )
    grant_unit_id = SelectField(
        _l("Phạm vi (đơn vị và các đơn vị trực thuộc)"),
        coerce=_int_or_none,
        validate_choice=False,
        validators=[DataRequired(message=_l("Vui lòng chọn đơn vị."))],
    )

    def __init__(self, roles, units, indent: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grant_role.choices = [SelectChoice(r.value, ROLE_LABELS[r]) for r in roles]
        self.grant_unit_id.choices = [
            SelectChoice(u.id, f"{'— ' * (u.level - indent)}{u.name}") for u in units
        ]

    def validate_grant_role(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Bạn không được cấp vai trò này."))

    def validate_grant_unit_id(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Đơn vị này ngoài phạm vi bạn được cấp vai trò."))


class RevokeForm(FlaskForm):
    """Only the CSRF token: the grant is in the URL."""
