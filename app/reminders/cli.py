"""`flask reminders send`: the daily training reminders (run from cron)."""

import sys

import click
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="E-mail nhắc việc bồi dưỡng (chạy hằng ngày bằng cron).")


@reminders_cli.command("send")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Ngày chạy (YYYY-MM-DD), mặc định hôm nay (giờ Việt Nam).",
)
@click.option(
    "--escalate-after",
    type=click.IntRange(min=0),
    default=None,
    help="Báo cán bộ quản lý khi quá hạn hơn N ngày (mặc định REMINDER_ESCALATE_AFTER_DAYS).",
)
@click.option(
    "--days-before",
    type=click.IntRange(min=0),
    default=None,
    help="Nhắc trước hạn N ngày (mặc định REMINDER_DAYS_BEFORE).",
)
@click.option("--dry-run", is_flag=True, help="Chỉ đếm, không gửi và không ghi nhật ký.")
def reminders_send(day, escalate_after: int | None, days_before: int | None, dry_run: bool):
    """Gửi e-mail nhắc hạn, quá hạn và báo cáo quá hạn cho cán bộ quản lý.

    Chạy lại trong cùng ngày không gửi trùng; lỗi gửi trả mã thoát 1."""
    from app.reminders.services import send_reminders

    summary = send_reminders(
        day.date() if day else None,
        days_before=days_before,
        escalate_after=escalate_after,
        dry_run=dry_run,
    )
    click.echo(summary.describe())
    if not summary.ok:
        sys.exit(1)
