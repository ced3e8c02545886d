"""`flask units …`: the tree services from the command line; refusals exit 1, nothing written."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.extensions import db
from app.org.models import OrgUnit


def _state():
    units = db.session.execute(
        select(OrgUnit.code, OrgUnit.parent_id, OrgUnit.path, OrgUnit.active, OrgUnit.name)
    ).all()
    return sorted(units), db.session.scalar(select(func.count()).select_from(AuditEvent))


def _unit(code):
    db.session.expire_all()
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def test_create_rename_move_merge_close_list(tree, runner):
    assert runner.invoke(args=["units", "create", "B2", "CĐCS B2", "--parent", "B"]).exit_code == 0
    assert _unit("B2").parent_id == tree["B"].id
    result = runner.invoke(args=["units", "rename", "B2", "CĐCS Bê Hai", "--code", "B02"])
    assert result.exit_code == 0 and _unit("B02").name == "CĐCS Bê Hai"
    result = runner.invoke(args=["units", "move", "A2", "--to", "B"])
    assert result.exit_code == 0, result.output
    assert _unit("A2").parent_id == tree["B"].id
    result = runner.invoke(args=["units", "merge", "A1", "--into", "B02"])
    assert result.exit_code == 0, result.output
    assert not _unit("A1").active
    assert runner.invoke(args=["units", "close", "B02"]).exit_code == 0
    listing = runner.invoke(args=["units", "list", "--under", "P"]).output
    assert "  A  Công đoàn ngành A" in listing and "B02" not in listing
    assert "B02" in runner.invoke(args=["units", "list", "--all"]).output
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["unit.create", "unit.rename", "unit.move", "unit.merge", "unit.close"]


def test_refusals_exit_1_and_change_nothing(tree, runner):
    before = _state()
    for args, message in (
        (["units", "move", "A", "--to", "A1"], "trực thuộc nó"),
        (["units", "move", "TLD", "--to", "P"], "gốc"),
        (["units", "move", "A", "--to", "B"], "3 cấp"),
        (["units", "merge", "P", "--into", "A"], "trực thuộc nó"),
        (["units", "create", "A1", "Trùng", "--parent", "A"], "đã được dùng"),
        (["units", "move", "A1", "--to", "KHONG"], "Không có đơn vị mã KHONG"),
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, args
        assert message in result.output, result.output
    assert _state() == before
