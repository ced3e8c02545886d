"""Neutral data model of an imported question bank, plus small helpers shared by the formats.

Nothing here knows about the database or Flask: parsers turn text into these dataclasses and
exporters turn them back into text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

QTYPES = (
    "single",
    "multi",
    "truefalse",
    "short",
    "numerical",
    "matching",
    "essay",
    "description",
    "cloze",
)
TEXT_FORMATS = ("plain", "html", "markdown")
BLANK = "_____"  # what replaces an answer block in the middle of a GIFT question text


@dataclass
class ParsedAnswer:
    text: str  # answer text; matching: the right-hand side; numerical: the number as text
    fraction: float = 0.0  # weight -1.0..1.0 (1.0 fully correct); Moodle's %50% -> 0.5
    feedback: str = ""
    match_left: str | None = None  # matching: the left-hand side ("" for a distractor)
    tolerance: float = 0.0  # numerical
    range_min: float | None = None  # numerical given as min..max (GIFT only)
    range_max: float | None = None
    # numerical: the tolerance as the file wrote it ("0.0005"), exported as is; "" = none given
    tolerance_text: str = ""


@dataclass
class ParsedFile:
    """A file embedded in a question (Moodle XML `<file encoding="base64">`), which the text
    refers to as `@@PLUGINFILE@@/<path><name>`."""

    name: str
    path: str
    content: bytes

    @property
    def reference(self) -> str:
        return f"@@PLUGINFILE@@{self.path or '/'}{self.name}"


@dataclass
class ParsedQuestion:
    qtype: str  # one of QTYPES
    text: str  # stem (NFC); HTML kept as given when text_format == "html"
    text_format: str = "plain"  # "plain" | "html" | "markdown"
    title: str = ""
    key: str = ""  # stable id: `// [id:...]` (GIFT) or <idnumber> (XML)
    reference: str = ""  # `// [ref:...]` (our extension) or <tdkt_reference> (XML)
    tags: list[str] = field(default_factory=list)
    category: str = ""  # "A/B/C"
    answers: list[ParsedAnswer] = field(default_factory=list)
    general_feedback: str = ""  # our "explanation"
    line: int = 0  # 1-based line where the question starts in the source
    shuffle: bool = True
    single: bool = True  # for choice questions
    # cloze: `text` holds `{#1}`, `{#2}`... placeholders, one per entry of `subquestions`
    subquestions: list[ParsedQuestion] = field(default_factory=list)
    default_grade: float = 1.0  # XML <defaultgrade>; for a cloze part, the N of {N:SA:...}
    cloze_code: str = ""  # cloze part: "SHORTANSWER", "MULTICHOICE_V", ... (see cloze.py)
    case_sensitive: bool = False  # short answer (XML <usecase>, cloze SHORTANSWER_C)
    files: list[ParsedFile] = field(default_factory=list)  # embedded images (Moodle XML)


@dataclass
class ImportIssue:
    line: int
    message: str  # Vietnamese
    title: str = ""


@dataclass
class ParseResult:
    questions: list[ParsedQuestion]
    errors: list[ImportIssue]  # questions NOT imported, each with a line number
    warnings: list[ImportIssue]  # imported but changed
    categories: list[str]
    encoding: str = "utf-8"
    # what a file says of its categories (Moodle XML): {path: {"idnumber", "description"}}
    category_info: dict[str, dict] = field(default_factory=dict)


class QuestionError(ValueError):
    """A problem that keeps one question from being imported (message in Vietnamese)."""


# --- text helpers ----------------------------------------------------------------------------

# A question file is typed by people: a line this long is a broken or hostile file, and the
# line-based parsers would otherwise spend their time on it. Moodle XML is exempt (embedded
# images are long base64 lines); it has a nesting limit instead (moodle_xml.MAX_DEPTH).
MAX_LINE_CHARS = 20_000


def overlong_line(text: str) -> ImportIssue | None:
    """The first line longer than MAX_LINE_CHARS, as a file-level issue; None when all fit."""
    if len(text) <= MAX_LINE_CHARS:
        return None
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS:
            limit = f"{MAX_LINE_CHARS:,}".replace(",", ".")
            return ImportIssue(
                number,
                f"Dòng {number} dài hơn {limit} ký tự: tệp hỏng hoặc không phải tệp câu hỏi; "
                "không câu hỏi nào được nhập",
            )
    return None


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def normalise_newlines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[1:] if text.startswith("\ufeff") else text


_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|big|blockquote|br|center|code|div|em|font|h[1-6]|hr|i|img|li|ol|p|pre|"
    r"s|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul|audio|video|"
    r"source|iframe|figure|figcaption|mark|del|ins|dl|dt|dd)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """True when the text uses real HTML tags (Moodle's auto-format renders them)."""
    return bool(_HTML_TAG.search(text))


# --- numbers ---------------------------------------------------------------------------------


def fmt_number(value: float) -> str:
    """Shortest text that reads back as the same float: 3.0 -> "3", 0.5 -> "0.5"."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def tolerance_out(answer: ParsedAnswer) -> str:
    """A numerical answer's tolerance for export: as written when the source gave it."""
    return answer.tolerance_text or fmt_number(answer.tolerance)


def round_fraction(value: float) -> float:
    """Moodle keeps fractions with 7 decimals; so do we (makes round trips exact)."""
    result = round(float(value), 7)
    return 0.0 if result == 0 else result


def fmt_percent(fraction: float) -> str:
    """0.3333333 -> "33.33333", 1.0 -> "100" (Moodle percentages, up to 7 decimals)."""
    text = f"{fraction * 100:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_NUMBER = re.compile(r"^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A finite number written with "." or "," as decimal mark; None if it is not one."""
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def parse_percent(text: str) -> float:
    """ "50" / "-33.33333" / "33,3" -> fraction; QuestionError when not -100..100."""
    value = parse_number(text)
    if value is None or value < -100.0000001 or value > 100.0000001:
        raise QuestionError(f"Trọng số '%{text}%' không hợp lệ (phải là số từ -100 đến 100)")
    return round_fraction(value / 100)


def is_full(fraction: float) -> bool:
    return abs(fraction - 1.0) < 1e-7


# --- categories ------------------------------------------------------------------------------

_CONTEXT = re.compile(r"^\$[a-z0-9]+\$(?:/|$)", re.IGNORECASE)


def normalise_category(path: str) -> str:
    """`$course$/top/Iota/Kappa` -> "Iota/Kappa" (Moodle's context and "top" dropped)."""
    name = nfc(path.strip())
    match = _CONTEXT.match(name)
    if match:
        name = name[match.end() :]
    if name == "top":
        return ""
    if name.startswith("top/"):
        name = name[4:]
    return name.strip()


def category_path(category: str) -> str:
    return "$course$/top/" + category if category else "$course$/top"


def short_label(text: str, limit: int = 60) -> str:
    """A one-line extract of a text, for messages."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
