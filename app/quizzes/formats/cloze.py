"""Moodle's embedded answers (cloze): `{1:SHORTANSWER:=yes#Good~%50%maybe}` and friends.

A cloze question is kept as `ParsedQuestion(qtype="cloze")` whose `text` has `{#1}`, `{#2}`...
placeholders (as Moodle stores it), one per entry of `subquestions`. Each sub-question is a
"short", "numerical", "single" or "multi" question with its answers, `default_grade` (the N
of `{N:...}`) and `cloze_code` (the canonical Moodle type name, which also says shuffle/case).
"""

from __future__ import annotations

import re

from .base import (
    ParsedAnswer,
    ParsedQuestion,
    QuestionError,
    fmt_number,
    fmt_percent,
    is_full,
    parse_number,
    parse_percent,
    round_fraction,
    tolerance_out,
)

# canonical code -> (qtype, shuffle, case_sensitive)
CODES: dict[str, tuple[str, bool, bool]] = {
    "SHORTANSWER": ("short", False, False),
    "SHORTANSWER_C": ("short", False, True),
    "NUMERICAL": ("numerical", False, False),
    "MULTICHOICE": ("single", False, False),
    "MULTICHOICE_V": ("single", False, False),
    "MULTICHOICE_H": ("single", False, False),
    "MULTICHOICE_S": ("single", True, False),
    "MULTICHOICE_VS": ("single", True, False),
    "MULTICHOICE_HS": ("single", True, False),
    "MULTIRESPONSE": ("multi", False, False),
    "MULTIRESPONSE_H": ("multi", False, False),
    "MULTIRESPONSE_S": ("multi", True, False),
    "MULTIRESPONSE_HS": ("multi", True, False),
}
ALIASES = {
    "SA": "SHORTANSWER",
    "MW": "SHORTANSWER",
    "SAC": "SHORTANSWER_C",
    "MWC": "SHORTANSWER_C",
    "NM": "NUMERICAL",
    "MC": "MULTICHOICE",
    "MCV": "MULTICHOICE_V",
    "MCH": "MULTICHOICE_H",
    "MCS": "MULTICHOICE_S",
    "MCVS": "MULTICHOICE_VS",
    "MCHS": "MULTICHOICE_HS",
    "MR": "MULTIRESPONSE",
    "MRH": "MULTIRESPONSE_H",
    "MRS": "MULTIRESPONSE_S",
    "MRHS": "MULTIRESPONSE_HS",
}
_ALL_CODES = sorted(set(CODES) | set(ALIASES), key=len, reverse=True)
HEAD = re.compile(r"(\d*(?:\.\d+)?):(" + "|".join(_ALL_CODES) + r"):", re.IGNORECASE)
_START = re.compile(r"\{" + HEAD.pattern, re.IGNORECASE)
PLACEHOLDER = re.compile(r"\{#(\d+)\}")

# Escaped characters are swapped for private-use code points while parsing, then restored.
_PROTECT = {
    "\\": "\ue000",
    "~": "\ue001",
    "=": "\ue002",
    "#": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    ":": "\ue006",
    "n": "\ue007",
    "/": "\ue008",
    "%": "\ue009",
    "]": "\ue00a",
}
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _PROTECT.items()}
_RESTORE_RE = re.compile("[" + "".join(_RESTORE) + "]")
_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)


def protect(text: str, chars: str) -> str:
    """Replace `\\X` (X in `chars`) with a placeholder; other backslashes are kept."""

    def swap(match: re.Match) -> str:
        char = match.group(1)
        return _PROTECT[char] if char in chars else match.group(0)

    return _ESCAPE_RE.sub(swap, text)


def restore(text: str) -> str:
    return _RESTORE_RE.sub(lambda m: _RESTORE[m.group(0)], text)


_CLOZE_ESCAPES = "\\~=#{}:/%"
_ENTITY_AFTER_HASH = re.compile(r"#(?:\d+|x[0-9a-fA-F]+);")


def find_hash(text: str, start: int = 0) -> int:
    """Index of the first `#` that is a separator (not part of an HTML entity like `&#39;`)."""
    index = text.find("#", start)
    while index != -1:
        if not (index > 0 and text[index - 1] == "&" and _ENTITY_AFTER_HASH.match(text, index)):
            return index
        index = text.find("#", index + 1)
    return -1


def canonical_code(code: str) -> str:
    code = code.upper()
    return ALIASES.get(code, code)


def parse_part(weight: str, code: str, body: str, *, gift: bool = False) -> ParsedQuestion:
    """One `{weight:CODE:body}` marker -> sub-question. `body` is raw text (XML) or already
    protected GIFT text (`gift=True`)."""
    code = canonical_code(code)
    if code not in CODES:
        raise QuestionError(f"Loại chỗ trống «{code}» không được hỗ trợ")
    qtype, shuffle, case = CODES[code]
    grade = parse_number(weight) if weight else 1.0
    if grade is None or grade < 0:
        raise QuestionError(f"Điểm của chỗ trống không hợp lệ: «{weight}»")
    body = protect(body, _CLOZE_ESCAPES)
    answers = []
    for alternative in body.split("~"):
        alternative = alternative.strip()
        if not alternative:
            continue
        if alternative.startswith("="):
            fraction, alternative = 1.0, alternative[1:]
        else:
            match = re.match(r"%([^%]*)%", alternative)
            if match:
                fraction = parse_percent(restore(match.group(1)))
                alternative = alternative[match.end() :]
            else:
                fraction = 0.0
        hash_at = find_hash(alternative)
        feedback = ""
        if hash_at != -1:
            alternative, feedback = alternative[:hash_at], alternative[hash_at + 1 :]
        answers.append(_answer(qtype, alternative.strip(), fraction, restore(feedback).strip()))
    if not answers:
        raise QuestionError("Chỗ trống không có đáp án nào")
    return ParsedQuestion(
        qtype=qtype,
        text="",
        answers=answers,
        default_grade=grade,
        cloze_code=code,
        shuffle=shuffle,
        single=qtype != "multi",
        case_sensitive=case,
    )


def _answer(qtype: str, text: str, fraction: float, feedback: str) -> ParsedAnswer:
    if qtype != "numerical":
        return ParsedAnswer(restore(text), round_fraction(fraction), feedback)
    value, _, tolerance = text.partition(":")
    value = restore(value).strip()
    tol, tol_text = 0.0, ""
    if tolerance.strip():
        parsed = parse_number(restore(tolerance))
        if parsed is None:
            raise QuestionError(f"Sai số không hợp lệ: «{restore(tolerance)}»")
        tol = abs(parsed)
        tol_text = restore(tolerance).strip().lstrip("+-")
    if value != "*":
        number = parse_number(value)
        if number is None:
            raise QuestionError(f"Đáp án số không hợp lệ: «{value}»")
    return ParsedAnswer(
        value, round_fraction(fraction), feedback, tolerance=tol, tolerance_text=tol_text
    )


def code_for(sub: ParsedQuestion) -> str:
    """The code to write for a sub-question: its own when it fits its qtype."""
    if sub.cloze_code in CODES and CODES[sub.cloze_code][0] == sub.qtype:
        return sub.cloze_code
    if sub.qtype == "short":
        return "SHORTANSWER_C" if sub.case_sensitive else "SHORTANSWER"
    if sub.qtype == "numerical":
        return "NUMERICAL"
    if sub.qtype == "multi":
        return "MULTIRESPONSE_S" if sub.shuffle else "MULTIRESPONSE"
    return "MULTICHOICE_S" if sub.shuffle else "MULTICHOICE"


def _escape(text: str, gift: bool) -> str:
    text = text.replace("\\", "\\\\")
    for char in ("}", "~", "#") + (("{", ":", "=") if gift else ()):
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n") if gift else text


def render_part(sub: ParsedQuestion, *, gift: bool = False) -> str:
    parts = []
    for answer in sub.answers:
        prefix = "=" if is_full(answer.fraction) else f"%{fmt_percent(answer.fraction)}%"
        text = _escape(answer.text, gift)
        if sub.qtype == "numerical" and answer.text.strip() != "*" and answer.tolerance:
            text += ":" + tolerance_out(answer)
        if answer.feedback:
            text += "#" + _escape(answer.feedback, gift)
        parts.append(prefix + text)
    return "{" + f"{fmt_number(sub.default_grade)}:{code_for(sub)}:" + "~".join(parts) + "}"


def split_text(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Raw cloze text (XML) -> (text with {#n} placeholders, [(weight, code, body)])."""
    out: list[str] = []
    parts: list[tuple[str, str, str]] = []
    position = 0
    while True:
        match = _START.search(text, position)
        if not match:
            break
        end = _closing_brace(text, match.end())
        if end == -1:
            raise QuestionError("Chỗ trống cloze thiếu dấu «}» đóng")
        out.append(text[position : match.start()])
        parts.append((match.group(1), match.group(2), text[match.end() : end]))
        out.append(f"{{#{len(parts)}}}")
        position = end + 1
    out.append(text[position:])
    return "".join(out), parts


def _closing_brace(text: str, start: int) -> int:
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "}":
            return index
        index += 1
    return -1


def render_text(q: ParsedQuestion, render, escape=lambda text: text) -> str:
    """Replace each {#n} of a cloze text by `render(subquestion)`; the text between goes
    through `escape`."""
    out: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(q.text):
        index = int(match.group(1)) - 1
        if not 0 <= index < len(q.subquestions):
            continue
        out.append(escape(q.text[position : match.start()]))
        out.append(render(q.subquestions[index]))
        position = match.end()
    out.append(escape(q.text[position:]))
    return "".join(out)
