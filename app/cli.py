"""Command-line groups: `flask courses …`, `flask dev …` (`flask units …`: app/org/tree_cli.py)."""

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.core.db import reading_only, write_intent

courses_cli = AppGroup("courses", help="Khóa học trong thư mục courses/.")
dev_cli = AppGroup("dev", help="Dữ liệu thử nghiệm.")
reminders_cli = AppGroup("reminders", help="E-mail nhắc việc bồi dưỡng (chạy hằng ngày bằng cron).")
roster_cli = AppGroup("roster", help="Danh sách cán bộ (nhập từ tệp, tệp mẫu).")
questions_cli = AppGroup("questions", help="Ngân hàng câu hỏi (nhập, xuất, tệp mẫu).")
setup_cli = AppGroup("setup", help="Cài đặt lần đầu (tỉnh và quản trị viên đầu tiên).")
backup_cli = AppGroup("backup", help="Sao lưu và khôi phục (cơ sở dữ liệu và thư mục instance/).")
coverage_cli = AppGroup(
    "coverage", help="Bảng số liệu độ bao phủ do trigger duy trì (kiểm tra, tính lại)."
)


@courses_cli.command("load")
@click.argument("directory", required=False)
@click.option("--force", is_flag=True, help="Nạp cả khi trình duyệt có phiên bản mới hơn tệp.")
def courses_load(directory: str | None, force: bool) -> None:
    """Nạp (hoặc cập nhật) mọi khóa học trong thư mục courses/."""
    from app.courses.loader import load_courses
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
    from app.progress.reminders import send_reminders

    summary = send_reminders(
        day.date() if day else None,
        days_before=days_before,
        escalate_after=escalate_after,
        dry_run=dry_run,
    )
    click.echo(summary.describe())
    if not summary.ok:
        sys.exit(1)


@roster_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị: chỉ nhập vào đơn vị này.")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
def roster_import(file: str, unit_code: str, dry_run: bool) -> None:
    """Nhập danh sách cán bộ (.xlsx/.csv) vào đơn vị --unit và các đơn vị trực thuộc."""
    from pathlib import Path

    from sqlalchemy import select

    from app.extensions import db
    from app.org import roster, roster_files
    from app.org.models import OrgUnit

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
    from app.org.roster_files import write_template

    click.echo(f"Đã ghi {write_template()}")


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


def register(app: Flask) -> None:
    from app.org.roles_cli import roles_cli
    from app.org.tree_cli import units_cli

    groups = (courses_cli, dev_cli, reminders_cli, roster_cli, questions_cli, coverage_cli)
    for group in (*groups, setup_cli, units_cli, backup_cli):
        app.cli.add_command(group)
    app.cli.add_command(roles_cli)
    # CLI commands write: their SQLite transactions begin IMMEDIATE (requests set their own).
    write_intent.set(True)
