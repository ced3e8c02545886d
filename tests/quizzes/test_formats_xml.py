"""Moodle XML import: Moodle's fixtures, every question type, line numbers, hostile input."""

from __future__ import annotations

import os
from pathlib import Path

from app.quizzes.formats import parse_file, parse_moodle_xml

INTEROP = Path(
    os.environ.get(
        "TDKT_INTEROP_DIR", Path(__file__).resolve().parents[2].parent / "shared" / "interop"
    )
)


def test_interop_folder_is_there():
    assert (INTEROP / "moodle-xml").is_dir(), f"interop files not found in {INTEROP}"


def test_nested_categories():
    result = parse_file(INTEROP / "moodle-xml/moodle-nested_categories_with_questions.xml")
    assert result.errors == []
    assert result.categories == ["Iota", "Iota/Kappa", "Iota/Kappa/Lambda", "Iota/Mu"]
    assert [(q.qtype, q.category) for q in result.questions] == [
        ("truefalse", "Iota"),
        ("essay", "Iota/Kappa"),
        ("truefalse", "Iota/Kappa"),
        ("truefalse", "Iota/Kappa/Lambda"),
        ("truefalse", "Iota/Mu"),
    ]
    first = result.questions[0]
    assert (first.title, first.text, first.text_format) == (
        "Iota Question",
        "<p>Testing Iota Question</p>",
        "html",
    )
    assert [(a.text, a.fraction) for a in first.answers] == [("true", 1.0), ("false", 0.0)]
    lines = (INTEROP / "moodle-xml/moodle-nested_categories_with_questions.xml").read_text()
    lines = lines.split("\n")
    for q in result.questions:
        assert lines[q.line - 1].strip().startswith("<question type=")
        assert q.title in "\n".join(lines[q.line : q.line + 3])


def test_invalid_grades_are_an_error_naming_the_question():
    result = parse_file(INTEROP / "moodle-xml/moodle-error_invalid_grades.xml")
    assert result.questions == []
    (error,) = result.errors
    assert error.line == 4
    assert "invalid grades" in error.title and "invalid grades" in error.message
    assert "100%" in error.message


XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Luật/Chương 1</text></category>
  </question>
  <question type="multichoice">
    <name><text>Một lựa chọn</text></name>
    <questiontext format="html"><text><![CDATA[<p>Chọn <b>một</b></p>]]></text></questiontext>
    <generalfeedback format="html"><text>Vì A đúng</text></generalfeedback>
    <idnumber>mc-1</idnumber>
    <tdkt_reference>NQ 07</tdkt_reference>
    <single>true</single>
    <shuffleanswers>0</shuffleanswers>
    <answer fraction="100"><text>A</text><feedback><text>Đúng</text></feedback></answer>
    <answer fraction="0"><text>B</text><feedback><text>Sai</text></feedback></answer>
    <tags><tag><text>luật</text></tag><tag><text>cơ bản</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>Nhiều lựa chọn</text></name>
    <questiontext format="plain_text"><text>Chọn hai</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>A</text></answer>
    <answer fraction="50"><text>B</text></answer>
    <answer fraction="-100"><text>C</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>Ngắn</text></name>
    <questiontext format="markdown"><text>Thủ đô?</text></questiontext>
    <usecase>1</usecase>
    <answer fraction="100"><text>Hà Nội</text></answer>
    <answer fraction="50"><text>Ha Noi</text></answer>
  </question>
  <question type="numerical">
    <name><text>Số</text></name>
    <questiontext format="moodle_auto_format"><text>Bao nhiêu?</text></questiontext>
    <answer fraction="100"><text>3</text><tolerance>2</tolerance></answer>
    <answer fraction="0"><text>*</text><feedback><text>Sai hẳn</text></feedback></answer>
  </question>
  <question type="matching">
    <name><text>Ghép</text></name>
    <questiontext format="html"><text>Ghép đôi</text></questiontext>
    <subquestion format="html"><text>Một</text><answer><text>1</text></answer></subquestion>
    <subquestion format="html"><text>Hai</text><answer><text>2</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>3</text></answer></subquestion>
  </question>
  <question type="description">
    <name><text>Mô tả</text></name>
    <questiontext format="html"><text>Đọc đoạn sau</text></questiontext>
  </question>
  <question type="cloze">
    <name><text>Điền</text></name>
    <questiontext format="html"><text><![CDATA[<p>{1:SHORTANSWER:=Hà Nội#Đúng~%50%Hanoi} và
{2:MULTICHOICE_V:=Bắc~Nam} don&#39;t {1:NM:=3:0.5}</p>]]></text></questiontext>
  </question>
  <question type="calculated">
    <name><text>Tính</text></name>
    <questiontext format="html"><text>{a} + {b}</text></questiontext>
  </question>
</quiz>
"""


def test_every_supported_type():
    result = parse_moodle_xml(XML.encode("utf-8"))
    kinds = [q.qtype for q in result.questions]
    assert kinds == ["single", "multi", "short", "numerical", "matching", "description", "cloze"]
    single, multi, short, number, match, description, cloze = result.questions
    assert result.categories == ["Luật/Chương 1"]
    assert {q.category for q in result.questions} == {"Luật/Chương 1"}
    assert (single.key, single.reference, single.tags) == ("mc-1", "NQ 07", ["luật", "cơ bản"])
    assert single.general_feedback == "Vì A đúng" and not single.shuffle
    assert [(a.text, a.fraction, a.feedback) for a in single.answers] == [
        ("A", 1.0, "Đúng"),
        ("B", 0.0, "Sai"),
    ]
    assert [a.fraction for a in multi.answers] == [0.5, 0.5, -1.0]
    assert multi.text_format == "plain"
    assert short.text_format == "markdown" and short.case_sensitive
    assert [(a.text, a.tolerance) for a in number.answers] == [("3", 2.0), ("*", 0.0)]
    assert [(a.match_left, a.text) for a in match.answers] == [
        ("Một", "1"),
        ("Hai", "2"),
        ("", "3"),
    ]
    assert description.text == "Đọc đoạn sau"
    assert cloze.text == "<p>{#1} và\n{#2} don&#39;t {#3}</p>"
    assert [s.qtype for s in cloze.subquestions] == ["short", "single", "numerical"]
    assert cloze.subquestions[0].answers[0].feedback == "Đúng"
    assert cloze.subquestions[1].default_grade == 2.0
    (unsupported,) = result.errors
    assert "calculated" in unsupported.message and unsupported.title == "Tính"
    lines = XML.split("\n")
    for q in result.questions:
        assert lines[q.line - 1].strip().startswith("<question type=")


def test_str_input_with_declared_encoding_and_latin1_bytes():
    latin = XML.replace("UTF-8", "ISO-8859-1").replace("Thủ đô?", "Café?")
    latin = latin.split('<question type="multichoice">')[0] + "</quiz>\n"
    assert parse_moodle_xml(latin).errors == []
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<quiz><question type="essay">'
        '<name><text>Caf\xe9</text></name><questiontext format="html"><text>R\xe9sum\xe9'
        "</text></questiontext></question></quiz>"
    ).encode("latin-1")
    result = parse_moodle_xml(data)
    assert [q.title for q in result.questions] == ["Café"]
    assert result.questions[0].text == "Résumé"


def test_entity_bomb_is_refused():
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        '<quiz><question type="essay"><name><text>&lol2;</text></name></question></quiz>'
    )
    result = parse_moodle_xml(bomb)
    assert result.questions == []
    assert len(result.errors) == 1 and "an toàn" in result.errors[0].message


def test_one_broken_question_does_not_hide_the_others():
    text = (
        "<quiz>\n"
        '<question type="truefalse"><name><text>Tốt</text></name>\n'
        '<questiontext format="html"><text>Đúng?</text></questiontext>\n'
        '<answer fraction="100"><text>true</text></answer>\n'
        '<answer fraction="0"><text>false</text></answer></question>\n'
        '<question type="essay"><name><text>Hỏng</text></name>\n'
        "<questiontext><text>a < b</text></questiontext></question>\n"
        '<question type="essay"><name><text>Sau</text></name>\n'
        "<questiontext><text>Viết</text></questiontext></question>\n"
        "</quiz>"
    )
    result = parse_moodle_xml(text)
    assert [q.title for q in result.questions] == ["Tốt", "Sau"]
    assert [q.line for q in result.questions] == [2, 8]
    assert [(e.line, e.title) for e in result.errors] == [(6, "Hỏng")]


def test_garbage_is_an_error_not_a_crash():
    for data in (b"", b"not xml at all", b"<quiz>", b"<quiz><question>", b"\xff\xfe\x00"):
        result = parse_moodle_xml(data)
        assert result.questions == [] and result.errors, data
