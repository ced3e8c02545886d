from flask_babel import lazy_gettext as _l

from app.quizzes.formats.base import ParsedAnswer
from app.quizzes.types.base import QuestionType, register, single_value


@register
class Matching(QuestionType):
    name = "matching"
    label = _l("Ghép đôi")
    template = "matching"

    @classmethod
    def parsed_answers(cls, data: dict) -> list:
        answers = [ParsedAnswer(p["right"], 1.0, match_left=p["left"]) for p in data["pairs"]]
        return answers + [ParsedAnswer(d, 0.0, match_left="") for d in data.get("distractors", [])]

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        pairs = [{"left": a.match_left, "right": a.text} for a in parsed.answers if a.match_left]
        distractors = [a.text for a in parsed.answers if not a.match_left]
        return {"pairs": pairs, "distractors": distractors}

    @classmethod
    def validate(cls, data: dict) -> list[str]:
        if len(data.get("pairs", [])) < 2:
            return ["Cần ít nhất hai cặp ghép."]
        return []

    @classmethod
    def options(cls, data: dict) -> list[str]:
        return sorted({p["right"] for p in data["pairs"]} | set(data.get("distractors", [])))

    @classmethod
    def answer_from_form(cls, form, field_name: str, data: dict | None = None):
        pairs = (data or {}).get("pairs", [])
        return [single_value(form, f"{field_name}-{i}") for i in range(len(pairs))]

    @classmethod
    def grade(cls, data: dict, answer) -> float:
        pairs = data.get("pairs", [])
        if not pairs or not answer:
            return 0.0
        right = sum(1 for pair, given in zip(pairs, answer, strict=False) if pair["right"] == given)
        return right / len(pairs)

    @classmethod
    def correct_answer_text(cls, data: dict) -> str:
        return "; ".join(f"{p['left']} → {p['right']}" for p in data.get("pairs", []))

    @classmethod
    def answer_text(cls, data: dict, answer) -> str:
        pairs = data.get("pairs", [])
        return "; ".join(
            f"{p['left']} → {g or '—'}" for p, g in zip(pairs, answer or [], strict=False)
        )
