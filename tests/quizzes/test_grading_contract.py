"""The grading contract of every question type, whatever the question came from.

Each question is built the way it reaches the bank — parsed from GIFT, Aiken, Moodle XML or an
XLSX sheet a trainer filled (then the type's `data_from_parsed`, as the import does), or from
the authoring form's rows (`questions.question_data`) — and then answered the way a learner's
form is read (`answer_from_form` on a MultiDict) and graded: all right, all wrong, partial,
blank, and "tick everything" (every option sent at once), which must never earn credit.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from werkzeug.datastructures import MultiDict

from app.authoring.questions import question_data
from app.quizzes.formats import parse_aiken, parse_gift, parse_moodle_xml
from app.quizzes.formats.xlsx import parse_xlsx
from app.quizzes.formats.xlsx_columns import COLUMNS, SHEET, TYPE_LABELS
from app.quizzes.types import get_type
from app.quizzes.types.choice import MultipleChoice

FIELD = "q1"


def _xlsx(**row) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([heading for _key, heading in COLUMNS])
    sheet.append([row.get(key, "") for key, _heading in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><quiz>{body}</quiz>'


def _answers_xml(*answers: tuple[str, str]) -> str:
    return "".join(
        f'<answer fraction="{fraction}"><text>{text}</text></answer>' for fraction, text in answers
    )


def _one(result):
    assert not result.errors, result.errors
    assert len(result.questions) == 1
    parsed = result.questions[0]
    return parsed.qtype, get_type(parsed.qtype).data_from_parsed(parsed)


SOURCES = {
    "single": {
        "gift": lambda: _one(parse_gift("::s:: Thủ đô? {=Hà Nội ~%50%Hà Đông ~Huế ~Đà Nẵng}")),
        "aiken": lambda: _one(
            parse_aiken("Thủ đô?\nA. Hà Nội\nB. Hà Đông\nC. Huế\nD. Đà Nẵng\nANSWER: A\n")
        ),
        "xml": lambda: _one(
            parse_moodle_xml(
                _xml(
                    '<question type="multichoice"><name><text>s</text></name>'
                    "<questiontext><text>Thủ đô?</text></questiontext><single>true</single>"
                    + _answers_xml(
                        ("100", "Hà Nội"), ("50", "Hà Đông"), ("0", "Huế"), ("0", "Đà Nẵng")
                    )
                    + "</question>"
                )
            )
        ),
        "xlsx": lambda: _one(
            parse_xlsx(
                _xlsx(
                    qtype=TYPE_LABELS["single"],
                    text="Thủ đô?",
                    option_A="Hà Nội",
                    option_B="Hà Đông",
                    option_C="Huế",
                    option_D="Đà Nẵng",
                    answer="A:100;B:50",
                )
            )
        ),
        "form": lambda: (
            "single",
            question_data(
                "single",
                [
                    {"text": "Hà Nội", "weight": "100"},
                    {"text": "Hà Đông", "weight": "50"},
                    {"text": "Huế", "weight": ""},
                    {"text": "Đà Nẵng", "weight": "0"},
                ],
            ),
        ),
    },
    # Wrong options carry no weight in any source: the default must make them negative.
    "multi": {
        "gift": lambda: _one(
            parse_gift("::m:: Chọn hai. {~%50%Một ~%50%Hai ~Ba ~Bốn}"),
        ),
        "xml": lambda: _one(
            parse_moodle_xml(
                _xml(
                    '<question type="multichoice"><name><text>m</text></name>'
                    "<questiontext><text>Chọn hai.</text></questiontext><single>false</single>"
                    + _answers_xml(("50", "Một"), ("50", "Hai"), ("0", "Ba"), ("0", "Bốn"))
                    + "</question>"
                )
            )
        ),
        "xlsx": lambda: _one(
            parse_xlsx(
                _xlsx(
                    qtype=TYPE_LABELS["multi"],
                    text="Chọn hai.",
                    option_A="Một",
                    option_B="Hai",
                    option_C="Ba",
                    option_D="Bốn",
                    answer="A, B",
                )
            )
        ),
        "form": lambda: (
            "multi",
            question_data(
                "multi",
                [
                    {"text": "Một", "weight": "50"},
                    {"text": "Hai", "weight": "50"},
                    {"text": "Ba", "weight": ""},
                    {"text": "Bốn", "weight": "0"},
                ],
            ),
        ),
    },
    "truefalse": {
        "gift": lambda: _one(parse_gift("::t:: Hà Nội là thủ đô. {T}")),
        "xml": lambda: _one(
            parse_moodle_xml(
                _xml(
                    '<question type="truefalse"><name><text>t</text></name>'
                    "<questiontext><text>Hà Nội là thủ đô.</text></questiontext>"
                    + _answers_xml(("100", "true"), ("0", "false"))
                    + "</question>"
                )
            )
        ),
        "xlsx": lambda: _one(
            parse_xlsx(
                _xlsx(qtype=TYPE_LABELS["truefalse"], text="Hà Nội là thủ đô.", answer="Đúng")
            )
        ),
        "form": lambda: ("truefalse", question_data("truefalse", [], "true")),
    },
    "short": {
        "gift": lambda: _one(parse_gift("::sa:: Thủ đô? {=Hà Nội =%50%Ha Noi}")),
        "xml": lambda: _one(
            parse_moodle_xml(
                _xml(
                    '<question type="shortanswer"><name><text>sa</text></name>'
                    "<questiontext><text>Thủ đô?</text></questiontext>"
                    + _answers_xml(("100", "Hà Nội"), ("50", "Ha Noi"))
                    + "</question>"
                )
            )
        ),
        "xlsx": lambda: _one(
            parse_xlsx(
                _xlsx(qtype=TYPE_LABELS["short"], text="Thủ đô?", answer="Hà Nội | %50%Ha Noi")
            )
        ),
        "form": lambda: (
            "short",
            question_data(
                "short", [{"text": "Hà Nội", "weight": "100"}, {"text": "Ha Noi", "weight": "50"}]
            ),
        ),
    },
    "numerical": {
        "gift": lambda: _one(parse_gift("::n:: Số pi? {#=3.1415:0.0005 =%50%3.14:0.01}")),
        "xml": lambda: _one(
            parse_moodle_xml(
                _xml(
                    '<question type="numerical"><name><text>n</text></name>'
                    "<questiontext><text>Số pi?</text></questiontext>"
                    '<answer fraction="100"><text>3.1415</text><tolerance>0.0005</tolerance>'
                    '</answer><answer fraction="50"><text>3.14</text><tolerance>0.01</tolerance>'
                    "</answer></question>"
                )
            )
        ),
        "xlsx": lambda: _one(
            parse_xlsx(
                _xlsx(
                    qtype=TYPE_LABELS["numerical"],
                    text="Số pi?",
                    answer="3,1415 ± 0,0005 | %50%3,14 ± 0,01",
                )
            )
        ),
    },
    "matching": {
        "gift": lambda: _one(
            parse_gift("::g:: Ghép. {=Hà Nội -> Bắc =Huế -> Trung =Cần Thơ -> Nam}")
        ),
        "xml": lambda: _one(
            parse_moodle_xml(
                _xml(
                    '<question type="matching"><name><text>g</text></name>'
                    "<questiontext><text>Ghép.</text></questiontext>"
                    + "".join(
                        f"<subquestion><text>{left}</text><answer><text>{right}</text>"
                        "</answer></subquestion>"
                        for left, right in (("Hà Nội", "Bắc"), ("Huế", "Trung"), ("Cần Thơ", "Nam"))
                    )
                    + "</question>"
                )
            )
        ),
        "xlsx": lambda: _one(
            parse_xlsx(
                _xlsx(
                    qtype=TYPE_LABELS["matching"],
                    text="Ghép.",
                    option_A="Hà Nội -> Bắc",
                    option_B="Huế -> Trung",
                    option_C="Cần Thơ -> Nam",
                )
            )
        ),
    },
    "cloze": {
        "xml": lambda: _one(
            parse_moodle_xml(
                _xml(
                    '<question type="cloze"><name><text>c</text></name><questiontext><text>'
                    "Thủ đô: {1:SHORTANSWER:=Hà Nội}; chọn hai: "
                    "{1:MULTIRESPONSE:%50%Một~%50%Hai~Ba~Bốn}</text></questiontext></question>"
                )
            )
        ),
        "xlsx": lambda: _one(
            parse_xlsx(
                _xlsx(
                    qtype=TYPE_LABELS["cloze"],
                    text="Thủ đô: {1:SHORTANSWER:=Hà Nội}; chọn hai: "
                    "{1:MULTIRESPONSE:%50%Một~%50%Hai~Ba~Bốn}",
                )
            )
        ),
    },
    "essay": {
        "gift": lambda: _one(parse_gift("::e:: Nêu cách sơ kết. {}")),
        "xml": lambda: _one(
            parse_moodle_xml(
                _xml(
                    '<question type="essay"><name><text>e</text></name>'
                    "<questiontext><text>Nêu cách sơ kết.</text></questiontext></question>"
                )
            )
        ),
        "xlsx": lambda: _one(
            parse_xlsx(_xlsx(qtype=TYPE_LABELS["essay"], text="Nêu cách sơ kết."))
        ),
    },
}
CASES = [(qtype, source) for qtype, sources in SOURCES.items() for source in sources]


def _ids(data: dict, *texts: str) -> list[str]:
    by_text = {c["text"]: c["id"] for c in data["choices"]}
    return [by_text[t] for t in texts]


def _forms(qtype: str, data: dict) -> dict[str, tuple[MultiDict, float | None]]:
    """Per case, the submitted form and the score it must get (None: case does not apply)."""
    f = FIELD
    if qtype == "single":
        every = _ids(data, "Hà Nội", "Hà Đông", "Huế", "Đà Nẵng")
        has_partial = any(0 < c["fraction"] < 1 for c in data["choices"])
        return {
            "right": (MultiDict([(f, _ids(data, "Hà Nội")[0])]), 1.0),
            "wrong": (MultiDict([(f, _ids(data, "Huế")[0])]), 0.0),
            "partial": (MultiDict([(f, _ids(data, "Hà Đông")[0])]), 0.5 if has_partial else 0.0),
            "blank": (MultiDict(), 0.0),
            "everything": (MultiDict([(f, i) for i in every]), 0.0),
        }
    if qtype == "multi":
        return {
            "right": (MultiDict([(f, i) for i in _ids(data, "Một", "Hai")]), 1.0),
            "wrong": (MultiDict([(f, i) for i in _ids(data, "Ba", "Bốn")]), 0.0),
            "partial": (MultiDict([(f, _ids(data, "Một")[0])]), 0.5),
            "blank": (MultiDict(), 0.0),
            "everything": (
                MultiDict([(f, i) for i in _ids(data, "Một", "Hai", "Ba", "Bốn")]),
                0.0,
            ),
        }
    if qtype == "truefalse":
        return {
            "right": (MultiDict([(f, "true")]), 1.0),
            "wrong": (MultiDict([(f, "false")]), 0.0),
            "partial": (None, None),
            "blank": (MultiDict(), 0.0),
            "everything": (MultiDict([(f, "true"), (f, "false")]), 0.0),
        }
    if qtype == "short":
        return {
            "right": (MultiDict([(f, "  hà   NỘI ")]), 1.0),
            "wrong": (MultiDict([(f, "Huế")]), 0.0),
            "partial": (MultiDict([(f, "ha noi")]), 0.5),
            "blank": (MultiDict([(f, "")]), 0.0),
            "everything": (MultiDict([(f, "Hà Nội"), (f, "Ha Noi")]), 0.0),
        }
    if qtype == "numerical":
        return {
            "right": (MultiDict([(f, "3,1418")]), 1.0),
            "wrong": (MultiDict([(f, "3.2")]), 0.0),
            "partial": (MultiDict([(f, "3.14")]), 0.5),
            "blank": (MultiDict([(f, "")]), 0.0),
            "everything": (MultiDict([(f, "3.1415"), (f, "3.14")]), 0.0),
        }
    if qtype == "matching":
        rights = [p["right"] for p in data["pairs"]]
        every = sorted(rights)
        return {
            "right": (MultiDict([(f"{f}-{i}", r) for i, r in enumerate(rights)]), 1.0),
            "wrong": (
                MultiDict([(f"{f}-{i}", rights[(i + 1) % 3]) for i in range(3)]),
                0.0,
            ),
            "partial": (
                MultiDict([(f"{f}-0", rights[0]), (f"{f}-1", rights[2]), (f"{f}-2", rights[1])]),
                pytest.approx(1 / 3),
            ),
            "blank": (MultiDict(), 0.0),
            "everything": (
                MultiDict([(f"{f}-{i}", r) for i in range(3) for r in every]),
                0.0,
            ),
        }
    if qtype == "cloze":
        gap = data["gaps"][1]["data"]
        return {
            "right": (
                MultiDict(
                    [(f"{f}-0", "Hà Nội")] + [(f"{f}-1", i) for i in _ids(gap, "Một", "Hai")]
                ),
                1.0,
            ),
            "wrong": (
                MultiDict([(f"{f}-0", "Huế")] + [(f"{f}-1", i) for i in _ids(gap, "Ba", "Bốn")]),
                0.0,
            ),
            "partial": (MultiDict([(f"{f}-0", "Hà Nội")]), 0.5),
            "blank": (MultiDict(), 0.0),
            "everything": (
                MultiDict(
                    [(f"{f}-0", "Hà Nội"), (f"{f}-0", "Huế")]
                    + [(f"{f}-1", i) for i in _ids(gap, "Một", "Hai", "Ba", "Bốn")]
                ),
                0.0,
            ),
        }
    if qtype == "essay":  # graded by a trainer: the automatic grade never gives credit
        return {
            "right": (MultiDict([(f, "Sơ kết giữa kỳ, biểu dương điển hình.")]), 0.0),
            "wrong": (None, None),
            "partial": (None, None),
            "blank": (MultiDict([(f, "")]), 0.0),
            "everything": (None, None),
        }
    raise AssertionError(qtype)


@pytest.mark.parametrize("qtype,source", CASES, ids=[f"{t}-{s}" for t, s in CASES])
@pytest.mark.parametrize("case", ["right", "wrong", "partial", "blank", "everything"])
def test_grading_contract(qtype, source, case):
    built_type, data = SOURCES[qtype][source]()
    assert built_type == qtype
    kind = get_type(qtype)
    assert kind.validate(data) == []
    form, expected = _forms(qtype, data)[case]
    if form is None:
        pytest.skip(f"{case} does not apply to {qtype}")
    answer = kind.answer_from_form(form, FIELD, data)
    assert kind.grade(data, answer) == expected


@pytest.mark.parametrize("source", sorted(SOURCES["multi"]))
def test_unweighted_wrong_options_get_negative_weights(source):
    _qtype, data = SOURCES["multi"][source]()
    weights = sorted(c["fraction"] for c in data["choices"])
    assert weights == [-0.5, -0.5, 0.5, 0.5]


def test_essay_is_graded_by_a_trainer():
    assert get_type("essay").manual and not get_type("description").scored


def test_multi_with_explicit_weights_scoring_above_zero_when_everything_ticked_is_refused():
    data = {
        "choices": [
            {"id": "0", "text": "Một", "fraction": 0.5},
            {"id": "1", "text": "Hai", "fraction": 0.5},
            {"id": "2", "text": "Ba", "fraction": -0.25},
        ]
    }
    problems = MultipleChoice.validate(data)
    assert any("Chọn tất cả các phương án được 75% điểm" in p for p in problems)
    data["choices"][2]["fraction"] = -1.0
    assert MultipleChoice.validate(data) == []


def test_multi_where_every_option_is_right_is_refused():
    # No wrong option to cancel anything: ticking everything is full marks, so it is refused.
    result = parse_gift("::m:: Chọn tất cả. {~%50%Một ~%50%Hai}")
    parsed = result.questions[0]
    data = MultipleChoice.data_from_parsed(parsed)
    assert MultipleChoice.validate(data)
