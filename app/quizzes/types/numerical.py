from flask_babel import lazy_gettext as _l

from app.quizzes.formats.base import ParsedAnswer, fmt_number
from app.quizzes.types.base import QuestionType, register


def _to_float(text) -> float | None:
    try:
        return float(str(text).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None


@register
class Numerical(QuestionType):
    name = "numerical"
    label = _l("Số (có sai số)")
    template = "short"

    @classmethod
    def parsed_answers(cls, data: dict) -> list:
        return [
            ParsedAnswer(
                a.get("text") or (fmt_number(a["value"]) if a.get("value") is not None else "*"),
                a["fraction"],
                a.get("feedback", ""),
                tolerance=a.get("tolerance") or 0.0,
                tolerance_text=a.get("tolerance_text", ""),
            )
            for a in data.get("answers", [])
        ]

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        answers = []
        for a in parsed.answers:
            if a.range_min is not None and a.range_max is not None:
                value = (a.range_min + a.range_max) / 2
                tolerance = (a.range_max - a.range_min) / 2
                written = {}
            else:
                value, tolerance = _to_float(a.text), a.tolerance
                # the numbers as the file wrote them ("3.1415", "0.0005"): exported as is
                written = {"text": a.text.strip(), "tolerance_text": a.tolerance_text}
            answers.append(
                {
                    "value": value,
                    "tolerance": tolerance or 0.0,
                    "fraction": a.fraction,
                    "feedback": a.feedback,
                    **{k: v for k, v in written.items() if v},
                }
            )
        return {"answers": answers}

    @classmethod
    def validate(cls, data: dict) -> list[str]:
        if not any(a["value"] is not None and a["fraction"] >= 0.999 for a in data["answers"]):
            return ["Cần một đáp án số đúng hoàn toàn."]
        return []

    @classmethod
    def grade(cls, data: dict, answer) -> float:
        number = _to_float(answer)
        if number is None:
            return 0.0
        best = max(
            (
                a["fraction"]
                for a in data["answers"]
                if a["value"] is not None and abs(number - a["value"]) <= a["tolerance"] + 1e-9
            ),
            default=0.0,
        )
        return max(0.0, min(1.0, best))

    @classmethod
    def correct_answer_text(cls, data: dict) -> str:
        parts = []
        for a in data["answers"]:
            if a["fraction"] >= 0.999:
                tol = a.get("tolerance_text") or f"{a['tolerance']:g}"
                tol = f" ± {tol}" if a["tolerance"] else ""
                parts.append(f"{a.get('text') or format(a['value'], 'g')}{tol}")
        return " / ".join(parts)
