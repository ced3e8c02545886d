"""`flask questions …`: import and export a course's question bank, and rewrite the XLSX
template. Each command imports what it needs when it runs (the spreadsheet library stays out of
web workers)."""

import sys

import click
from flask.cli import AppGroup

questions_cli = AppGroup("questions", help="Ngân hàng câu hỏi (nhập, xuất, tệp mẫu).")


def _course_or_exit(slug: str):
    from sqlalchemy import select

    from app.courses.models import Course
    from app.extensions import db

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        raise click.ClickException(f"Không có khóa học '{slug}'.")
    return course


@questions_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--course", "slug", required=True, help="Mã (slug) của khóa học nhận câu hỏi.")
@click.option("--category", default="", help="Danh mục gốc đặt trước danh mục trong tệp.")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gift", "aiken", "xml", "xlsx"]),
    help="Mặc định: tự nhận.",
)
@click.option("--encoding", default=None, help="Bảng mã của tệp văn bản (mặc định: tự nhận).")
def questions_import(file, slug, category, dry_run, fmt, encoding) -> None:
    """Nhập câu hỏi (GIFT, Aiken, Moodle XML, XLSX) vào ngân hàng của khóa học.

    In số câu mới / cập nhật / lỗi và từng lỗi dạng TỆP:DÒNG: lý do; có lỗi thì mã thoát 1."""
    from pathlib import Path

    from app.extensions import db
    from app.quizzes.bank import import_questions, parse_upload

    course = _course_or_exit(slug)
    path = Path(file)
    try:
        result = parse_upload(path.read_bytes(), path.name, fmt, encoding)
    except (LookupError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    summary = import_questions(
        course, result, category_prefix=category, dry_run=dry_run, filename=file
    )
    db.session.commit()
    for line in summary.error_lines(file):
        click.echo(line, err=True)
    for line in summary.warning_lines(file):
        click.echo(line, err=True)
    verb = "Kiểm tra (không ghi)" if dry_run else "Đã nhập"
    click.echo(
        f"{verb}: {summary.created} câu mới, {summary.updated} cập nhật, "
        f"{summary.unchanged} không đổi, {len(summary.errors)} lỗi, "
        f"{len(summary.warnings) + len(summary.unannotated)} cảnh báo."
    )
    for change in summary.changes:
        title, key, line = change["title"], change["key"], change["line"]
        click.echo(f"Câu có sẵn bị thay đổi: «{title}» ({key}, dòng {line}).")
    if summary.created or summary.updated:
        click.echo(
            "Câu hỏi nhập vào là bản nháp: học viên chỉ thấy sau lần xuất bản tiếp theo của "
            "khóa học (Soạn thảo › Xuất bản)."
        )
    if summary.errors:
        sys.exit(1)


@questions_cli.command("export")
@click.option("--course", "slug", required=True, help="Mã (slug) của khóa học.")
@click.option("--format", "fmt", type=click.Choice(["gift", "xml", "xlsx"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Mặc định: stdout.")
def questions_export(slug, fmt, output) -> None:
    """Xuất ngân hàng câu hỏi của khóa học (GIFT, Moodle XML hoặc XLSX)."""
    from pathlib import Path

    from app.quizzes.bank import export_bank

    data, _mimetype, _name = export_bank(_course_or_exit(slug), fmt)
    if output:
        Path(output).write_bytes(data)
        click.echo(f"Đã ghi {output}.", err=True)
    else:
        click.echo(data, nl=False)  # bytes go to the binary stdout


@questions_cli.command("template")
def questions_template() -> None:
    """Tạo lại tệp mẫu app/static/templates/mau-cau-hoi.xlsx."""
    from app.quizzes.formats.xlsx_template import write_template

    click.echo(f"Đã ghi {write_template()}")
