"""`flask dev …`: demo accounts and generated data for load tests."""

import sys

import click
from flask.cli import AppGroup

dev_cli = AppGroup("dev", help="Dữ liệu thử nghiệm.")


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


@dev_cli.command("generate")
@click.option("--officers", type=click.IntRange(1), required=True, help="Số cán bộ cần tạo.")
@click.option("--seed", type=int, required=True, help="Cùng seed → cùng dữ liệu.")
@click.option("--provinces", type=click.IntRange(1, 34), help="Mặc định: 34 từ 100.000 cán bộ, 1.")
@click.option("--years", type=click.IntRange(1, 10), default=2, show_default=True)
@click.option("--year", type=int, help="Năm tham chiếu (mặc định: năm nay).")
@click.option("--password", envvar="TDKT_GENERATE_PASSWORD", help="Mật khẩu chung cho quản trị.")
def generate_command(officers, seed, provinces, years, year, password) -> None:
    """Sinh dữ liệu lớn (cây đơn vị, cán bộ, kế hoạch, hồ sơ tập huấn) để thử tải."""
    from app.core.dates import local_today
    from app.dev.generate import generate

    with click.progressbar(length=officers, label="Cán bộ", file=sys.stderr) as bar:
        report = generate(
            officers, seed, year or local_today().year, years, provinces, password, bar.update
        )
    click.echo(
        f"Đã tạo {report.units} đơn vị, {report.officers} cán bộ, {report.plan_items} dòng kế "
        f"hoạch, {report.records} hồ sơ tập huấn, {report.attempts} bài làm."
    )
    for note in report.notes:
        click.echo(note, err=True)
