# ruff: noqa: E501  (OOXML boilerplate: namespace URLs do not wrap)
"""Hostile uploads, built in memory: XLSX dimension and row bombs, the ReDoS question file.

The figures are the attack run's (issue 17): a 68 KB roster declaring A1:XFD1048576 with a
million one-cell rows, a file of 3M rows, a short Aiken question followed by 120,000 "{".
"""

from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _xlsx(sheet_xml_chunks, sheet_name: str = "Sheet1") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK.replace("{name}", sheet_name))
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for chunk in sheet_xml_chunks:
                sheet.write(chunk.encode())
    return out.getvalue()


def _sheet(dimension: str | None, rows, heading: list[str]):
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    )
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for i, text in enumerate(heading)
    )
    yield f'<row r="1">{cells}</row>'
    # Rows without their `r` attribute are valid (numbered in order) and compress to nothing.
    batch = "<row><c><v>1</v></c></row>" * 10_000
    for _ in range(rows // 10_000):
        yield batch
    yield "<row><c><v>1</v></c></row>" * (rows % 10_000)
    yield "</sheetData></worksheet>"


ROSTER_HEADING = ["Họ và tên", "Mã đơn vị", "Thư điện tử"]
BANK_HEADING = ["Loại", "Câu hỏi", "Đáp án"]


def dimension_bomb(heading=ROSTER_HEADING, sheet_name: str = "Sheet1") -> bytes:
    """Declares A1:XFD1048576 and holds a million one-cell rows (~70 KB compressed)."""
    return _xlsx(_sheet("A1:XFD1048576", 999_999, heading), sheet_name)


def row_bomb(heading=ROSTER_HEADING, rows: int = 3_000_000, sheet_name: str = "Sheet1") -> bytes:
    """No declared dimension (so nothing to check up front) and `rows` one-cell rows."""
    return _xlsx(_sheet(None, rows, heading), sheet_name)


REDOS_AIKEN = "Câu hỏi ngắn?\nA. Một\nB. Hai\nANSWER: A\n" + "{" * 120_000
