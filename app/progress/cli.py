"""`flask coverage …`: check and rebuild the coverage tables kept by triggers."""

import sys

import click
from flask.cli import AppGroup

coverage_cli = AppGroup(
    "coverage", help="Bảng số liệu độ bao phủ do trigger duy trì (kiểm tra, tính lại)."
)


_TRIGGER_PROBLEMS = {"missing": "thiếu", "disabled": "đang tắt"}


@coverage_cli.command("check")
def coverage_check() -> None:
    """Kiểm tra trigger và so các bảng độ bao phủ với số tính lại từ hồ sơ (không sửa gì)."""
    from sqlalchemy.exc import DBAPIError

    from app.progress.coverage_upkeep import check

    try:
        health = check()
    except DBAPIError as error:  # e.g. a database not yet migrated: no coverage tables
        raise click.ClickException(
            f"Không kiểm tra được ({error.orig}). Cơ sở dữ liệu đã chạy `flask db upgrade` chưa?"
        ) from error
    for name, problem in health.trigger_problems.items():
        click.echo(f"LỖI trigger {name}: {_TRIGGER_PROBLEMS[problem]}", err=True)
    for table, (extra, missing) in health.differing_rows.items():
        status = "khớp với số tính lại từ hồ sơ"
        if extra or missing:
            status = f"LỆCH: {extra} dòng không có trong số tính lại, thiếu {missing} dòng"
        click.echo(f"{table}: {status}")
    if not health.ok:
        click.echo("Chạy `flask coverage rebuild` để cài lại trigger và tính lại.", err=True)
        sys.exit(1)
    click.echo("Số liệu độ bao phủ đúng với hồ sơ tập huấn.")


@coverage_cli.command("rebuild")
def coverage_rebuild() -> None:
    """Cài lại mọi trigger độ bao phủ và tính lại các bảng từ hồ sơ (một giao dịch)."""
    from app.extensions import db
    from app.progress.coverage_upkeep import check, rebuild

    rebuild()
    db.session.commit()
    health = check()
    if not health.ok:  # cannot happen unless the recomputation itself is wrong: say so
        click.echo(f"LỖI sau khi tính lại: {health}", err=True)
        sys.exit(1)
    click.echo("Đã cài lại trigger và tính lại số liệu độ bao phủ.")
