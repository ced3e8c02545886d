"""XLSX question banks: the template, every answer notation, bad rows with their row numbers,
and a 5,000-question file imported into the database in well under 30 seconds."""

from __future__ import annotations

import io
import time

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.authoring.pending import apply_drafts
from app.courses.models import Course, QuestionDraft
from app.extensions import db
from app.quizzes.bank import export_bank, import_questions, parse_upload
from app.quizzes.formats import ParsedAnswer, ParsedQuestion
from app.quizzes.formats.compare import comparable
from app.quizzes.formats.xlsx import parse_xlsx
from app.quizzes.formats.xlsx_columns import COLUMNS
from app.quizzes.formats.xlsx_export import export_xlsx
from app.quizzes.formats.xlsx_template import TEMPLATE_PATH, build_template, examples

HEADINGS = [
    "Mã câu hỏi",
    "Loại",
    "Danh mục",
    "Câu hỏi",
    "Phương án A",
    "Phương án B",
    "Phương án C",
    "Phương án D",
    "Đáp án đúng",
    "Phản hồi",
    "Giải thích",
    "Căn cứ",
    "Thẻ",
]


def workbook(rows: list[list], headings: list[str] = HEADINGS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_course(slug: str = "excel") -> Course:
    course = Course(slug=slug, title="Khóa Excel")
    db.session.add(course)
    db.session.commit()
    return course


def _cells(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_shipped_template_is_the_generated_one():
    assert TEMPLATE_PATH.is_file(), "run: flask questions template"
    shipped = _cells(TEMPLATE_PATH.read_bytes())
    assert shipped == _cells(build_template()), "the template drifted: flask questions template"
    assert list(shipped["Câu hỏi"][0]) == [heading for _key, heading in COLUMNS]
    assert list(shipped) == ["Câu hỏi", "Hướng dẫn", "Ví dụ"]


def test_template_examples_parse_back_exactly():
    result = parse_xlsx(build_template(), sheet="Ví dụ")
    assert result.errors == [] and result.warnings == []
    assert [comparable(q) for q in result.questions] == [comparable(q) for q in examples()]
    assert [q.line for q in result.questions] == list(range(2, 2 + len(examples())))
    assert parse_xlsx(build_template()).questions == []  # the sheet to fill is empty


def test_every_answer_notation():
    rows = [
        [
            "m1",
            "một lựa chọn",
            "Luật/Điều 6",
            "Số hiệu?",
            "06/2022/QH15",
            "15/2003/QH11",
            None,
            None,
            "a",
            "A: Đúng rồi\nB: Luật cũ\nnăm 2003",
            "Giải thích",
            "Luật; Điều 1",
            "luật; mới",
        ],
        ["m2", "Nhiều lựa chọn", None, "Chọn hai", "x", "y", "z", None, "A:50;B:50%;C:-100"],
        ["m3", "nhiều lựa chọn", None, "Chọn ba", "x", "y", "z", "w", "A, C,D"],
        ["m4", "Đúng/Sai", None, "Đúng không?", None, None, None, None, "T", "Sai: Không"],
        ["m5", "đúng sai", None, "Sai không?", None, None, None, None, False],
        ["m6", "trả lời ngắn", None, "Con gì?", None, None, None, None, "Frog | %50%Cat"],
        ["m7", "số", None, "Bao nhiêu?", None, None, None, None, "3 ± 2 | %50%10+-1 | 1..5"],
        ["m8", "số", None, "Tỷ lệ?", None, None, None, None, 15],
        ["m9", "ghép đôi", None, "Ghép", "a -> 1", "b → 2", "-> 3"],
        ["m10", "tự luận", None, "Viết"],
        ["m11", "mô tả", None, "Phần II"],
        ["m12", None, None, "Không ghi loại", "p", "q", None, None, "B"],
    ]
    result = parse_xlsx(workbook(rows))
    assert result.errors == [] and result.warnings == []
    q = {x.key: x for x in result.questions}
    one = q["m1"]
    assert (one.qtype, one.category, one.reference, one.tags) == (
        "single",
        "Luật/Điều 6",
        "Luật; Điều 1",
        ["luật", "mới"],
    )
    assert [(a.text, a.fraction, a.feedback) for a in one.answers] == [
        ("06/2022/QH15", 1.0, "Đúng rồi"),
        ("15/2003/QH11", 0.0, "Luật cũ\nnăm 2003"),
    ]
    assert [a.fraction for a in q["m2"].answers] == [0.5, 0.5, -1.0]
    assert [a.fraction for a in q["m3"].answers] == [0.3333333, 0.0, 0.3333333, 0.3333333]
    assert [(a.text, a.fraction, a.feedback) for a in q["m4"].answers] == [
        ("true", 1.0, ""),
        ("false", 0.0, "Không"),
    ]
    assert [a.fraction for a in q["m5"].answers] == [0.0, 1.0]
    assert [(a.text, a.fraction) for a in q["m6"].answers] == [("Frog", 1.0), ("Cat", 0.5)]
    assert [(a.text, a.tolerance, a.fraction) for a in q["m7"].answers[:2]] == [
        ("3", 2.0, 1.0),
        ("10", 1.0, 0.5),
    ]
    assert (q["m7"].answers[2].range_min, q["m7"].answers[2].range_max) == (1.0, 5.0)
    assert q["m8"].answers[0].text == "15"
    assert [(a.match_left, a.text) for a in q["m9"].answers] == [("a", "1"), ("b", "2"), ("", "3")]
    assert (q["m10"].qtype, q["m11"].qtype, q["m12"].qtype) == ("essay", "description", "single")
    again = parse_xlsx(export_xlsx(result.questions))
    assert again.errors == []
    assert [comparable(x) for x in again.questions] == [comparable(x) for x in result.questions]
    # a text that looks like a formula stays text in the exported workbook
    formula = ParsedQuestion("short", "=1+1?", key="f", answers=[ParsedAnswer("=2", 1.0)])
    assert comparable(parse_xlsx(export_xlsx([formula])).questions[0]) == comparable(formula)


def test_more_than_six_options_and_html():
    question = ParsedQuestion(
        "single",
        "<p>Chọn <b>một</b></p>",
        text_format="html",
        key="bay",
        answers=[ParsedAnswer(f"Phương án\nsố {i}", 1.0 if i == 7 else 0.0) for i in range(1, 9)],
    )
    data = export_xlsx([question])
    assert "Phương án H" in _cells(data)["Câu hỏi"][0]
    again = parse_xlsx(data).questions[0]
    assert comparable(again) == comparable(question)


def test_a_file_that_is_not_a_workbook_is_one_error():
    result = parse_xlsx(b"PK\x03\x04 not really a zip")
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "Tệp không phải bảng tính Excel (.xlsx) đọc được")
    ]
    no_headings = parse_xlsx(workbook([["a", "b"]], headings=["x", "y"]))
    assert no_headings.errors[0].line == 1 and "tiêu đề" in no_headings.errors[0].message


def _row(n: int) -> list:
    kind = n % 4
    if kind == 0:
        return [f"c-{n}", "một lựa chọn", f"Nhóm {n % 5}", f"Câu {n}?", "a", "b", "c", None, "B"]
    if kind == 1:
        return [f"c-{n}", "nhiều lựa chọn", None, f"Câu {n}?", "a", "b", "c", None, "A, C"]
    if kind == 2:
        return [f"c-{n}", "đúng sai", None, f"Câu {n}?", None, None, None, None, "Sai"]
    return [f"c-{n}", "trả lời ngắn", None, f"Câu {n}?", None, None, None, None, "x | y"]


def test_500_rows_with_3_bad_ones_import_497_and_list_the_3_by_row(app):
    rows = [_row(n) for n in range(500)]
    rows[48] = ["c-48", "hình ảnh", None, "Loại lạ?"]  # spreadsheet row 50
    rows[199] = ["c-199", "một lựa chọn", None, "Đáp án G?", "a", "b", None, None, "G"]  # row 201
    rows[400] = ["c-400", "đúng sai", None, "Có lẽ?", None, None, None, None, "Có lẽ"]  # row 402
    course = make_course()
    summary = import_questions(course, parse_upload(workbook(rows), "cau-hoi.xlsx"))
    assert summary.created == 497
    assert [e.line for e in summary.errors] == [50, 201, 402]
    assert all(e.message.startswith(f"Dòng {e.line}: ") for e in summary.errors)
    assert "Loại câu hỏi «hình ảnh» không hợp lệ" in summary.errors[0].message
    stored = db.session.scalar(
        select(func.count()).select_from(QuestionDraft).where(QuestionDraft.course_id == course.id)
    )
    assert stored == 497  # drafts until the course's next publish


def test_5000_questions_import_in_under_30_seconds(app, capsys):
    base = examples()[:6]  # one of each scored type
    questions = []
    for n in range(5000):
        template = base[n % len(base)]
        questions.append(
            ParsedQuestion(
                template.qtype,
                f"{template.text} (#{n})",
                key=f"lon-{n}",
                category=f"Phần {n % 7}",
                tags=["lớn"],
                general_feedback=template.general_feedback,
                answers=template.answers,
                single=template.single,
            )
        )
    data = export_xlsx(questions)
    course = make_course()
    started = time.perf_counter()
    result = parse_upload(data, "lon.xlsx")
    parsed_at = time.perf_counter()
    summary = import_questions(course, result)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\n5,000-question XLSX: parse {parsed_at - started:.2f} s, "
            f"import {elapsed - (parsed_at - started):.2f} s, total {elapsed:.2f} s"
        )
    assert (summary.created, summary.errors) == (5000, [])
    assert elapsed < 30
    apply_drafts(course)  # what the next publish does
    db.session.commit()
    exported, _mimetype, _name = export_bank(course, "xlsx")
    assert len(parse_xlsx(exported).questions) == 5000
