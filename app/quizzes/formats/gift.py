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
    ParsedAnswer,
    ParsedQuestion,
    ParseResult,
    QuestionError,
    fmt_number,
    looks_like_html,
    nfc,
    normalise_category,
    normalise_newlines,
    parse_number,
    parse_percent,
    round_fraction,
    short_label,
)
from .cloze import find_hash, protect, restore

GIFT_ESCAPES = "\\~=#{}:n"
_FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_JUNK = re.compile(r"[\s\"';]*;[\s\"';]*")
_META = re.compile(r"\[(id|ref|tag):\s*((?:\\.|[^\]\\])*?)\s*\]", re.IGNORECASE)
_WEIGHT = re.compile(r"%\s*(-?\d+(?:[.,]\d*)?)\s*%")
_RANGE = re.compile(r"^(.+?)\.\.(.+)$")
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}


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
            elif value and value not in tags:
                tags.append(value)
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
        question.general_feedback = _fill(question, blocks[0], result)
    else:
        _fill_cloze(question, texts, blocks, result)
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


def _strip_format(text: str) -> str:
    match = _FORMAT.match(text)
    return text[match.end() :].strip() if match else text.strip()


def _split_general(block: str) -> tuple[str, str]:
    index = block.find("####")
    if index == -1:
        return block, ""
    return block[:index], _strip_format(restore(block[index + 4 :]))


def _fill(question: ParsedQuestion, block: str, result: ParseResult) -> str:
    """Set qtype/answers from one answer block; return the general feedback."""
    block, general = _split_general(block)
    content = block.strip()
    if not content:
        question.qtype = "essay"
    elif content.startswith("#"):
        question.qtype = "numerical"
        question.answers = _numerical(content[1:])
    elif _tf_head(content) is not None:
        question.qtype = "truefalse"
        question.answers = _truefalse(content)
    else:
        tokens = _tokens(content)
        markers = {marker for marker, _ in tokens}
        if "~" in markers:
            question.single = "=" in markers
            question.qtype = "single" if question.single else "multi"
            question.answers = [_choice(m, t) for m, t in tokens if t.strip()]
        elif any("->" in _answer_part(t) for _, t in tokens):
            if not all("->" in _answer_part(t) for _, t in tokens if t.strip()):
                raise QuestionError("Câu hỏi ghép đôi: mỗi dòng phải có dạng «=vế trái -> vế phải»")
            question.qtype = "matching"
            question.answers = [_pair(t, question, result) for _, t in tokens if t.strip()]
        else:
            question.qtype = "short"
            question.answers = [_choice(m, t) for m, t in tokens if t.strip()]
    return general


def _answer_part(token: str) -> str:
    index = find_hash(token)
    return token if index == -1 else token[:index]


def _tokens(content: str) -> list[tuple[str, str]]:
    parts = re.split(r"([~=])", content)
    if parts[0].strip():
        raise QuestionError(
            "Không nhận dạng được loại câu hỏi: khối đáp án phải bắt đầu bằng «=», «~», «#», "
            "T/F hoặc để trống"
        )
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def _weight(marker: str, text: str) -> tuple[float, str]:
    text = text.lstrip()
    match = _WEIGHT.match(text)
    if match:
        return parse_percent(restore(match.group(1))), text[match.end() :]
    return (1.0 if marker == "=" else 0.0), text


def _feedback(text: str) -> tuple[str, str]:
    index = find_hash(text)
    if index == -1:
        return _strip_format(restore(text)), ""
    return _strip_format(restore(text[:index])), _strip_format(restore(text[index + 1 :]))


def _choice(marker: str, token: str) -> ParsedAnswer:
    fraction, rest = _weight(marker, token)
    text, feedback = _feedback(rest)
    return ParsedAnswer(text, round_fraction(fraction), feedback)


def _pair(token: str, question: ParsedQuestion, result: ParseResult) -> ParsedAnswer:
    rest = token
    index = find_hash(rest)
    rest, feedback = (rest, "") if index == -1 else (rest[:index], rest[index + 1 :])
    left, arrow, right = rest.partition("->")
    if not arrow:
        raise QuestionError("Câu hỏi ghép đôi: mỗi dòng phải có dạng «=vế trái -> vế phải»")
    if feedback.strip():
        result.warnings.append(
            ImportIssue(
                question.line,
                "Câu hỏi ghép đôi không có phản hồi cho từng cặp; đã bỏ phần sau «#»",
                question.title,
            )
        )
    left, right = _strip_format(restore(left)), _strip_format(restore(right))
    return ParsedAnswer(right, 1.0 if left else 0.0, match_left=left)


def _tf_head(content: str) -> bool | None:
    index = find_hash(content)
    head = content if index == -1 else content[:index]
    return _TF.get(head.strip().upper())


def _truefalse(content: str) -> list[ParsedAnswer]:
    correct = _tf_head(content)
    index = find_hash(content)
    wrong_fb = right_fb = ""
    if index != -1:
        rest = content[index + 1 :]
        second = find_hash(rest)
        if second == -1:
            wrong_fb = rest
        else:
            wrong_fb, right_fb = rest[:second], rest[second + 1 :]
    wrong_fb, right_fb = _strip_format(restore(wrong_fb)), _strip_format(restore(right_fb))
    true_fb, false_fb = (right_fb, wrong_fb) if correct else (wrong_fb, right_fb)
    return [
        ParsedAnswer("true", 1.0 if correct else 0.0, true_fb),
        ParsedAnswer("false", 0.0 if correct else 1.0, false_fb),
    ]


def _numerical(content: str) -> list[ParsedAnswer]:
    wrong = None
    tilde = content.find("~")
    if tilde != -1:
        content, wrong = content[:tilde], content[tilde + 1 :]
    answers = []
    for part in content.split("="):
        if not part.strip():
            continue
        fraction, rest = _weight("=", part)
        text, feedback = _feedback(rest)
        answers.append(_number_answer(text, round_fraction(fraction), feedback))
    if wrong is not None:
        _, feedback = _feedback(wrong) if find_hash(wrong) != -1 else ("", "")
        answers.append(ParsedAnswer("*", 0.0, feedback))
    return answers


def _number_answer(text: str, fraction: float, feedback: str) -> ParsedAnswer:
    if text == "*":
        return ParsedAnswer("*", fraction, feedback)
    match = _RANGE.match(text)
    if match and ":" not in text:
        low, high = parse_number(match.group(1)), parse_number(match.group(2))
        if low is None or high is None or low > high:
            raise QuestionError(f"Khoảng số không hợp lệ: «{text}»")
        middle = (low + high) / 2
        return ParsedAnswer(
            fmt_number(middle), fraction, feedback, None, (high - low) / 2, low, high
        )
    value, _, tolerance = text.partition(":")
    if parse_number(value) is None:
        raise QuestionError(f"Đáp án số không hợp lệ: «{value.strip()}»")
    tol = parse_number(tolerance) if tolerance.strip() else 0.0
    if tol is None or tol < 0:
        raise QuestionError(f"Sai số không hợp lệ: «{tolerance.strip()}»")
    return ParsedAnswer(value.strip(), fraction, feedback, tolerance=tol)


def _fill_cloze(
    question: ParsedQuestion, texts: list[str], blocks: list[str], result: ParseResult
) -> None:
    question.qtype = "cloze"
    pieces, generals, converted = [restore(texts[0])], [], 0
    for index, raw in enumerate(blocks, start=1):
        block, general = _split_general(raw)
        if general:
            generals.append(general)
        head = cloze.HEAD.match(block)
        if head:
            sub = cloze.parse_part(head.group(1), head.group(2), block[head.end() :], gift=True)
        elif not block.strip():
            if not general:
                raise QuestionError(f"Khối đáp án thứ {index} để trống")
            pieces.append(restore(texts[index]))
            continue
        else:
            sub = ParsedQuestion(qtype="short", text="")
            _fill(sub, block, result)
            if sub.qtype not in ("short", "single", "multi", "numerical"):
                raise QuestionError(
                    f"Khối đáp án thứ {index}: câu hỏi nhiều chỗ trống chỉ dùng được trả lời "
                    "ngắn, trắc nghiệm hoặc số"
                )
            sub.cloze_code = cloze.code_for(sub)
            sub.shuffle = cloze.CODES[sub.cloze_code][1]
            converted += 1
        question.subquestions.append(sub)
        pieces.append(f"{{#{len(question.subquestions)}}}")
        pieces.append(restore(texts[index]))
    literal = "".join(restore(t) for t in texts)
    if cloze.PLACEHOLDER.search(literal):
        raise QuestionError("Đề bài chứa chuỗi «{#số}» trùng với ký hiệu chỗ trống")
    question.text = "".join(pieces).strip()
    question.general_feedback = "\n".join(generals)
    if converted and len(question.subquestions) > 1:
        result.warnings.append(
            ImportIssue(
                question.line,
                f"Câu hỏi có {len(question.subquestions)} chỗ trống: đã nhập thành câu hỏi "
                "điền khuyết (cloze)",
                question.title or short_label(question.text),
            )
        )
