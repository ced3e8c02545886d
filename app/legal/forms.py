"""Forms of the legal register pages (CSRF on every POST; Vietnamese messages by the field)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.core.text import nfc
from app.legal.amendments import AMENDED, REPLACED
from app.legal.refs import DOC_ID, PLACE_FORMS, STATUSES, normalise_place

STATUS_CHOICES = [
    SelectChoice("VERIFIED", _l("Đã đối chiếu văn bản gốc (VERIFIED)")),
    SelectChoice("CORROBORATED", _l("Hai nguồn thứ cấp khớp nhau (CORROBORATED)")),
    SelectChoice("SEEN-ONCE", _l("Mới thấy ở một nguồn (SEEN-ONCE)")),
    SelectChoice("NOT-SEEN", _l("Chưa tìm thấy nguồn (NOT-SEEN)")),
]


class VnDateField(DateField):
    """A date input whose parse error is in Vietnamese (WTForms ships no Vietnamese)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Ngày không hợp lệ: chọn ngày/tháng/năm.")) from exc


def _strip(value):
    return nfc(value).strip() if isinstance(value, str) else value


class DocumentForm(FlaskForm):
    number = StringField(
        _l("Số hiệu"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Nhập số hiệu văn bản.")), Length(max=255)],
    )
    title = StringField(
        _l("Tên văn bản"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Nhập tên văn bản.")), Length(max=500)],
    )
    issuer = StringField(_l("Cơ quan ban hành"), filters=[_strip], validators=[Length(max=255)])
    # optional: a source may give no date (never guess one)
    issued = VnDateField(_l("Ngày ban hành"), validators=[Optional()])
    effective = VnDateField(_l("Ngày có hiệu lực"), validators=[Optional()])
    status = SelectField(_l("Mức xác minh"), choices=STATUS_CHOICES)
    last_checked = VnDateField(
        _l("Ngày kiểm tra gần nhất"),
        validators=[DataRequired(message=_l("Nhập ngày kiểm tra gần nhất."))],
    )
    sources = TextAreaField(
        _l("Địa chỉ nguồn (mỗi dòng một địa chỉ http/https)"),
        filters=[_strip],
        validators=[Length(max=5000)],
    )
    article_statuses = TextAreaField(
        _l("Trạng thái từng điều (mỗi dòng: Điều 24 = CORROBORATED)"),
        filters=[_strip],
        validators=[Length(max=5000)],
    )

    def validate_sources(self, field):
        for line in self.source_list():
            if not re.match(r"^https?://\S+$", line):
                raise ValidationError(_l("«%(s)s» không phải địa chỉ http(s).", s=line))

    def validate_article_statuses(self, field):
        for line in (field.data or "").splitlines():
            if not line.strip():
                continue
            place, sep, status = line.partition("=")
            if not sep or not normalise_place(place)[1]:
                raise ValidationError(
                    _l(
                        "Dòng «%(l)s»: viết «vị trí = trạng thái», vị trí dạng %(f)s.",
                        l=line.strip(),
                        f=PLACE_FORMS,
                    )
                )
            if status.strip().upper() not in STATUSES:
                raise ValidationError(
                    _l(
                        "Dòng «%(l)s»: trạng thái phải là %(s)s.",
                        l=line.strip(),
                        s=", ".join(STATUSES),
                    )
                )

    def source_list(self) -> list[str]:
        return [x.strip() for x in (self.sources.data or "").splitlines() if x.strip()]

    def article_dict(self) -> dict:
        result = {}
        for line in (self.article_statuses.data or "").splitlines():
            place, _, status = line.partition("=")
            if place.strip():
                result[normalise_place(place)[0]] = status.strip().upper()
        return result

    def values(self) -> dict:
        return {
            "number": self.number.data,
            "title": self.title.data,
            "issuer": self.issuer.data or "",
            "issued": self.issued.data,
            "effective": self.effective.data,
            "status": self.status.data,
            "last_checked": self.last_checked.data,
            "sources": self.source_list(),
            "article_statuses": self.article_dict(),
        }


class AmendmentForm(FlaskForm):
    kind = RadioField(
        _l("Thay đổi"),
        choices=[
            SelectChoice(REPLACED, _l("Bị thay thế")),
            SelectChoice(AMENDED, _l("Được sửa đổi, bổ sung")),
        ],
        default=REPLACED,
        validators=[DataRequired(message=_l("Chọn loại thay đổi."))],
    )
    article = StringField(
        _l("Chỉ một điều (để trống: cả văn bản), ví dụ Điều 24"),
        filters=[_strip],
        validators=[Length(max=255)],
    )
    replaced_by = StringField(
        _l("Văn bản thay thế (mã trong danh mục, ví dụ nd-152-2025)"),
        filters=[_strip],
        validators=[Length(max=80)],
    )
    effective_from = VnDateField(
        _l("Áp dụng từ ngày"),
        validators=[DataRequired(message=_l("Nhập ngày áp dụng thay đổi (ngày/tháng/năm)."))],
    )
    note = TextAreaField(_l("Ghi chú"), filters=[_strip], validators=[Length(max=2000)])

    def __init__(self, *args, known_codes: set[str] | None = None, code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._known = known_codes or set()
        self._code = code

    def validate_article(self, field):
        if field.data:
            place, known = normalise_place(field.data)
            if not known:
                raise ValidationError(_l("Viết vị trí theo dạng %(f)s.", f=PLACE_FORMS))
            field.data = place

    def validate_replaced_by(self, field):
        if self.kind.data == REPLACED:
            if not field.data:
                raise ValidationError(_l("Nhập mã văn bản thay thế."))
            if not DOC_ID.match(field.data) or field.data not in self._known:
                raise ValidationError(
                    _l("Văn bản «%(c)s» chưa có trong danh mục: thêm nó vào trước.", c=field.data)
                )
            if field.data == self._code:
                raise ValidationError(_l("Một văn bản không thay thế chính nó."))
        elif field.data:
            raise ValidationError(_l("Chỉ nhập văn bản thay thế khi văn bản bị thay thế."))
