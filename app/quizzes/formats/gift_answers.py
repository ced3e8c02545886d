"""GIFT answer blocks: what is between `{` and `}` (already escape-protected, see cloze.protect)
becomes the question type and its answers, following Moodle's rules."""

from __future__ import annotations

import re

from . import cloze
from .base import (
    ImportIssue,
    ParsedAnswer,
    ParsedQuestion,
    ParseResult,
    QuestionError,
    fmt_number,
    parse_number,
    parse_percent,
    round_fraction,
    short_label,
)
from .cloze import find_hash, restore

FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"%\s*(-?\d+(?:[.,]\d*)?)\s*%")
_RANGE = re.compile(r"^(.+?)\.\.(.+)$")
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _strip_format(text: str) -> str:
    match = FORMAT.match(text)
    return text[match.end() :].strip() if match else text.strip()


def _split_general(block: str) -> tuple[str, str]:
    index = block.find("####")
    if index == -1:
        return block, ""
    return block[:index], _strip_format(restore(block[index + 4 :]))


def fill(question: ParsedQuestion, block: str, result: ParseResult) -> str:
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
    return ParsedAnswer(
        value.strip(), fraction, feedback, tolerance=tol, tolerance_text=tolerance.strip()
    )


def fill_cloze(
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
            fill(sub, block, result)
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
