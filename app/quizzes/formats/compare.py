"""What a format keeps of a question, as plain data: two questions with equal `comparable()`
values are the same question for that format (used to check round trips, and usable to tell
whether a re-imported question changed)."""

from __future__ import annotations

from .base import ParsedAnswer, ParsedQuestion, round_fraction


def _answer(a: ParsedAnswer, fmt: str) -> tuple:
    out = (
        a.text,
        round_fraction(a.fraction),
        a.feedback,
        a.match_left,
        round(a.tolerance, 9),
    )
    if fmt == "gift":
        out += (a.range_min, a.range_max)
    return out


def comparable(q: ParsedQuestion, fmt: str = "gift") -> dict:
    """Fields of `q` that survive an export to `fmt` ("gift" or "xml") and back."""
    out = {
        "qtype": q.qtype,
        "text": q.text,
        "text_format": q.text_format,
        "title": q.title,
        "key": q.key,
        "reference": q.reference,
        "tags": list(q.tags),
        "category": q.category,
        "general_feedback": q.general_feedback,
        "answers": [_answer(a, fmt) for a in q.answers],
        "subquestions": [_part(s, fmt) for s in q.subquestions],
    }
    if fmt == "gift" and q.qtype == "description":
        out.pop("general_feedback")  # GIFT has no place for it
    if fmt == "xml":
        out["default_grade"] = q.default_grade
        if q.qtype in ("single", "multi", "matching"):
            out["shuffle"] = q.shuffle
        if q.qtype == "short":
            out["case_sensitive"] = q.case_sensitive
    return out


def _part(sub: ParsedQuestion, fmt: str) -> dict:
    return {
        "qtype": sub.qtype,
        "cloze_code": sub.cloze_code,
        "default_grade": sub.default_grade,
        "answers": [_answer(a, fmt) for a in sub.answers],
    }
