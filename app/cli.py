"""Command-line registration: `register(app)` adds each feature package's group (its cli.py).
The `courses` and `questions` groups still live here until they move to their packages."""

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.core.db import write_intent

courses_cli = AppGroup("courses", help="Khóa học trong thư mục courses/.")
questions_cli = AppGroup("questions", help="Ngân hàng câu hỏi (nhập, xuất, tệp mẫu).")


@courses_cli.command("load")
@click.argument("directory", required=False)
@click.option("--force", is_flag=True, help="Nạp cả khi trình duyệt có phiên bản mới hơn tệp.")
def courses_load(directory: str | None, force: bool) -> None:
    """Nạp (hoặc cập nhật) mọi khóa học trong thư mục courses/."""
    from app.courses.loader import load_courses

    report = load_courses(directory or current_app.config["COURSES_DIR"], force=force)
    click.echo(
        f"Đã nạp {len(report.courses)} khóa học, {report.lessons} bài học, "
        f"{report.questions} câu hỏi."
    )
    for skipped in report.skipped:
        click.echo(f"CHÚ Ý {skipped}", err=True)
    for error in report.errors:
        click.echo(f"LỖI {error}", err=True)
    if report.errors:
        sys.exit(1)


@courses_cli.command("check")
@click.argument("directory", required=False)
@click.option("--min-questions", default=30, show_default=True)
@click.option("--min-lessons", default=5, show_default=True)
@click.option("--max-lessons", default=8, show_default=True)
@click.option("--min-scenario-percent", default=40, show_default=True)
def courses_check(
    directory: str | None,
    min_questions: int,
    min_lessons: int,
    max_lessons: int,
    min_scenario_percent: int,
) -> None:
    """Kiểm tra nội dung khóa học (cấu trúc, căn cứ, đáp án, chuẩn Unicode)."""
    from app.courses.checker import Limits, check_courses

    limits = Limits(
        min_lessons=min_lessons,
        max_lessons=max_lessons,
        min_questions=min_questions,
        min_scenario_percent=min_scenario_percent,
    )
    report = check_courses(directory or current_app.config["COURSES_DIR"], limits)
    for problem in report.problems:
        click.echo(problem, err=True)
    for warning in report.warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)
    for summary in report.summaries:
        by_status = ", ".join(f"{k} {v}" for k, v in sorted(summary.refs_by_status.items()))
        click.echo(
            f"{summary.slug}: {summary.lessons} bài, {summary.questions} câu hỏi, "
            f"{summary.scenario_percent}% tình huống; căn cứ theo trạng thái: {by_status or '—'}"
        )
    click.echo(
        f"Đã kiểm tra {report.courses} khóa học, {report.lessons} bài học, "
        f"{report.questions} câu hỏi: {len(report.problems)} lỗi, "
        f"{len(report.warnings)} cảnh báo."
    )
    if report.problems:
        sys.exit(1)


@courses_cli.command("review-list")
@click.argument("directory", required=False)
@click.option("--output", help="Ghi vào tệp này (giữ các phần viết tay); mặc định: in ra màn hình.")
def courses_review_list(directory: str | None, output: str | None) -> None:
    """Liệt kê mọi điểm chưa VERIFIED (căn cứ, khung «Cần xác minh») kèm tệp và dòng."""
    from pathlib import Path

    from app.courses.review_list import render, review_items, write_review_list

    root = Path(directory or current_app.config["COURSES_DIR"])
    items = review_items(root)
    if output:
        write_review_list(items, Path(output), Path.cwd())
        click.echo(f"Đã ghi {len(items)} điểm cần đối chiếu vào {output}.")
    else:
        click.echo(render(items, Path.cwd()))


@courses_cli.command("export")
@click.argument("slug")
@click.argument("directory")
def courses_export(slug: str, directory: str) -> None:
    """Ghi khóa học đã xuất bản ra thư mục theo cấu trúc courses/ (course.toml, lessons/, GIFT)."""
    from sqlalchemy import select

    from app.courses.exporter import export_course
    from app.courses.models import Course
    from app.extensions import db

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        click.echo(f"LỖI Không có khóa học '{slug}'.", err=True)
        sys.exit(1)
    target = export_course(course, directory)
    click.echo(f"Đã ghi khóa học '{slug}' (phiên bản {course.version_label}) vào {target}.")


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


def register(app: Flask) -> None:
    """Add every feature package's command group (each lives in its package's cli.py)."""
    from app.auth.cli import setup_cli
    from app.core.cli import backup_cli
    from app.dev.cli import dev_cli
    from app.org.cli import roles_cli
    from app.progress.cli import coverage_cli
    from app.reminders.cli import reminders_cli
    from app.roster.cli import roster_cli
    from app.tree.cli import units_cli

    groups = (courses_cli, dev_cli, reminders_cli, roster_cli, questions_cli, coverage_cli)
    for group in (*groups, setup_cli, units_cli, backup_cli, roles_cli):
        app.cli.add_command(group)
    # CLI commands write: their SQLite transactions begin IMMEDIATE (requests set their own).
    write_intent.set(True)
