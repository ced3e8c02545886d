"""The XLSX question sheet's layout, shared by the reader (xlsx.py), the writer (xlsx_export.py)
and the template (xlsx_template.py): column keys and Vietnamese headings, type and format labels.

"Đáp án đúng" by type:
  một lựa chọn   B                    (or weights: A:100;B:50)
  nhiều lựa chọn A, C                 (equal shares) or A:50;C:50;B:-100
  đúng sai       Đúng / Sai (T / F)
  trả lời ngắn   Frog | %50%Cat       ("|" or one answer per line; %N% = partial credit)
  số             3 ± 2 | %50%10       (also 3+-2, or a range 1..5)
  ghép đôi       (empty: each option is "left -> right"; "-> right" alone is a distractor)
  điền chỗ trống (empty: the gaps are in the text, Moodle style: {1:SHORTANSWER:=đáp án})
"Phản hồi" holds one line per answer: "A: …" (choices), "1: …" (short/number answers in the
order given), "Đúng: …" / "Sai: …" (true/false).
"""

from __future__ import annotations

import string

SHEET = "Câu hỏi"
LETTERS = "ABCDEF"
COLUMNS: list[tuple[str, str]] = [
    ("key", "Mã câu hỏi"),
    ("title", "Tiêu đề"),
    ("qtype", "Loại"),
    ("category", "Danh mục"),
    ("text", "Câu hỏi"),
    ("text_format", "Định dạng"),
    *[(f"option_{x}", f"Phương án {x}") for x in LETTERS],
    ("options", "Phương án (các phương án sau F, mỗi dòng một phương án)"),
    ("answer", "Đáp án đúng"),
    ("feedback", "Phản hồi (mỗi dòng: A: …)"),
    ("explanation", "Giải thích"),
    ("reference", "Căn cứ"),
    ("tags", "Thẻ"),
]
TYPE_LABELS = {
    "single": "một lựa chọn",
    "multi": "nhiều lựa chọn",
    "truefalse": "đúng sai",
    "short": "trả lời ngắn",
    "numerical": "số",
    "matching": "ghép đôi",
    "essay": "tự luận",
    "description": "mô tả",
    "cloze": "điền chỗ trống",
}
FORMAT_LABELS = {"plain": "", "html": "html", "markdown": "markdown"}
TRUE_WORDS = {"đúng", "đ", "t", "true", "1", "yes", "có"}
FALSE_WORDS = {"sai", "s", "f", "false", "0", "no", "không"}
COLUMN_WIDTHS = {"text": 60, "qtype": 16, "category": 24, "explanation": 40, "feedback": 30}


def option_letter(index: int) -> str:
    """The letter of the option at `index` (A, B, …; "#27" past Z)."""
    return string.ascii_uppercase[index] if index < 26 else f"#{index + 1}"


def columns_for(option_count: int) -> list[tuple[str, str]]:
    """COLUMNS with "Phương án G", "Phương án H"… added when questions have more options."""
    letters = string.ascii_uppercase[len(LETTERS) : min(26, option_count)]
    extra = [(f"option_{x}", f"Phương án {x}") for x in letters]
    at = next(i for i, (key, _h) in enumerate(COLUMNS) if key == "options")
    return COLUMNS[:at] + extra + COLUMNS[at:]
