"""Single choice and multiple choice (partial credit, negative weights, total clamped at 0)."""

from flask_babel import lazy_gettext as _l

from app.quizzes.types.base import QuestionType, register


def _choices_from_parsed(parsed) -> list[dict]:
    return [
        {"id": str(i), "text": a.text, "fraction": a.fraction, "feedback": a.feedback}
        for i, a in enumerate(parsed.answers)
    ]


def _choice_texts(data: dict, ids) -> list[str]:
    by_id = {c["id"]: c["text"] for c in data.get("choices", [])}
    return [by_id[i] for i in ids if i in by_id]


class _Choice(QuestionType):
    """What single and multiple choice share: options with weights, stored alike."""

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        return {"choices": _choices_from_parsed(parsed), "shuffle": parsed.shuffle}


@register
class SingleChoice(_Choice):
    name = "single"
    label = _l("Trắc nghiệm một lựa chọn")
    template = "single"

    @classmethod
    def validate(cls, data: dict) -> list[str]:
        choices = data.get("choices", [])
        problems = []
        if len(choices) < 2:
            problems.append("Cần ít nhất hai phương án.")
        if sum(1 for c in choices if c["fraction"] >= 0.999) != 1:
            problems.append("Cần đúng một phương án đúng.")
        return problems

    @classmethod
    def grade(cls, data: dict, answer) -> float:
        for choice in data.get("choices", []):
            if choice["id"] == answer:
                return max(0.0, min(1.0, choice["fraction"]))
        return 0.0

    @classmethod
    def correct_answer_text(cls, data: dict) -> str:
        return "; ".join(c["text"] for c in data.get("choices", []) if c["fraction"] >= 0.999)

    @classmethod
    def answer_text(cls, data: dict, answer) -> str:
        return "; ".join(_choice_texts(data, [answer]))


@register
class MultipleChoice(_Choice):
    name = "multi"
    label = _l("Trắc nghiệm nhiều lựa chọn")
    template = "multi"

    @classmethod
    def validate(cls, data: dict) -> list[str]:
        choices = data.get("choices", [])
        positive = sum(c["fraction"] for c in choices if c["fraction"] > 0)
        problems = []
        if len(choices) < 2:
            problems.append("Cần ít nhất hai phương án.")
        if abs(positive - 1.0) > 0.001:
            problems.append(f"Tổng trọng số các phương án đúng phải là 100% (hiện {positive:.0%}).")
        return problems

    @classmethod
    def answer_from_form(cls, form, field_name: str, data: dict | None = None):
        return sorted(set(form.getlist(field_name)))

    @classmethod
    def grade(cls, data: dict, answer) -> float:
        chosen = set(answer or [])
        total = sum(c["fraction"] for c in data.get("choices", []) if c["id"] in chosen)
        return max(0.0, min(1.0, total))

    @classmethod
    def correct_answer_text(cls, data: dict) -> str:
        return "; ".join(c["text"] for c in data.get("choices", []) if c["fraction"] > 0)

    @classmethod
    def answer_text(cls, data: dict, answer) -> str:
        return "; ".join(_choice_texts(data, answer or []))
