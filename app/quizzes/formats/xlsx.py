"""Reading question banks from XLSX spreadsheets: one row per question, Vietnamese column
headings (the layout, and what "Đáp án đúng" holds for each type: xlsx_columns.py).

Trainers fill the template `app/static/templates/mau-cau-hoi.xlsx` (xlsx_template.py builds it
from `COLUMNS`, so the headings cannot drift from the parser). `parse_xlsx` gives the same
`ParseResult` as the text formats, with `line` = the spreadsheet row number; `export_xlsx`
(xlsx_export.py) writes what it reads back.
"""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import date, datetime

from . import cloze
from .base import (
    ImportIssue,
    ParsedAnswer,
    ParsedQuestion,
    ParseResult,
    QuestionError,
    fmt_number,
    normalise_category,
    normalise_newlines,
    parse_number,
    parse_percent,
    round_fraction,
)
from .validate import problems
from .xlsx_columns import COLUMNS, FALSE_WORDS, SHEET, TRUE_WORDS, TYPE_LABELS, option_letter


def _norm(text: str) -> str:
    """Headings and labels compared loosely: NFC, lower case, no parenthesised notes,
    "/", "-" and "_" as spaces."""
    text = unicodedata.normalize("NFC", str(text)).lower()
    text = re.sub(r"\(.*?\)", " ", text)
    text = re.sub(r"[/_\-]+", " ", text)
    return " ".join(text.split())


_HEADINGS = {_norm(heading): key for key, heading in COLUMNS}
_HEADINGS.update({f"phương án {x.lower()}": f"option_{x}" for x in string.ascii_uppercase})
_HEADINGS.update(
    {
        "mã": "key",
        "id": "key",
        "loại câu hỏi": "qtype",
        "nội dung": "text",
        "đề bài": "text",
        "nội dung câu hỏi": "text",
        "đáp án": "answer",
        "căn cứ pháp lý": "reference",
        "phản hồi từng phương án": "feedback",
        "chủ đề": "category",
    }
)
_TYPES: dict[str, str] = {}
for _name, _label in TYPE_LABELS.items():
    _TYPES[_name] = _name
    _TYPES[_norm(_label)] = _name
    _TYPES["trắc nghiệm " + _norm(_label)] = _name
_TYPES.update({"đoạn mô tả": "description", "dạng số": "numerical", "ghép": "matching"})
_TYPES.update({"điền vào chỗ trống": "cloze", "điền khuyết": "cloze", "cloze": "cloze"})
_FORMATS = {"": "plain", "văn bản": "plain", "plain": "plain", "text": "plain"}
_FORMATS.update({"html": "html", "markdown": "markdown", "md": "markdown"})

# A question bank of more rows than this is split by its author (a course needs ~30–300;
# every row is parsed as a question before the limit is reached, ~60 µs each).
MAX_ROWS = 5_000
_WEIGHT = re.compile(r"^%(-?[\d.,]+)%\s*")
_FEEDBACK_LINE = re.compile(r"^\s*([A-Za-z]|\d{1,3}|đúng|sai|Đúng|Sai|ĐÚNG|SAI)\s*[:.)]\s?(.*)$")
_ARROW = re.compile(r"\s*(?:->|→)\s*")
_PLUS_MINUS = re.compile(r"\s*(?:±|\+-|\+/-)\s*")


# --- reading ---------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Đúng" if value else "Sai"
    if isinstance(value, int | float):
        return fmt_number(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return unicodedata.normalize("NFC", normalise_newlines(str(value))).strip()


def parse_xlsx(data: bytes, sheet: str | None = None) -> ParseResult:
    """Read a question spreadsheet. The heading row is the first of the first ten rows naming
    "Câu hỏi" and one more known column; the sheet is `sheet`, else "Câu hỏi" if there is one,
    else the first. A file that is not a readable XLSX is one error on line 1."""
    from app.core.safe_xlsx import XlsxTooLarge, XlsxUnreadable, sheet_rows

    result = ParseResult(questions=[], errors=[], warnings=[], categories=[], encoding="xlsx")
    keys: list[str | None] | None = None
    try:
        for number, row in enumerate(sheet_rows(data, MAX_ROWS, sheet, prefer=SHEET), start=1):
            if keys is None:
                keys = _heading_keys(row)
                if keys is None and number >= 10:
                    break
                continue
            values = {k: _cell(v) for k, v in zip(keys, row, strict=False) if k}
            if any(values.values()):
                _row(number, values, result)
    except XlsxTooLarge as error:  # nothing of a file this size is imported
        result.questions.clear()
        result.errors.append(ImportIssue(1, str(error)))
        return result
    except XlsxUnreadable:
        result.errors.append(ImportIssue(1, "Tệp không phải bảng tính Excel (.xlsx) đọc được"))
        return result
    if keys is None:
        result.errors.append(
            ImportIssue(1, "Không tìm thấy dòng tiêu đề (cần các cột “Loại”, “Câu hỏi”…)")
        )
    seen = dict.fromkeys(q.category for q in result.questions if q.category)
    result.categories = list(seen)
    return result


def _heading_keys(row) -> list[str | None] | None:
    keys = [_HEADINGS.get(_norm(v)) if isinstance(v, str) else None for v in row]
    if "text" in keys and sum(1 for k in keys if k) >= 2:
        return keys
    return None


def _row(number: int, values: dict[str, str], result: ParseResult) -> None:
    title = values.get("title") or values.get("key") or ""
    try:
        question = _question(number, values, result)
    except QuestionError as exc:
        result.errors.append(ImportIssue(number, f"Dòng {number}: {exc}", title))
        return
    found = problems(question)
    if found:
        result.errors.append(ImportIssue(number, f"Dòng {number}: " + "; ".join(found), title))
        return
    result.questions.append(question)


def _question(number: int, values: dict[str, str], result: ParseResult) -> ParsedQuestion:
    options = [values.get(f"option_{x}", "") for x in string.ascii_uppercase]
    extra = [line.strip() for line in values.get("options", "").split("\n") if line.strip()]
    options += extra
    while options and not options[-1]:
        options.pop()
    answer = values.get("answer", "")
    qtype = _qtype(values.get("qtype", ""), options, answer)
    text_format = _FORMATS.get(_norm(values.get("text_format", "")))
    if text_format is None:
        raise QuestionError(f"Định dạng «{values['text_format']}» không hợp lệ (để trống, html)")
    question = ParsedQuestion(
        qtype=qtype,
        text=values.get("text", ""),
        text_format=text_format,
        title=values.get("title", ""),
        key=values.get("key", ""),
        reference=values.get("reference", ""),
        tags=list(dict.fromkeys(t.strip() for t in re.split(r"[;\n]", values.get("tags", "")))),
        category=normalise_category(values.get("category", "")),
        general_feedback=values.get("explanation", ""),
        line=number,
        single=qtype != "multi",
    )
    question.tags = [t for t in question.tags if t]
    if qtype in ("single", "multi"):
        if any(not o for o in options):
            letter = option_letter(options.index(""))
            raise QuestionError(f"Phương án {letter} để trống giữa các phương án")
        question.answers = _choices(qtype, options, answer)
        labels = [option_letter(i) for i in range(len(options))]
    elif qtype == "truefalse":
        question.answers = _truefalse(answer)
        labels = ["Đúng", "Sai"]
    elif qtype in ("short", "numerical"):
        question.answers = _texts(answer, numeric=qtype == "numerical")
        labels = [str(i) for i in range(1, len(question.answers) + 1)]
    elif qtype == "matching":
        question.answers = [_pair(o) for o in options if o]
        labels = []
    elif qtype == "cloze":  # gaps written inline, as in Moodle: {1:SHORTANSWER:=đáp án}
        question.text, parts = cloze.split_text(question.text)
        question.subquestions = [cloze.parse_part(*part) for part in parts]
        labels = []
    else:
        labels = []
    _feedback(values.get("feedback", ""), question, labels, number, result)
    return question


def _qtype(label: str, options: list[str], answer: str) -> str:
    if label:
        found = _TYPES.get(_norm(label))
        if found is None:
            known = ", ".join(TYPE_LABELS.values())
            raise QuestionError(f"Loại câu hỏi «{label}» không hợp lệ (dùng: {known})")
        return found
    if options and answer:  # a plain multiple-choice row without its type filled in
        letters = re.findall(r"[A-Za-z]", answer.split(":")[0] if ":" in answer else answer)
        return "multi" if len(letters) > 1 or ";" in answer else "single"
    raise QuestionError("Cột «Loại» để trống")


def _choices(qtype: str, options: list[str], answer: str) -> list[ParsedAnswer]:
    if len(options) > 26:
        raise QuestionError("Nhiều hơn 26 phương án")
    fractions = [0.0] * len(options)
    spec = answer.strip().upper()
    if not spec:
        raise QuestionError("Thiếu «Đáp án đúng»")
    if ":" in spec or "=" in spec:
        for part in filter(None, (p.strip() for p in re.split(r"[;\n]+", spec))):
            pieces = re.split(r"\s*[:=]\s*", part, maxsplit=1)
            if len(pieces) != 2:
                raise QuestionError(f"Trọng số «{part}» phải có dạng A:50")
            letter, weight = pieces[0].strip(), pieces[1].rstrip("%").strip()
            index = _index(letter, options)
            value = parse_number(weight)
            if value is None or not -100.0000001 <= value <= 100.0000001:
                raise QuestionError(f"Trọng số «{part}» không hợp lệ (số từ -100 đến 100)")
            fractions[index] = round_fraction(value / 100)
    else:
        if not re.fullmatch(r"[A-Z](?:[\s,;/]*[A-Z])*", spec):
            raise QuestionError(
                f"Đáp án đúng «{answer}» phải là chữ cái phương án, ví dụ B hoặc A, C"
            )
        letters = list(dict.fromkeys(re.findall(r"[A-Z]", spec)))
        share = 1.0 if qtype == "single" else round_fraction(1 / len(letters))
        for letter in letters:
            fractions[_index(letter, options)] = share
    return [ParsedAnswer(text, fraction) for text, fraction in zip(options, fractions, strict=True)]


def _index(letter: str, options: list[str]) -> int:
    index = string.ascii_uppercase.find(letter) if len(letter) == 1 else -1
    if index < 0 or index >= len(options):
        raise QuestionError(f"Đáp án «{letter}» không ứng với phương án nào")
    return index


def _truefalse(answer: str) -> list[ParsedAnswer]:
    word = _norm(answer)
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise QuestionError("Đáp án đúng của câu đúng/sai phải là «Đúng» hoặc «Sai»")
    right = word in TRUE_WORDS
    return [
        ParsedAnswer("true", 1.0 if right else 0.0),
        ParsedAnswer("false", 0.0 if right else 1.0),
    ]


def _texts(answer: str, numeric: bool) -> list[ParsedAnswer]:
    parts = answer.split("\n") if "\n" in answer else answer.split("|")
    out = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        fraction = 1.0
        match = _WEIGHT.match(part)
        if match:
            fraction = parse_percent(match.group(1))
            part = part[match.end() :].strip()
        out.append(_number(part, fraction) if numeric else ParsedAnswer(part, fraction))
    if not out:
        raise QuestionError("Thiếu «Đáp án đúng»")
    return out


def _number(text: str, fraction: float) -> ParsedAnswer:
    if text == "*":
        return ParsedAnswer("*", fraction)
    if ".." in text:
        low, _sep, high = text.partition("..")
        low_value, high_value = parse_number(low), parse_number(high)
        if low_value is None or high_value is None or low_value > high_value:
            raise QuestionError(f"Khoảng số «{text}» không hợp lệ (ví dụ 1..5)")
        middle = (low_value + high_value) / 2
        return ParsedAnswer(fmt_number(middle), fraction, range_min=low_value, range_max=high_value)
    pieces = _PLUS_MINUS.split(text, maxsplit=1)
    value_text = pieces[0]
    tolerance_text = pieces[1] if len(pieces) > 1 else "0"
    value, tolerance = parse_number(value_text), parse_number(tolerance_text)
    if value is None or tolerance is None or tolerance < 0:
        raise QuestionError(f"Đáp án số «{text}» không hợp lệ (ví dụ 3 ± 0,5)")
    # as written (the decimal comma of a Vietnamese sheet read as a point), not re-formatted
    written = value_text.strip().replace(",", ".")
    tolerance_written = tolerance_text.strip().replace(",", ".") if tolerance else ""
    return ParsedAnswer(written, fraction, tolerance=tolerance, tolerance_text=tolerance_written)


def _pair(option: str) -> ParsedAnswer:
    pieces = _ARROW.split(option, maxsplit=1)
    if len(pieces) == 1:
        return ParsedAnswer(option.strip(), 0.0, match_left="")
    left, right = pieces[0].strip(), pieces[1].strip()
    return ParsedAnswer(right, 1.0 if left else 0.0, match_left=left)


def _feedback(cell: str, question: ParsedQuestion, labels: list[str], number: int, result) -> None:
    if not cell:
        return
    by_label: dict[str, list[str]] = {}
    current: str | None = None
    for line in cell.split("\n"):
        match = _FEEDBACK_LINE.match(line)
        if match:
            current = match.group(1).upper() if len(match.group(1)) == 1 else match.group(1)
            current = {"ĐÚNG": "Đúng", "đúng": "Đúng", "SAI": "Sai", "sai": "Sai"}.get(
                current, current
            )
            by_label.setdefault(current, []).append(match.group(2))
        elif current is not None:
            by_label[current].append(line)
        else:
            result.warnings.append(
                ImportIssue(number, f"Dòng {number}: phản hồi «{line[:40]}» thiếu nhãn (A: …)")
            )
    for label, lines in by_label.items():
        if label not in labels:
            result.warnings.append(
                ImportIssue(
                    number, f"Dòng {number}: phản hồi cho «{label}» không ứng với đáp án nào"
                )
            )
            continue
        question.answers[labels.index(label)].feedback = "\n".join(lines).strip()


# --- writing ---------------------------------------------------------------------------------
