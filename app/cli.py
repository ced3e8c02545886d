"""Command-line groups: `flask courses …`, `flask dev …`."""

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.core.db import write_intent

courses_cli = AppGroup("courses", help="Khóa học trong thư mục courses/.")
dev_cli = AppGroup("dev", help="Dữ liệu thử nghiệm.")


@courses_cli.command("load")
@click.argument("directory", required=False)
def courses_load(directory: str | None) -> None:
    """Nạp (hoặc cập nhật) mọi khóa học trong thư mục courses/."""
    from app.courses.loader import load_courses

    report = load_courses(directory or current_app.config["COURSES_DIR"])
    click.echo(
        f"Đã nạp {len(report.courses)} khóa học, {report.lessons} bài học, "
        f"{report.questions} câu hỏi."
    )
    for error in report.errors:
        click.echo(f"LỖI {error}", err=True)
    if report.errors:
        sys.exit(1)


@dev_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Tạo tỉnh mẫu với tài khoản cho mỗi vai trò (chỉ lần đầu)."""
    from app.core.dates import local_today
    from app.dev.demo import seed_demo

    accounts = seed_demo(local_today().year)
    if accounts is None:
        click.echo("Dữ liệu mẫu đã có sẵn (mật khẩu đã in ra ở lần tạo đầu tiên).")
        return
    click.echo("Tài khoản mẫu (mật khẩu chỉ in ra một lần này):")
    for email, role, password in accounts:
        click.echo(f"  {role:<15} {email:<28} {password}")


def register(app: Flask) -> None:
    for group in (courses_cli, dev_cli):
        app.cli.add_command(group)
    # CLI commands write: their SQLite transactions begin IMMEDIATE (requests set their own).
    write_intent.set(True)
