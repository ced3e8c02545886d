"""Aiken import: Moodle's fixtures (one full of errors) and a Vietnamese UTF-8 BOM/CRLF file."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from app.quizzes.formats import decode_bytes, parse_aiken, parse_file

INTEROP = Path(
    os.environ.get(
        "TDKT_INTEROP_DIR", Path(__file__).resolve().parents[2].parent / "shared" / "interop"
    )
)


def test_interop_folder_is_there():
    assert (INTEROP / "aiken").is_dir(), f"interop files not found in {INTEROP}"


def test_every_aiken_file_parses():
    files = sorted((INTEROP / "aiken").iterdir())
    assert len(files) >= 3
    for path in files:
        result = parse_file(path, "aiken")
        assert result.questions, path
        for issue in result.errors + result.warnings:
            assert issue.line >= 1


def _correct(q) -> str:
    return "".join("ABCDEFGH"[i] for i, a in enumerate(q.answers) if a.fraction == 1.0)


def test_moodle_questions():
    result = parse_file(INTEROP / "aiken/moodle-questions.aiken.txt")
    assert result.errors == []
    assert [q.qtype for q in result.questions] == ["single", "single"]
    assert [_correct(q) for q in result.questions] == ["B", "A"]
    first, second = result.questions
    assert first.text == "The Moodle project was started by:"
    assert [a.text for a in first.answers][1] == "Martin Dougiamas"
    # HTML in a stem is text, never markup
    assert second.text_format == "plain"
    assert '<html class="cool"> & images' in second.text


def test_moodle_errors_are_reported_on_the_right_lines():
    path = INTEROP / "aiken/moodle-aiken_errors.txt"
    result = parse_file(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    assert [q.text for q in result.questions] == ["A good question", "A second good question"]
    assert [_correct(q) for q in result.questions] == ["A", "B"]
    assert [a.text for a in result.questions[1].answers] == [
        "Incorrect (No space)",
        "Correct (No space)",
    ]
    by_line = {e.line: e.message for e in result.errors}
    assert sorted(by_line) == [1, 5, 14]
    assert lines[0] == "A question with too few answers" and "1 phương án" in by_line[1]
    assert lines[4] == "A) Question not started" and "chưa có đề bài" in by_line[5]
    assert lines[13] == "A question started but not finished" and "ANSWER" in by_line[14]
    # the options without a space are imported, with a warning on their lines
    assert [w.line for w in result.warnings] == [19, 20]


def test_vietnamese_utf8_bom_crlf():
    path = INTEROP / "aiken/vi-utf8-bom-crlf.txt"
    text, encoding = decode_bytes(path.read_bytes())
    assert encoding == "utf-8-sig" and "\r" not in text and not text.startswith("\ufeff")
    result = parse_file(path)
    assert result.errors == []
    assert [_correct(q) for q in result.questions] == ["C", "A"]
    first, second = result.questions
    expected = unicodedata.normalize(
        "NFC",
        "Theo kế hoạch thực hiện Nghị quyết 07/NQ-TLĐ, tỷ lệ cán bộ làm công tác thi đua, "
        "khen thưởng được tập huấn hằng năm là bao nhiêu?",
    )
    assert first.text == expected
    assert [a.text for a in first.answers] == ["50%", "85%", "100%", "15%"]
    assert [a.text for a in second.answers] == ["85%", "70%", "100%"]  # "A." options
    assert second.line == 8


def test_multiline_stem_and_errors_keep_going():
    text = "\n".join(
        [
            "Câu hỏi dòng một",  # 1
            "dòng hai",  # 2
            "A) có",  # 3
            "B) không",  # 4
            "ANSWER: A",  # 5
            "",
            "ANSWER: B",  # 7: no question
            "Câu sai đáp án",  # 8
            "A. x",
            "B. y",
            "ANSWER: D",  # 11
            "Câu cuối",  # 12
            "A) một",
            "B) hai",
        ]
    )
    result = parse_aiken(text)
    assert [q.text for q in result.questions] == ["Câu hỏi dòng một\ndòng hai"]
    assert [e.line for e in result.errors] == [7, 8, 12]
