"""`flask questions import|export|template`: counts, FILE:LINE errors, exit codes."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import func, select

from app.courses.models import QuestionDraft
from app.extensions import db
from app.quizzes.formats import parse_gift, parse_moodle_xml
from app.quizzes.formats.xlsx import parse_xlsx
from app.quizzes.models import Question
from tests.quizzes.bank_helpers import publish_imports

INTEROP = Path(
    os.environ.get(
        "TDKT_INTEROP_DIR", Path(__file__).resolve().parents[2].parent / "shared" / "interop"
    )
)


def draft_count(course) -> int:
    return db.session.scalar(
        select(func.count()).select_from(QuestionDraft).where(QuestionDraft.course_id == course.id)
    )


def bank_size(course) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Question).where(Question.course_id == course.id)
    )


def test_import_prints_counts_and_exits_0(runner, course):
    path = INTEROP / "gift/moodle-questions.gift.txt"
    before = bank_size(course)
    result = runner.invoke(
        args=["questions", "import", str(path), "--course", "khoa-thu", "--category", "Moodle"]
    )
    assert result.exit_code == 0, result.output
    assert "Đã nhập: 9 câu mới, 0 cập nhật, 0 không đổi, 0 lỗi" in result.output
    assert "học viên chỉ thấy sau lần xuất bản tiếp theo" in result.output
    assert bank_size(course) == before  # drafts: nothing live yet
    assert draft_count(course) == 9
    publish_imports(course)
    assert bank_size(course) == before + 9
    again = runner.invoke(
        args=["questions", "import", str(path), "--course", "khoa-thu", "--category", "Moodle"]
    )
    assert "0 câu mới, 0 cập nhật, 9 không đổi" in again.output
    # Without the prefix the questions are in another category: other questions.
    other = runner.invoke(args=["questions", "import", str(path), "--course", "khoa-thu"])
    assert "9 câu mới, 0 cập nhật" in other.output


def test_cli_prints_warnings_and_the_questions_it_changes(runner, course):
    path = INTEROP / "gift/moodle-questions.gift.txt"
    first = runner.invoke(args=["questions", "import", str(path), "--course", "khoa-thu"])
    # the Moodle sample questions have no legal reference: each one is a warning
    warnings = [line for line in first.output.splitlines() if ": cảnh báo: " in line]
    assert all(line.startswith(f"{path}:") for line in warnings)
    unannotated = [line for line in warnings if "chưa có" in line]
    assert len(unannotated) == 9 and "căn cứ pháp lý" in unannotated[0]
    assert len(warnings) > 9  # the parser's own warnings too
    assert f"{len(warnings)} cảnh báo" in first.output
    edited = path.read_text(encoding="utf-8").replace("How are you?", "How are you today?")
    assert edited != path.read_text(encoding="utf-8")
    copy = Path(runner.app.instance_path) / "moodle-questions.gift.txt"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(edited, encoding="utf-8")
    second = runner.invoke(args=["questions", "import", str(copy), "--course", "khoa-thu"])
    changed = [line for line in second.output.splitlines() if "Câu có sẵn bị thay đổi" in line]
    assert len(changed) == 1 and "0 câu mới, 1 cập nhật, 8 không đổi" in second.output


def test_errors_are_file_line_reason_and_exit_1(runner, course):
    path = INTEROP / "aiken/moodle-aiken_errors.txt"
    result = runner.invoke(
        args=["questions", "import", str(path), "--course", "khoa-thu", "--format", "aiken"]
    )
    assert result.exit_code == 1
    lines = [
        line
        for line in result.output.splitlines()
        if line.startswith(str(path)) and ": cảnh báo: " not in line
    ]
    assert [line.split(":")[1] for line in lines] == ["1", "5", "14"]
    assert f"{path}:1: Câu hỏi chỉ có 1 phương án" in result.output
    assert "Đã nhập: 2 câu mới" in result.output


def test_dry_run_writes_nothing(runner, course):
    before = bank_size(course)
    path = INTEROP / "gift/gl02-U4-p47-Review.gift"
    result = runner.invoke(
        args=["questions", "import", str(path), "--course", "khoa-thu", "--dry-run"]
    )
    assert "Kiểm tra (không ghi)" in result.output
    assert bank_size(course) == before


def test_encoding_option_and_unknown_course(runner, course):
    path = INTEROP / "gift/vi-cp1258.gift"
    result = runner.invoke(
        args=["questions", "import", str(path), "--course", "khoa-thu", "--encoding", "cp1258"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(
        select(func.count())
        .select_from(QuestionDraft)
        .where(QuestionDraft.text.contains("Tổng Liên đoàn"))
    )
    missing = runner.invoke(args=["questions", "import", str(path), "--course", "khong-co"])
    assert missing.exit_code == 1 and "Không có khóa học 'khong-co'" in missing.output


def test_export_each_format(runner, course, tmp_path):
    gift = runner.invoke(args=["questions", "export", "--course", "khoa-thu", "--format", "gift"])
    assert gift.exit_code == 0
    assert len(parse_gift(gift.output).questions) == bank_size(course)
    xml_path = tmp_path / "bank.xml"
    export = ["questions", "export", "--course", "khoa-thu", "--format"]
    result = runner.invoke(args=[*export, "xml", "--output", str(xml_path)])
    assert result.exit_code == 0, result.output
    assert len(parse_moodle_xml(xml_path.read_bytes()).questions) == bank_size(course)
    xlsx_path = tmp_path / "bank.xlsx"
    assert runner.invoke(args=[*export, "xlsx", "--output", str(xlsx_path)]).exit_code == 0
    assert len(parse_xlsx(xlsx_path.read_bytes()).questions) == bank_size(course)
    bad = runner.invoke(args=[*export, "pdf"])
    assert bad.exit_code == 2
