"""Reading uploaded XLSX files without letting a hostile one take the server's time or memory.

Why: openpyxl pads every row to the sheet's *declared* width, and the readers used to build
the whole grid before counting rows. A 68 KB file declaring A1:XFD1048576 with a million
one-cell rows ran out of memory at 4 GB; a 190 KB file of 3M rows took 48 s and 1.4 GB before
the 20,000-row limit was checked. Every XLSX upload (roster, class attendance, question bank,
and anything built on them) reads through `sheet_rows`, which, before reading any row:

- refuses a ZIP whose parts unpack to more than the limits below (the sizes in the ZIP
  directory are enforced by `zipfile` while reading, so a lying directory cannot get past);
- refuses a sheet whose declared dimension is wider or longer than the caller allows;

and then streams the rows (read-only mode), never wider than `max_columns`, stopping with an
error as soon as one more row than allowed arrives.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from flask_babel import gettext as _

# A 20,000-officer roster written by Excel unpacks to ~15 MB; a sheet part beyond this is not
# something people typed. Other parts (shared strings, styles) are read whole by openpyxl.
MAX_SHEET_BYTES = 64 * 1024 * 1024
MAX_OTHER_PART_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024
MAX_COLUMNS = 200
# Rows allowed beyond the data limit: title lines above the table and blank rows.
SPARE_ROWS = 1_000


class XlsxUnreadable(ValueError):
    """Not a workbook at all (a broken ZIP, no sheet): the caller words its own message."""


class XlsxTooLarge(ValueError):
    """The file declares or holds more than is allowed: "Tệp quá lớn hoặc hỏng"."""

    def __init__(self, detail: str = "") -> None:
        message = _("Tệp quá lớn hoặc hỏng")
        super().__init__(f"{message}: {detail}" if detail else message)


def _check_parts(data: bytes) -> None:
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise XlsxUnreadable(str(error)) from error
    total = 0
    for part in parts:
        total += part.file_size
        limit = (
            MAX_SHEET_BYTES if part.filename.startswith("xl/worksheets/") else MAX_OTHER_PART_BYTES
        )
        if part.file_size > limit or total > MAX_TOTAL_BYTES:
            raise XlsxTooLarge(_("nội dung giải nén vượt giới hạn cho phép."))


def _declared_size_only(self) -> None:
    """ReadOnlyWorksheet._get_size, stopping where the rows begin.

    openpyxl looks for `<dimension>` with end events, so for a sheet without one it parses
    every row (at load, for every sheet) before we can count anything: 9 s for 400,000 rows.
    Start events see `<dimension>` and `<sheetData>` before their content.
    """
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    source = self._get_source()
    try:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                boundaries = SheetDimension.from_tree(element).boundaries
                if boundaries is not None:
                    self._min_column, self._min_row, self._max_column, self._max_row = boundaries
                return
            if element.tag == DATA_TAG:
                return
    finally:
        source.close()


def _open(data: bytes):
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    # Every read-only load in this app goes through here (uploads only ever do); the change
    # is the same answer found sooner, so it is safe for any other read-only use too.
    ReadOnlyWorksheet._get_size = _declared_size_only
    _check_parts(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zipfile, XML and openpyxl errors all mean "not a workbook"
        raise XlsxUnreadable(str(error)) from error


def sheet_rows(
    data: bytes,
    max_rows: int,
    sheet: str | None = None,
    prefer: str | None = None,
    max_columns: int = MAX_COLUMNS,
) -> Iterator[tuple]:
    """The rows (tuples of cell values, at most `max_columns` wide) of sheet `sheet`, else of
    `prefer` when the workbook has it, else of the first sheet.

    Raises XlsxUnreadable for a file that is no workbook, XlsxTooLarge for one declaring or
    holding more than `max_rows` + SPARE_ROWS rows or `max_columns` columns. The check of
    the declaration happens before the first row is yielded; the row count while streaming,
    so a file whose declaration lies stops at the limit, not at its end.
    """
    book = _open(data)
    try:
        names = book.sheetnames
        if not names:
            raise XlsxUnreadable("no sheet")
        name = sheet or (prefer if prefer in names else names[0])
        if name not in names:
            raise XlsxUnreadable(f"no sheet {name!r}")
        worksheet = book[name]
        allowed_rows = max_rows + SPARE_ROWS
        declared_rows, declared_columns = worksheet.max_row, worksheet.max_column
        if (declared_rows or 0) > allowed_rows or (declared_columns or 0) > max_columns:
            raise XlsxTooLarge(
                _(
                    "bảng tính khai báo %(rows)s dòng × %(cols)s cột, vượt giới hạn "
                    "%(max_rows)s dòng × %(max_cols)s cột.",
                    rows=declared_rows,
                    cols=declared_columns,
                    max_rows=allowed_rows,
                    max_cols=max_columns,
                )
            )
        width = min(declared_columns or max_columns, max_columns)
        for count, row in enumerate(worksheet.iter_rows(max_col=width, values_only=True), start=1):
            if count > allowed_rows:
                raise XlsxTooLarge(
                    _("bảng tính có hơn %(n)s dòng; hãy chia nhỏ tệp.", n=allowed_rows)
                )
            end = len(row)
            while end and row[end - 1] is None:  # callers keep rows: keep them no wider
                end -= 1
            yield row[:end]
    finally:
        book.close()
