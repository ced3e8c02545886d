"""Issue 7, acceptance 1–3 (and issue 16): the shipped courses pass `flask courses check`; a
broken copy fails with file:line messages; every statement not VERIFIED is listed for the legal
reviewer in docs/content-review.md."""

import re
import shutil
from pathlib import Path

import pytest

from app.authoring.checker import check_courses
from app.authoring.review_list import END, START, render, review_items
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


def test_content_review_lists_every_statement_not_verified():
    """docs/content-review.md holds the list `flask courses review-list` writes today: every
    reference not VERIFIED and every `!!! verify` box, with file and line."""
    review = (ROOT / "docs" / "content-review.md").read_text(encoding="utf-8")
    assert START in review and END in review, (
        "run: flask courses review-list --output docs/content-review.md"
    )
    written = START + review.split(START, 1)[1].split(END, 1)[0] + END
    assert written == render(review_items(COURSES), ROOT)
    assert review.count("— Cần xác minh —") == sum(
        p.read_text(encoding="utf-8").count("!!! verify") for p in COURSES.glob("*/lessons/*.md")
    )


def test_draw_pool_smaller_than_twice_its_draw_is_a_warning(runner, tmp_path):
    """Issue 15: consecutive attempts need a pool of at least twice the draw per topic; a
    smaller pool is a warning (the course works, attempts repeat more), not an error."""
    import re
    import tomllib

    target = tmp_path / "courses"
    shutil.copytree(COURSES / "luat-tdkt-co-ban", target / "luat-tdkt-co-ban")
    toml = target / "luat-tdkt-co-ban" / "course.toml"
    text = toml.read_text(encoding="utf-8")
    draw = tomllib.loads(text)["draw"]
    topic, wanted = next(iter(draw.items()))
    pool = (target / "luat-tdkt-co-ban" / "questions.gift").read_text(encoding="utf-8")
    have = len(
        re.findall(r"^::", pool.split(f"$CATEGORY: {topic}", 1)[1].split("$CATEGORY:")[0], re.M)
    )
    assert check_courses(target).warnings == []
    line = f'"{topic}" = {wanted}'
    assert line in text
    toml.write_text(text.replace(line, f'"{topic}" = {have // 2 + 1}'), encoding="utf-8")
    report = check_courses(target)
    assert [w for w in report.warnings if topic in w], report.warnings
    result = runner.invoke(args=["courses", "check", str(target)])
    assert "Cảnh báo:" in result.output and topic in result.output
