"""Moodle XML export: what Moodle (and `parse_moodle_xml`) reads back to the same questions.

The reference (`// [ref:]` in GIFT) goes in a `<tdkt_reference>` element, which Moodle ignores.
Characters that XML 1.0 cannot carry (control characters) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from . import cloze
from .base import ParsedQuestion, category_path, fmt_number, fmt_percent, tolerance_out

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TYPES = {
    "single": "multichoice",
    "multi": "multichoice",
    "truefalse": "truefalse",
    "short": "shortanswer",
    "numerical": "numerical",
    "matching": "matching",
    "essay": "essay",
    "description": "description",
    "cloze": "cloze",
}
_FORMATS = {"html": "html", "markdown": "markdown", "plain": "plain_text"}


def _t(text: str) -> str:
    """`<text>` content: CDATA when the text has markup characters, else escaped."""
    text = _INVALID.sub("", text)
    if "<" in text or "&" in text:
        return "<text><![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]></text>"
    return "<text>" + escape(text) + "</text>"


def _plain(text: str) -> str:
    return escape(_INVALID.sub("", text))


def export_moodle_xml(
    questions: Iterable[ParsedQuestion], category_info: dict[str, dict] | None = None
) -> str:
    """The questions as Moodle XML; `category_info` ({path: {"idnumber", "description"}})
    gives the categories their description and idnumber back."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    category = ""
    for question in questions:
        if question.category != category:
            category = question.category
            info = (category_info or {}).get(category, {})
            out += [
                '  <question type="category">',
                f"    <category>{_t(category_path(category))}</category>",
            ]
            if info.get("description"):
                out.append(f'    <info format="html">{_t(info["description"])}</info>')
            if info.get("idnumber"):
                out.append(f"    <idnumber>{escape(info['idnumber'])}</idnumber>")
            out.append("  </question>")
        out.extend(_question(question))
    out.append("</quiz>")
    return "\n".join(out) + "\n"


def _question(q: ParsedQuestion) -> list[str]:
    fmt = _FORMATS.get(q.text_format, "plain_text")
    text = q.text
    if q.qtype == "cloze":
        text = cloze.render_text(q, cloze.render_part)
    lines = [
        f"  <question type={quoteattr(_TYPES.get(q.qtype, q.qtype))}>",
        f"    <name>{_t(q.title)}</name>",
        f'    <questiontext format="{fmt}">{_t(text)}</questiontext>',
        f'    <generalfeedback format="{fmt}">{_t(q.general_feedback)}</generalfeedback>',
        f"    <defaultgrade>{fmt_number(q.default_grade)}</defaultgrade>",
        "    <hidden>0</hidden>",
        f"    <idnumber>{_plain(q.key)}</idnumber>",
    ]
    if q.reference:
        lines.append(f"    <tdkt_reference>{_plain(q.reference)}</tdkt_reference>")
    lines.extend("    " + line for line in _body(q, fmt))
    if q.tags:
        lines.append("    <tags>")
        lines.extend(f"      <tag>{_t(tag)}</tag>" for tag in q.tags)
        lines.append("    </tags>")
    lines.append("  </question>")
    return lines


def _answer(fraction: float, text: str, feedback: str, fmt: str, extra: str = "") -> str:
    return (
        f'<answer fraction="{fmt_percent(fraction)}" format="{fmt}">{_t(text)}'
        f'<feedback format="{fmt}">{_t(feedback)}</feedback>{extra}</answer>'
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _body(q: ParsedQuestion, fmt: str) -> list[str]:
    if q.qtype in ("single", "multi"):
        lines = [
            f"<single>{_flag(q.qtype == 'single')}</single>",
            f"<shuffleanswers>{_flag(q.shuffle)}</shuffleanswers>",
            "<answernumbering>abc</answernumbering>",
        ]
        return lines + [_answer(a.fraction, a.text, a.feedback, fmt) for a in q.answers]
    if q.qtype == "truefalse":
        return [_answer(a.fraction, a.text, a.feedback, "moodle_auto_format") for a in q.answers]
    if q.qtype == "short":
        lines = [f"<usecase>{1 if q.case_sensitive else 0}</usecase>"]
        return lines + [_answer(a.fraction, a.text, a.feedback, fmt) for a in q.answers]
    if q.qtype == "numerical":
        return [
            _answer(
                a.fraction,
                a.text,
                a.feedback,
                fmt,
                f"<tolerance>{tolerance_out(a)}</tolerance>",
            )
            for a in q.answers
        ]
    if q.qtype == "matching":
        lines = [f"<shuffleanswers>{_flag(q.shuffle)}</shuffleanswers>"]
        return lines + [
            f'<subquestion format="{fmt}">{_t(a.match_left or "")}<answer>{_t(a.text)}</answer>'
            "</subquestion>"
            for a in q.answers
        ]
    if q.qtype == "essay":
        return [
            "<responseformat>editor</responseformat>",
            "<responserequired>1</responserequired>",
            "<responsefieldlines>10</responsefieldlines>",
            "<attachments>0</attachments>",
            "<attachmentsrequired>0</attachmentsrequired>",
        ]
    return []
