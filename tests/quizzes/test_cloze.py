"""Cloze questions from real GIFT files are imported, answered and graded gap by gap."""

import textwrap

from app.courses.models import Course
from app.extensions import db
from app.quizzes.formats import parse_gift
from app.quizzes.models import Attempt, Question
from app.quizzes.types import get_type
from tests.conftest import login
from tests.quizzes.test_learner_journey import take_quiz

GIFT = textwrap.dedent(
    """\
    ::gaps:: [html]<p>Năm {1:MC:=2022~2003} Luật mới; mục tiêu {2:SA:=100 phần trăm~=100} cán bộ;
    số {1:NM:=15:0} là tỷ lệ; chọn {1:MR:~%50%06 tháng~%50%hằng năm~%-100%hằng quý}</p>
    ####Giải thích.
    """
)


def cloze_question():
    parsed = parse_gift(GIFT).questions[0]
    assert parsed.qtype == "cloze" and len(parsed.subquestions) == 4
    return parsed


def test_grading_is_weighted_per_gap():
    parsed = cloze_question()
    cloze = get_type("cloze")
    data = cloze.data_from_parsed(parsed)
    assert cloze.validate(data) == []
    assert [g["weight"] for g in data["gaps"]] == [1.0, 2.0, 1.0, 1.0]
    year = next(c["id"] for c in data["gaps"][0]["data"]["choices"] if c["text"] == "2022")
    half = [next(c["id"] for c in data["gaps"][3]["data"]["choices"] if c["text"] == "06 tháng")]
    assert cloze.grade(data, [year, " 100 ", "15", half]) == (1 + 2 + 1 + 0.5) / 5
    assert cloze.grade(data, []) == 0.0


def test_cloze_in_a_quiz(client, tree, make_user, course):
    parsed = cloze_question()
    data = get_type("cloze").data_from_parsed(parsed)
    db.session.query(Question).delete()
    db.session.add(
        Question(
            course_id=course.id,
            key="gaps",
            qtype="cloze",
            text=parsed.text,
            text_format="html",
            data=data,
            explanation="Giải thích.",
        )
    )
    db.session.commit()
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    attempt, _ = take_quiz(client)
    qid = attempt.question_ids[0]
    page = client.get(f"/bai-lam/{attempt.id}").get_data(as_text=True)
    assert f'name="q{qid}-0"' in page and 'aria-label="Chỗ trống 2"' in page
    assert "{#1}" not in page
    year = next(c["id"] for c in data["gaps"][0]["data"]["choices"] if c["text"] == "2022")
    multi = [c["id"] for c in data["gaps"][3]["data"]["choices"] if c["fraction"] > 0]
    form = {f"q{qid}-0": year, f"q{qid}-1": "100 PHẦN TRĂM", f"q{qid}-2": "15", f"q{qid}-3": multi}
    client.post(f"/bai-lam/{attempt.id}", data=form)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).score == 100.0
    review = client.get(f"/bai-lam/{attempt.id}/ket-qua").get_data(as_text=True)
    assert "(1)" in review and "2022" in review
    assert db.session.get(Course, course.id) is not None
