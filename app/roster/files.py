"""Roster files: reading the officer list from CSV or XLSX (headings as officials type them),
the XLSX template, and the parsed upload kept server-side between preview and confirmation.

Split from app/roster/services.py; check.py checks the rows against the database and
services.py applies them.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import secrets
import time
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.config import ROOT
from app.core.text import nfc

# (key, heading) in template order. The headings are what officials type; keys are ours.
COLUMNS: list[tuple[str, str]] = [
    ("officer_code", "Mã cán bộ"),
    ("full_name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Đơn vị"),
    ("position", "Chức vụ"),
    ("officer_type", "Chuyên trách/Kiêm nhiệm"),
    ("email", "Thư điện tử"),
    ("phone", "Điện thoại"),
    ("status", "Trạng thái"),
]
_ALIASES = {
    "email": "email",
    "e-mail": "email",
    "số điện thoại": "phone",
    "tên đơn vị": "unit_name",
    "loại cán bộ": "officer_type",
    "chuyên trách / kiêm nhiệm": "officer_type",
}
TEMPLATE_PATH = ROOT / "app" / "static" / "templates" / "mau-danh-sach-can-bo.xlsx"
MAX_ROWS = 20_000
SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def normalised(text: str) -> str:
    """NFC, single spaces, lower case: how headings and labels typed by people are compared."""
    return SPACES.sub(" ", nfc(text)).lower()


_HEADINGS = {normalised(heading): key for key, heading in COLUMNS} | _ALIASES


class RosterFileError(ValueError):
    """The file as a whole cannot be read (the message is for the user, in Vietnamese)."""


# --- reading CSV / XLSX ----------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 when it has a BOM, else Windows-1258 (Vietnamese
    Excel's "CSV" on older Windows). NFC-composed: cp1258 writes tones as combining marks."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1258", errors="replace")
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return SPACES.sub(" ", nfc(str(value)))


def _grid(filename: str, data: bytes) -> list[list]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        from app.core.safe_xlsx import XlsxTooLarge, XlsxUnreadable, sheet_rows

        try:
            return [list(row) for row in sheet_rows(data, MAX_ROWS)]
        except XlsxTooLarge as error:
            raise RosterFileError(str(error)) from error
        except XlsxUnreadable as error:
            raise RosterFileError(
                _("Không đọc được tệp XLSX (tệp hỏng hoặc sai định dạng).")
            ) from error
    if name.endswith(".csv"):
        text = decode_csv(data)
        try:
            dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        try:
            return list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as error:  # e.g. NUL bytes: UTF-16 saved without its BOM
            raise RosterFileError(_("Không đọc được tệp CSV: %(e)s", e=str(error))) from error
    raise RosterFileError(_("Chỉ nhận tệp .xlsx hoặc .csv."))


def _heading_row(grid: list[list], headings: dict[str, str]) -> tuple[int, list[str | None]]:
    for index, row in enumerate(grid[:10]):
        keys = [headings.get(normalised(_cell(value))) for value in row]
        if sum(1 for k in keys if k) >= 2:
            return index, keys
    raise RosterFileError(
        _("Không tìm thấy dòng tiêu đề (ví dụ “Họ và tên”, “Mã đơn vị”) trong tệp.")
    )


def heading_keys(columns: list[tuple[str, str]], aliases: dict[str, str]) -> dict[str, str]:
    """{normalised heading: key} for `read_table`, from (key, heading) pairs and aliases."""
    return {normalised(heading): key for key, heading in columns} | aliases


def read_table(
    filename: str, data: bytes, headings: dict[str, str] | None = None
) -> tuple[set[str], list[tuple[int, dict[str, str]]]]:
    """(headings found, [(row number as the spreadsheet shows it, {key: text})]).

    The heading row is the first of the first ten rows naming two known headings (the
    roster's, or `headings` from `heading_keys`), so a title line above the table is fine.
    Empty rows are skipped; cells are NFC text, dates dd/mm/yyyy.
    """
    grid = _grid(filename, data)
    index, keys = _heading_row(grid, headings or _HEADINGS)
    rows = []
    for number, row in enumerate(grid[index + 1 :], start=index + 2):
        values = {k: _cell(v) for k, v in zip(keys, row, strict=False) if k}
        if any(values.values()):
            rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise RosterFileError(_("Tệp có quá %(n)s dòng; hãy chia nhỏ.", n=f"{MAX_ROWS:,}"))
    return {k for k in keys if k}, rows


def read_rows(
    filename: str, data: bytes, headings: dict[str, str] | None = None
) -> list[tuple[int, dict[str, str]]]:
    """The rows of `read_table`, without the headings found."""
    _found, rows = read_table(filename, data, headings)
    return rows


# --- the XLSX template ----------------------------------------------------------------------


def build_template() -> bytes:
    """The import template, built from COLUMNS so the headings cannot drift from the parser."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách cán bộ"
    sheet.append([heading for _key_, heading in COLUMNS])
    widths = {"full_name": 28, "unit_name": 32, "email": 28, "position": 22, "officer_type": 24}
    for index, (key, _heading) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B5CAB")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = widths.get(key, 16)
        # Codes and phone numbers are text: Excel would drop a phone number's leading 0.
        fmt = "DD/MM/YYYY" if key == "birth_date" else "@"
        for row in range(2, 1002):
            sheet.cell(row=row, column=index).number_format = fmt
    sheet.freeze_panes = "A2"
    letters = {
        key: sheet.cell(row=1, column=i).column_letter for i, (key, _h) in enumerate(COLUMNS, 1)
    }
    for key, options in (
        ("officer_type", '"Chuyên trách,Kiêm nhiệm"'),
        ("status", '"Đang công tác,Nghỉ,Đã chuyển"'),
    ):
        rule = DataValidation(type="list", formula1=options, allow_blank=True)
        rule.add(f"{letters[key]}2:{letters[key]}1001")
        sheet.add_data_validation(rule)
    return template_bytes(
        book,
        (
            "Mỗi dòng một cán bộ. Dòng 1 là tiêu đề, giữ nguyên.",
            "Mã cán bộ: mã ổn định của cán bộ; nhập lại cùng tệp sẽ cập nhật theo mã này "
            "(không có mã thì theo thư điện tử).",
            "Họ và tên: bắt buộc.",
            "Ngày sinh: dd/mm/yyyy, ví dụ 05/09/1985.",
            "Mã đơn vị: mã công đoàn trên hệ thống (hoặc điền cột Đơn vị bằng tên đơn vị).",
            "Chuyên trách/Kiêm nhiệm: chọn một trong hai (để trống: Kiêm nhiệm).",
            "Trạng thái: để trống hoặc Đang công tác; Nghỉ hoặc Đã chuyển để thôi theo dõi.",
        ),
    )


def template_bytes(book, notes: tuple[str, ...]) -> bytes:
    """An import template's last steps: the "Hướng dẫn" sheet with `notes`, one a line, and
    fixed properties (a fixed creation date: the same template is the same bytes)."""
    sheet = book.create_sheet("Hướng dẫn")
    for line in notes:
        sheet.append([line])
    sheet.column_dimensions["A"].width = 100
    book.properties.creator = "TĐKT Learn"
    book.properties.created = datetime(2025, 1, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_template(path: Path = TEMPLATE_PATH) -> Path:
    """Regenerate the shipped template file (app/static/templates/…)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_template())
    return path


# --- the parsed upload, kept server-side between preview and confirmation ----------------------


def _upload_dir() -> Path:
    return Path(current_app.instance_path) / "roster-uploads"


def save_upload(actor_id: int, kind: str, filename: str, rows: list) -> str:
    """Store parsed rows under a random token (never round-tripped through the browser)."""
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):  # a day is plenty to confirm
        if time.time() - old.stat().st_mtime > 86_400:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    payload = {"actor_id": actor_id, "kind": kind, "filename": filename, "rows": rows}
    (folder / f"{token}.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    return token


def valid_token(token: str) -> bool:
    return bool(_TOKEN.match(token))


def upload_exists(token: str) -> bool:
    return valid_token(token) and (_upload_dir() / f"{token}.json").exists()


def load_upload(actor_id: int, kind: str, token: str) -> tuple[str, list] | None:
    """(filename, rows) of this actor's upload, or None (unknown, expired, someone else's)."""
    if not valid_token(token):
        return None
    path = _upload_dir() / f"{token}.json"
    try:
        payload = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("actor_id") != actor_id or payload.get("kind") != kind:
        return None
    return payload["filename"], [(int(n), dict(v)) for n, v in payload["rows"]]


def discard_upload(token: str) -> None:
    if valid_token(token):
        (_upload_dir() / f"{token}.json").unlink(missing_ok=True)
