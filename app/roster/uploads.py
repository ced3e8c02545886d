"""What the two spreadsheet imports (officer roster, union tree) share: the preview's counts and
bad-row list, and the upload step that reads a posted file and keeps its rows for the preview.
Each import keeps its own reading of a row (app/roster/check.py, app/tree/imports.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from app.core.uploads import read_upload
from app.roster import files as roster_files

ACTIONS = ("new", "updated", "unchanged", "error")
Rows = list[tuple[int, dict[str, str]]]


@dataclass
class ImportPreview:
    """Checked rows, each with `row` (line in the file), `action` (one of ACTIONS) and
    `errors`; a row with errors has the action "error"."""

    rows: list

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ACTIONS}

    @property
    def bad_rows(self) -> list:
        return [r for r in self.rows if r.action == "error"]

    def label(self, row) -> str:
        """What a bad row names in the list of bad rows (the importer finds it by this)."""
        return row.name

    @property
    def bad_row_lines(self) -> list[tuple[int, str, str]]:
        """(line in the file, label, reasons) of each bad row: what the importer fixes."""
        return [(r.row, self.label(r), " ".join(r.errors)) for r in self.bad_rows]


def store_upload(
    field, read_rows: Callable[[str, bytes], Rows], kind: str, actor_id: int, max_bytes: int
) -> str | None:
    """Read the file posted in `field` with `read_rows(filename, data)` and keep its rows for
    the preview: the token, or None with the reason (in Vietnamese) added to the field's errors."""
    upload = field.data
    data = read_upload(field, max_bytes)
    if data is None:
        return None
    try:
        rows = read_rows(upload.filename or "", data)
    except roster_files.RosterFileError as error:
        field.errors.append(str(error))
        return None
    if not rows:
        field.errors.append(_("Tệp không có dòng dữ liệu nào."))
        return None
    return roster_files.save_upload(actor_id, kind, upload.filename, rows)
