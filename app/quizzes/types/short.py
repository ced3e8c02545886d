"""Short answer: compared after NFC, case folding and space collapsing; `*` is a wildcard."""

import re

from flask_babel import lazy_gettext as _l

from app.core.text import nfc, normalise_answer
from app.quizzes.formats.base import ParsedAnswer
from app.quizzes.types.base import QuestionType, fraction_from_percent, register, weighted_rows


def _matches(pattern: str, answer: str) -> bool:
    pattern, answer = normalise_answer(pattern), normalise_answer(answer)
    if "*" not in pattern:
        return pattern == answer
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, answer) is not None


@register
class ShortAnswer(QuestionType):
    name = "short"
    label = _l("Trả lời ngắn")
    template = "short"
    form_editable = True

    @classmethod
    def parsed_answers(cls, data: dict) -> list:
        return [
            ParsedAnswer(a["text"], a["fraction"], a.get("feedback", ""))
            for a in data.get("answers", [])
        ]

    @classmethod
    def data_from_form(cls, rows: list[dict], truefalse: str = "") -> dict:
        answers = [
            {
                "text": nfc(row["text"]),
                "fraction": fraction_from_percent(row.get("weight")),
                "feedback": nfc(row.get("feedback", "")),
            }
            for row in rows
        ]
        return {"answers": answers}

    @classmethod
    def form_rows(cls, data: dict) -> list[dict]:
        return weighted_rows(data.get("answers", []))

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        return {
            "answers": [
                {"text": a.text, "fraction": a.fraction, "feedback": a.feedback}
                for a in parsed.answers
            ]
        }

    @classmethod
    def validate(cls, data: dict) -> list[str]:
        if not any(a["fraction"] >= 0.999 for a in data.get("answers", [])):
            return ["Cần ít nhất một đáp án đúng hoàn toàn."]
        return []

    @classmethod
    def grade(cls, data: dict, answer) -> float:
        if not answer:
            return 0.0
        best = max(
            (a["fraction"] for a in data.get("answers", []) if _matches(a["text"], answer)),
            default=0.0,
        )
        return max(0.0, min(1.0, best))

    @classmethod
    def correct_answer_text(cls, data: dict) -> str:
        return " / ".join(a["text"] for a in data.get("answers", []) if a["fraction"] >= 0.999)
