"""Cloze (Moodle "embedded answers"): a text with gaps, each gap a small question of its own
(short answer, number, one choice as a drop-down, several choices as check boxes).

The text keeps `{#1}`, `{#2}`… placeholders; `data["gaps"]` holds, per gap, its kind, its
weight and the data of that kind's question type — grading reuses those types, weighted.
"""

from __future__ import annotations

import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.quizzes.formats.base import ParsedQuestion
from app.quizzes.types.base import QuestionType, get_type, register, single_value

PLACEHOLDER = re.compile(r"\{#(\d+)\}")


@register
class Cloze(QuestionType):
    name = "cloze"
    label = _l("Điền vào chỗ trống (cloze)")
    template = "cloze"

    @classmethod
    def data_from_parsed(cls, parsed) -> dict:
        gaps = []
        for sub in parsed.subquestions:
            kind = get_type(sub.qtype)
            gaps.append(
                {
                    "kind": sub.qtype,
                    "weight": float(getattr(sub, "default_grade", 1.0) or 1.0),
                    "data": kind.data_from_parsed(sub),
                }
            )
        return {"gaps": gaps}

    @classmethod
    def parsed_subquestions(cls, data: dict) -> list:
        parts = []
        for gap in data.get("gaps", []):
            kind, gap_data = gap["kind"], gap.get("data") or {}
            parts.append(
                ParsedQuestion(
                    qtype=kind,
                    text="",
                    answers=get_type(kind).parsed_answers(gap_data),
                    shuffle=bool(gap_data.get("shuffle", True)),
                    single=kind != "multi",
                    default_grade=float(gap.get("weight", 1.0)),
                )
            )
        return parts

    @classmethod
    def validate(cls, data: dict) -> list[str]:
        gaps = data.get("gaps", [])
        if not gaps:
            return ["Câu hỏi điền chỗ trống không có chỗ trống nào."]
        problems = []
        for number, gap in enumerate(gaps, start=1):
            if gap["kind"] == "single":
                if not any(c["fraction"] >= 0.999 for c in gap["data"].get("choices", [])):
                    problems.append(f"Chỗ trống {number}: cần ít nhất một phương án đúng.")
                continue
            for problem in get_type(gap["kind"]).validate(gap["data"]):
                problems.append(f"Chỗ trống {number}: {problem}")
        return problems

    @classmethod
    def answer_from_form(cls, form, field_name: str, data: dict | None = None):
        answers = []
        for index, gap in enumerate((data or {}).get("gaps", [])):
            name = f"{field_name}-{index}"
            if gap["kind"] == "multi":
                answers.append(sorted(set(form.getlist(name))))
            else:
                answers.append(single_value(form, name))
        return answers

    @classmethod
    def grade(cls, data: dict, answer) -> float:
        gaps = data.get("gaps", [])
        total = sum(gap["weight"] for gap in gaps)
        if not total:
            return 0.0
        answer = list(answer or [])
        earned = 0.0
        for index, gap in enumerate(gaps):
            given = answer[index] if index < len(answer) else ""
            if gap["kind"] == "multi" and not isinstance(given, list):
                given = [given] if given else []
            earned += gap["weight"] * get_type(gap["kind"]).grade(gap["data"], given)
        return max(0.0, min(1.0, earned / total))

    @classmethod
    def correct_answer_text(cls, data: dict) -> str:
        return "; ".join(
            f"({n}) {get_type(gap['kind']).correct_answer_text(gap['data'])}"
            for n, gap in enumerate(data.get("gaps", []), start=1)
        )

    @classmethod
    def answer_text(cls, data: dict, answer) -> str:
        answer = list(answer or [])
        parts = []
        for n, gap in enumerate(data.get("gaps", []), start=1):
            given = answer[n - 1] if n - 1 < len(answer) else ""
            text = get_type(gap["kind"]).answer_text(gap["data"], given) or "—"
            parts.append(f"({n}) {text}")
        return "; ".join(parts)


def _gap_input(question_id: int, index: int, gap: dict) -> str:
    name = f"q{question_id}-{index}"
    label = gettext("Chỗ trống %(n)s", n=index + 1)
    if gap["kind"] in ("single", "multi"):
        choices = gap["data"].get("choices", [])
        if gap["kind"] == "multi":
            boxes = "".join(
                f'<label class="gap-check"><input type="checkbox" name="{name}" '
                f'value="{escape(c["id"])}"> {escape(c["text"])}</label>'
                for c in choices
            )
            return f'<span class="gap" role="group" aria-label="{label}">{boxes}</span>'
        options = "".join(
            f'<option value="{escape(c["id"])}">{escape(c["text"])}</option>' for c in choices
        )
        return (
            f'<select class="gap" name="{name}" aria-label="{label}">'
            f'<option value="">…</option>{options}</select>'
        )
    mode = ' inputmode="decimal"' if gap["kind"] == "numerical" else ""
    return (
        f'<input class="gap" type="text" name="{name}" aria-label="{label}" '
        f'autocomplete="off" size="12"{mode}>'
    )


def render_cloze(question, stem_html: str, with_inputs: bool) -> Markup:
    """The sanitised stem with each `{#n}` replaced by its input (or by "(n)" on review)."""
    gaps = (question.data or {}).get("gaps", [])

    def replace(match: re.Match) -> str:
        index = int(match.group(1)) - 1
        if not 0 <= index < len(gaps):
            return match.group(0)
        if not with_inputs:
            return f'<span class="gap-mark">({index + 1})</span>'
        return _gap_input(question.id, index, gaps[index])

    return Markup(PLACEHOLDER.sub(replace, str(stem_html)))
