"""Checks shared by every importer: a question that fails them is reported, never imported."""

from __future__ import annotations

import re

from .base import ParsedQuestion, fmt_percent, is_full, parse_number

_PLACEHOLDER = re.compile(r"\{#(\d+)\}")


def problems(q: ParsedQuestion) -> list[str]:
    """What keeps the question from being usable, in Vietnamese (empty list = valid)."""
    out: list[str] = []
    if q.qtype != "cloze" and not q.text.strip() and q.qtype not in ("description",):
        out.append("Câu hỏi không có nội dung (đề bài trống)")
    check = _CHECKS.get(q.qtype)
    if check is None:
        out.append(f"Loại câu hỏi «{q.qtype}» không được hỗ trợ")
    else:
        out.extend(check(q))
    return out


def _range(q: ParsedQuestion) -> list[str]:
    bad = [a for a in q.answers if not -1.0000001 <= a.fraction <= 1.0000001]
    if bad:
        return ["Trọng số đáp án phải nằm trong khoảng -100% đến 100%"]
    return []


def _empty_answers(q: ParsedQuestion) -> list[str]:
    if any(not a.text.strip() for a in q.answers):
        return ["Có phương án trả lời để trống"]
    return []


def _single(q: ParsedQuestion) -> list[str]:
    out = _range(q) + _empty_answers(q)
    if len(q.answers) < 2:
        out.append(f"Câu hỏi trắc nghiệm cần ít nhất 2 phương án (hiện có {len(q.answers)})")
    full = sum(1 for a in q.answers if is_full(a.fraction))
    if full != 1:
        out.append(
            "Câu hỏi trắc nghiệm một lựa chọn phải có đúng một đáp án đúng "
            f"(hiện có {full} đáp án đạt 100%)"
        )
    return out


def _multi(q: ParsedQuestion) -> list[str]:
    out = _range(q) + _empty_answers(q)
    if len(q.answers) < 2:
        out.append(f"Câu hỏi nhiều lựa chọn cần ít nhất 2 phương án (hiện có {len(q.answers)})")
    total = sum(a.fraction for a in q.answers if a.fraction > 0)
    if abs(total - 1.0) > 0.001:
        name = f"«{q.title}» " if q.title else ""
        out.append(
            f"Câu hỏi nhiều lựa chọn {name}có tổng trọng số các đáp án đúng là "
            f"{fmt_percent(total).replace('.', ',')}% — phải bằng 100%"
        )
    return out


def _truefalse(q: ParsedQuestion) -> list[str]:
    texts = [a.text for a in q.answers]
    if texts != ["true", "false"] or sum(1 for a in q.answers if is_full(a.fraction)) != 1:
        return ["Câu hỏi Đúng/Sai phải có đúng một đáp án đúng (Đúng hoặc Sai)"]
    return []


def _short(q: ParsedQuestion) -> list[str]:
    out = _range(q) + _empty_answers(q)
    if not q.answers:
        out.append("Câu hỏi trả lời ngắn cần ít nhất một đáp án")
    elif not any(is_full(a.fraction) for a in q.answers):
        out.append("Câu hỏi trả lời ngắn cần ít nhất một đáp án đạt 100%")
    return out


def _numerical(q: ParsedQuestion) -> list[str]:
    out = _range(q)
    if not q.answers:
        out.append("Câu hỏi dạng số cần ít nhất một đáp án")
    elif not any(is_full(a.fraction) for a in q.answers):
        out.append("Câu hỏi dạng số cần ít nhất một đáp án đạt 100%")
    for a in q.answers:
        if a.text.strip() != "*" and parse_number(a.text) is None:
            out.append(f"Đáp án số không hợp lệ: «{a.text}»")
        if a.tolerance < 0:
            out.append(f"Sai số không được âm: {a.tolerance}")
    return out


def _matching(q: ParsedQuestion) -> list[str]:
    out: list[str] = []
    pairs = [a for a in q.answers if a.match_left]
    if len(pairs) < 2:
        out.append(f"Câu hỏi ghép đôi cần ít nhất 2 cặp (hiện có {len(pairs)})")
    if any(not a.text.strip() for a in q.answers):
        out.append("Câu hỏi ghép đôi có vế phải để trống")
    return out


def _nothing(q: ParsedQuestion) -> list[str]:
    return []


def _description(q: ParsedQuestion) -> list[str]:
    return [] if q.text.strip() else ["Câu hỏi không có nội dung"]


def _cloze(q: ParsedQuestion) -> list[str]:
    out: list[str] = []
    if not q.subquestions:
        return ["Câu hỏi điền khuyết (cloze) không có chỗ trống nào"]
    numbers = [int(n) for n in _PLACEHOLDER.findall(q.text)]
    if sorted(numbers) != list(range(1, len(q.subquestions) + 1)):
        out.append("Chỗ trống trong đề bài không khớp với danh sách câu hỏi con")
    for index, sub in enumerate(q.subquestions, start=1):
        if sub.qtype not in ("single", "multi", "short", "numerical"):
            out.append(f"Chỗ trống {index}: loại «{sub.qtype}» không dùng được trong cloze")
            continue
        for problem in _CHECKS[sub.qtype](sub):
            out.append(f"Chỗ trống {index}: {problem}")
    return out


_CHECKS = {
    "single": _single,
    "multi": _multi,
    "truefalse": _truefalse,
    "short": _short,
    "numerical": _numerical,
    "matching": _matching,
    "essay": _nothing,
    "description": _description,
    "cloze": _cloze,
}
