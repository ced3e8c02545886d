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
    # Edited by the authoring form's simple rows (text, weight %, feedback); the other types
    # are edited through files (GIFT, Moodle XML, XLSX).
    form_editable: ClassVar[bool] = False

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        """Type data from an `app.quizzes.formats.ParsedQuestion`."""
        raise NotImplementedError

    @classmethod
    def parsed_answers(cls, data: dict) -> list:
        """The inverse of `data_from_parsed` for the answers: `ParsedAnswer`s to export."""
        return []

    @classmethod
    def parsed_subquestions(cls, data: dict) -> list:
        """The inverse of `data_from_parsed` for types made of sub-questions (cloze)."""
        return []

    @classmethod
    def data_from_form(cls, rows: list[dict], truefalse: str = "") -> dict:
        """Type data from the authoring form's rows ({"text", "weight" (percent), "feedback"},
        empty rows already dropped) and its true/false choice. Only for `form_editable`."""
        raise NotImplementedError

    @classmethod
    def form_rows(cls, data: dict) -> list[dict]:
        """The inverse of `data_from_form`, to fill the authoring form."""
        return []

    @classmethod
    def validate(cls, data: dict) -> list[str]:
        """Problems that make the question unusable, in Vietnamese (empty list = valid)."""
        return []

    @classmethod
    def answer_from_form(cls, form, field_name: str, data: dict | None = None) -> Any:
        """The answer in the submitted form; `data` is the question's (for types whose inputs
        depend on it, like the gaps of a cloze)."""
        return single_value(form, field_name)

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


def fraction_from_percent(weight) -> float:
    """The authoring form's weight in percent ("50", "-33.33333", "") as a fraction."""
    return round(float(weight or 0) / 100, 7)


def percent_text(fraction: float) -> str:
    """A fraction as the authoring form shows it: 0.5 -> "50", -0.3333333 -> "-33.33333"."""
    text = f"{float(fraction) * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def weighted_rows(items: list[dict]) -> list[dict]:
    """Form rows of weighted items (choices, short answers)."""
    return [
        {
            "text": item.get("text", ""),
            "weight": percent_text(item.get("fraction", 0)),
            "feedback": item.get("feedback", ""),
        }
        for item in items
    ]


def single_value(form, name: str) -> str:
    """The one value of a field that takes one (a radio, a select, a text box). A crafted
    form sending several values for it ("tick everything") counts as no answer."""
    values = form.getlist(name) if hasattr(form, "getlist") else [form.get(name, "")]
    distinct = {str(v).strip() for v in values}
    return distinct.pop() if len(distinct) == 1 else ""
