"""Single choice and multiple choice (partial credit, negative weights, total clamped at 0).

Multiple choice cannot be gamed by ticking every box: the wrong options carry negative weights
that cancel the right ones (as Moodle's fractions do). A source that gives wrong options no
weight (an XLSX "A, C", the authoring form's empty weight, GIFT's bare `~`) gets that default
(`with_default_wrong_weights`); explicit weights that still let "tick everything" score above 0
are refused by `validate`.
"""

from flask_babel import lazy_gettext as _l

from app.core.text import nfc
from app.quizzes.formats.base import ParsedAnswer
from app.quizzes.types.base import QuestionType, fraction_from_percent, register, weighted_rows


def _choices_from_parsed(parsed) -> list[dict]:
    return [
        {"id": str(i), "text": a.text, "fraction": a.fraction, "feedback": a.feedback}
        for i, a in enumerate(parsed.answers)
    ]


def _choice_texts(data: dict, ids) -> list[str]:
    by_id = {c["id"]: c["text"] for c in data.get("choices", [])}
    return [by_id[i] for i in ids if i in by_id]


def tick_everything_score(choices: list[dict]) -> float:
    """What ticking every option scores (before the clamp to 0..1)."""
    return sum(float(c["fraction"]) for c in choices)


def with_default_wrong_weights(choices: list[dict]) -> list[dict]:
    """The options of a multiple-choice question, the unweighted (0) ones sharing equally the
    negative weight that makes ticking everything score exactly 0. Weighted options are kept;
    nothing changes when ticking everything already scores 0 or less."""
    budget = tick_everything_score(choices)
    unweighted = [c for c in choices if float(c["fraction"]) == 0]
    if budget <= 1e-7 or not unweighted:
        return choices
    share = round(-budget / len(unweighted), 7)
    return [dict(c, fraction=share) if float(c["fraction"]) == 0 else c for c in choices]


class _Choice(QuestionType):
    """What single and multiple choice share: options with weights, stored alike."""

    form_editable = True

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        return {"choices": _choices_from_parsed(parsed), "shuffle": parsed.shuffle}

    @classmethod
    def parsed_answers(cls, data: dict) -> list:
        return [
            ParsedAnswer(c["text"], c["fraction"], c.get("feedback", ""))
            for c in data.get("choices", [])
        ]

    @classmethod
    def data_from_form(cls, rows: list[dict], truefalse: str = "") -> dict:
        choices = [
            {
                "id": str(i),
                "text": nfc(row["text"]),
                "fraction": fraction_from_percent(row.get("weight")),
                "feedback": nfc(row.get("feedback", "")),
            }
            for i, row in enumerate(rows)
        ]
        return {"choices": choices, "shuffle": True}

    @classmethod
    def form_rows(cls, data: dict) -> list[dict]:
        return weighted_rows(data.get("choices", []))


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
    def data_from_parsed(cls, parsed) -> dict:
        data = super().data_from_parsed(parsed)
        data["choices"] = with_default_wrong_weights(data["choices"])
        return data

    @classmethod
    def data_from_form(cls, rows: list[dict], truefalse: str = "") -> dict:
        data = super().data_from_form(rows, truefalse)
        data["choices"] = with_default_wrong_weights(data["choices"])
        return data

    @classmethod
    def validate(cls, data: dict) -> list[str]:
        choices = data.get("choices", [])
        positive = sum(c["fraction"] for c in choices if c["fraction"] > 0)
        problems = []
        if len(choices) < 2:
            problems.append("Cần ít nhất hai phương án.")
        if abs(positive - 1.0) > 0.001:
            problems.append(f"Tổng trọng số các phương án đúng phải là 100% (hiện {positive:.0%}).")
        everything = tick_everything_score(choices)
        if everything > 0.001:
            problems.append(
                f"Chọn tất cả các phương án được {everything:.0%} điểm: các phương án sai phải "
                "có trọng số âm sao cho chọn tất cả được 0%."
            )
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
