"""Every CSV/XLSX export neutralises text starting with `=`, `+`, `-`, `@`, tab or CR
(OWASP CSV injection): CSV cells get a leading `'`, XLSX cells are text with a quote prefix,
never formulas. `test_every_exporter_is_listed` makes a new exporter join this file."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.org.models import Role
from app.org.services import create_unit
from app.quizzes.models import Question
from tests.conftest import login, own_every_course

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    '=HYPERLINK("http://x.invalid","bấm")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]


def _no_formula_parts(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in book.read(name) and b"<f " not in book.read(name), name


def _xlsx_texts(data: bytes) -> dict[str, tuple[str, bool]]:
    """{text: (data type, quote prefix)} of every string cell."""
    book = load_workbook(io.BytesIO(data))
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    found[cell.value] = (cell.data_type, cell.quotePrefix)
    return found


@pytest.fixture
def hostile_units(app, tree, make_user, plan):
    for index, name in enumerate(HOSTILE):
        unit = create_unit(name, f"X{index}", tree["A"])
        db.session.commit()
        make_user(unit)  # a required officer puts the unit in the report
    plan(2025)
    db.session.commit()
    make_user(tree["A"], Role.UNIT_MANAGER, email="ql@test.vn")
    client = app.test_client()
    login(client, "ql@test.vn")
    return client, tree["A"]


def test_periodic_report_csv(hostile_units):
    client, unit = hostile_units
    response = client.get(f"/bao-cao/dinh-ky/{unit.id}/tai-ve.csv?nam=2025")
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    for name in HOSTILE:
        # unit names are stored trimmed: "\t=1+1" is shown as "=1+1", neutralised all the same
        assert "'" + name in cells or "'" + name.strip() in cells, name
        assert name not in cells and name.strip() not in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_periodic_report_xlsx(hostile_units):
    client, unit = hostile_units
    response = client.get(f"/bao-cao/dinh-ky/{unit.id}/tai-ve.xlsx?nam=2025")
    assert response.status_code == 200
    _no_formula_parts(response.data)
    texts = _xlsx_texts(response.data)
    for name in HOSTILE:
        assert _text_cell(texts, name) == ("s", True), name


def test_question_bank_xlsx_export(app, tree, make_user, course):
    questions = db.session.scalars(
        db.select(Question).where(Question.course_id == course.id).order_by(Question.id)
    ).all()
    for question, text in zip(questions, HOSTILE, strict=False):
        question.text = text
        question.explanation = text
    db.session.commit()
    own_every_course(make_user(tree["A1"], Role.TRAINER, email="gv@test.vn"))
    client = app.test_client()
    login(client, "gv@test.vn")
    response = client.get(f"/ngan-hang/{course.slug}/xuat/xlsx")
    assert response.status_code == 200
    _no_formula_parts(response.data)
    texts = _xlsx_texts(response.data)
    for text in HOSTILE[: len(questions)]:
        assert _text_cell(texts, text) == ("s", True), text


def _text_cell(texts: dict, written: str):
    """The cell of a written text: the XML parser reads CR back as LF, names are trimmed."""
    for key in (written, written.replace("\r", "\n"), written.strip()):
        if key in texts:
            return texts[key]
    raise AssertionError(f"{written!r} not in the workbook")


@pytest.mark.parametrize("text", HOSTILE)
def test_the_helpers_neutralise_each_trigger(text):
    from openpyxl import Workbook

    from app.core.spreadsheet_safety import csv_cell, xlsx_value

    assert csv_cell(text) == "'" + text
    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append([xlsx_value(sheet, text), xlsx_value(sheet, "Bình thường"), -5])
    out = io.BytesIO()
    book.save(out)
    _no_formula_parts(out.getvalue())
    cells = next(load_workbook(io.BytesIO(out.getvalue()))["x"].iter_rows())
    assert (cells[0].data_type, cells[0].quotePrefix) == ("s", True)
    assert cells[0].value.replace("\n", "\r") in (text, text.replace("\n", "\r"))
    assert cells[1].quotePrefix is False and cells[2].value == -5


# Files that write CSV or XLSX, and what covers them. A new exporter must be added here with
# its test (or marked as writing only fixed text).
EXPORTERS = {
    "app/reports/periodic.py": "test_periodic_report_csv, test_periodic_report_xlsx",
    "app/quizzes/formats/xlsx_export.py": "test_question_bank_xlsx_export",
    "app/roster/files.py": "fixed text only (the import template)",
    "app/quizzes/formats/xlsx_template.py": "fixed text only (the import template)",
    "app/tree/imports.py": "fixed text only (the union tree import template)",
    "app/core/spreadsheet_safety.py": "the helpers themselves",
}


def test_every_exporter_is_listed():
    writers = re.compile(r"csv\.writer|csv\.DictWriter|Workbook\(|text/csv")
    found = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if writers.search(path.read_text("utf-8")) and path.name != "views.py"
    }
    missing = sorted(found - set(EXPORTERS))
    assert not missing, f"CSV/XLSX writers without a formula-injection test: {missing}"
