"""Importing a whole union tree from XLSX/CSV (code, name, level, parent code).

The same flow as the roster: the file is read by app/roster/files.py, every row is checked
against the database and the rest of the file (preview: new / renamed / unchanged / error with
its line number), and confirming writes the good rows in one transaction; bad rows are listed
and skipped. A row whose parent is a bad row is bad too (it would have nowhere to go). An
existing code under another parent is refused: moving is its own, audited operation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from app.config import ROOT
from app.core import audit
from app.core.text import nfc
from app.extensions import db
from app.org.models import OrgUnit, UnitLevel, User
from app.roster import files as roster_files
from app.roster.services import ImportSummary
from app.roster.uploads import ImportPreview
from app.tree.services import (
    TreeError,
    clean_code,
    clean_name,
    create_unit,
    may_change,
    may_receive,
)

COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã đơn vị"),
    ("name", "Tên đơn vị"),
    ("level", "Cấp"),
    ("parent_code", "Mã đơn vị cấp trên"),
]
HEADINGS = roster_files.heading_keys(
    COLUMNS,
    {"mã": "code", "tên": "name", "đơn vị": "name", "mã cấp trên": "parent_code"},
)
TEMPLATE_PATH = ROOT / "app" / "static" / "templates" / "mau-cay-don-vi.xlsx"
UPLOAD_KIND = "tree"


@dataclass
class TreeRow:
    row: int
    code: str
    name: str
    level: int | None
    parent_code: str
    action: str = "new"  # new | updated | unchanged | error
    errors: list[str] = field(default_factory=list)
    unit: OrgUnit | None = None  # the existing unit (updated / unchanged)


@dataclass
class TreePreview(ImportPreview):
    """The checked tree file: counts and bad rows from ImportPreview, a bad row listed by its
    code (its name when the code is missing)."""

    rows: list[TreeRow]

    def label(self, row: TreeRow) -> str:
        return row.code or row.name


def read_file(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows of a tree file (raises roster_files.RosterFileError for an unreadable file)."""
    return roster_files.read_rows(filename, data, HEADINGS)


def _level(text: str) -> int | None:
    text = nfc(text)
    return int(text) if text.isdigit() else None


def parse_tree(actor: User | None, rows: list[tuple[int, dict[str, str]]]) -> TreePreview:
    """Check every row (nothing is written). `actor` None: the command line, no scope."""
    results: list[TreeRow] = []
    first: dict[str, TreeRow] = {}
    for number, raw in rows:
        result = TreeRow(
            number, nfc(raw.get("code")), nfc(raw.get("name")), _level(raw.get("level", "")),
            nfc(raw.get("parent_code")),
        )  # fmt: skip
        for check in (clean_code, clean_name):
            try:
                value = check(result.code if check is clean_code else result.name)
            except TreeError as error:
                result.errors.append(str(error))
            else:
                setattr(result, "code" if check is clean_code else "name", value)
        if result.level is None or not UnitLevel.PROVINCE <= result.level <= UnitLevel.GRASSROOTS:
            result.errors.append(_("Cấp phải là 1, 2 hoặc 3."))
        if not result.parent_code:
            result.errors.append(_("Vui lòng nhập mã đơn vị cấp trên."))
        if result.code in first and not result.errors:
            result.errors.append(_("Mã đơn vị trùng với dòng %(n)s.", n=first[result.code].row))
        first.setdefault(result.code, result)
        results.append(result)

    existing = {
        unit.code: unit
        for unit in db.session.scalars(
            select(OrgUnit).where(
                OrgUnit.code.in_({r.code for r in results} | {r.parent_code for r in results})
            )
        )
    }
    done: set[int] = set()

    def resolve(result: TreeRow, seen: tuple[int, ...] = ()) -> None:
        if result.row in done:
            return
        if result.row in seen:
            result.errors.append(_("Các dòng lấy nhau làm đơn vị cấp trên (vòng lặp)."))
            return
        parent_row = first.get(result.parent_code)
        parent_unit = existing.get(result.parent_code)
        parent_level = None
        if parent_row is not None and parent_row is not result and parent_unit is None:
            resolve(parent_row, (*seen, result.row))
            if parent_row.errors:
                result.errors.append(_("Đơn vị cấp trên (dòng %(n)s) có lỗi.", n=parent_row.row))
            parent_level = parent_row.level
        elif parent_unit is not None:
            if not may_receive(actor, parent_unit) or not parent_unit.active:
                result.errors.append(
                    _("Đơn vị cấp trên “%(c)s” đã đóng hoặc ngoài phạm vi quản lý của bạn.",
                      c=result.parent_code)
                )  # fmt: skip
            parent_level = parent_unit.level
        elif result.parent_code:
            result.errors.append(_("Không có đơn vị mã “%(c)s”.", c=result.parent_code))
        if None not in (parent_level, result.level) and result.level != parent_level + 1:
            result.errors.append(
                _("Cấp %(l)s không đúng: đơn vị cấp trên ở cấp %(p)s.",
                  l=result.level, p=parent_level)
            )  # fmt: skip
        _compare_with_existing(actor, result, existing.get(result.code))
        done.add(result.row)

    for result in results:
        resolve(result)
    for result in results:
        if result.errors:
            result.action = "error"
    return TreePreview(results)


def _compare_with_existing(actor: User | None, result: TreeRow, unit: OrgUnit | None) -> None:
    if unit is None or result.errors:
        return
    result.unit = unit
    if unit.parent is None or unit.parent.code != result.parent_code:
        result.errors.append(
            _("Đơn vị “%(c)s” đã có, thuộc đơn vị khác: hãy dùng chức năng chuyển đơn vị.",
              c=result.code)
        )  # fmt: skip
    elif unit.name == result.name:
        result.action = "unchanged"
    elif not may_change(actor, unit):
        result.errors.append(_("Bạn không có quyền đổi tên đơn vị “%(c)s”.", c=result.code))
    else:
        result.action = "updated"


def import_tree(actor: User | None, rows: list[tuple[int, dict[str, str]]]) -> ImportSummary:
    """Write the good rows (re-checked against the database as it is now). The caller commits."""
    preview = parse_tree(actor, rows)
    summary = ImportSummary(
        unchanged=preview.count("unchanged"),
        errors=preview.count("error"),
        bad_rows=preview.bad_row_lines,
    )
    actor_id = actor.id if actor is not None else None
    by_code = {u.code: u for u in (r.unit for r in preview.rows) if u is not None}
    for result in sorted(preview.rows, key=lambda r: r.level or 0):  # parents first
        if result.action == "new":
            parent = by_code.get(result.parent_code) or db.session.scalar(
                select(OrgUnit).where(OrgUnit.code == result.parent_code)
            )
            by_code[result.code] = create_unit(actor, parent, result.name, result.code)
            summary.created += 1
        elif result.action == "updated":
            audit.record(
                "unit.rename", "org_unit", result.unit.id, actor_id,
                from_name=result.unit.name, to_name=result.name,
            )  # fmt: skip
            result.unit.name = result.name
            summary.updated += 1
    if summary.created or summary.updated:
        audit.record(
            "tree.import", "org_unit", None, actor_id,
            created=summary.created, updated=summary.updated, errors=summary.errors,
        )  # fmt: skip
    return summary


# --- the XLSX template ----------------------------------------------------------------------


def build_template() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "Cây đơn vị"
    sheet.append([heading for _key, heading in COLUMNS])
    for index, width in enumerate((18, 48, 8, 22), start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B5CAB")
        sheet.column_dimensions[cell.column_letter].width = width
        for row in range(2, 1002):
            sheet.cell(row=row, column=index).number_format = "@"  # codes are text
    sheet.append(["GD", "Công đoàn ngành Giáo dục", "2", "MÃ-TỈNH"])
    sheet.append(["GD-THPT1", "Công đoàn Trường THPT số 1", "3", "GD"])
    sheet.freeze_panes = "A2"
    return roster_files.template_bytes(
        book,
        (
            "Mỗi dòng một đơn vị. Dòng 1 là tiêu đề, giữ nguyên; xoá hai dòng ví dụ.",
            "Mã đơn vị: duy nhất, không có khoảng trắng; nhập lại cùng mã sẽ đổi tên theo tệp.",
            "Cấp: 1 = LĐLĐ tỉnh, 2 = công đoàn cấp trên cơ sở, 3 = công đoàn cơ sở.",
            "Mã đơn vị cấp trên: một đơn vị đã có trên hệ thống, hoặc một dòng khác của tệp.",
            "Chuyển một đơn vị đã có sang đơn vị cấp trên khác: dùng trang Cây đơn vị.",
        ),
    )


def write_template(path: Path = TEMPLATE_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_template())
    return path
