from __future__ import annotations

from typing import Any, ClassVar

REGISTRY: dict[str, type[QuestionType]] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.name] = cls
    return cls


def get_type(name: str) -> type[QuestionType]:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"Loại câu hỏi không được hỗ trợ: {name}") from None


class QuestionType:
    name: ClassVar[str]
    label: ClassVar[str]  # lazy_gettext: str() gives it in the request's language
    template: ClassVar[str]  # the macro in templates/quizzes/_types.html that renders it
    scored: ClassVar[bool] = True
    manual: ClassVar[bool] = False  # graded by a trainer after submit (essays)

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        """Type data from an `app.quizzes.formats.ParsedQuestion`."""
        raise NotImplementedError

    @classmethod
    def validate(cls, data: dict) -> list[str]:
        """Problems that make the question unusable, in Vietnamese (empty list = valid)."""
        return []

    @classmethod
    def answer_from_form(cls, form, field_name: str, data: dict | None = None) -> Any:
        """The answer in the submitted form; `data` is the question's (for types whose inputs
        depend on it, like the gaps of a cloze)."""
        return form.get(field_name, "").strip()

    @classmethod
    def grade(cls, data: dict, answer: Any) -> float:
        """Score between 0 and 1."""
        raise NotImplementedError

    @classmethod
    def correct_answer_text(cls, data: dict) -> str:
        """The right answer in words, for the review page."""
        return ""

    @classmethod
    def answer_text(cls, data: dict, answer: Any) -> str:
        """What the officer answered, in words, for the review page."""
        return "" if answer in (None, "", []) else str(answer)
