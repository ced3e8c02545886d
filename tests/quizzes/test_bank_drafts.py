"""Imports enter as drafts: nothing reaches a learner before a publish, two files with the same
question titles never overwrite each other, the preview says exactly what an import changes,
and a required course cannot publish questions without explanation or legal reference."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.authoring.versions import MINOR, PublishError, publish_course
from app.core.dates import local_today
from app.courses.models import Course, CourseVersion, QuestionDraft
from app.extensions import db
from app.org.models import Role
from app.quizzes.bank import import_questions, parse_upload
from app.quizzes.models import Attempt, Question
from tests.conftest import login, own_every_course
from tests.quizzes.bank_helpers import publish_imports

# A trainer's test upload: English samples, no explanation, no reference, no categories.
SAMPLE_A = "::Question 1:: Is the sky blue? {T}\n\n::Question 2:: Pick red. {=red ~green}\n"
SAMPLE_B = "::Question 1:: Two plus two? {#4}\n\n::Question 2:: Water is dry. {F}\n"
EXPLAINED = (
    "// [ref:kh-nq07; Mục II]\n::Question 1:: Is the sky blue? {T ####Because of scattering.}\n\n"
    "// [ref:kh-nq07; Mục II]\n::Question 2:: Pick red. {=red ~green ####Red is red.}\n"
)


def live_texts(course: Course) -> set[str]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(Question.text).where(Question.course_id == course.id, Question.active)
        )
    )


def upload(course, text: str, filename: str, **kwargs):
    return import_questions(
        course, parse_upload(text.encode(), filename), filename=filename, **kwargs
    )


def test_two_files_with_the_same_titles_keep_both_sets(app, course, tree, make_user):
    trainer = make_user(tree["province"], Role.TRAINER)
    own_every_course(trainer)
    first = upload(course, SAMPLE_A, "mau-a.gift")
    second = upload(course, SAMPLE_B, "mau-b.gift")
    assert (first.created, second.created, second.updated, second.changes) == (2, 2, 0, [])
    assert first.categories == ["mau-a"] and second.categories == ["mau-b"]
    publish_imports(course, trainer)
    texts = live_texts(course)
    assert {"Is the sky blue?", "Pick red.", "Two plus two?", "Water is dry."} <= texts
    categories = db.session.scalars(
        select(Question.category).where(Question.title.in_(["Question 1", "Question 2"]))
    ).all()
    assert sorted(categories) == ["mau-a", "mau-a", "mau-b", "mau-b"]

    # Re-importing one file (edited) changes its own questions only, and says which.
    again = upload(course, SAMPLE_B.replace("Two plus two?", "Three plus one?"), "mau-b.gift")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert [(c["title"], c["category"]) for c in again.changes] == [("Question 1", "mau-b")]


def test_a_test_upload_never_reaches_a_learner_before_a_publish(
    app, client, course, tree, make_user, plan
):
    trainer = make_user(tree["province"], Role.TRAINER)
    own_every_course(trainer)
    make_user(tree["A1"], email="hv@test.vn")
    plan(local_today().year)  # the course is required
    before = live_texts(course)
    version = (course.version_major, course.version_minor)
    summary = upload(course, SAMPLE_A, "test-upload.gift")
    assert summary.created == 2
    assert [u["title"] for u in summary.unannotated] == ["Question 1", "Question 2"]
    assert live_texts(course) == before

    login(client, "hv@test.vn")
    client.post("/khoa-hoc/khoa-thu/kiem-tra")
    attempt = db.session.scalars(select(Attempt)).one()
    page = client.get(f"/bai-lam/{attempt.id}").get_data(as_text=True)
    assert "Is the sky blue?" not in page and "Pick red." not in page
    served = set(
        db.session.scalars(select(Question.text).where(Question.id.in_(attempt.question_ids)))
    )
    assert served <= before

    # Publishing the required course with them is refused with the list; nothing changes.
    with pytest.raises(PublishError) as refused:
        publish_course(course, MINOR, trainer)
    problems = refused.value.problems
    assert len(problems) == 2
    assert all("thiếu giải thích và căn cứ" in p for p in problems)
    assert any("Question 1" in p for p in problems) and any("Question 2" in p for p in problems)
    db.session.rollback()
    db.session.expire_all()
    assert live_texts(course) == before
    course = db.session.get(Course, course.id)
    assert (course.version_major, course.version_minor) == version
    assert db.session.scalar(select(func.count()).select_from(QuestionDraft)) == 2

    # Explained and referenced, the same questions publish and reach learners.
    fixed = upload(course, EXPLAINED, "test-upload.gift")
    assert (fixed.created, fixed.updated, fixed.unannotated) == (0, 2, [])
    publish_course(course, MINOR, trainer)
    assert {"Is the sky blue?", "Pick red."} <= live_texts(course)


def test_publish_page_lists_the_refusal(app, client, course, tree, make_user, plan):
    own_every_course(make_user(tree["province"], Role.TRAINER, email="gv@test.vn"))
    plan(local_today().year)
    upload(course, SAMPLE_A, "test-upload.gift")
    login(client, "gv@test.vn")
    response = client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Khóa học bắt buộc theo kế hoạch" in html and "Question 2" in html
    assert db.session.scalar(select(func.count()).select_from(CourseVersion)) == 0


def test_a_course_no_plan_requires_publishes_unexplained_questions(app, course, tree, make_user):
    trainer = make_user(tree["province"], Role.TRAINER)
    own_every_course(trainer)
    upload(course, SAMPLE_A, "test-upload.gift")
    publish_course(course, MINOR, trainer)
    assert "Is the sky blue?" in live_texts(course)


def test_preview_page_flags_missing_notes_and_lists_the_questions_it_changes(
    app, client, course, tree, make_user, monkeypatch, tmp_path
):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    trainer = make_user(tree["province"], Role.TRAINER, email="gv@test.vn")
    own_every_course(trainer)
    upload(course, EXPLAINED, "mau.gift")
    publish_imports(course, trainer)
    login(client, "gv@test.vn")
    edited = EXPLAINED.replace("Pick red.", "Pick the red one.").replace(
        "####Because of scattering.", ""
    )
    response = client.post(
        "/ngan-hang/khoa-thu/nhap",
        data={"file": (io.BytesIO(edited.encode()), "mau.gift"), "fmt": "", "encoding": ""},
        content_type="multipart/form-data",
    )
    preview = client.get(response.location).get_data(as_text=True)
    assert "học viên chỉ thấy sau lần xuất bản tiếp theo" in preview
    changes = preview[preview.index('id="changes"') :]
    changes = changes[: changes.index("</table>")]
    assert "Câu hỏi có sẵn sẽ bị thay đổi (2)" in changes  # both: one text, one explanation
    assert "Question 1" in changes and "Question 2" in changes
    flagged = preview[preview.index('id="unannotated"') :]
    flagged = flagged[: flagged.index("</table>")]
    assert "Question 1" in flagged and "Question 2" not in flagged


NUMBERS = "// [ref:kh-nq07; Mục II]\n::Pi:: Số pi? {#=3.1415:0.0005 =%50%3.10:1e-1 ####Pi.}\n"


def test_numbers_are_stored_and_exported_as_written(app, course, tree, make_user):
    from app.quizzes.bank import export_bank
    from app.quizzes.types import get_type

    trainer = make_user(tree["province"], Role.TRAINER)
    own_every_course(trainer)
    upload(course, NUMBERS, "so.gift")
    publish_imports(course, trainer)
    question = db.session.scalar(select(Question).where(Question.title == "Pi"))
    answers = question.data["answers"]
    assert [(a["text"], a["tolerance_text"]) for a in answers] == [
        ("3.1415", "0.0005"),
        ("3.10", "1e-1"),
    ]
    assert get_type("numerical").grade(question.data, "3,1419") == 1.0
    assert get_type("numerical").grade(question.data, "3.2") == 0.5
    gift = export_bank(course, "gift")[0].decode()
    assert "=3.1415:0.0005" in gift and "=%50%3.10:1e-1" in gift
    xml = export_bank(course, "xml")[0].decode()
    assert "<text>3.1415</text>" in xml and "<tolerance>0.0005</tolerance>" in xml
    assert "<text>3.10</text>" in xml and "<tolerance>1e-1</tolerance>" in xml
