"""Formula injection: text from users written into CSV or XLSX must never become a formula.

A unit name typed as `=HYPERLINK("http://…")` or `@SUM(…)` was written by the periodic
report as a live XLSX formula and as raw CSV text, which Excel evaluates when the file is
opened. Following OWASP's CSV-injection guidance, a text starting with `=`, `+`, `-`, `@`,
tab or carriage return is neutralised in every export, by the helpers below:

- CSV has no types, so such a cell is prefixed with `'` (shown as text by spreadsheets);
- XLSX has types: the cell is written as a string with Excel's own "quote prefix" style,
  which keeps the text exactly (a re-imported question bank reads back what it wrote) and
  keeps it text even when someone edits the cell.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_cell(value):
    return "'" + value if formula_like(value) else value


def csv_rows(rows: Iterable[Iterable]) -> list[list]:
    """Rows for `csv.writer.writerows`, every formula-like text neutralised."""
    return [[csv_cell(value) for value in row] for row in rows]


def as_text(cell) -> None:
    """Make an openpyxl cell holding formula-like text a plain string cell (quote prefix)."""
    if formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def xlsx_value(sheet, value):
    """A value for `sheet.append` on a write-only sheet: formula-like text as a text cell."""
    if not formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    as_text(cell)
    return cell


def neutralise_sheet(sheet) -> None:
    """Every cell of an ordinary (not write-only) sheet, after it is filled."""
    for row in sheet.iter_rows():
        for cell in row:
            as_text(cell)
