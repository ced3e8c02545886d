"""Between stored questions and parsed ones (any file format): the key a parsed question is
stored under, and the parsed form of a stored question. Shared by the question-bank import and
export and by the course files' loader and exporter, so a question keeps one identity."""

from __future__ import annotations

import hashlib

from app.quizzes.formats import ParsedQuestion
from app.quizzes.models import Question
from app.quizzes.types import REGISTRY, get_type


def question_key(parsed) -> str:
    if parsed.key:
        return parsed.key[:120]
    if parsed.title:
        return f"title:{parsed.title}"[:120]
    digest = hashlib.sha1(parsed.text.encode()).hexdigest()[:16]
    return f"text:{digest}"


def parsed_from_question(question: Question) -> ParsedQuestion:
    """The neutral form of a stored question: the inverse of each type's `data_from_parsed`."""
    data = question.data or {}
    qtype = question.qtype
    kind = get_type(qtype) if qtype in REGISTRY else None
    answers = kind.parsed_answers(data) if kind else []
    return ParsedQuestion(
        qtype=qtype,
        text=question.text,
        text_format=question.text_format or "plain",
        title=question.title or "",
        key=question.key,
        reference=question.reference or "",
        category=question.category or "",
        tags=list(getattr(question, "tags", None) or []),
        answers=answers,
        general_feedback=question.explanation or "",
        shuffle=bool(data.get("shuffle", True)),
        single=qtype != "multi",
        subquestions=kind.parsed_subquestions(data) if kind else [],
    )
