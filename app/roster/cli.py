"""`flask roster …`: import an officer list from a file, rebuild the template."""

import click
from flask.cli import AppGroup

from app.core.db import reading_only

roster_cli = AppGroup("roster", help="Danh sách cán bộ (nhập từ tệp, tệp mẫu).")


@roster_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị: chỉ nhập vào đơn vị này.")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
def roster_import(file: str, unit_code: str, dry_run: bool) -> None:
    """Nhập danh sách cán bộ (.xlsx/.csv) vào đơn vị --unit và các đơn vị trực thuộc."""
    from pathlib import Path

    from sqlalchemy import select

    from app.extensions import db
    from app.org.models import OrgUnit
    from app.roster import files as roster_files
    from app.roster import services as roster

    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
    if unit is None:
        raise click.ClickException(f"Không có đơn vị mã {unit_code}.")
    try:
        _headings, rows = roster_files.read_table(file, Path(file).read_bytes())
    except roster_files.RosterFileError as error:
        raise click.ClickException(str(error)) from error
    if dry_run:
        with reading_only():
            preview = roster.parse_roster(unit, rows)
        for row in preview.bad_rows:
            click.echo(f"Dòng {row.row}: {' '.join(row.errors)}", err=True)
        counts = preview.counts
        click.echo(
            f"Kiểm tra: {counts['new']} mới, {counts['updated']} cập nhật, "
            f"{counts['unchanged']} không đổi, {counts['error']} lỗi."
        )
        return
    steps = {"check": "Kiểm tra", "write": "Đã ghi"}

    def progress(phase: str, done: int, total: int) -> None:
        click.echo(f"{steps[phase]} {done}/{total} dòng", err=True)

    # Checked and written by the import itself (in chunks: other users keep working).
    summary = roster.import_roster(unit, rows, actor_id=None, progress=progress)
    for line, _name, reasons in summary.bad_rows:
        click.echo(f"Dòng {line}: {reasons}", err=True)
    click.echo(
        f"Đã nhập: {summary.created} mới, {summary.updated} cập nhật, "
        f"{summary.unchanged} không đổi, {summary.errors} dòng lỗi bỏ qua."
    )


@roster_cli.command("template")
def roster_template() -> None:
    """Tạo lại tệp mẫu app/static/templates/mau-danh-sach-can-bo.xlsx."""
    from app.roster.files import write_template

    click.echo(f"Đã ghi {write_template()}")
