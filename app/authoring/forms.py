"""Forms of the authoring pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.authoring.lessons import MAX_LESSON_CHARS
from app.authoring.questions import FORM_QTYPES
from app.core.text import nfc
from app.legal.refs import parse_refs, ref_problems
from app.quizzes.types import get_type

SLUG_MESSAGE = _l("Chỉ dùng chữ thường không dấu, chữ số và dấu gạch ngang (ví dụ: luat-tdkt).")
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
STATUSES = [
    SelectChoice("VERIFIED", _l("Đã đối chiếu văn bản gốc (VERIFIED)")),
    SelectChoice("CORROBORATED", _l("Hai nguồn thứ cấp khớp nhau (CORROBORATED)")),
    SelectChoice("SEEN-ONCE", _l("Mới thấy ở một nguồn (SEEN-ONCE)")),
    SelectChoice("NOT-SEEN", _l("Chưa tìm thấy nguồn (NOT-SEEN)")),
    SelectChoice("UNVERIFIED", _l("Chưa xác minh (dạng cũ, UNVERIFIED)")),
]


def _strip(value):
    return nfc(value) if isinstance(value, str) else value


def validate_references(form, field):
    """Article-level references (`luat-tdkt-2022 Điều 24 k1; kh-nq07 Mục III.3`) to documents
    the course or the register knows; the view sets `form.known_documents` (None: any id)."""
    problems = ref_problems(parse_refs(field.data or ""), getattr(form, "known_documents", None))
    if problems:
        raise ValidationError("; ".join(problems))


class LegalBasisForm(Form):
    """One `[[legal_basis]]` entry; an entirely empty row is ignored."""

    doc_id = StringField(
        _l("Mã văn bản"),
        filters=[_strip],
        validators=[Optional(), Regexp(SLUG_PATTERN, message=SLUG_MESSAGE), Length(max=60)],
    )
    number = StringField(_l("Số hiệu"), filters=[_strip], validators=[Length(max=60)])
    title = StringField(_l("Tên văn bản"), filters=[_strip], validators=[Length(max=255)])
    issuer = StringField(_l("Cơ quan ban hành"), filters=[_strip], validators=[Length(max=255)])
    issued = DateField(_l("Ngày ban hành"), validators=[Optional()])
    effective = DateField(_l("Ngày hiệu lực"), validators=[Optional()])
    status = SelectField(_l("Mức xác minh"), choices=STATUSES, default="UNVERIFIED")

    def is_blank(self) -> bool:
        return not any(
            (self.doc_id.data, self.number.data, self.title.data, self.issuer.data)
        ) and not (self.issued.data or self.effective.data)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.is_blank():
            return ok
        if not self.doc_id.data:
            message = _l("Nhập mã để bài học và câu hỏi trích dẫn.")
            self.doc_id.errors = [*self.doc_id.errors, message]
            ok = False
        if not self.title.data:
            self.title.errors = [*self.title.errors, _l("Nhập tên văn bản.")]
            ok = False
        return ok

    def as_dict(self) -> dict:
        doc = {
            "id": self.doc_id.data,
            "number": self.number.data or "",
            "title": self.title.data or "",
            "issuer": self.issuer.data or "",
            "issued": self.issued.data.isoformat() if self.issued.data else "",
            "effective": self.effective.data.isoformat() if self.effective.data else "",
            "status": self.status.data,
        }
        return {k: v for k, v in doc.items() if v}


class CourseForm(FlaskForm):
    slug = StringField(
        _l("Đường dẫn (mã khóa học)"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Nhập mã khóa học.")),
            Regexp(SLUG_PATTERN, message=SLUG_MESSAGE),
            Length(max=80),
        ],
    )
    title = StringField(
        _l("Tên khóa học"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Nhập tên khóa học.")), Length(max=255)],
    )
    summary = TextAreaField(_l("Giới thiệu ngắn"), filters=[_strip], validators=[Length(max=2000)])
    audience = StringField(_l("Đối tượng"), filters=[_strip], validators=[Length(max=255)])
    pass_mark = IntegerField(
        _l("Điểm đạt (%)"),
        default=70,
        validators=[
            DataRequired(message=_l("Nhập điểm đạt từ 1 đến 100.")),
            NumberRange(1, 100, message=_l("Điểm đạt phải từ 1 đến 100.")),
        ],
    )
    questions_per_attempt = IntegerField(
        _l("Số câu mỗi lần làm bài (0 = tất cả)"),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, 500, message=_l("Số câu phải từ 0 đến 500.")),
        ],
    )
    time_limit_minutes = IntegerField(
        _l("Thời gian làm bài (phút, 0 = không giới hạn)"),
        default=0,
        validators=[Optional(), NumberRange(0, 600, message=_l("Từ 0 đến 600 phút."))],
    )
    max_attempts = IntegerField(
        _l("Số lần làm bài cho mỗi phiên bản lớn (0 = không giới hạn)"),
        default=0,
        validators=[Optional(), NumberRange(0, 100, message=_l("Từ 0 đến 100 lần."))],
    )
    shuffle_answers = BooleanField(_l("Đảo thứ tự phương án trắc nghiệm"), default=True)
    # Attempt rules and review options (issue 15); defaults: 3 a day, 30 minutes, both on.
    attempts_per_day = IntegerField(
        _l("Số lần làm bài tối đa mỗi ngày (0 = không giới hạn)"),
        default=3,
        validators=[Optional(), NumberRange(0, 50, message=_l("Từ 0 đến 50 lần."))],
    )
    retry_wait_minutes = IntegerField(
        _l("Thời gian chờ sau hai lần liền nhau chưa đạt (phút, 0 = không chờ)"),
        default=30,
        validators=[Optional(), NumberRange(0, 10080, message=_l("Từ 0 đến 10080 phút."))],
    )
    review_wrong_on_fail = BooleanField(
        _l("Khi chưa đạt: cho xem câu nào sai và giải thích (không hiện đáp án đúng)"),
        default=True,
    )
    review_answers = SelectField(
        _l("Hiện đáp án đúng"),
        default="after_pass",
        choices=[
            SelectChoice("after_pass", _l("Khi đạt hoặc đã dùng hết số lần làm bài")),
            SelectChoice("never", _l("Không bao giờ")),
            SelectChoice("always", _l("Ngay sau mỗi lần nộp (chỉ dùng cho bài luyện tập)")),
        ],
    )
    legal_basis = FieldList(FormField(LegalBasisForm), min_entries=1)
    submit = SubmitField(_l("Lưu"))

    def validate_legal_basis(self, field):
        ids = [entry.form.doc_id.data for entry in field if not entry.form.is_blank()]
        if len(ids) != len(set(ids)):
            raise ValidationError(_l("Mỗi văn bản cần một mã riêng."))

    def meta_dict(self) -> dict:
        return {
            "title": self.title.data,
            "summary": self.summary.data or "",
            "audience": self.audience.data or "",
            "pass_mark": self.pass_mark.data,
            "questions_per_attempt": self.questions_per_attempt.data or 0,
            "time_limit_minutes": self.time_limit_minutes.data or 0,
            "max_attempts": self.max_attempts.data or 0,
            "shuffle_answers": bool(self.shuffle_answers.data),
            "attempts_per_day": self.attempts_per_day.data or 0,
            "retry_wait_minutes": self.retry_wait_minutes.data or 0,
            "review_wrong_on_fail": bool(self.review_wrong_on_fail.data),
            "review_answers": self.review_answers.data,
            "legal_basis": [e.form.as_dict() for e in self.legal_basis if not e.form.is_blank()],
        }


class LessonForm(FlaskForm):
    title = StringField(
        _l("Tiêu đề bài học"),
        validators=[DataRequired(message=_l("Nhập tiêu đề bài học.")), Length(max=255)],
    )
    slug = StringField(
        _l("Đường dẫn (để trống: tạo từ tiêu đề)"),
        filters=[_strip],
        validators=[Optional(), Regexp(SLUG_PATTERN, message=SLUG_MESSAGE), Length(max=100)],
    )
    articles = StringField(
        _l("Căn cứ (mã văn bản và điều, khoản, cách nhau bằng ;)"),
        validators=[Length(max=1000), validate_references],
    )
    body_md = TextAreaField(
        _l("Nội dung (Markdown)"),
        validators=[
            DataRequired(message=_l("Nhập nội dung bài học.")),
            Length(
                max=MAX_LESSON_CHARS,
                message=_l("Bài học quá dài (tối đa %(max)d ký tự): hãy tách thành nhiều bài."),
            ),
        ],
    )
    save = SubmitField(_l("Lưu bản nháp"))
    preview = SubmitField(_l("Xem trước"))


class PreviewForm(FlaskForm):
    """The live preview endpoint: only the text (CSRF checked)."""

    text = TextAreaField(_l("Nội dung"))


class AutosaveForm(FlaskForm):
    title = StringField(_l("Tiêu đề bài học"))
    articles = StringField(_l("Căn cứ"))
    body_md = TextAreaField(_l("Nội dung (Markdown)"))


class OptionForm(Form):
    text = StringField(_l("Phương án / đáp án"), filters=[_strip], validators=[Length(max=1000)])
    weight = StringField(_l("Trọng số (%)"), filters=[_strip], validators=[Length(max=12)])
    feedback = StringField(_l("Phản hồi riêng"), filters=[_strip], validators=[Length(max=1000)])

    def validate_weight(self, field):
        if not (self.text.data or "").strip():
            return
        try:
            value = float((field.data or "0").replace(",", ".").rstrip("%"))
        except ValueError:
            raise ValidationError(_l("Trọng số phải là một số từ -100 đến 100.")) from None
        if not -100 <= value <= 100:
            raise ValidationError(_l("Trọng số phải là một số từ -100 đến 100."))
        field.data = str(value)


OPTION_ROWS = 6


class QuestionForm(FlaskForm):
    key = StringField(
        _l("Mã câu hỏi (để trống: tự tạo)"),
        filters=[_strip],
        validators=[
            Optional(),
            Regexp(r"^[A-Za-z0-9_.:-]+$", message=_l("Mã chỉ gồm chữ, số và - _ . :")),
            Length(max=120),
        ],
    )
    qtype = SelectField(
        _l("Loại câu hỏi"),
        choices=[SelectChoice(name, get_type(name).label) for name in FORM_QTYPES],
    )
    text = TextAreaField(
        _l("Câu hỏi"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Nhập nội dung câu hỏi.")), Length(max=5000)],
    )
    options = FieldList(FormField(OptionForm), min_entries=OPTION_ROWS)
    truefalse = RadioField(
        _l("Đáp án đúng (câu Đúng / Sai)"),
        choices=[SelectChoice("true", _l("Đúng")), SelectChoice("false", _l("Sai"))],
        validators=[Optional()],
        validate_choice=False,
    )
    explanation = TextAreaField(
        _l("Giải thích (hiện sau khi nộp bài)"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Mỗi câu hỏi cần lời giải thích.")), Length(max=5000)],
    )
    reference = StringField(
        _l("Căn cứ (mã văn bản và điều, khoản, cách nhau bằng ;)"),
        filters=[_strip],
        validators=[Length(max=255), validate_references],
    )
    category = StringField(
        _l("Danh mục (đề thi rút câu theo danh mục)"),
        filters=[_strip],
        validators=[Length(max=255)],
    )
    active = RadioField(
        _l("Trạng thái"),
        choices=[SelectChoice("1", _l("Dùng trong bài kiểm tra")), SelectChoice("0", _l("Tạm ẩn"))],
        default="1",
    )
    submit = SubmitField(_l("Lưu bản nháp câu hỏi"))

    def option_dicts(self) -> list[dict]:
        return [
            {
                "text": e.form.text.data or "",
                "weight": e.form.weight.data or "0",
                "feedback": e.form.feedback.data or "",
            }
            for e in self.options
        ]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.qtype.data == "truefalse" and self.truefalse.data not in ("true", "false"):
            self.truefalse.errors = [_l("Chọn đáp án đúng: Đúng hoặc Sai.")]
            ok = False
        return ok


class PublishForm(FlaskForm):
    kind = RadioField(
        _l("Loại phiên bản"),
        choices=[
            SelectChoice(
                "minor", _l("Sửa nhỏ (lỗi chính tả…): kết quả đã hoàn thành vẫn giữ nguyên")
            ),
            SelectChoice(
                "major", _l("Thay đổi nội dung: cán bộ đã hoàn thành năm nay phải học lại")
            ),
        ],
        default="minor",
        validators=[DataRequired(message=_l("Chọn loại phiên bản."))],
    )
    due_on = DateField(_l("Hạn học lại (phiên bản lớn)"), validators=[Optional()])
    note = TextAreaField(_l("Ghi chú thay đổi"), filters=[_strip], validators=[Length(max=2000)])
    submit = SubmitField(_l("Xuất bản"))


class ActionForm(FlaskForm):
    """A bare form for one-button actions (move, discard): just the CSRF token."""


class OwnerForm(FlaskForm):
    """The province admin gives a course to a trainer, named by e-mail."""

    email = StringField(
        _l("Thư điện tử của giảng viên"),
        validators=[DataRequired(message=_l("Vui lòng nhập thư điện tử.")), Length(max=255)],
        filters=[_strip],
    )
