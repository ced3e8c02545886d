"""Aiken import: a stem (one or more lines), options `A)` / `A.`, then `ANSWER: X`.

Stems and options are plain text (HTML in them is shown as text, never rendered). Broken
questions are reported with the line where they start and the parser keeps going.
"""

from __future__ import annotations

import re

from . import validate
from .base import (
    ImportIssue,
    ParsedAnswer,
    ParsedQuestion,
    ParseResult,
    nfc,
    normalise_newlines,
    overlong_line,
    short_label,
)

_OPTION = re.compile(r"^([A-Z])[.)](\s*)(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$")


class _Draft:
    def __init__(self, line: int, stem: str) -> None:
        self.line = line
        self.stem = [stem]
        self.options: list[tuple[str, str, int]] = []  # (letter, text, line)

    @property
    def label(self) -> str:
        return short_label(" ".join(self.stem))


def parse_aiken(text: str) -> ParseResult:
    result = ParseResult(questions=[], errors=[], warnings=[], categories=[])
    try:
        text = nfc(normalise_newlines(text))
        too_long = overlong_line(text)
        if too_long:
            result.errors.append(too_long)
            return result
        _parse(text, result)
    except Exception as exc:  # noqa: BLE001 - the importer must never crash
        result.errors.append(ImportIssue(1, f"Lỗi không mong đợi khi đọc tệp Aiken: {exc!r}"))
    return result


def _option(line: str, draft: _Draft | None) -> tuple[str, str, bool] | None:
    """(letter, text, had_space) when the line is an option of the current question."""
    match = _OPTION.match(line)
    if not match or not match.group(3).strip():
        return None
    letter, space, text = match.groups()
    if not space:
        # "A)text" is only an option where one is expected: the next letter in sequence
        expected = chr(ord("A") + len(draft.options)) if draft else "A"
        if draft is None or letter != expected:
            return None
    return letter, text.strip(), bool(space)


def _parse(text: str, result: ParseResult) -> None:
    draft: _Draft | None = None
    orphan = False  # inside options that have no stem: skip until the ANSWER line

    def fail(d: _Draft, message: str) -> None:
        result.errors.append(ImportIssue(d.line, message, d.label))

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER.match(line)
        option = None if answer else _option(line, draft)
        if orphan:
            if answer or option:
                orphan = not answer
                continue
            orphan = False
        if answer:
            if draft is None:
                result.errors.append(
                    ImportIssue(number, "Dòng «ANSWER:» không thuộc câu hỏi nào (thiếu đề bài)")
                )
                continue
            _finish(draft, answer.group(1), result, fail)
            draft = None
        elif option and draft is None:
            result.errors.append(
                ImportIssue(
                    number,
                    "Phương án trả lời xuất hiện khi chưa có đề bài (câu hỏi thiếu phần đề)",
                    short_label(line),
                )
            )
            orphan = True
        elif option:
            letter, option_text, had_space = option
            if not had_space:
                result.warnings.append(
                    ImportIssue(
                        number,
                        f"Phương án «{letter}» thiếu dấu cách sau «{line[:2]}»; vẫn được nhập",
                        draft.label,
                    )
                )
            draft.options.append((letter, option_text, number))
        else:
            if draft is not None and draft.options:
                fail(draft, "Câu hỏi thiếu dòng «ANSWER:» cho biết đáp án đúng")
                draft = None
            if draft is None:
                draft = _Draft(number, line)
            else:
                draft.stem.append(line)
    if draft is not None:
        fail(draft, "Câu hỏi thiếu dòng «ANSWER:» cho biết đáp án đúng")


def _finish(draft: _Draft, value: str, result: ParseResult, fail) -> None:
    try:
        if len(draft.options) < 2:
            fail(draft, f"Câu hỏi chỉ có {len(draft.options)} phương án (cần ít nhất 2)")
            return
        letters = [letter for letter, _, _ in draft.options]
        duplicates = sorted({x for x in letters if letters.count(x) > 1})
        if duplicates:
            fail(draft, f"Phương án bị lặp chữ cái: {', '.join(duplicates)}")
            return
        match = re.match(r"^([A-Z])(?![A-Za-z])", value.strip())
        if not match:
            fail(draft, f"Dòng «ANSWER:» phải ghi một chữ cái (A, B, C...), không phải «{value}»")
            return
        if match.group(1) not in letters:
            fail(draft, f"Đáp án «{match.group(1)}» không khớp phương án nào")
            return
        question = ParsedQuestion(
            qtype="single",
            text="\n".join(draft.stem),
            text_format="plain",
            answers=[
                ParsedAnswer(text, 1.0 if letter == match.group(1) else 0.0)
                for letter, text, _ in draft.options
            ],
            line=draft.line,
        )
        found = validate.problems(question)
        if found:
            fail(draft, "; ".join(found))
        else:
            result.questions.append(question)
    except Exception as exc:  # noqa: BLE001 - one broken question must not stop the file
        fail(draft, f"Lỗi không mong đợi: {exc!r}")
