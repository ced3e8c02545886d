"""Writing question banks as XLSX spreadsheets that `parse_xlsx` (xlsx.py) reads back: one row
per question in the columns of xlsx_columns.py, cloze gaps written inline, every cell text
(never a formula)."""

from __future__ import annotations

import io
import string
from collections.abc import Iterable

from app.core.spreadsheet_safety import xlsx_value

from . import cloze
from .base import (
    ParsedAnswer,
    ParsedQuestion,
    fmt_number,
    fmt_percent,
    is_full,
    round_fraction,
    tolerance_out,
)
from .xlsx_columns import (
    COLUMN_WIDTHS,
    COLUMNS,
    FORMAT_LABELS,
    SHEET,
    TRUE_WORDS,
    TYPE_LABELS,
    columns_for,
    option_letter,
)


def _answer_cell(q: ParsedQuestion) -> str:
    if q.qtype in ("single", "multi"):
        fractions = [round_fraction(a.fraction) for a in q.answers]
        right = [i for i, f in enumerate(fractions) if f > 0]
        others_zero = all(f == 0 for i, f in enumerate(fractions) if i not in right)
        if q.qtype == "single" and others_zero and len(right) == 1 and is_full(fractions[right[0]]):
            return option_letter(right[0])
        share = round_fraction(1 / len(right)) if right else 0
        if q.qtype == "multi" and others_zero and all(fractions[i] == share for i in right):
            return ", ".join(option_letter(i) for i in right)
        return ";".join(
            f"{option_letter(i)}:{fmt_percent(f)}" for i, f in enumerate(fractions) if f
        )
    if q.qtype == "truefalse":
        right = next((a for a in q.answers if is_full(a.fraction)), None)
        return (
            "Đúng" if right is not None and right.text.lower() in TRUE_WORDS | {"true"} else "Sai"
        )
    if q.qtype in ("short", "numerical"):
        parts = []
        for a in q.answers:
            weight = "" if is_full(a.fraction) else f"%{fmt_percent(a.fraction)}%"
            parts.append(weight + (_number_text(a) if q.qtype == "numerical" else a.text))
        joined = "\n" if any("|" in p or "\n" in p for p in parts) else " | "
        return joined.join(parts)
    return ""


def _number_text(a: ParsedAnswer) -> str:
    if a.range_min is not None and a.range_max is not None:
        return f"{fmt_number(a.range_min)}..{fmt_number(a.range_max)}"
    if a.text == "*" or not a.tolerance:
        return a.text
    return f"{a.text} ± {tolerance_out(a)}"


def _options(q: ParsedQuestion) -> list[str]:
    if q.qtype in ("single", "multi"):
        return [a.text for a in q.answers]
    if q.qtype == "matching":
        return [
            f"{a.match_left} -> {a.text}" if a.match_left else f"-> {a.text}" for a in q.answers
        ]
    return []


def _feedback_cell(q: ParsedQuestion) -> str:
    if q.qtype in ("single", "multi"):
        labels = [option_letter(i) for i in range(len(q.answers))]
    elif q.qtype == "truefalse":
        labels = ["Đúng" if a.text.lower() in TRUE_WORDS | {"true"} else "Sai" for a in q.answers]
    elif q.qtype in ("short", "numerical"):
        labels = [str(i) for i in range(1, len(q.answers) + 1)]
    else:
        return ""
    return "\n".join(
        f"{lb}: {a.feedback}" for lb, a in zip(labels, q.answers, strict=False) if a.feedback
    )


def question_row(q: ParsedQuestion, columns: list[tuple[str, str]] = COLUMNS) -> list[str]:
    """One spreadsheet row (in `columns` order) for a question; options beyond the last
    lettered column go, one per line, to the "Phương án" column."""
    options = _options(q)
    lettered = sum(1 for key, _h in columns if key.startswith("option_"))
    first, rest = options[:lettered], options[lettered:]
    values = {
        "key": q.key,
        "title": q.title,
        "qtype": TYPE_LABELS.get(q.qtype, q.qtype),
        "category": q.category,
        "text": cloze.render_text(q, cloze.render_part) if q.qtype == "cloze" else q.text,
        "text_format": FORMAT_LABELS.get(q.text_format, ""),
        "options": "\n".join(rest),
        "answer": _answer_cell(q),
        "feedback": _feedback_cell(q),
        "explanation": q.general_feedback,
        "reference": q.reference,
        "tags": "; ".join(q.tags),
    }
    for letter, text in zip(string.ascii_uppercase, first, strict=False):
        values[f"option_{letter}"] = text
    return [values.get(key, "") for key, _heading in columns]


def _sheet(book, title: str, columns: list[tuple[str, str]], rows: Iterable[list[str]]):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    for index, (key, _heading) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(key, 18)
    sheet.freeze_panes = "A2"
    header = []
    for _key, heading in columns:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B5CAB")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    sheet.append(header)
    for row in rows:
        out = []
        for value in row:
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            out.append(xlsx_value(sheet, value) or None)  # text, never a formula
        sheet.append(out)
    return sheet


def export_xlsx(questions: Iterable[ParsedQuestion]) -> bytes:
    """The questions as a workbook `parse_xlsx` reads back (cloze gaps written inline)."""
    from openpyxl import Workbook

    chosen = list(questions)
    columns = columns_for(max((len(_options(q)) for q in chosen), default=0))
    book = Workbook(write_only=True)
    _sheet(book, SHEET, columns, (question_row(q, columns) for q in chosen))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
