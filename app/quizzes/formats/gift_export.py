"""GIFT export: what `parse_gift` reads back to the same questions.

Every question gets an explicit format prefix (`[html]`, `[plain]`, `[markdown]`). Special
characters are escaped with a backslash (`~ = # { } : \\`, newlines as `\\n`). Weights are
Moodle percentages. `// [id:] [ref:] [tag:]` comments carry key, reference and tags, and a
`$CATEGORY:` line is written whenever the category changes. Cloze questions are written with
Moodle's embedded-answer markers inside the text (Moodle cannot import those from GIFT; our
importer can). Known limits: a description's general feedback has no GIFT form, and the left
side of a matching pair cannot contain "->".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import cloze
from .base import (
    BLANK,
    ParsedQuestion,
    category_path,
    fmt_number,
    fmt_percent,
    is_full,
    tolerance_out,
)

_FORMAT_LIKE = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_JUNK = re.compile(r"[\s\"';]*;[\s\"';]*")


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _meta_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("]", "\\]").replace("\n", " ")


def export_gift(questions: Iterable[ParsedQuestion]) -> str:
    out: list[str] = []
    category = ""
    previous: ParsedQuestion | None = None
    for question in questions:
        if question.category != category:
            category = question.category
            out.append(f"$CATEGORY: {category_path(category)}\n")
        bits = []
        if question.key:
            bits.append(f"[id:{_meta_value(question.key)}]")
        if question.reference:
            bits.append(f"[ref:{_meta_value(question.reference)}]")
        bits.extend(f"[tag:{_meta_value(tag)}]" for tag in question.tags)
        lines = [f"// {' '.join(bits)}"] if bits else []
        # an untitled question right after a titled description would be read as its
        # continuation: an empty title "::::" prevents that
        untitled_guard = previous is not None and previous.qtype == "description"
        lines.append(_question(question, untitled_guard))
        out.append("\n".join(lines) + "\n")
        previous = question
    return "\n".join(out)


def _question(q: ParsedQuestion, untitled_guard: bool) -> str:
    head = f"::{escape(q.title)}::" if q.title or untitled_guard else ""
    head += f"[{q.text_format if q.text_format in ('html', 'markdown') else 'plain'}]"
    if q.qtype == "description":
        return head + escape(q.text)
    if q.qtype == "cloze":
        body = cloze.render_text(q, lambda sub: cloze.render_part(sub, gift=True), escape)
        general = "{####" + escape(q.general_feedback) + "}" if q.general_feedback else ""
        return head + body + general
    index = q.text.find(BLANK)
    if index != -1:
        after = q.text[index + len(BLANK) :]
        if after.strip() and not _JUNK.fullmatch(after):
            return head + escape(q.text[:index]) + _block(q, inline=True) + escape(after)
    return head + escape(q.text) + _block(q)


def _text(text: str, fmt: str) -> str:
    """An answer or feedback; a leading "[html]"-like text is protected by a real prefix."""
    prefix = f"[{fmt}]" if _FORMAT_LIKE.match(text) else ""
    return prefix + escape(text)


def _feedback(text: str, fmt: str) -> str:
    return "#" + _text(text, fmt) if text else ""


def _block(q: ParsedQuestion, inline: bool = False) -> str:
    fmt = q.text_format if q.text_format in ("html", "markdown") else "plain"
    lines: list[str] = []
    head = ""
    if q.qtype in ("single", "multi", "short"):
        for a in q.answers:
            text = _text(a.text, fmt)
            explicit = text.startswith("%")
            if q.qtype == "single" and is_full(a.fraction):
                mark = "=%100%" if explicit else "="
            elif q.qtype == "single" and a.fraction == 0 and not explicit:
                mark = "~"
            elif q.qtype == "short":
                mark = "=" if is_full(a.fraction) and not explicit else "=%" + _pct(a) + "%"
            else:
                mark = "~%" + _pct(a) + "%"
            lines.append(mark + text + _feedback(a.feedback, fmt))
    elif q.qtype == "numerical":
        head = "#"
        for a in q.answers:
            if a.range_min is not None and a.range_max is not None:
                value = f"{fmt_number(a.range_min)}..{fmt_number(a.range_max)}"
            elif a.tolerance and a.text.strip() != "*":
                value = f"{a.text}:{tolerance_out(a)}"
            else:
                value = a.text
            mark = "=" if is_full(a.fraction) else f"=%{_pct(a)}%"
            lines.append(f"{mark}{value}{_feedback(a.feedback, fmt)}")
    elif q.qtype == "matching":
        for a in q.answers:
            left = _text(a.match_left or "", fmt)
            lines.append(f"={left} -> {_text(a.text, fmt)}")
    elif q.qtype == "truefalse":
        true_answer = next((a for a in q.answers if a.text == "true"), None)
        false_answer = next((a for a in q.answers if a.text == "false"), None)
        correct = bool(true_answer and is_full(true_answer.fraction))
        right, wrong = (true_answer, false_answer) if correct else (false_answer, true_answer)
        right_fb = right.feedback if right else ""
        wrong_fb = wrong.feedback if wrong else ""
        head = "TRUE" if correct else "FALSE"
        if wrong_fb or right_fb:
            head += "#" + _text(wrong_fb, fmt)
        if right_fb:
            head += "#" + _text(right_fb, fmt)
    if q.general_feedback:
        lines.append("####" + _text(q.general_feedback, fmt))
    if not lines:
        return "{" + head + "}"
    if inline:
        return "{" + head + " ".join(lines) + "}"
    return "{" + head + "\n" + "".join(f"\t{line}\n" for line in lines) + "}"


def _pct(answer) -> str:
    return fmt_percent(answer.fraction)
