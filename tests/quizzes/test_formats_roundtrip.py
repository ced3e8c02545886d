"""Import -> export -> import keeps every question, for GIFT and Moodle XML.

Run with: PYTHONPATH=. .venv/bin/pytest -q tests/quizzes -p no:cacheprovider
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.quizzes.formats import (
    ParsedAnswer,
    ParsedQuestion,
    export_gift,
    export_moodle_xml,
    parse_file,
    parse_gift,
    parse_moodle_xml,
)
from app.quizzes.formats.base import BLANK, QTYPES, fmt_number
from app.quizzes.formats.cloze import CODES
from app.quizzes.formats.compare import comparable

INTEROP = Path(
    os.environ.get(
        "TDKT_INTEROP_DIR", Path(__file__).resolve().parents[2].parent / "shared" / "interop"
    )
)
FILES = sorted(
    p for p in INTEROP.glob("*/*") if p.is_file() and p.name not in ("MANIFEST.tsv", "README.md")
)
FORMATS = {
    "gift": (export_gift, parse_gift),
    "xml": (export_moodle_xml, parse_moodle_xml),
}


def test_interop_folder_is_there():
    assert INTEROP.is_dir(), f"interop test files not found in {INTEROP} (set TDKT_INTEROP_DIR)"
    assert len(FILES) >= 30


def _round_trip(questions: list[ParsedQuestion], fmt: str) -> None:
    export, parse = FORMATS[fmt]
    text = export(questions)
    again = parse(text)
    assert again.errors == [], (again.errors, text)
    assert len(again.questions) == len(questions), text
    for before, after in zip(questions, again.questions, strict=True):
        assert comparable(after, fmt) == comparable(before, fmt), text


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_interop_round_trip(path, fmt):
    result = parse_file(path)
    _round_trip(result.questions, fmt)
    # a second export is byte-identical: nothing drifts
    export, parse = FORMATS[fmt]
    once = export(result.questions)
    assert export(parse(once).questions) == once


def test_every_interop_format_round_trips_something():
    kinds = {q.qtype for path in FILES for q in parse_file(path).questions}
    assert kinds >= set(QTYPES)


# --- generated questions ---------------------------------------------------------------------

VI = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐƯƠẤ"
SPECIAL = "~=#{}:\\[]%-_;'\"<>&/ "
ALPHABET = VI + "AZ09" + SPECIAL + "\n\t"


def _text(alphabet: str = ALPHABET, max_size: int = 30):
    return st.text(alphabet, min_size=1, max_size=max_size).map(str.strip).filter(bool)


TEXT = _text()
NO_ARROW = _text(ALPHABET.replace(">", ""))  # short answers / matching left sides
LINE = _text(ALPHABET.replace("\n", "").replace("\t", ""), 15)  # keys, refs, tags
OPTIONAL = st.one_of(st.just(""), TEXT)
STEM = st.one_of(
    TEXT,
    st.builds(lambda a, b: f"{a} {BLANK} {b}", TEXT, TEXT),
    st.builds(lambda a: f"{a} {BLANK}", TEXT),
    st.builds(lambda a: f"{BLANK} {a}", TEXT),
)
PARTIAL = st.sampled_from([0.0, 0.0, 0.5, -0.5, -1.0, 0.3333333, -0.3333333, 0.1, 0.9])
SPLITS = st.sampled_from(
    [[1.0], [0.5, 0.5], [0.3333333, 0.3333333, 0.3333334], [0.25] * 4, [0.7, 0.3], [0.9, 0.1]]
)
NUMBER = st.one_of(
    st.integers(-1000, 1000).map(float),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)
TOLERANCE = st.one_of(st.just(0.0), st.floats(0, 100, allow_nan=False))


def _answer(text=TEXT, fraction=PARTIAL):
    return st.builds(ParsedAnswer, text=text, fraction=fraction, feedback=OPTIONAL)


@st.composite
def _single(draw, text=TEXT):
    wrong = draw(st.lists(_answer(text), min_size=1, max_size=4))
    right = ParsedAnswer(draw(text), 1.0, draw(OPTIONAL))
    answers = wrong + [right]
    return draw(st.permutations(answers))


@st.composite
def _multi(draw, text=TEXT):
    positives = [ParsedAnswer(draw(text), f, draw(OPTIONAL)) for f in draw(SPLITS)]
    negatives = draw(st.lists(_answer(text, st.sampled_from([0.0, -0.5, -1.0, -0.1])), max_size=3))
    answers = positives + negatives
    if len(answers) < 2:
        answers.append(ParsedAnswer(draw(text), 0.0, draw(OPTIONAL)))
    return draw(st.permutations(answers))


@st.composite
def _short(draw, text=NO_ARROW):
    answers = [ParsedAnswer(draw(text), 1.0, draw(OPTIONAL))]
    answers += draw(st.lists(_answer(text, st.sampled_from([0.0, 0.5, 0.9])), max_size=3))
    return draw(st.permutations(answers))


@st.composite
def _numerical(draw, ranges: bool):
    answers = []
    for index in range(draw(st.integers(1, 3))):
        fraction = 1.0 if index == 0 else draw(st.sampled_from([0.0, 0.5]))
        if ranges and draw(st.booleans()):
            low, high = sorted([draw(NUMBER), draw(NUMBER)])
            middle = fmt_number((low + high) / 2)
            answer = ParsedAnswer(middle, fraction, draw(OPTIONAL), None, (high - low) / 2)
            answer.range_min, answer.range_max = low, high
        else:
            answer = ParsedAnswer(
                fmt_number(draw(NUMBER)), fraction, draw(OPTIONAL), tolerance=draw(TOLERANCE)
            )
        answers.append(answer)
    if draw(st.booleans()):
        answers.append(ParsedAnswer("*", 0.0, draw(OPTIONAL)))
    return answers


@st.composite
def _matching(draw):
    pairs = [
        ParsedAnswer(draw(TEXT), 1.0, match_left=draw(NO_ARROW))
        for _ in range(draw(st.integers(2, 4)))
    ]
    if draw(st.booleans()):
        pairs.append(ParsedAnswer(draw(TEXT), 0.0, match_left=""))
    return pairs


@st.composite
def _cloze_part(draw, gift: bool):
    code = draw(st.sampled_from(sorted(CODES)))
    qtype, shuffle, case = CODES[code]
    if qtype == "single":
        answers = draw(_single())
    elif qtype == "multi":
        answers = draw(_multi())
    elif qtype == "short":
        answers = draw(_short(TEXT))
    else:
        answers = draw(_numerical(ranges=False))
    return ParsedQuestion(
        qtype=qtype,
        text="",
        answers=answers,
        default_grade=draw(st.sampled_from([1.0, 2.0, 0.5, 3.0])),
        cloze_code=code,
        shuffle=shuffle,
        single=qtype != "multi",
        case_sensitive=case,
    )


_MARKER_LIKE = re.compile(r"\{#\d+\}|\{\d*(\.\d+)?:[A-Za-z_]+:")


@st.composite
def question(draw, fmt: str):
    qtype = draw(st.sampled_from(QTYPES))
    q = ParsedQuestion(
        qtype=qtype,
        text=draw(STEM),
        text_format=draw(st.sampled_from(["plain", "html", "markdown"])),
        title=draw(st.one_of(st.just(""), TEXT)),
        key=draw(st.one_of(st.just(""), LINE)),
        reference=draw(st.one_of(st.just(""), LINE)),
        tags=draw(st.lists(LINE, max_size=3, unique=True)),
        category=draw(st.sampled_from(["", "Ôn tập", "Ôn tập/Chương 1", "Luật/Điều 5, khoản 2"])),
        general_feedback=draw(OPTIONAL),
        single=qtype != "multi",
    )
    if qtype == "single":
        q.answers = draw(_single())
    elif qtype == "multi":
        q.answers = draw(_multi())
    elif qtype == "short":
        q.answers = draw(_short())
        q.case_sensitive = draw(st.booleans())
    elif qtype == "numerical":
        q.answers = draw(_numerical(ranges=fmt == "gift"))
    elif qtype == "matching":
        q.answers = draw(_matching())
    elif qtype == "truefalse":
        correct = draw(st.booleans())
        q.answers = [
            ParsedAnswer("true", 1.0 if correct else 0.0, draw(OPTIONAL)),
            ParsedAnswer("false", 0.0 if correct else 1.0, draw(OPTIONAL)),
        ]
    elif qtype == "description" and fmt == "gift":
        q.general_feedback = ""
    elif qtype == "cloze":
        parts = draw(st.lists(_cloze_part(fmt == "gift"), min_size=1, max_size=3))
        pieces = draw(st.lists(st.one_of(st.just(""), TEXT), min_size=len(parts) + 1))
        text = pieces[0]
        for index, piece in enumerate(pieces[1 : len(parts) + 1], start=1):
            text += f"{{#{index}}}" + piece
        q.text = text.strip()
        literal = "".join(pieces)
        if _MARKER_LIKE.search(literal) or not q.text:
            q.text = "Điền: " + " ".join(f"{{#{i}}}" for i in range(1, len(parts) + 1))
        q.subquestions = parts
    if fmt == "xml":
        q.default_grade = draw(st.sampled_from([1.0, 2.0, 0.5, 10.0]))
        q.shuffle = draw(st.booleans())
    return q


EXAMPLES = int(os.environ.get("TDKT_HYPOTHESIS_EXAMPLES", "60"))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_generated_questions_round_trip(fmt):
    seen: dict[str, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        # shrinking lists of 20-40 questions takes minutes: report the failing list as found
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(question(fmt), min_size=20, max_size=40))
    def check(questions):
        for q in questions:
            seen[q.qtype] = seen.get(q.qtype, 0) + 1
        _round_trip(questions, fmt)

    check()
    # at least 1,000 questions in all, and every type well represented
    assert sum(seen.values()) >= 1000, seen
    assert len(seen) == 9 and min(seen.values()) >= 50, seen


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_untitled_questions_after_a_description_stay_separate(fmt):
    questions = [
        ParsedQuestion("description", "Đọc đoạn văn", title="Bài đọc"),
        ParsedQuestion("description", "Đoạn hai"),
        ParsedQuestion(
            "cloze",
            "Điền {#1}",
            subquestions=[
                ParsedQuestion(
                    "short", "", answers=[ParsedAnswer("x", 1.0)], cloze_code="SHORTANSWER"
                )
            ],
        ),
        ParsedQuestion("description", "Đoạn ba"),
    ]
    _round_trip(questions, fmt)
