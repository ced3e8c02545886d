from flask_babel import lazy_gettext as _l

from app.quizzes.formats.base import ParsedAnswer
from app.quizzes.types.base import QuestionType, register


@register
class TrueFalse(QuestionType):
    name = "truefalse"
    label = _l("Đúng / Sai")
    template = "truefalse"
    form_editable = True

    @classmethod
    def parsed_answers(cls, data: dict) -> list:
        correct = bool(data.get("correct"))
        right, wrong = data.get("feedback_correct", ""), data.get("feedback_wrong", "")
        return [
            ParsedAnswer("true", 1.0 if correct else 0.0, right if correct else wrong),
            ParsedAnswer("false", 0.0 if correct else 1.0, wrong if correct else right),
        ]

    @classmethod
    def data_from_form(cls, rows: list[dict], truefalse: str = "") -> dict:
        return {"correct": truefalse == "true", "feedback_correct": "", "feedback_wrong": ""}

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        correct = next((a for a in parsed.answers if a.fraction >= 0.999), None)
        wrong = next((a for a in parsed.answers if a.fraction < 0.999), None)
        is_true = correct is not None and correct.text.strip().lower() in {"true", "t", "đúng"}
        return {
            "correct": is_true,
            "feedback_correct": correct.feedback if correct else "",
            "feedback_wrong": wrong.feedback if wrong else "",
        }

    @classmethod
    def grade(cls, data: dict, answer) -> float:
        if answer not in {"true", "false"}:
            return 0.0
        return 1.0 if (answer == "true") == data["correct"] else 0.0

    @classmethod
    def correct_answer_text(cls, data: dict) -> str:
        return "Đúng" if data["correct"] else "Sai"

    @classmethod
    def answer_text(cls, data: dict, answer) -> str:
        return {"true": "Đúng", "false": "Sai"}.get(answer, "")
