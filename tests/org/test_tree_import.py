"""Importing a union tree from a file: good rows go in, bad rows are listed with their line."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.extensions import db
from app.org.models import OrgUnit
from app.tree import imports as tree_import


def _csv(lines: list[str]) -> bytes:
    return ("Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên\n" + "\n".join(lines) + "\n").encode()


def _units() -> int:
    return db.session.scalar(select(func.count()).select_from(OrgUnit))


def _big_file() -> list[str]:
    """20 upper-level unions under the province, 24 grassroots each (500 rows), and 3 bad
    grassroots rows: a level that does not fit, an unknown parent, a code used twice."""
    lines = []
    for u in range(20):
        lines.append(f"U{u},Công đoàn ngành {u},2,P")
        for g in range(24):
            lines.append(f"U{u}-G{g},Công đoàn cơ sở {u}.{g},3,U{u}")
    lines[5] = "U0-G4,Công đoàn cơ sở 0.4,2,U0"  # level 2 under a level-2 unit
    lines[101] = "U4-G0,Công đoàn cơ sở 4.0,3,KHONG-CO"  # unknown parent
    lines[201] = "U0-G0,Trùng mã,3,U8"  # U0-G0 is on line 3
    return lines


def test_a_file_with_3_bad_rows_of_500_imports_497(tree, runner):
    before = _units()
    lines = _big_file()
    assert len(lines) == 500
    rows = tree_import.read_file("cay.csv", _csv(lines))
    preview = tree_import.parse_tree(None, rows)
    assert preview.counts == {"new": 497, "updated": 0, "unchanged": 0, "error": 3}
    bad = preview.bad_row_lines
    assert [line for line, _code, _reason in bad] == [7, 103, 203]  # heading is line 1
    assert "Cấp 2 không đúng" in bad[0][2]
    assert "KHONG-CO" in bad[1][2]
    assert "trùng với dòng 3" in bad[2][2]
    assert _units() == before  # the preview wrote nothing

    summary = tree_import.import_tree(None, rows)
    assert (summary.created, summary.errors) == (497, 3)
    assert _units() == before + 497
    g = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "U3-G7"))
    assert g.level == 3 and g.parent.code == "U3" and g.path.startswith(tree["province"].path)
    assert g.level2_id == g.parent_id and g.level1_id == tree["province"].id
    assert db.session.scalar(select(OrgUnit.name).where(OrgUnit.code == "U0-G0")) == (
        "Công đoàn cơ sở 0.0"
    )
    # importing again changes nothing; a new name renames
    lines[1] = "U0-G0,CĐCS Đổi Tên,3,U0"
    again = tree_import.parse_tree(None, tree_import.read_file("cay.csv", _csv(lines)))
    assert again.counts == {"new": 0, "updated": 1, "unchanged": 496, "error": 3}


def test_rows_whose_parent_is_bad_are_bad_and_moves_are_refused(tree):
    rows = tree_import.read_file(
        "cay.csv",
        _csv(
            [
                "N1,Ngành mới,2,P",
                "N1-1,Cơ sở dưới dòng lỗi,3,X9",
                "X9,,2,P",  # no name
                "A1,CĐCS A1,3,B",  # exists under A
                "N1-2,Cơ sở mới,3,N1",
                "N1-2-1,Quá sâu,4,N1-2",
            ]
        ),
    )
    preview = tree_import.parse_tree(None, rows)
    actions = {r.code: r.action for r in preview.rows}
    assert actions == {
        "N1": "new",
        "N1-1": "error",
        "X9": "error",
        "A1": "error",
        "N1-2": "new",
        "N1-2-1": "error",
    }
    reasons = {r.code: " ".join(r.errors) for r in preview.rows}
    assert "dòng 4" in reasons["N1-1"]
    assert "chuyển đơn vị" in reasons["A1"]
    assert "1, 2 hoặc 3" in reasons["N1-2-1"]


def test_the_cli_imports_and_lists_bad_lines(tree, runner, tmp_path):
    path = tmp_path / "cay.csv"
    path.write_bytes(_csv(["N1,Ngành mới,2,P", "N2,Sai cấp,3,P"]))
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 1
    assert "Dòng 3 (N2)" in result.output
    assert "Đã nhập: 1 mới" in result.output
    assert db.session.scalar(select(OrgUnit.level).where(OrgUnit.code == "N1")) == 2
    assert db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "N2")) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tree.import"))
    assert event.details["created"] == 1


def test_the_shipped_template_reads_back(tree):
    data = tree_import.build_template()
    book = load_workbook(io.BytesIO(data))
    assert [c.value for c in book.active[1]] == [h for _k, h in tree_import.COLUMNS]
    assert tree_import.TEMPLATE_PATH.read_bytes()[:2] == b"PK"
    rows = tree_import.read_file("mau.xlsx", tree_import.TEMPLATE_PATH.read_bytes())
    assert [r[1]["code"] for r in rows] == ["GD", "GD-THPT1"]
