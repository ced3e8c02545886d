"""GIFT import (Moodle's "General Import Format Technology"), tolerant of real-world files.

Questions are separated by blank lines, except inside an open `{...}` block; a line starting
with `::` also starts a new question. `$CATEGORY:` lines switch category. Comment lines `//`
directly before a question may carry `[id:...]`, `[ref:...]` (ours) and `[tag:...]`.
A question with several answer blocks, or Moodle cloze markers (`{1:SA:=...}`), is imported as
a "cloze" question. Every question that cannot be imported becomes an `ImportIssue` with the
line where it starts; nothing is dropped silently and no exception escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import cloze, validate
from .base import (
    BLANK,
    ImportIssue,
    ParsedQuestion,
    ParseResult,
    QuestionError,
    looks_like_html,
    nfc,
    normalise_category,
    normalise_newlines,
    overlong_line,
)
from .cloze import protect, restore
from .gift_answers import FORMAT as _FORMAT
from .gift_answers import fill, fill_cloze

GIFT_ESCAPES = "\\~=#{}:n"
_JUNK = re.compile(r"[\s\"';]*;[\s\"';]*")
_META = re.compile(r"\[(id|ref|tags?):\s*((?:\\.|[^\]\\])*?)\s*\]", re.IGNORECASE)
# `// [historical]`: the question cites a replaced document on purpose (stored as a tag).
_HISTORICAL = re.compile(r"\[historical\]", re.IGNORECASE)


@dataclass
class _Block:
    category: str
    lines: list[tuple[int, str, bool]] = field(default_factory=list)  # (line, text, comment)

    def has_content(self) -> bool:
        return any(not comment for _, _, comment in self.lines)

    def first_line(self) -> int:
        return next((n for n, _, c in self.lines if not c), self.lines[0][0])

    def content(self) -> str:
        return "\n".join(text for _, text, comment in self.lines if not comment)

    def leading_comments(self) -> list[str]:
        out = []
        for _, text, comment in self.lines:
            if not comment:
                break
            out.append(text.strip()[2:])
        return out

    def titled(self) -> bool:
        return self.content().lstrip().startswith("::")


def parse_gift(text: str) -> ParseResult:
    """Parse GIFT text (str; use `decode_bytes` for uploaded bytes)."""
    result = ParseResult(questions=[], errors=[], warnings=[], categories=[])
    try:
        text = nfc(normalise_newlines(text))
        too_long = overlong_line(text)
        if too_long:
            result.errors.append(too_long)
            return result
        for block in _merge(_split(text, result), result):
            _parse_block(block, result)
    except Exception as exc:  # noqa: BLE001 - the importer must never crash
        result.errors.append(ImportIssue(1, f"Lỗi không mong đợi khi đọc tệp GIFT: {exc!r}"))
    return result


# --- splitting into questions ----------------------------------------------------------------


def _depth_after(line: str, depth: int) -> int:
    for char in protect(line, GIFT_ESCAPES):
        if char == "{":
            depth = 1
        elif char == "}":
            depth = 0
    return depth


def _split(text: str, result: ParseResult) -> list[_Block]:
    blocks: list[_Block] = []
    category = ""
    current = _Block(category)
    depth = 0

    def flush() -> None:
        nonlocal current
        if current.has_content():
            blocks.append(current)
        current = _Block(category)

    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if depth and (stripped.startswith("::") or stripped.startswith("$CATEGORY:")):
            flush()  # the previous question never closed its "{": it will be reported
            depth = 0
        if depth:
            if not stripped.startswith("//"):
                depth = _depth_after(raw, depth)
            current.lines.append((number, raw, stripped.startswith("//")))
            continue
        if not stripped:
            flush()
        elif stripped.startswith("$CATEGORY:"):
            flush()
            category = normalise_category(stripped[len("$CATEGORY:") :])
            current = _Block(category)
            if category and category not in result.categories:
                result.categories.append(category)
        elif stripped.startswith("//"):
            current.lines.append((number, raw, True))
        elif _JUNK.fullmatch(stripped):
            result.warnings.append(ImportIssue(number, f"Bỏ qua dòng thừa «{stripped}»"))
        else:
            if stripped.startswith("::") and current.has_content():
                trailing = []
                while current.lines and current.lines[-1][2]:
                    trailing.insert(0, current.lines.pop())
                flush()
                current.lines.extend(trailing)
            current.lines.append((number, raw, False))
            depth = _depth_after(raw, depth)
    flush()
    return blocks


def _merge(blocks: list[_Block], result: ParseResult) -> list[_Block]:
    """An untitled text or cloze block right after a titled question that has no answer block
    yet is that question's continuation (a blank line inside the question)."""
    out: list[_Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        content = protect(block.content(), GIFT_ESCAPES)
        if (
            previous is not None
            and not block.titled()
            and previous.titled()
            and previous.category == block.category
            and "{" not in protect(previous.content(), GIFT_ESCAPES)
            and ("{" not in content or re.search(r"\{" + cloze.HEAD.pattern, content, re.I))
        ):
            title = _title_guess(previous.content())
            result.warnings.append(
                ImportIssue(
                    block.first_line(),
                    f"Đoạn không có tiêu đề từ dòng {block.first_line()} được ghép vào câu hỏi "
                    f"«{title}» (dòng {previous.first_line()}) vì dòng trống nằm giữa câu hỏi",
                    title,
                )
            )
            gap = block.first_line() - 1
            previous.lines.append((gap, "", False))
            previous.lines.extend(line for line in block.lines if not line[2])
            continue
        out.append(block)
    return out


def _title_guess(content: str) -> str:
    match = re.match(r"\s*::(.*?)::", content, re.S)
    return restore(protect(match.group(1), GIFT_ESCAPES)).strip() if match else ""


# --- one question ----------------------------------------------------------------------------


def _parse_block(block: _Block, result: ParseResult) -> None:
    line = block.first_line()
    title = _title_guess(block.content())
    try:
        question = _parse_question(block, result, line)
        title = question.title
        found = validate.problems(question)
        if found:
            result.errors.append(ImportIssue(line, "; ".join(found), title))
        else:
            result.questions.append(question)
    except QuestionError as exc:
        result.errors.append(ImportIssue(line, str(exc), title))
    except Exception as exc:  # noqa: BLE001 - one broken question must not stop the file
        result.errors.append(ImportIssue(line, f"Lỗi không mong đợi: {exc!r}", title))


def _meta(comments: list[str]) -> tuple[str, str, list[str]]:
    key = reference = ""
    tags: list[str] = []
    for comment in comments:
        for kind, raw in _META.findall(comment):
            value = re.sub(r"\\(.)", r"\1", raw).strip()
            kind = kind.lower()
            if kind == "id":
                key = value
            elif kind == "ref":
                reference = value
            else:  # `[tag:x]`, or `[tags: tinh-huong, y]`: several, comma-separated
                parts = value.split(",") if kind == "tags" else [value]
                for tag in (p.strip() for p in parts):
                    if tag and tag not in tags:
                        tags.append(tag)
        if _HISTORICAL.search(comment) and "historical" not in tags:
            tags.append("historical")
    return key, reference, tags


def _parse_question(block: _Block, result: ParseResult, line: int) -> ParsedQuestion:
    key, reference, tags = _meta(block.leading_comments())
    body = protect(block.content(), GIFT_ESCAPES).strip()
    title = ""
    if body.startswith("::"):
        end = body.find("::", 2)
        if end == -1:
            raise QuestionError("Tiêu đề mở bằng «::» nhưng không có «::» đóng")
        title = restore(body[2:end]).strip()
        body = body[end + 2 :]
    declared = None
    match = _FORMAT.match(body)
    if match:
        declared = match.group(1).lower()
        body = body[match.end() :]
    texts, blocks = _answer_blocks(body)
    single_block = len(blocks) == 1 and not cloze.HEAD.match(blocks[0])
    if single_block and texts[-1].strip() and _JUNK.fullmatch(texts[-1]):
        result.warnings.append(
            ImportIssue(line, f"Bỏ qua ký tự thừa «{texts[-1].strip()}» sau khối đáp án", title)
        )
        texts[-1] = ""
    if declared in ("html", "plain", "markdown"):
        text_format = declared
    else:  # no prefix / [moodle]: Moodle's auto-format, which renders HTML tags
        text_format = "html" if looks_like_html(restore("".join(texts))) else "plain"
    question = ParsedQuestion(
        qtype="description",
        text="",
        text_format=text_format,
        title=title,
        key=key,
        reference=reference,
        tags=tags,
        category=block.category,
        line=line,
    )
    if not blocks:
        question.text = restore(body).strip()
    elif single_block:
        before, after = restore(texts[0]), restore(texts[1])
        question.text = (before + BLANK + after if after.strip() else before).strip()
        question.general_feedback = fill(question, blocks[0], result)
    else:
        fill_cloze(question, texts, blocks, result)
    return question


def _answer_blocks(body: str) -> tuple[list[str], list[str]]:
    """Protected body -> (texts around the blocks, block contents); len(texts) = blocks + 1."""
    texts, blocks, start, position = [], [], None, 0
    for index, char in enumerate(body):
        if char == "{":
            if start is not None:
                raise QuestionError("Dấu «{» lồng trong khối đáp án (thiếu «}» đóng?)")
            texts.append(body[position:index])
            start = index + 1
        elif char == "}":
            if start is None:
                raise QuestionError("Dấu «}» không có «{» mở tương ứng")
            blocks.append(body[start:index])
            start, position = None, index + 1
    if start is not None:
        raise QuestionError("Thiếu dấu «}» đóng khối đáp án")
    texts.append(body[position:])
    return texts, blocks
