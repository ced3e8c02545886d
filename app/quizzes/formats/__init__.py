"""Question-bank import/export formats (GIFT, Aiken, Moodle XML), pure Python.

Parsers never raise on bad content: every question that cannot be imported is an
`ImportIssue` (Vietnamese message + line) in `ParseResult.errors`.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from .base import (
    ImportIssue,
    ParsedAnswer,
    ParsedQuestion,
    ParseResult,
)
from .encoding import decode_bytes

# Each parser and exporter is imported when first named (`from app.quizzes.formats import
# parse_gift` works as before): the question types need only `.base`, and a worker that
# serves lessons and quizzes never loads the XML parser and the exporters (bench S7).
_LAZY = {
    "parse_aiken": "aiken",
    "parse_gift": "gift",
    "export_gift": "gift_export",
    "parse_moodle_xml": "moodle_xml",
    "export_moodle_xml": "moodle_xml_export",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ImportIssue",
    "ParseResult",
    "ParsedAnswer",
    "ParsedQuestion",
    "decode_bytes",
    "detect_format",
    "export_gift",
    "export_moodle_xml",
    "parse_aiken",
    "parse_file",
    "parse_gift",
    "parse_moodle_xml",
]

_ALIASES = {
    "gift": "gift",
    "aiken": "aiken",
    "xml": "moodle_xml",
    "moodle_xml": "moodle_xml",
    "moodle-xml": "moodle_xml",
    "moodlexml": "moodle_xml",
}


def detect_format(name: str | None, text: str) -> str:
    """ "gift", "aiken" or "moodle_xml" from the file name, else from the content."""
    lower = (name or "").lower()
    if lower.endswith(".xml"):
        return "moodle_xml"
    if lower.endswith((".gift", ".gift.txt")):
        return "gift"
    if lower.endswith(".aiken.txt") or lower.endswith(".aiken"):
        return "aiken"
    head = text.lstrip()[:200]
    if head.startswith("<?xml") or head.startswith("<quiz"):
        return "moodle_xml"
    # Every test below is one pass over the text: the regular expressions this replaces
    # (`\{[^}]*[=~#]`, `^\s*ANSWER` with re.M) backtracked quadratically on a hostile upload
    # (a short Aiken question followed by 120,000 "{" took a minute).
    has_answer = has_option = titled = False
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped[:6] == "ANSWER" and stripped[6:].lstrip()[:1] == ":":
            has_answer = True
        elif len(stripped) > 1 and "A" <= stripped[0] <= "Z" and stripped[1] in ".)":
            has_option = True
        elif stripped[:2] == "::":
            titled = True
    if not (has_answer and has_option):
        return "gift"
    if not titled and "{" not in text:
        return "aiken"
    return "gift" if _has_gift_answers(text) else "aiken"


def _has_gift_answers(text: str) -> bool:
    """Does an answer block open: `{` then, before the next `}`, one of `=~#`; or `{}`; or
    `{T…`? Split at `}` so each character is looked at a bounded number of times."""
    if "{T" in text:
        return True
    pieces = text.split("}")
    for index, piece in enumerate(pieces):
        start = piece.find("{")
        if start == -1:
            continue
        rest = piece[start + 1 :]
        if "=" in rest or "~" in rest or "#" in rest:
            return True
        if index < len(pieces) - 1 and piece.rstrip().endswith("{"):
            return True  # `{ }` closed by the `}` this piece was split at
    return False


def parse_file(
    path_or_bytes: str | os.PathLike | bytes,
    fmt: str | None = None,
    encoding: str | None = None,
) -> ParseResult:
    """Read a file (path or raw bytes), detect its format unless `fmt` is given, parse it."""
    if isinstance(path_or_bytes, bytes | bytearray):
        data, name = bytes(path_or_bytes), None
    else:
        path = Path(path_or_bytes)
        data, name = path.read_bytes(), path.name
    from .aiken import parse_aiken
    from .gift import parse_gift
    from .moodle_xml import parse_moodle_xml

    kind = _ALIASES.get((fmt or "").lower().strip()) if fmt else None
    if fmt and kind is None:
        raise ValueError(f"Định dạng không được hỗ trợ: {fmt}")
    if kind is None and (name or "").lower().endswith(".xml"):
        kind = "moodle_xml"
    if kind == "moodle_xml" and not encoding:
        return parse_moodle_xml(data)
    text, used = decode_bytes(data, encoding)
    kind = kind or detect_format(name, text)
    if kind == "moodle_xml":
        result = parse_moodle_xml(text)
    elif kind == "aiken":
        result = parse_aiken(text)
    else:
        result = parse_gift(text)
    result.encoding = used
    return result
