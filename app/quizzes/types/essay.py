"""Essay (graded later by a trainer: scores 0 until then) and description (no score)."""

from flask_babel import lazy_gettext as _l

from app.quizzes.types.base import QuestionType, register


@register
class Essay(QuestionType):
    name = "essay"
    label = _l("Tự luận")
    template = "essay"
    manual = True

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        return {}

    @classmethod
    def grade(cls, data: dict, answer) -> float:
        return 0.0


@register
class Description(QuestionType):
    name = "description"
    label = _l("Đoạn mô tả (không tính điểm)")
    template = "description"
    scored = False

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        return {}

    @classmethod
    def grade(cls, data: dict, answer) -> float:
        return 0.0
