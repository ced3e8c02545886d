"""decode_bytes and parse_file: encodings, line ends, format detection."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from app.quizzes.formats import decode_bytes, detect_format, parse_file

VI = unicodedata.normalize("NFC", "Nghị quyết của Ban Chấp hành Tổng Liên đoàn: ưu đãi, ơn, đạt")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (VI.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + VI.encode("utf-8"), "utf-8-sig"),
        (VI.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + VI.encode("utf-16-be"), "utf-16"),
        (VI.encode("utf-16-le"), "utf-16-le"),
        (unicodedata.normalize("NFD", VI).encode("utf-8"), "utf-8"),
    ],
)
def test_unicode_encodings(data, encoding):
    assert decode_bytes(data) == (VI, encoding)


def test_windows_1258_with_combining_tone_marks():
    # cp1258 writes "ị" as "i" + combining dot below; "ế" as "ê" + combining acute
    data = "Nghi\u0323 quyê\u0301t, ư\u0301ng, đa\u0323t".encode("cp1258")
    text, encoding = decode_bytes(data)
    assert encoding == "cp1258"
    assert text == "Nghị quyết, ứng, đạt"
    assert text == unicodedata.normalize("NFC", text)


def test_western_legacy_text_is_not_taken_for_vietnamese():
    text, encoding = decode_bytes("Café crème, où, ça".encode("cp1252"))
    assert text == "Café crème, où, ça" and encoding in ("cp1252", "cp1258")
    text, encoding = decode_bytes("Però così, lunedì".encode("cp1252"))
    assert (text, encoding) == ("Però così, lunedì", "cp1252")


def test_line_ends_and_chosen_encoding():
    assert decode_bytes(b"a\r\nb\rc\n") == ("a\nb\nc\n", "utf-8")
    assert decode_bytes("Đúng".encode("cp1258"), "cp1258") == ("Đúng", "cp1258")
    # a wrong choice that cannot decode the bytes falls back to detection
    assert decode_bytes(VI.encode("utf-8"), "ascii") == (VI, "utf-8")
    assert decode_bytes(b"\x81\x8d\x8f\x90\x9d", None)[1] in ("cp1258", "latin-1", "cp1252")


def test_detect_format():
    assert detect_format("bank.xml", "") == "moodle_xml"
    assert detect_format("bank.gift", "") == "gift"
    assert detect_format(None, '<?xml version="1.0"?><quiz/>') == "moodle_xml"
    assert detect_format("a.txt", "Câu hỏi?\nA) có\nB) không\nANSWER: A\n") == "aiken"
    assert detect_format("a.txt", "::t::Câu hỏi{=a ~b}") == "gift"


def test_parse_file_from_bytes_and_paths(tmp_path):
    gift = tmp_path / "ngân-hàng.gift"
    gift.write_bytes("::a::Đúng không?{T}\n".encode("cp1258"))
    result = parse_file(gift)
    assert result.encoding == "cp1258" and result.questions[0].text == "Đúng không?"
    aiken = "Câu hỏi?\r\nA. có\r\nB. không\r\nANSWER: B\r\n".encode("utf-8-sig")
    result = parse_file(aiken)
    assert result.questions[0].answers[1].fraction == 1.0
    with pytest.raises(ValueError):
        parse_file(aiken, fmt="docx")
