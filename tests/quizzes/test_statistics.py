"""Item statistics against a hand-computed example (issue 5, acceptance 5)."""

from app.core.db import utcnow
from app.extensions import db
from app.quizzes.models import Attempt, Question
from app.quizzes.statistics import item_statistics


def test_facility_and_discrimination_match_hand_computation(tree, make_user, course):
    questions = {
        q.key: q
        for q in db.session.scalars(db.select(Question).where(Question.course_id == course.id))
    }
    q1, q2, q3 = questions["t-01"], questions["t-02"], questions["t-03"]
    # Four officers; scores per question (q1, q2, q3). q4 (t-04) was never served.
    table = [(1, 1.0, 1), (1, 0.5, 0), (0, 0.5, 1), (0, 0.0, 0)]
    for s1, s2, s3 in table:
        user = make_user(tree["A1"])
        db.session.add(
            Attempt(
                user_id=user.id,
                course_id=course.id,
                course_version=1,
                question_ids=[q1.id, q2.id, q3.id],
                scores={str(q1.id): s1, str(q2.id): s2, str(q3.id): s3},
                score=0,
                passed=False,
                submitted_at=utcnow(),
            )
        )
    db.session.add(  # an open attempt never counts
        Attempt(
            user_id=user.id,
            course_id=course.id,
            course_version=1,
            question_ids=[q1.id],
            scores={str(q1.id): 1.0},
        )
    )
    db.session.commit()
    stats = {s.question.key: s for s in item_statistics(course)}

    # q1: facility (1+1+0+0)/4 = 50%. Rest scores (q2+q3): 2, 0.5, 1.5, 0.
    # x = 1,1,0,0 (mean .5); y = 2,.5,1.5,0 (mean 1). Sxy = .5*1 + .5*-.5 + -.5*.5 + -.5*-1 = .5
    # Sxx = 1; Syy = 1 + .25 + .25 + 1 = 2.5 → r = .5 / sqrt(2.5) = 0.316228
    assert stats["t-01"].attempts == 4 and stats["t-01"].facility == 50.0
    assert round(stats["t-01"].discrimination, 2) == 31.62
    # q2: facility (1+.5+.5+0)/4 = 50%. Rest (q1+q3): 2, 1, 1, 0 → x-mean: .5,0,0,-.5;
    # y-mean: 1,0,0,-1 → Sxy = 1, Sxx = .5, Syy = 2 → r = 1/sqrt(1) = 1.0
    assert stats["t-02"].facility == 50.0 and round(stats["t-02"].discrimination, 2) == 100.0
    # q3: rest (q1+q2): 2, 1.5, .5, 0 (mean 1); x: 1,0,1,0 (mean .5)
    # Sxy = .5*1 - .5*.5 + .5*-.5 - .5*-1 = .5; Sxx = 1; Syy = 1+.25+.25+1 = 2.5 → 31.62%
    assert round(stats["t-03"].discrimination, 2) == 31.62
    assert stats["t-04"].attempts == 0 and stats["t-04"].facility is None
    assert stats["t-04"].discrimination is None


def test_statistics_page_for_authors_only(client, tree, make_user, course):
    from app.org.models import Role
    from tests.conftest import login

    make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["province"], Role.TRAINER, email="gv@test.vn")
    login(client, "hv@test.vn")
    assert client.get("/khoa-hoc/khoa-thu/thong-ke").status_code == 403
    client.post("/dang-xuat")
    login(client, "gv@test.vn")
    page = client.get("/khoa-hoc/khoa-thu/thong-ke")
    assert page.status_code == 200 and "Chỉ số phân biệt" in page.get_data(as_text=True)
