"""`flask units …`: the union tree from the command line (the same services as the pages)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

units_cli = AppGroup("units", help="Cây đơn vị công đoàn (tạo, đổi tên, chuyển, sáp nhập, đóng).")


def _unit(code: str):
    from app.tree.services import unit_by_code

    unit = unit_by_code(code)
    if unit is None:
        raise click.ClickException(f"Không có đơn vị mã {code}.")
    return unit


def _run(action):
    """Run a service and commit it; a refusal is a one-line message and exit code 1, nothing
    written."""
    from app.extensions import db
    from app.tree.services import TreeError

    try:
        result = action()
    except TreeError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    return result


@units_cli.command("list")
@click.option("--under", "code", help="Mã đơn vị: chỉ liệt kê nhánh này.")
@click.option("--all", "show_closed", is_flag=True, help="Cả các đơn vị đã đóng.")
def units_list(code: str | None, show_closed: bool) -> None:
    """Liệt kê cây đơn vị: mã, tên, số cán bộ đang công tác."""
    from sqlalchemy import select

    from app.extensions import db
    from app.org.models import OrgUnit
    from app.tree.services import officer_counts, subtree

    roots = (
        [_unit(code)]
        if code
        else list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.is_(None))))
    )
    for root in roots:
        units = subtree(root, active_only=not show_closed)
        counts = officer_counts(units)
        for unit in units:
            closed = "" if unit.active else "  [đã đóng]"
            indent = "  " * (unit.level - root.level)
            click.echo(f"{indent}{unit.code}  {unit.name}  ({counts.get(unit.id, 0)}){closed}")


@units_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", required=True, help="Mã đơn vị cấp trên.")
def units_create(code: str, name: str, parent_code: str) -> None:
    """Tạo đơn vị CODE tên NAME dưới đơn vị --parent."""
    from app.tree.services import create_unit

    unit = _run(lambda: create_unit(None, _unit(parent_code), name, code))
    click.echo(f"Đã tạo {unit.code} {unit.name} (cấp {unit.level}).")


@units_cli.command("rename")
@click.argument("code")
@click.argument("name")
@click.option("--code", "new_code", help="Mã mới (mặc định: giữ mã).")
def units_rename(code: str, name: str, new_code: str | None) -> None:
    """Đổi tên (và mã) đơn vị CODE."""
    from app.tree.services import rename_unit

    changed = _run(lambda: rename_unit(None, _unit(code), name, new_code))
    click.echo("Đã đổi tên." if changed else "Không có thay đổi nào.")


@units_cli.command("move")
@click.argument("code")
@click.option("--to", "parent_code", required=True, help="Mã đơn vị cấp trên mới.")
def units_move(code: str, parent_code: str) -> None:
    """Chuyển đơn vị CODE (cùng các đơn vị trực thuộc) về dưới đơn vị --to."""
    from app.tree.moves import move_unit

    result = _run(lambda: move_unit(None, _unit(code), _unit(parent_code)))
    click.echo(f"Đã chuyển {result.unit.code} về dưới {parent_code}.")
    for archive in result.archives:
        click.echo(f"Số liệu các năm trước giữ ở {archive.code} {archive.name} (đã đóng).")


@units_cli.command("merge")
@click.argument("code")
@click.option("--into", "target_code", required=True, help="Mã đơn vị nhận sáp nhập.")
def units_merge(code: str, target_code: str) -> None:
    """Sáp nhập đơn vị CODE vào đơn vị --into (CODE được đóng, giữ lịch sử)."""
    from app.tree.moves import merge_units

    result = _run(lambda: merge_units(None, _unit(code), _unit(target_code)))
    click.echo(
        f"Đã sáp nhập {code} vào {target_code}: {result.officers} cán bộ, "
        f"{result.children} đơn vị trực thuộc, {result.records} hồ sơ năm nay."
    )
    for name in result.demoted:
        click.echo(f"CHÚ Ý {name} không còn là quản lý đơn vị (cấp lại quyền nếu cần).", err=True)


@units_cli.command("close")
@click.argument("code")
def units_close(code: str) -> None:
    """Đóng đơn vị CODE (không còn cán bộ, không còn đơn vị trực thuộc đang hoạt động)."""
    from app.tree.services import close_unit

    _run(lambda: close_unit(None, _unit(code)))
    click.echo(f"Đã đóng {code}.")


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
def units_import(file: str, dry_run: bool) -> None:
    """Nhập cây đơn vị từ .xlsx/.csv (Mã đơn vị, Tên đơn vị, Cấp, Mã đơn vị cấp trên).

    Dòng hợp lệ được ghi, dòng lỗi in ra dạng `Dòng N: lý do` (mã thoát 1)."""
    import sys
    from pathlib import Path

    from app.roster import files as roster_files
    from app.tree import imports as tree_import

    try:
        rows = tree_import.read_file(file, Path(file).read_bytes())
    except roster_files.RosterFileError as error:
        raise click.ClickException(str(error)) from error
    preview = tree_import.parse_tree(None, rows)
    for line, code, reason in preview.bad_row_lines:
        click.echo(f"Dòng {line} ({code}): {reason}", err=True)
    counts = preview.counts
    if dry_run:
        click.echo(
            f"Kiểm tra: {counts['new']} mới, {counts['updated']} đổi tên, "
            f"{counts['unchanged']} không đổi, {counts['error']} lỗi."
        )
    else:
        summary = _run(lambda: tree_import.import_tree(None, rows))
        click.echo(
            f"Đã nhập: {summary.created} mới, {summary.updated} đổi tên, "
            f"{summary.unchanged} không đổi, {summary.errors} dòng lỗi bỏ qua."
        )
    if counts["error"]:
        sys.exit(1)


@units_cli.command("template")
def units_template() -> None:
    """Tạo lại tệp mẫu app/static/templates/mau-cay-don-vi.xlsx."""
    from app.tree.imports import write_template

    click.echo(f"Đã ghi {write_template()}")
