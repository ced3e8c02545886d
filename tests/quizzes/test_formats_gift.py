"""GIFT import: the interop files (Moodle fixtures, a real-world bank, Vietnamese) and the rules."""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.quizzes.formats import (
    decode_bytes,
    parse_aiken,
    parse_file,
    parse_gift,
    parse_moodle_xml,
    validate,
)
from app.quizzes.formats import gift_answers as answers_module

INTEROP = Path(
    os.environ.get(
        "TDKT_INTEROP_DIR", Path(__file__).resolve().parents[2].parent / "shared" / "interop"
    )
)


def _manifest() -> list[dict]:
    path = INTEROP / "MANIFEST.tsv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


MANIFEST = _manifest()
GIFT_ROWS = [row for row in MANIFEST if row["format"] == "gift"]
TITLED_ROWS = [row for row in GIFT_ROWS if "titled questions" in row["expect"]]


def test_interop_folder_and_manifest_are_there():
    assert INTEROP.is_dir(), f"interop test files not found in {INTEROP} (set TDKT_INTEROP_DIR)"
    assert len(TITLED_ROWS) >= 20 and len(GIFT_ROWS) >= 25


def _by_type(result) -> dict[str, list]:
    out: dict[str, list] = {}
    for q in result.questions:
        out.setdefault(q.qtype, []).append(q)
    return out


@pytest.mark.parametrize("row", GIFT_ROWS, ids=lambda r: r["file"])
def test_every_gift_file_parses_and_reports_lines(row):
    result = parse_file(INTEROP / row["file"])
    for issue in result.errors + result.warnings:
        assert issue.line >= 1 and issue.message
    for q in result.questions:
        assert q.line >= 1 and q.text == unicodedata.normalize("NFC", q.text)


@pytest.mark.parametrize("row", TITLED_ROWS, ids=lambda r: r["file"])
def test_each_titled_question_is_imported_or_reported(row):
    expected = int(re.search(r"(\d+) titled questions", row["expect"]).group(1))
    path = INTEROP / row["file"]
    text, _ = decode_bytes(path.read_bytes())
    title_lines = {n for n, line in enumerate(text.split("\n"), 1) if line.startswith("::")}
    assert len(title_lines) == expected
    result = parse_file(path)
    imported = {q.line for q in result.questions if q.title}
    reported = {e.line for e in result.errors}
    assert len(imported) + len(reported) == expected, (result.errors, result.warnings)
    assert imported | reported == title_lines
    assert all(e.title for e in result.errors)


def test_moodle_fixture_questions():
    result = parse_file(INTEROP / "gift/moodle-questions.gift.txt")
    assert result.errors == []
    types = [q.qtype for q in result.questions]
    assert types == [
        "essay",
        "matching",
        "single",
        "multi",
        "numerical",
        "short",
        "truefalse",
        "truefalse",
        "truefalse",
    ]
    essay, match, single, multi, number, short, tf_feedback, tf1, tf2 = result.questions
    assert (essay.title, essay.text, essay.line) == ("Q8", "How are you?", 2)

    assert match.text_format == "html" and match.text.startswith("Match the <b>activity</b>")
    assert len(match.answers) == 5
    assert match.answers[0].match_left == "An activity supporting asynchronous discussions."
    assert match.answers[0].text == "Forum"
    assert [(a.match_left, a.text) for a in match.answers if not a.match_left] == [("", "Chat")]

    assert [(a.text, a.fraction, a.feedback) for a in single.answers] == [
        ("yellow", 1.0, "right; good!"),
        ("red", 0.0, "wrong, it's yellow"),
        ("blue", 0.0, "wrong, it's yellow"),
    ]
    assert not multi.single
    assert [(a.text, a.fraction) for a in multi.answers] == [
        ("yellow", 0.5),
        ("red", -1.0),
        ("off-beige", 0.5),
        ("blue", -1.0),
    ]
    right = number.answers[0]
    assert (right.text, right.tolerance, right.fraction) == ("3", 2.0, 1.0)
    assert number.answers[1].feedback == "Completely wrong"
    assert [(a.text, a.fraction) for a in short.answers] == [
        ("Frog", 1.0),
        ("Cat", 0.5),
        ("*", 0.0),
    ]
    assert tf_feedback.general_feedback.startswith("This is, of course, a Hitchiker")
    true, false = tf_feedback.answers
    assert (false.fraction, false.feedback) == (1.0, "You gave the right answer.")
    assert (true.fraction, true.feedback) == (0.0, "42 is the Ultimate Answer.")
    assert [a.fraction for a in tf1.answers] == [1.0, 0.0] == [a.fraction for a in tf2.answers]
    # the stray `";` after two answer blocks is tolerated and reported on its line
    assert sorted(w.line for w in result.warnings) == [31, 41]


def test_moodle_fixture_in_category():
    result = parse_file(INTEROP / "gift/moodle-questions_in_category.gift.txt")
    assert result.errors == []
    assert result.categories == ["Default for New Features"]
    assert [q.qtype for q in result.questions] == ["matching", "single", "short", "truefalse"]
    assert {q.category for q in result.questions} == {"Default for New Features"}
    greeting = result.questions[1]
    assert greeting.text.startswith(
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this greeting:</a>'
    )
    assert greeting.text_format == "html"
    assert [a.text for a in greeting.answers if a.fraction == 1.0] == ["French"]


def test_cp1258_file_is_stored_as_nfc():
    raw = (INTEROP / "gift/vi-cp1258.gift").read_bytes()
    text, encoding = decode_bytes(raw)
    assert encoding == "cp1258"
    result = parse_file(INTEROP / "gift/vi-cp1258.gift")
    assert result.encoding == "cp1258" and result.errors == []
    single, truefalse = result.questions
    expected = unicodedata.normalize(
        "NFC",
        "Nghị quyết 07/NQ-TLĐ của Ban Chấp hành Tổng Liên đoàn được ban hành ngày nào?",
    )
    assert single.text == expected
    assert "\u0323" not in single.text and "ị" in single.text  # composed, not combining
    assert single.qtype == "single" and single.answers[0].text == "15/01/2020"
    assert truefalse.qtype == "truefalse" and truefalse.answers[0].fraction == 1.0
    assert truefalse.text.startswith("Theo kế hoạch, ít nhất 15% cá nhân được khen thưởng")


def test_real_world_bank_cloze_and_continuations():
    review = parse_file(INTEROP / "gift/gl02-EM-U4-p32_33-Review.gift")
    first = review.questions[0]
    assert first.qtype == "cloze" and len(first.subquestions) == 9
    assert first.text.count("{#") == 9 and "{1:MC" not in first.text
    part = first.subquestions[0]
    assert part.cloze_code == "MULTICHOICE" and part.qtype == "single"
    assert [(a.text, a.fraction) for a in part.answers][:2] == [
        ("similar to", 1.0),
        ("close to", 0.0),
    ]
    open_cloze = review.questions[1]
    assert [a.text for a in open_cloze.subquestions[3].answers] == ["who", "that"]

    passive = parse_file(INTEROP / "gift/gl02-EM-U5-p38-Passive.gift")
    email = passive.questions[0]
    assert email.qtype == "cloze" and email.line == 1
    assert email.text.startswith("Complete the email") and "Dear Julia," in email.text
    assert any("dòng trống" in w.message for w in passive.warnings)


# --- rules -------------------------------------------------------------------------------------


def test_escapes_comments_and_metadata():
    text = (
        "\n\n// [id:nq07-01] [ref:NQ 07, mục 2] [tag:luật] [tag:a\\]b]\n"
        "::Tiêu đề\\: một::[html]Giá trị \\= 5 \\{x\\} \\~ \\# dòng1\\ndòng2{\n"
        "\t=đúng \\= phải#phản hồi \\# 1\n"
        "\t~sai\n"
        "\t####giải thích\n"
        "}\n"
    )
    result = parse_gift(text)
    assert result.errors == []
    q = result.questions[0]
    assert q.title == "Tiêu đề: một" and q.line == 4
    assert (q.key, q.reference, q.tags) == ("nq07-01", "NQ 07, mục 2", ["luật", "a]b"])
    assert q.text == "Giá trị = 5 {x} ~ # dòng1\ndòng2"
    assert (q.answers[0].text, q.answers[0].feedback) == ("đúng = phải", "phản hồi # 1")
    assert q.general_feedback == "giải thích"


def test_comment_separated_by_blank_line_is_not_attached():
    result = parse_gift("// [id:x]\n\n::A::Hỏi{T}\n")
    assert result.questions[0].key == ""


def test_weights_numerical_forms_and_missing_word():
    text = "\n\n".join(
        [
            "::w::Chọn{~%50%a ~%-33.33333%b ~%50%c ~d}",
            "::r::Số từ 1 đến 5{#1..5}",
            "::m::Số{# =3:1 =%50%4:2#gần đúng}",
            "::mw::Thủ đô là {=Hà Nội =%50%Ha Noi} của Việt Nam.",
        ]
    )
    result = parse_gift(text)
    assert result.errors == []
    weights, ranged, multiple, missing = result.questions
    assert [a.fraction for a in weights.answers] == [0.5, -0.3333333, 0.5, 0.0]
    low = ranged.answers[0]
    assert (low.text, low.tolerance, low.range_min, low.range_max) == ("3", 2.0, 1.0, 5.0)
    assert [(a.text, a.tolerance, a.fraction) for a in multiple.answers] == [
        ("3", 1.0, 1.0),
        ("4", 2.0, 0.5),
    ]
    assert multiple.answers[1].feedback == "gần đúng"
    assert missing.qtype == "short"
    assert missing.text == "Thủ đô là _____ của Việt Nam."


def test_blank_lines_inside_braces_and_titles_without_blank_lines():
    text = "::a::Hỏi {\n=một\n\n~hai\n}\n::b::Câu hai{TRUE}\n::c::Mô tả\n"
    result = parse_gift(text)
    assert [(q.title, q.qtype, q.line) for q in result.questions] == [
        ("a", "single", 1),
        ("b", "truefalse", 6),
        ("c", "description", 7),
    ]


def test_validation_errors_name_the_line_and_parsing_goes_on():
    text = "\n".join(
        [
            "::hai đúng::Chọn{=a =b ~c}",  # line 1: several "=" in a choice question
            "",
            "::tổng sai::Chọn{~%50%a ~%30%b ~c}",  # line 3: weights sum to 80%
            "",
            "::thiếu ngoặc::Câu hỏi {=a",  # line 5: never closed
            "",
            "::tốt::Câu hỏi tốt{T}",  # line 7
            "",
            "::sai ngoặc::Câu } hỏi",  # line 9
            "",
            ";",  # line 11: stray
        ]
    )
    result = parse_gift(text)
    assert [q.title for q in result.questions] == ["tốt"]
    errors = {e.line: e for e in result.errors}
    assert sorted(errors) == [1, 3, 5, 9]
    assert "đúng một đáp án đúng" in errors[1].message
    assert "tổng trọng số" in errors[3].message and "«tổng sai»" in errors[3].message
    assert "}" in errors[5].message
    assert errors[1].title == "hai đúng"
    assert [w.line for w in result.warnings] == [11]


def test_unclosed_brace_does_not_swallow_next_questions():
    result = parse_gift("::a::Hỏi {=x\n~y\n::b::Câu b{T}\n\n::c::Câu c{F}")
    assert [q.title for q in result.questions] == ["b", "c"]
    assert [e.line for e in result.errors] == [1]


def test_unexpected_exception_becomes_an_error_for_that_question(monkeypatch):
    original = answers_module._truefalse

    def boom(content):
        if "F" in content:
            raise RuntimeError("boom")
        return original(content)

    monkeypatch.setattr(answers_module, "_truefalse", boom)
    result = parse_gift("::a::A{T}\n\n::b::B{F}\n\n::c::C{T}")
    assert [q.title for q in result.questions] == ["a", "c"]
    assert [(e.line, e.title) for e in result.errors] == [(3, "b")]
    assert "boom" in result.errors[0].message


def test_cloze_markers():
    text = (
        "::cl::[html]<p>Thủ đô {1:SHORTANSWER:=Hà Nội#Đúng~%50%Hanoi} có số dân "
        "{2:NM:=8.4:0.5} triệu, nằm ở miền {1:MCV:Nam~=Bắc#Chuẩn~Trung} và "
        "{:MRS:%50%a~%50%b~%-100%c}.</p>"
    )
    result = parse_gift(text)
    assert result.errors == []
    q = result.questions[0]
    assert q.qtype == "cloze" and q.text_format == "html"
    assert q.text == "<p>Thủ đô {#1} có số dân {#2} triệu, nằm ở miền {#3} và {#4}.</p>"
    short, number, choice, multi = q.subquestions
    assert (short.qtype, short.cloze_code, short.default_grade) == ("short", "SHORTANSWER", 1)
    assert [(a.text, a.fraction, a.feedback) for a in short.answers] == [
        ("Hà Nội", 1.0, "Đúng"),
        ("Hanoi", 0.5, ""),
    ]
    assert (number.qtype, number.default_grade) == ("numerical", 2.0)
    assert (number.answers[0].text, number.answers[0].tolerance) == ("8.4", 0.5)
    assert (choice.qtype, choice.cloze_code, choice.shuffle) == ("single", "MULTICHOICE_V", False)
    assert (multi.qtype, multi.cloze_code, multi.shuffle) == ("multi", "MULTIRESPONSE_S", True)


def test_broken_cloze_is_reported_not_dropped():
    text = "::x::A {1:MC:=a~=b~c} b\n\n::y::B {1:ZZ:=a} {=b}\n\n::z::C {1:NM:=abc}"
    result = parse_gift(text)
    assert result.questions == []
    assert [e.line for e in result.errors] == [1, 3, 5]
    assert "Chỗ trống 1" in result.errors[0].message


def test_html_without_prefix_follows_moodle_auto_format():
    result = parse_gift("::a::Chọn <b>một</b>{=x ~y}\n\n::b::2 < 3 là đúng{T}")
    assert [q.text_format for q in result.questions] == ["html", "plain"]


def test_categories_are_listed_and_assigned():
    text = "$CATEGORY: $course$/top/Luật/Chương 1\n\n::a::A{T}\n$CATEGORY: Khác\n::b::B{F}"
    result = parse_gift(text)
    assert result.categories == ["Luật/Chương 1", "Khác"]
    assert [q.category for q in result.questions] == ["Luật/Chương 1", "Khác"]


# --- fuzzing: arbitrary text never crashes and never loses a titled question ----------------

FUZZ_LINES = st.one_of(
    st.text("::{}=~#%->\\;TF ab\tđạ1.\n", max_size=25),
    st.sampled_from(
        [
            "",
            "::t::",
            "::t::Hỏi {",
            "}",
            "{T}",
            "=a -> b",
            "~%50%x",
            "// [id:k] [tag:x]",
            "$CATEGORY: $course$/top/A",
            "{1:SA:=x}",
            "{1:MC:~=a~b}",
            "{#1..5}",
            "####gf",
            '";',
            "[html]<b>x</b>",
        ]
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(FUZZ_LINES, max_size=30).map("\n".join))
def test_fuzzed_gift_never_crashes_or_drops_a_titled_question(text):
    result = parse_gift(text)
    unexpected = [e for e in result.errors if "không mong đợi" in e.message]
    assert unexpected == []
    accounted = {q.line for q in result.questions} | {e.line for e in result.errors}
    lines = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    titled = {n for n, line in enumerate(lines.split("\n"), 1) if line.startswith("::")}
    assert titled <= accounted
    for q in result.questions:
        assert not validate.problems(q)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_fuzzed_text_never_crashes_any_parser(text):
    for parse in (parse_gift, parse_aiken, parse_moodle_xml):
        result = parse(text)
        assert all(e.line >= 1 for e in result.errors)
        assert not [e for e in result.errors if "không mong đợi" in e.message], parse
