"""Moodle XML import, through defusedxml's SAX parser (no DTD entities, no external files).

Each question keeps the line of its `<question` tag. A file that is not well-formed is read
question by question, so one broken `<question>` does not hide the others.
"""

from __future__ import annotations

import base64
import binascii
import re
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import DefusedXmlException

from . import cloze, validate
from .base import (
    ImportIssue,
    ParsedAnswer,
    ParsedFile,
    ParsedQuestion,
    ParseResult,
    QuestionError,
    looks_like_html,
    nfc,
    normalise_category,
    normalise_newlines,
    parse_number,
    parse_percent,
)
from .encoding import decode_bytes

_TYPES = {
    "multichoice": "single",
    "truefalse": "truefalse",
    "shortanswer": "short",
    "numerical": "numerical",
    "matching": "matching",
    "essay": "essay",
    "description": "description",
    "cloze": "cloze",
    "multianswer": "cloze",
}
_FORMATS = {"html": "html", "markdown": "markdown", "plain_text": "plain"}
# Moodle writes questions four levels deep (quiz/question/answer/text); hostile nesting made
# the tree walk quadratic (20,000 open tags: 15 s).
MAX_DEPTH = 32
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


class _Node:
    __slots__ = ("tag", "attrib", "children", "parts", "line")

    def __init__(self, tag: str, attrib: dict, line: int) -> None:
        self.tag, self.attrib, self.line = tag, attrib, line
        self.children: list[_Node] = []
        self.parts: list[str] = []

    def find(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]

    def text(self) -> str:
        return "".join(self.parts)

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()


class _TooDeep(QuestionError):
    def __init__(self, line: int) -> None:
        super().__init__(
            f"Dòng {line}: các thẻ XML lồng nhau quá {MAX_DEPTH} cấp (tệp hỏng hoặc không phải "
            "tệp câu hỏi Moodle); không câu hỏi nào được nhập"
        )
        self.line = line


class _Builder(ContentHandler):
    def __init__(self, line_offset: int = 0) -> None:
        super().__init__()
        self.root: _Node | None = None
        self.stack: list[_Node] = []
        self.offset = line_offset
        self.locator = None

    def setDocumentLocator(self, locator) -> None:  # noqa: N802 - SAX API
        self.locator = locator

    def startElement(self, name, attrs) -> None:  # noqa: N802 - SAX API
        line = (self.locator.getLineNumber() if self.locator else 0) + self.offset
        if len(self.stack) >= MAX_DEPTH:
            raise _TooDeep(line)
        node = _Node(name, dict(attrs), line)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElement(self, name) -> None:  # noqa: N802 - SAX API
        self.stack.pop()

    def characters(self, content) -> None:
        if self.stack:
            self.stack[-1].parts.append(content)


def _tree(text: str, line_offset: int = 0) -> _Node:
    builder = _Builder(line_offset)
    defusedxml.sax.parseString(text.encode("utf-8"), builder)
    if builder.root is None:
        raise QuestionError("Tệp XML rỗng")
    return builder.root


def _to_text(data: bytes | str) -> tuple[str, str]:
    if isinstance(data, str):
        return data, "utf-8"
    declared = _DECLARED.match(data)
    if declared and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return decode_bytes(data, declared.group(1).decode("ascii"))
    return decode_bytes(data)


def parse_moodle_xml(data: bytes | str) -> ParseResult:
    """Parse a Moodle XML question file (bytes: the declared encoding is honoured)."""
    result = ParseResult(questions=[], errors=[], warnings=[], categories=[])
    try:
        text, result.encoding = _to_text(data)
        text = nfc(normalise_newlines(text))
        # the text is already decoded: declare it as the UTF-8 we hand to the parser
        text = _DECLARATION.sub(
            lambda m: '<?xml version="1.0" encoding="UTF-8"?>' + "\n" * m.group(0).count("\n"),
            text,
        )
        state = {"category": ""}
        for node in _question_nodes(text, result):
            _question(node, result, state)
    except Exception as exc:  # noqa: BLE001 - the importer must never crash
        result.errors.append(ImportIssue(1, f"Lỗi không mong đợi khi đọc tệp XML: {exc!r}"))
    return result


def _question_nodes(text: str, result: ParseResult) -> list[_Node]:
    try:
        return _tree(text).findall("question")
    except DefusedXmlException:
        result.errors.append(
            ImportIssue(
                1,
                "Tệp XML có khai báo DTD/thực thể (entity) hoặc tham chiếu tệp ngoài: bị từ chối "
                "vì lý do an toàn",
            )
        )
        return []
    except _TooDeep as exc:
        result.errors.append(ImportIssue(exc.line, str(exc)))
        return []
    except SAXParseException as exc:
        line = exc.getLineNumber()
        message = exc.getMessage()
    except QuestionError as exc:
        line, message = 1, str(exc)
    nodes = []
    # Search only up to the last closing tag: an opening tag with no closing one after it
    # would make the lazy `.*?` scan to the end of the text once per opening tag.
    end = text.rfind("</question")
    end = text.find(">", end) + 1 if end != -1 else 0
    chunks = list(re.finditer(r"<question\b.*?</question\s*>", text[:end], re.S))
    if not chunks:
        result.errors.append(ImportIssue(line, f"Tệp XML không hợp lệ (dòng {line}): {message}"))
        return []
    result.warnings.append(
        ImportIssue(line, f"Tệp XML lỗi cú pháp ở dòng {line} ({message}); đã đọc từng câu hỏi")
    )
    start, counted_to = 1, 0
    for chunk in chunks:
        start += text.count("\n", counted_to, chunk.start())  # counted once, not from 0 each time
        counted_to = chunk.start()
        try:
            nodes.append(_tree(chunk.group(0), start - 1))
        except Exception as exc:  # noqa: BLE001
            detail = exc.getMessage() if isinstance(exc, SAXParseException) else str(exc)
            name = re.search(r"<name>\s*<text>(.*?)</text>", chunk.group(0), re.S)
            result.errors.append(
                ImportIssue(
                    start,
                    f"Câu hỏi XML bị lỗi cú pháp: {detail}",
                    name.group(1).strip() if name else "",
                )
            )
    return nodes


def _field(node: _Node | None, tag: str) -> tuple[str, str | None]:
    """(text, format) of `<tag format=".."><text>...</text></tag>`."""
    child = node.find(tag) if node is not None else None
    if child is None:
        return "", None
    inner = child.find("text")
    return (inner.text() if inner is not None else "").strip(), child.attrib.get("format")


def _value(node: _Node, tag: str) -> str:
    child = node.find(tag)
    return child.text().strip() if child is not None else ""


def _flag(node: _Node, tag: str, default: bool) -> bool:
    value = _value(node, tag).lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    return default


def _text_format(declared: str | None, text: str) -> str:
    if declared in _FORMATS:
        return _FORMATS[declared]
    return "html" if looks_like_html(text) else "plain"


def _question(node: _Node, result: ParseResult, state: dict) -> None:
    kind = node.attrib.get("type", "")
    if kind == "category":
        path, _ = _field(node, "category")
        category = normalise_category(path)
        if category and category not in result.categories:
            result.categories.append(category)
        state["category"] = category
        description, _ = _field(node, "info")
        idnumber = _value(node, "idnumber")
        if category and (description or idnumber):
            result.category_info[category] = {
                "idnumber": idnumber[:100],
                "description": description,
            }
        return
    title, _ = _field(node, "name")
    try:
        question = _build(node, kind, title, result)
        question.category = state["category"]
        found = validate.problems(question)
        if found:
            result.errors.append(ImportIssue(node.line, "; ".join(found), title))
        else:
            result.questions.append(question)
    except QuestionError as exc:
        result.errors.append(ImportIssue(node.line, str(exc), title))
    except Exception as exc:  # noqa: BLE001 - one broken question must not stop the file
        result.errors.append(ImportIssue(node.line, f"Lỗi không mong đợi: {exc!r}", title))


def _build(node: _Node, kind: str, title: str, result: ParseResult) -> ParsedQuestion:
    if kind not in _TYPES:
        raise QuestionError(f"Loại câu hỏi «{kind}» chưa được hỗ trợ")
    text, declared = _field(node, "questiontext")
    general, _ = _field(node, "generalfeedback")
    tags = []
    for tag in node.find("tags").findall("tag") if node.find("tags") is not None else []:
        value, _ = _field_text(tag)
        if value and value not in tags:
            tags.append(value)
    grade = parse_number(_value(node, "defaultgrade")) if _value(node, "defaultgrade") else 1.0
    question = ParsedQuestion(
        qtype=_TYPES[kind],
        text=text,
        text_format=_text_format(declared, text),
        title=title,
        key=_value(node, "idnumber"),
        reference=_value(node, "tdkt_reference"),
        tags=tags,
        general_feedback=general,
        line=node.line,
        shuffle=_flag(node, "shuffleanswers", True),
        default_grade=grade if grade is not None else 1.0,
    )
    question.files = _files(node, result, title)
    if kind == "multichoice":
        question.single = _flag(node, "single", True)
        question.qtype = "single" if question.single else "multi"
        question.answers = _answers(node)
    elif kind in ("shortanswer", "numerical"):
        question.case_sensitive = _flag(node, "usecase", False)
        question.answers = _answers(node, numerical=kind == "numerical")
    elif kind == "truefalse":
        question.answers = _truefalse(_answers(node))
    elif kind == "matching":
        question.answers = _pairs(node)
    elif question.qtype == "cloze":
        question.text, parts = cloze.split_text(text)
        question.subquestions = [cloze.parse_part(*part) for part in parts]
    return question


def _files(node: _Node, result: ParseResult, title: str) -> list[ParsedFile]:
    """The base64 files embedded anywhere in the question (its text, feedback, answers)."""
    files = []
    for child in node.iter():
        if child.tag != "file":
            continue
        name = (child.attrib.get("name") or "").strip()
        try:
            if child.attrib.get("encoding", "base64") != "base64" or not name:
                raise ValueError(name)
            content = base64.b64decode("".join(child.text().split()), validate=True)
        except (ValueError, binascii.Error):
            result.warnings.append(
                ImportIssue(node.line, f"Tệp đính kèm «{name}» không đọc được: bỏ qua", title)
            )
            continue
        path = (child.attrib.get("path") or "/").strip() or "/"
        files.append(ParsedFile(name=name, path=path, content=content))
    return files


def _field_text(node: _Node) -> tuple[str, None]:
    inner = node.find("text")
    return (inner.text() if inner is not None else node.text()).strip(), None


def _answers(node: _Node, numerical: bool = False) -> list[ParsedAnswer]:
    answers = []
    for child in node.findall("answer"):
        text, _ = _field_text(child)
        fraction = parse_percent(child.attrib.get("fraction", "0").strip() or "0")
        feedback, _ = _field(child, "feedback")
        answer = ParsedAnswer(text, fraction, feedback)
        if numerical:
            tolerance = _value(child, "tolerance")
            value = parse_number(tolerance) if tolerance else 0.0
            if value is None:
                raise QuestionError(f"Sai số không hợp lệ: «{tolerance}»")
            answer.tolerance = abs(value)
            answer.tolerance_text = tolerance.strip().lstrip("+-") if value else ""
        answers.append(answer)
    return answers


def _truefalse(answers: list[ParsedAnswer]) -> list[ParsedAnswer]:
    by_text = {a.text.strip().lower(): a for a in answers}
    if set(by_text) != {"true", "false"} or len(answers) != 2:
        raise QuestionError("Câu hỏi Đúng/Sai phải có hai đáp án «true» và «false»")
    return [
        ParsedAnswer("true", by_text["true"].fraction, by_text["true"].feedback),
        ParsedAnswer("false", by_text["false"].fraction, by_text["false"].feedback),
    ]


def _pairs(node: _Node) -> list[ParsedAnswer]:
    pairs = []
    for child in node.findall("subquestion"):
        left, _ = _field_text(child)
        right, _ = _field(child, "answer")
        pairs.append(ParsedAnswer(right, 1.0 if left else 0.0, match_left=left))
    return pairs
