from flask_babel import lazy_gettext as _l

from app.quizzes.types.base import QuestionType, register


@register
class TrueFalse(QuestionType):
    name = "truefalse"
    label = _l("Đúng / Sai")
    template = "truefalse"

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
