"""Question types as registered classes: each knows how to build its data from an imported
question, validate it, read an answer from a submitted form, and grade that answer.

A new type is one module here that subclasses `QuestionType` and decorates it with `register`.
"""

from app.quizzes.types import (  # noqa: F401  (registers each type)
    choice,
    cloze,
    essay,
    matching,
    numerical,
    short,
    truefalse,
)
from app.quizzes.types.base import REGISTRY, QuestionType, get_type, register

__all__ = ["REGISTRY", "QuestionType", "get_type", "register"]
