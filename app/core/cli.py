"""`flask backup …`: back up and restore the database and instance/ (app/core/backup.py)."""

import click
from flask import current_app
from flask.cli import AppGroup

backup_cli = AppGroup("backup", help="Sao lưu và khôi phục (cơ sở dữ liệu và thư mục instance/).")


@backup_cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False))
def backup_create(directory: str) -> None:
    """Sao lưu cơ sở dữ liệu (SQLite: API sao lưu trực tuyến; PostgreSQL: pg_dump) và các tệp
    trong instance/ vào DIRECTORY (mới hoặc rỗng), trong khi ứng dụng vẫn chạy."""
    from pathlib import Path

    from app.core.backup import BackupError, create_backup

    try:
        manifest = create_backup(
            Path(directory),
            current_app.config["SQLALCHEMY_DATABASE_URI"],
            Path(current_app.instance_path),
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Đã sao lưu {manifest.dialect} ({manifest.database_file}) và "
        f"{manifest.instance_files} tệp instance/ vào {directory}."
    )


@backup_cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--database-url", help="Khôi phục vào cơ sở dữ liệu này (mặc định: DATABASE_URL).")
@click.option("--instance", "instance", help="Thư mục instance/ đích (mặc định: của ứng dụng).")
@click.option("--force", is_flag=True, help="Ghi đè cơ sở dữ liệu đích đã có dữ liệu.")
def backup_restore(
    directory: str, database_url: str | None, instance: str | None, force: bool
) -> None:
    """Khôi phục một bản sao lưu vào cơ sở dữ liệu và thư mục instance/ đã cho."""
    from pathlib import Path

    from app.core.backup import BackupError, restore_backup

    try:
        manifest = restore_backup(
            Path(directory),
            database_url or current_app.config["SQLALCHEMY_DATABASE_URI"],
            Path(instance or current_app.instance_path),
            force=force,
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Đã khôi phục bản sao lưu {manifest.created_at} ({manifest.dialect}).")
    click.echo("Chạy `flask coverage check` để kiểm tra số liệu độ bao phủ.")
