"""Builders for roster spreadsheets in tests (CSV in several encodings, XLSX)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date

from app.roster.files import COLUMNS

HEADINGS = [heading for _key, heading in COLUMNS]
KEYS = [key for key, _heading in COLUMNS]


def officer_rows(n: int, units: list[str], bad: dict[int, str] | None = None) -> list[dict]:
    """`n` officers spread over `units` (codes). `bad`: {index: "date" | "unit" | "name"}."""
    rows = []
    for i in range(n):
        row = {
            "officer_code": f"CB{i + 1:04d}",
            "full_name": f"Nguyễn Thị Hằng {i + 1}",
            "birth_date": date(1970 + i % 30, 1 + i % 12, 1 + i % 28),
            "unit_code": units[i % len(units)],
            "unit_name": "",
            "position": "Ủy viên Ban Chấp hành",
            "officer_type": "Chuyên trách" if i % 3 == 0 else "Kiêm nhiệm",
            "email": f"can.bo{i + 1}@vi-du.vn",
            "phone": f"09{i:08d}",
            "status": "",
        }
        kind = (bad or {}).get(i)
        if kind == "date":
            row["birth_date"] = "31/02/1985"
        elif kind == "unit":
            row["unit_code"] = "KHONG-CO"
        elif kind == "name":
            row["full_name"] = ""
        rows.append(row)
    return rows


def _text(value) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def to_csv(rows: list[dict], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow([_text(row.get(k, "")) for k in KEYS])
    text = out.getvalue()
    if encoding == "cp1258":
        return to_cp1258(text)
    return text.encode(encoding)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters (â, ê, ơ, ư …) precomposed
    where the code page has them, tone marks as separate combining characters."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base, marks = parts[0], parts[1:]
        for mark in list(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base = composed
                marks = marks.replace(mark, "", 1)
        out += (base + marks).encode("cp1258")
    return bytes(out)


def to_xlsx(rows: list[dict], title_row: str | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if title_row:
        sheet.append([title_row])
    sheet.append(HEADINGS)
    for row in rows:
        values = []
        for key in KEYS:
            value = row.get(key, "")
            values.append(value if value != "" else None)
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- driving the import pages ---


def upload(client, data: bytes, filename: str, path: str = "/don-vi/can-bo/nhap"):
    return client.post(
        path,
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def preview_token(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/don-vi/can-bo/nhap/([A-Za-z0-9_-]+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def count(html: str, name: str) -> int:
    match = re.search(rf'id="count-{name}">(\d+)<', html)
    assert match, f"no count {name}"
    return int(match.group(1))


def bad_rows(html: str) -> dict[int, str]:
    """{row number: reasons} from the preview's table of bad rows."""
    table = re.search(r'<table class="table bad-rows"[^>]*>(.*?)</table>', html, re.S)
    if not table:
        return {}
    found = re.findall(
        r'<tr><td class="num">(\d+)</td><td>.*?</td><td class="late">(.*?)</td></tr>',
        table.group(1),
        re.S,
    )
    return {int(n): reason for n, reason in found}


class QueryCounter:
    """Count the SQL statements run inside the block (query counts stay bounded: STYLE §3)."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _count(self, *args):
        self.count += 1

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)
