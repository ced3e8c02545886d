"""`flask courses …`: load, check, list for review and export the course files in courses/.
Each command imports what it needs when it runs: a web worker registers the groups but never
loads the checker or the exporter."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup

courses_cli = AppGroup("courses", help="Khóa học trong thư mục courses/.")


@courses_cli.command("load")
@click.argument("directory", required=False)
@click.option("--force", is_flag=True, help="Nạp cả khi trình duyệt có phiên bản mới hơn tệp.")
def courses_load(directory: str | None, force: bool) -> None:
    """Nạp (hoặc cập nhật) mọi khóa học trong thư mục courses/."""
    from app.authoring.loader import load_courses
    from app.extensions import db

    report = load_courses(directory or current_app.config["COURSES_DIR"], force=force)
    db.session.commit()
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
    from app.authoring.checker import Limits, check_courses

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

    from app.authoring.review_list import render, review_items, write_review_list

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

    from app.authoring.exporter import export_course
    from app.courses.models import Course
    from app.extensions import db

    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        click.echo(f"LỖI Không có khóa học '{slug}'.", err=True)
        sys.exit(1)
    target = export_course(course, directory)
    click.echo(f"Đã ghi khóa học '{slug}' (phiên bản {course.version_label}) vào {target}.")
