"""`flask setup province`: the first province unit and its first admin on an empty database."""

import sys

import click
from flask.cli import AppGroup

setup_cli = AppGroup("setup", help="Cài đặt lần đầu (tỉnh và quản trị viên đầu tiên).")


@setup_cli.command("province")
@click.option("--code", required=True, help="Mã đơn vị của tỉnh, ví dụ LDLD-HN.")
@click.option("--name", required=True, help="Tên, ví dụ “Liên đoàn Lao động tỉnh …”.")
@click.option("--admin-email", required=True, help="Thư điện tử của quản trị tỉnh đầu tiên.")
@click.option("--admin-name", default="Quản trị tỉnh", show_default=True)
def setup_province(code: str, name: str, admin_email: str, admin_name: str) -> None:
    """Trên cơ sở dữ liệu trống: tạo đơn vị gốc (cấp tỉnh), quản trị tỉnh đầu tiên và in đường
    dẫn kích hoạt dùng một lần (14 ngày). Chạy lần thứ hai bị từ chối."""
    from app.auth.setup import SetupRefused
    from app.auth.setup import setup_province as run_setup
    from app.extensions import db

    try:
        result = run_setup(code, name, admin_email, admin_name)
    except SetupRefused as refused:
        click.echo(f"LỖI {refused}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Đã tạo đơn vị gốc {result.unit.code} — {result.unit.name}.")
    click.echo(f"Quản trị tỉnh: {result.admin.email} (chưa có mật khẩu).")
    click.echo("Đường dẫn kích hoạt (dùng một lần, hết hạn sau 14 ngày):")
    click.echo(result.activation_url)
