"""Issue 16: article-level references, register entries, `flask courses check` rules on them
(document exists, place in a known form, replaced documents only in historical passages,
≥ 40% scenario questions), the per-course summary and the review list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.authoring.checker import Limits, check_courses
from app.authoring.review_list import END, START, review_items, write_review_list
from app.legal.refs import (
    Ref,
    document_problems,
    normalise_place,
    parse_refs,
    place_label,
    ref_problems,
    ref_status,
)
from app.quizzes.formats import parse_gift
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "courses"
SMALL = Limits(min_lessons=1, max_lessons=8, min_questions=1, min_words=1)


def test_places_in_every_agreed_form_are_canonical():
    assert normalise_place("Điều 24") == ("Điều 24", True)
    assert normalise_place("Điều 24 k1") == ("Điều 24 k1", True)
    assert normalise_place("Điều  24 khoản 1 điểm đ") == ("Điều 24 k1 điểm đ", True)
    assert normalise_place("Mục III.3") == ("Mục III.3", True)
    assert normalise_place("Mục III.3.2") == ("Mục III.3.2", True)
    assert normalise_place("Chương II") == ("Chương II", True)
    for bad in ("số hiệu, ngày thông qua", "Điều", "Điều 24 k", "Mục 3", "Chương 2", "điều 24"):
        assert normalise_place(bad)[1] is False, bad


def test_several_references_and_the_old_forms():
    refs = parse_refs("luat-tdkt-2022 Điều 24 k1; kh-nq07 Mục III.3")
    assert refs == [
        Ref("luat-tdkt-2022", "Điều 24 k1", True, False),
        Ref("kh-nq07", "Mục III.3", True, False),
    ]
    assert ref_problems(refs, {"luat-tdkt-2022", "kh-nq07"}) == []
    # old question form: `DOC; place` — read, but flagged
    old = parse_refs("luat-tdkt-2022; Điều 1")
    assert old == [Ref("luat-tdkt-2022", "Điều 1", True, True)]
    assert "dạng cũ" in ref_problems(old, {"luat-tdkt-2022"})[0]
    # old lesson form with free text, a bare id, an undeclared id, a place with no id
    assert "không đúng dạng" in ref_problems(parse_refs("luat số hiệu, ngày"), {"luat"})[0]
    assert "thiếu vị trí" in ref_problems(parse_refs("luat-tdkt-2022"), {"luat-tdkt-2022"})[0]
    assert "chưa khai báo" in ref_problems(parse_refs("khac Điều 1"), {"luat"})[0]
    assert "không bắt đầu bằng mã" in ref_problems(parse_refs("Điều 5"), None)[0]


def test_labels_and_statuses_per_article():
    assert place_label("Điều 80 k1 điểm a") == "Điều 80 khoản 1 điểm a"
    doc = {"status": "CORROBORATED", "articles": {"Điều 24": "VERIFIED", "Mục III": "SEEN-ONCE"}}
    assert ref_status(parse_refs("x Điều 24 k1 điểm a")[0], doc) == "VERIFIED"
    assert ref_status(parse_refs("x Điều 25")[0], doc) == "CORROBORATED"
    assert ref_status(parse_refs("x Mục III.3")[0], doc) == "SEEN-ONCE"
    assert ref_status(parse_refs("x Điều 1")[0], None) == "NOT-SEEN"
    assert parse_refs("x Điều 24 k1 điểm a")[0].article == "Điều 24"


def test_document_entries_are_validated():
    good = {
        "id": "nd-98-2023",
        "number": "98/2023/NĐ-CP",
        "title": "Nghị định",
        "issuer": "Chính phủ",
        "issued": "2023-12-31",
        "status": "CORROBORATED",
        "last_checked": "2026-02-24",
        "sources": ["https://example.org/a"],
        "articles": {"Điều 5": "VERIFIED"},
    }
    assert document_problems(good) == []
    problems = document_problems(
        {
            **good,
            "issued": "31/12/2023",
            "status": "UNVERIFIED",
            "replaced_from": "2025-07-01",
            "sources": ["thuvienphapluat"],
            "articles": {"điều năm": "VERIFIED", "Điều 6": "MAYBE"},
        }
    )
    joined = "\n".join(problems)
    for expected in (
        "'issued' phải là ngày",
        "'UNVERIFIED' là dạng cũ",
        "thiếu 'replaced_by'",
        "không phải địa chỉ http",
        "«điều năm» không đúng dạng",
        "'MAYBE' của «Điều 6» không hợp lệ",
    ):
        assert expected in joined, (expected, joined)
    assert "thiếu 'sources'" in "\n".join(document_problems({**good, "sources": None} | {}))


def test_gift_reads_tags_and_historical_comments():
    text = (
        "// [id:q1]\n// [ref: nd-98-2023 Điều 5 k1]\n// [tags: tinh-huong, ho-so]\n"
        "// [historical]\n::q1:: Câu? {T\n####Vì.\n}\n"
    )
    (question,) = parse_gift(text).questions
    assert question.reference == "nd-98-2023 Điều 5 k1"
    assert question.tags == ["tinh-huong", "ho-so", "historical"]


@pytest.fixture
def copy(tmp_path) -> Path:
    target = tmp_path / "courses"
    shutil.copytree(FIXTURE / "khoa-thu", target / "khoa-thu")
    return target / "khoa-thu"


def test_fixture_course_passes_and_is_summarised(copy):
    report = check_courses(copy.parent, SMALL)
    assert report.problems == []
    (summary,) = report.summaries
    assert (summary.lessons, summary.questions, summary.scenario_percent) == (3, 4, 50)
    # kh-nq07 ×5 in questions + 3 in lessons, nd-98 Điều 5 ×2 — all VERIFIED (Điều 5 by
    # its own row, the document itself being CORROBORATED)
    assert dict(summary.refs_by_status) == {"VERIFIED": 9}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_replaced_document_only_in_historical_passages(copy):
    toml = copy / "course.toml"
    _edit(toml, 'effective = "2023-12-31"', 'effective = "2023-12-31"\nreplaced_by = "nd-152-2025"')
    problems = check_courses(copy.parent, SMALL).problems
    lesson, gift = copy / "lessons" / "03-bao-cao.md", copy / "questions.gift"
    assert any(p.startswith(f"{lesson}:3: ") and "!!! history" in p for p in problems), problems
    assert any(p.startswith(f"{gift}:") and "// [historical]" in p for p in problems), problems
    # marked historical: accepted
    with lesson.open("a", encoding="utf-8") as f:
        f.write('\n!!! history "Lịch sử"\n    Trước 01/07/2025, Nghị định 98/2023 quy định…\n')
    _edit(gift, "// [ref: kh-nq07 Mục IV; nd-98", "// [historical]\n// [ref: kh-nq07 Mục IV; nd-98")
    assert check_courses(copy.parent, SMALL).problems == []
    # replaced by a document no course declares
    _edit(toml, 'replaced_by = "nd-152-2025"', 'replaced_by = "nd-999-2030"')
    assert any("nd-999-2030" in p for p in check_courses(copy.parent, SMALL).problems)


def test_old_forms_and_unknown_places_are_flagged_with_file_and_line(copy):
    lesson, gift = copy / "lessons" / "02-muc-tieu.md", copy / "questions.gift"
    _edit(lesson, "refs: kh-nq07 Mục II", "articles: kh-nq07 Mục II")
    _edit(gift, "// [ref: kh-nq07 Mục III.5]", "// [ref:kh-nq07; Mục III.5]")
    _edit(gift, "// [ref: kh-nq07 Mục II]", "// [ref: kh-nq07 toàn văn; luat-khac Điều 1]")
    problems = check_courses(copy.parent, SMALL).problems
    joined = "\n".join(problems)
    assert f"{lesson}:3: Dòng 'articles:' là dạng cũ" in joined
    assert "Căn cứ 'kh-nq07; Mục III.5' viết theo dạng cũ" in joined
    assert "Vị trí «toàn văn» của 'kh-nq07' không đúng dạng" in joined
    assert "Căn cứ 'luat-khac' chưa khai báo trong legal_basis" in joined


def test_too_few_scenario_questions_is_an_error(copy):
    gift = copy / "questions.gift"
    _edit(gift, "// [tags: tinh-huong]\n", "")
    problems = check_courses(copy.parent, SMALL).problems
    assert any("tình huống (tinh-huong) chiếm 25%, cần ít nhất 40%" in p for p in problems)


def test_same_document_declared_differently_by_two_courses(copy):
    other = copy.parent / "khoa-hai"
    shutil.copytree(copy, other)
    _edit(other / "course.toml", 'issued = "2023-12-31"', 'issued = "2023-12-16"')
    problems = check_courses(copy.parent, SMALL).problems
    assert any(
        str(other / "course.toml") in p and "'issued' khác với khai báo" in p for p in problems
    ), problems


def test_check_command_prints_the_summary(runner, copy):
    result = runner.invoke(
        args=["courses", "check", str(copy.parent), "--min-questions", "1", "--min-lessons", "1"]
    )
    assert "khoa-thu: 3 bài, 4 câu hỏi, 50% tình huống; căn cứ theo trạng thái: VERIFIED 9" in (
        result.output
    )


def test_review_list_names_every_statement_not_verified(copy, tmp_path):
    # Điều 5 stays VERIFIED; a reference to Điều 6 falls back on the document (CORROBORATED)
    _edit(copy / "questions.gift", "// [ref: kh-nq07 Mục II]", "// [ref: nd-98-2023 Điều 6]")
    items = review_items(copy.parent)
    shown = {(item.path.name, item.line, item.status) for item in items}
    # the one `!!! verify` box (lesson 1, line 7) and the question t-04 (its line: 29)
    assert shown == {("01-mo-dau.md", 7, "Cần xác minh"), ("questions.gift", 29, "CORROBORATED")}
    output = tmp_path / "content-review.md"
    output.write_text("# Viết tay\n\nGhi chú của người rà soát.\n", encoding="utf-8")
    write_review_list(items, output, tmp_path)
    write_review_list(items, output, tmp_path)  # again: replaced, not appended twice
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# Viết tay\n\nGhi chú của người rà soát.\n")
    assert text.count(START) == 1 and text.count(END) == 1
    assert (
        "courses/khoa-thu/lessons/01-mo-dau.md:7` — Cần xác minh — Điểm chưa được đối chiếu."
        in text
    )
    assert "courses/khoa-thu/questions.gift:29` — CORROBORATED" in text


def test_each_drawn_topic_holds_twice_its_draw(copy):
    toml = copy / "course.toml"
    gift = copy / "questions.gift"
    text = gift.read_text(encoding="utf-8")
    gift.write_text("$CATEGORY: Mục tiêu\n\n" + text, encoding="utf-8")  # 4 questions
    _edit(toml, "pass_mark = 75\n", 'pass_mark = 75\n\n[draw]\n"Mục tiêu" = 2\n')
    assert check_courses(copy.parent, SMALL).problems == []
    _edit(toml, '"Mục tiêu" = 2', '"Mục tiêu" = 3\n"Chủ đề không có" = 1')
    # a warning (issue 15: the course works, consecutive attempts repeat more), not an error
    report = check_courses(copy.parent, SMALL)
    warnings = "\n".join(report.warnings)
    assert f"{toml}:7: Chủ đề «Mục tiêu» có 4 câu, cần ít nhất 6" in warnings  # its line
    assert "Chủ đề «Chủ đề không có» có 0 câu, cần ít nhất 2" in warnings
    assert not any("Chủ đề «" in problem for problem in report.problems)
