"""Issue 7, acceptance 1–3: the shipped courses pass `flask courses check`; a broken copy fails
with file:line messages; every UNVERIFIED point is listed for the legal reviewer."""

import re
import shutil
from pathlib import Path

import pytest

from app.courses.checker import check_courses
from tests.conftest import ROOT

COURSES = ROOT / "courses"


def test_shipped_courses_pass(runner):
    result = runner.invoke(args=["courses", "check", str(COURSES)])
    assert result.exit_code == 0, result.output
    assert "0 lỗi" in result.output


def test_four_courses_with_enough_lessons_and_questions():
    report = check_courses(COURSES)
    assert report.courses == 4 and report.problems == []
    assert 20 <= report.lessons <= 32 and report.questions >= 120


@pytest.fixture
def broken(tmp_path) -> Path:
    target = tmp_path / "courses"
    shutil.copytree(COURSES / "luat-tdkt-co-ban", target / "luat-tdkt-co-ban")
    course = target / "luat-tdkt-co-ban"
    gift = course / "questions.gift"
    text = gift.read_text(encoding="utf-8")
    # 1. a question with two right answers, no explanation, and a reference to an undeclared doc
    # A question with two right answers (line 3), then one without an explanation whose
    # reference names an undeclared document (line 12).
    bad = (
        "// [id:broken-1]\n// [ref:luat-tdkt-2022; toàn văn]\n"
        "::broken-1:: Câu hỏi hỏng? {\n=một\n=hai\n~ba\n####Giải thích.\n}\n\n"
        "// [id:broken-2]\n// [ref:van-ban-khong-co; Điều 1]\n"
        "::broken-2:: Câu hỏi thiếu giải thích? {\n=một\n~hai\n}\n\n"
    )
    gift.write_text(bad + text, encoding="utf-8")
    # 2. a lesson line in NFD (combining tone marks)
    lesson = sorted((course / "lessons").glob("*.md"))[0]
    lines = lesson.read_text(encoding="utf-8").split("\n")
    lines.append("Dòng chữ có dấu tổ hợp: Hoa\u0300 bi\u0300nh")
    lesson.write_text("\n".join(lines), encoding="utf-8")
    return target, gift, lesson, len(lines)


def test_broken_copy_fails_with_file_and_line(runner, broken):
    target, gift, lesson, nfd_line = broken
    result = runner.invoke(args=["courses", "check", str(target), "--min-questions", "1"])
    assert result.exit_code == 1
    output = result.output
    assert re.search(rf"{re.escape(str(gift))}:3: .*(đúng một|một phương án)", output), output
    assert f"{gift}:12: Câu hỏi thiếu phần giải thích" in output
    assert f"{gift}:12: Căn cứ 'van-ban-khong-co' chưa khai báo" in output
    assert f"{lesson}:{nfd_line}: Văn bản chưa chuẩn hóa NFC" in output


def test_content_review_lists_unverified_points():
    review = (ROOT / "docs" / "content-review.md").read_text(encoding="utf-8")
    boxes = 0
    for lesson in COURSES.glob("*/lessons/*.md"):
        text = lesson.read_text(encoding="utf-8")
        count = text.count('!!! verify "Cần xác minh"')
        boxes += count
        if count:
            assert lesson.name in review, f"{lesson} has unverified points not in the review list"
    assert boxes > 0


def test_draw_pool_smaller_than_twice_its_draw_is_a_warning(runner, tmp_path):
    """Issue 15: consecutive attempts need a pool of at least twice the draw per topic."""
    target = tmp_path / "courses"
    shutil.copytree(COURSES / "luat-tdkt-co-ban", target / "luat-tdkt-co-ban")
    course = target / "luat-tdkt-co-ban"
    gift = course / "questions.gift"
    text = gift.read_text(encoding="utf-8")
    # three questions in "Hồ sơ", the rest in no category
    marker = "// [id:"
    first = text.index(marker)
    parts = text[first:].split(marker)
    tagged = "".join(
        ("$CATEGORY: Hồ sơ\n\n" if i == 0 else "$CATEGORY: \n\n" if i == 3 else "") + marker + p
        for i, p in enumerate(parts[1:])
    )
    gift.write_text(text[:first] + tagged, encoding="utf-8")
    toml = course / "course.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "\n[[legal_basis]]", '\n[draw]\n"Hồ sơ" = 2\n\n[[legal_basis]]', 1
        ),
        encoding="utf-8",
    )
    report = check_courses(target)
    assert report.problems == []
    assert len(report.warnings) == 1
    assert "Chủ đề 'Hồ sơ' rút 2 câu mỗi lần nhưng chỉ có 3 câu" in report.warnings[0]
    assert report.warnings[0].startswith(f"{toml}:")
    result = runner.invoke(args=["courses", "check", str(target)])
    assert result.exit_code == 0 and "0 lỗi, 1 cảnh báo" in result.output
    assert "Cảnh báo:" in result.output

    # four questions in the topic: enough for two different draws of two
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('"Hồ sơ" = 2', '"Hồ sơ" = 1'), encoding="utf-8"
    )
    assert check_courses(target).warnings == []
