"""Browser authoring: drafts, preview, questions, publishing, and who may use it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.markdown import render_markdown
from app.courses.models import Course, CourseVersion, Lesson, LessonDraft, QuestionDraft
from app.extensions import db
from app.org.models import Role, User
from app.quizzes.models import Question
from tests.conftest import csrf_token, login, own_every_course


@pytest.fixture
def trainer(tree, make_user, course):
    user = make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn")
    own_every_course(user)  # only a course's owners (and the province admin) edit it
    return user


@pytest.fixture
def learner(tree, make_user):
    return make_user(tree["A1"], email="hv@test.vn")


def as_trainer(client, trainer):
    login(client, trainer.email)
    return client


def lesson_body(client, position=1) -> str:
    page = client.get(f"/khoa-hoc/khoa-thu/bai/{position}").get_data(as_text=True)
    return page.split('<div class="lesson-body">')[1].split("</div>\n")[0]


# --- permissions -----------------------------------------------------------------------------


def authoring_urls(app):
    values = {"slug": "khoa-thu", "lesson_slug": "mo-dau", "key": "t-01", "user_id": "1"}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("authoring."):
            url = rule.rule
            for name in rule.arguments:
                for pattern in (f"<{name}>", f"<path:{name}>", f"<int:{name}>"):
                    url = url.replace(pattern, values[name])
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                urls.append((method, url))
    return urls


@pytest.mark.parametrize("role", [Role.LEARNER, Role.UNIT_MANAGER])
def test_learner_and_unit_manager_get_403_everywhere(client, app, course, tree, make_user, role):
    user = make_user(tree["A"], role=role, email="khong-quyen@test.vn")
    login(client, user.email)
    urls = authoring_urls(app)
    assert len(urls) >= 15
    for method, url in urls:
        response = client.open(url, method=method, data={"text": "x", "title": "x"})
        assert response.status_code == 403, (method, url, response.status_code)
    assert db.session.scalar(select(func.count()).select_from(LessonDraft)) == 0


def test_anonymous_is_sent_to_sign_in(client, app, course):
    response = client.get("/soan-thao/")
    assert response.status_code in (302, 401)
    response = client.post("/soan-thao/xem-truoc", data={"text": "**x**"})
    assert response.status_code in (302, 401)


def test_nav_link_only_for_authors(client, course, trainer, learner):
    login(client, learner.email)
    assert "/soan-thao/" not in client.get("/bang-dieu-khien").get_data(as_text=True)
    client.post("/dang-xuat")
    client.get("/")
    as_trainer(client, trainer)
    page = client.get("/bang-dieu-khien").get_data(as_text=True)
    assert "/soan-thao/" in page and "Soạn thảo" in page


# --- lessons: draft, preview, publish --------------------------------------------------------


def test_edit_preview_publish_minor_learner_sees_new_version(client, course, trainer, learner):
    as_trainer(client, trainer)
    page = client.get("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau")
    assert page.status_code == 200
    assert "Bài **mở đầu** về thi đua" in page.get_data(as_text=True)  # the Markdown source

    # the preview endpoint uses the learner page's renderer
    text = "Nội dung **mới** của bài.\n\n- một\n- hai"
    preview = client.post("/soan-thao/xem-truoc", data={"text": text})
    assert preview.status_code == 200 and preview.mimetype == "text/html"
    assert preview.get_data(as_text=True) == render_markdown(text)

    # without JavaScript: the "Xem trước" button renders the preview on the server
    form = {"title": "Mở đầu (sửa)", "articles": "kh-nq07 Mục I", "body_md": text}
    page = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau", data={**form, "preview": "Xem trước"}
    )
    assert page.status_code == 200
    assert render_markdown(text) in page.get_data(as_text=True)

    saved = client.post("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau", data={**form, "save": "1"})
    assert saved.status_code == 302
    draft = db.session.scalar(select(LessonDraft).where(LessonDraft.slug == "mo-dau"))
    assert draft.body_md == text and draft.author_id == trainer.id

    # learners still see the published lesson
    client.post("/dang-xuat")
    login(client, learner.email)
    assert "mở đầu</strong>" in lesson_body(client)
    assert "mới" not in lesson_body(client)
    client.post("/dang-xuat")

    as_trainer(client, trainer)
    done = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor", "note": "Sửa lỗi"}
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    db.session.expire_all()
    course = db.session.scalar(select(Course).where(Course.slug == "khoa-thu"))
    assert course.version_label == "1.1"
    versions = db.session.scalars(select(CourseVersion).order_by(CourseVersion.id)).all()
    assert [v.label for v in versions] == ["1.0", "1.1"]  # 1.0 = the loaded content, frozen
    assert versions[1].snapshot["lessons"][0]["body_md"] == text
    assert versions[0].snapshot["lessons"][0]["body_md"].startswith("Bài **mở đầu**")
    assert db.session.scalar(select(func.count()).select_from(LessonDraft)) == 0

    client.post("/dang-xuat")
    login(client, learner.email)
    body = lesson_body(client)
    assert "<strong>mới</strong>" in body and "mở đầu</strong>" not in body
    page = client.get("/khoa-hoc/khoa-thu/bai/1").get_data(as_text=True)
    assert "Mở đầu (sửa)" in page


def test_validation_error_keeps_typed_text_in_a_draft(client, course, trainer):
    as_trainer(client, trainer)
    typed = "Một đoạn dài đã gõ…\n\nKhông được mất."
    page = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau",
        data={"title": "", "articles": "", "body_md": typed, "save": "1"},
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nhập tiêu đề bài học." in html  # the error, next to its field
    assert "Không được mất." in html  # the text is still in the form
    draft = db.session.scalar(select(LessonDraft).where(LessonDraft.slug == "mo-dau"))
    assert draft.body_md == typed and draft.title == ""
    # coming back later restores the draft, with a notice
    again = client.get("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau").get_data(as_text=True)
    assert "Không được mất." in again and "Đang hiển thị bản nháp" in again
    # and publishing refuses the incomplete draft
    refused = client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    assert refused.status_code == 422
    assert "chưa có tiêu đề" in refused.get_data(as_text=True)


def test_new_lesson_validation_error_is_kept(client, course, trainer):
    as_trainer(client, trainer)
    page = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/bai-moi",
        data={"title": "Bài bốn", "slug": "mo-dau", "body_md": "Nội dung bài bốn", "save": "1"},
    )
    assert page.status_code == 200
    assert "đã có trong khóa học" in page.get_data(as_text=True)
    draft = db.session.scalar(select(LessonDraft).where(LessonDraft.title == "Bài bốn"))
    assert draft.slug == "bai-bon" and draft.lesson_id is None
    assert draft.body_md == "Nội dung bài bốn"


def test_autosave_endpoint_and_new_lesson_autosave(client, course, trainer):
    as_trainer(client, trainer)
    response = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/bai/muc-tieu/tu-dong-luu",
        data={"title": "Mục tiêu", "articles": "", "body_md": "đang gõ"},
    )
    assert response.status_code == 200 and response.json["ok"] is True
    assert "Đã tự động lưu" in response.json["message"]
    draft = db.session.scalar(select(LessonDraft).where(LessonDraft.slug == "muc-tieu"))
    assert draft.body_md == "đang gõ"

    new = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/bai-moi/tu-dong-luu",
        data={"title": "Báo cáo định kỳ", "body_md": "x"},
    )
    assert new.json["slug"] == "bao-cao-dinh-ky"
    assert new.json["edit_url"].endswith("/bai/bao-cao-dinh-ky")
    missing = client.post("/soan-thao/khoa-hoc/khoa-thu/bai/khong-co/tu-dong-luu", data={})
    assert missing.status_code == 404


def test_csrf_is_required_for_preview_and_autosave(client, app, course, trainer):
    as_trainer(client, trainer)
    page = client.get("/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau").get_data(as_text=True)
    token = csrf_token(page)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/soan-thao/xem-truoc", data={"text": "a"}).status_code == 400
        ok = client.post("/soan-thao/xem-truoc", data={"text": "a"}, headers={"X-CSRFToken": token})
        assert ok.status_code == 200
        saved = client.post(
            "/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau/tu-dong-luu",
            data={"title": "t", "body_md": "b"},
        )
        assert saved.status_code == 400
        # an expired form shows the typed text again instead of losing it
        expired = client.post(
            "/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau",
            data={"title": "Tiêu đề", "body_md": "Văn bản gõ trước khi hết phiên", "save": "1"},
        )
        assert expired.status_code == 400
        assert "Văn bản gõ trước khi hết phiên" in expired.get_data(as_text=True)
        question = client.post(
            "/soan-thao/khoa-hoc/khoa-thu/cau-hoi-moi",
            data=question_form(text="Câu hỏi gõ trước khi hết phiên"),
        )
        assert question.status_code == 400
        html = question.get_data(as_text=True)
        assert "Câu hỏi gõ trước khi hết phiên" in html and "15/2003/QH11" in html
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.scalar(select(func.count()).select_from(LessonDraft)) == 0
    assert db.session.scalar(select(func.count()).select_from(QuestionDraft)) == 0


def test_reorder_applies_on_publish(client, course, trainer):
    as_trainer(client, trainer)
    client.post("/soan-thao/khoa-hoc/khoa-thu/bai/bao-cao/di-chuyen", data={"huong": "len"})
    lessons = db.session.scalars(select(Lesson).order_by(Lesson.position)).all()
    assert [x.slug for x in lessons] == ["mo-dau", "muc-tieu", "bao-cao"]  # not yet
    client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    db.session.expire_all()
    lessons = db.session.scalars(select(Lesson).order_by(Lesson.position)).all()
    assert [x.slug for x in lessons] == ["mo-dau", "bao-cao", "muc-tieu"]


def test_new_course_first_publish(client, app, trainer, learner, tree):
    as_trainer(client, trainer)
    response = client.post(
        "/soan-thao/khoa-hoc/moi",
        data={
            "slug": "khoa-moi",
            "title": "Khóa mới",
            "summary": "Giới thiệu",
            "pass_mark": "80",
            "questions_per_attempt": "0",
            "legal_basis-0-doc_id": "luat-tdkt-2022",
            "legal_basis-0-title": "Luật Thi đua, khen thưởng",
            "legal_basis-0-number": "06/2022/QH15",
            "legal_basis-0-issued": "2022-06-15",
            "legal_basis-0-status": "CORROBORATED",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    course = db.session.scalar(select(Course).where(Course.slug == "khoa-moi"))
    assert course.published is False and course.pass_mark == 80
    assert course.legal_basis == [
        {
            "id": "luat-tdkt-2022",
            "number": "06/2022/QH15",
            "title": "Luật Thi đua, khen thưởng",
            "issued": "2022-06-15",
            "status": "CORROBORATED",
        }
    ]
    # publishing with no lesson is refused
    assert client.post("/soan-thao/khoa-hoc/khoa-moi/xuat-ban", data={}).status_code == 422
    client.post(
        "/soan-thao/khoa-hoc/khoa-moi/bai-moi",
        data={"title": "Bài một", "body_md": "Nội dung", "save": "1"},
    )
    client.post("/dang-xuat")
    login(client, learner.email)
    assert client.get("/khoa-hoc/khoa-moi").status_code == 404
    client.post("/dang-xuat")
    as_trainer(client, trainer)
    published = client.post("/soan-thao/khoa-hoc/khoa-moi/xuat-ban", data={"kind": "minor"})
    assert published.status_code == 302
    db.session.expire_all()
    assert course.published and course.version_label == "1.0"
    client.post("/dang-xuat")
    login(client, learner.email)
    assert "Bài một" in client.get("/khoa-hoc/khoa-moi").get_data(as_text=True)


def test_course_details_of_a_published_course_wait_for_publish(client, course, trainer):
    as_trainer(client, trainer)
    page = client.get("/soan-thao/khoa-hoc/khoa-thu/thong-tin").get_data(as_text=True)
    assert "kh-nq07" in page
    response = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/thong-tin",
        data={
            "title": "Khóa thử (tên mới)",
            "pass_mark": "90",
            "time_limit_minutes": "15",
            "max_attempts": "2",
            "shuffle_answers": "y",
            "legal_basis-0-doc_id": "kh-nq07",
            "legal_basis-0-title": "Kế hoạch",
            "legal_basis-0-status": "VERIFIED",
            "legal_basis-1-doc_id": "",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert course.title == "Khóa thử nghiệm" and course.pass_mark == 75
    client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    db.session.expire_all()
    assert course.title == "Khóa thử (tên mới)" and course.pass_mark == 90
    assert (course.time_limit_minutes, course.max_attempts, course.shuffle_answers) == (15, 2, True)


def test_course_form_errors_are_in_vietnamese(client, course, trainer):
    as_trainer(client, trainer)
    page = client.post(
        "/soan-thao/khoa-hoc/moi",
        data={"slug": "Khóa Mới", "title": "", "pass_mark": "150", "legal_basis-0-number": "1"},
    )
    html = page.get_data(as_text=True)
    assert "Chỉ dùng chữ thường không dấu" in html
    assert "Nhập tên khóa học." in html
    assert "Điểm đạt phải từ 1 đến 100." in html
    assert "Nhập mã để bài học và câu hỏi trích dẫn." in html


# --- questions -------------------------------------------------------------------------------


def question_form(**overrides):
    data = {
        "qtype": "single",
        "text": "Luật Thi đua, khen thưởng hiện hành có số hiệu là gì?",
        "options-0-text": "06/2022/QH15",
        "options-0-weight": "100",
        "options-1-text": "15/2003/QH11",
        "options-1-weight": "0",
        "options-1-feedback": "Luật năm 2003.",
        "explanation": "Luật số 06/2022/QH15.",
        "reference": "kh-nq07 Mục I",
        "active": "1",
    }
    data.update(overrides)
    return data


def test_new_question_is_validated_by_its_type(client, course, trainer):
    as_trainer(client, trainer)
    # multi: the right weights must sum to 100 %
    bad = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/cau-hoi-moi",
        data=question_form(qtype="multi", **{"options-0-weight": "50"}),
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Tổng trọng số các phương án đúng phải là 100%" in html
    assert 'id="options-error"' in html
    assert "06/2022/QH15" in html  # typed text kept
    # single: exactly one right option
    bad = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/cau-hoi-moi",
        data=question_form(**{"options-1-weight": "100"}),
    )
    assert "Cần đúng một phương án đúng." in bad.get_data(as_text=True)
    # missing explanation, and true/false without an answer
    bad = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/cau-hoi-moi",
        data=question_form(qtype="truefalse", explanation=""),
    )
    html = bad.get_data(as_text=True)
    assert "Mỗi câu hỏi cần lời giải thích." in html
    assert "Chọn đáp án đúng: Đúng hoặc Sai." in html
    assert db.session.scalar(select(func.count()).select_from(QuestionDraft)) == 0

    ok = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/cau-hoi-moi",
        data=question_form(key="t-05", category="Nguyên tắc"),
    )
    assert ok.status_code == 302
    draft = db.session.scalar(select(QuestionDraft).where(QuestionDraft.key == "t-05"))
    assert draft.data["choices"][0] == {
        "id": "0",
        "text": "06/2022/QH15",
        "fraction": 1.0,
        "feedback": "",
    }
    assert db.session.scalar(select(Question).where(Question.key == "t-05")) is None
    client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    question = db.session.scalar(select(Question).where(Question.key == "t-05"))
    assert question.qtype == "single" and question.active and question.position == 5
    assert question.explanation == "Luật số 06/2022/QH15."
    assert question.category == "Nguyên tắc"


def test_edit_existing_questions_of_each_form_type(client, course, trainer):
    as_trainer(client, trainer)
    # multi (t-02): the form is filled from the stored weights
    page = client.get("/soan-thao/khoa-hoc/khoa-thu/cau-hoi/t-02").get_data(as_text=True)
    assert 'value="-100"' in page and 'value="50"' in page
    # true/false (t-03)
    page = client.get("/soan-thao/khoa-hoc/khoa-thu/cau-hoi/t-03").get_data(as_text=True)
    assert '<input checked id="truefalse-1"' in page
    response = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/cau-hoi/t-03",
        data=question_form(qtype="truefalse", truefalse="true", text="Câu Đúng/Sai đã sửa"),
    )
    assert response.status_code == 302
    # short (t-04)
    response = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/cau-hoi/t-04",
        data=question_form(
            qtype="short",
            **{"options-0-text": "15%", "options-1-text": "mười lăm", "options-1-weight": "100"},
        ),
    )
    assert response.status_code == 302
    client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    t03 = db.session.scalar(select(Question).where(Question.key == "t-03"))
    assert t03.data["correct"] is True and t03.text == "Câu Đúng/Sai đã sửa"
    t04 = db.session.scalar(select(Question).where(Question.key == "t-04"))
    assert [a["text"] for a in t04.data["answers"]] == ["15%", "mười lăm"]


def test_versions_page_shows_a_diff(client, course, trainer):
    as_trainer(client, trainer)
    client.post(
        "/soan-thao/khoa-hoc/khoa-thu/bai/muc-tieu",
        data={"title": "Mục tiêu", "body_md": "Dòng mới hoàn toàn", "save": "1"},
    )
    client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    page = client.get("/soan-thao/khoa-hoc/khoa-thu/phien-ban").get_data(as_text=True)
    assert "Khác biệt từ 1.0 đến 1.1" in page
    assert '<span class="add">+Dòng mới hoàn toàn</span>' in page


def test_course_workspace_query_count_does_not_grow(client, course, trainer):
    from app.authoring.lessons import create_lesson_draft, save_lesson_draft
    from app.authoring.questions import save_question_draft
    from tests.org.roster_files import QueryCounter

    as_trainer(client, trainer)
    course_id, trainer_id = course.id, trainer.id
    db.session.remove()
    with QueryCounter(db.engine) as small:
        assert client.get("/soan-thao/khoa-hoc/khoa-thu").status_code == 200
    course = db.session.get(Course, course_id)
    trainer = db.session.get(User, trainer_id)
    for n in range(12):
        create_lesson_draft(course, f"Bài thêm {n}", "x", "", trainer)
        save_question_draft(
            course,
            f"them-{n}",
            qtype="truefalse",
            text=f"Câu {n}",
            data={"correct": True, "feedback_correct": "", "feedback_wrong": ""},
            explanation="x",
            reference="",
            author=trainer,
        )
    client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    save_lesson_draft(course, "mo-dau", "Mở đầu", "y", "", trainer)
    db.session.remove()
    with QueryCounter(db.engine) as large:
        page = client.get("/soan-thao/khoa-hoc/khoa-thu")
    assert page.status_code == 200 and "Bài thêm 11" in page.get_data(as_text=True)
    assert large.count == small.count, (small.count, large.count)


def test_hide_a_lesson_at_the_next_publish(client, course, trainer, learner):
    from app.courses.models import LessonProgress
    from app.learning.services import mark_lesson_done

    mark_lesson_done(learner, db.session.scalar(select(Lesson).where(Lesson.slug == "muc-tieu")))
    as_trainer(client, trainer)
    client.post("/soan-thao/khoa-hoc/khoa-thu/bai/muc-tieu/an", data={"an": "1"})
    page = client.get("/soan-thao/khoa-hoc/khoa-thu").get_data(as_text=True)
    assert "Sẽ ẩn khi xuất bản" in page
    # changing one's mind, then hiding again
    client.post("/soan-thao/khoa-hoc/khoa-thu/bai/muc-tieu/an", data={"an": "0"})
    assert "Sẽ ẩn khi xuất bản" not in client.get("/soan-thao/khoa-hoc/khoa-thu").get_data(
        as_text=True
    )
    client.post("/soan-thao/khoa-hoc/khoa-thu/bai/muc-tieu/an", data={"an": "1"})
    assert (
        client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"}).status_code
        == 302
    )
    db.session.expire_all()
    active = db.session.scalars(
        select(Lesson).where(Lesson.active.is_(True)).order_by(Lesson.position)
    ).all()
    assert [(x.slug, x.position) for x in active] == [("mo-dau", 1), ("bao-cao", 2)]
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1  # kept
    diff = client.get("/soan-thao/khoa-hoc/khoa-thu/phien-ban").get_data(as_text=True)
    assert "Bài “Mục tiêu”" in diff and "đã bỏ" in diff

    # hiding every lesson is refused
    for slug in ("mo-dau", "bao-cao"):
        client.post(f"/soan-thao/khoa-hoc/khoa-thu/bai/{slug}/an", data={"an": "1"})
    refused = client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"})
    assert refused.status_code == 422
    assert "cần ít nhất một bài học" in refused.get_data(as_text=True)

    client.post("/dang-xuat")
    login(client, learner.email)
    page = client.get("/khoa-hoc/khoa-thu").get_data(as_text=True)
    assert "Mục tiêu" not in page and "Báo cáo" in page


def test_oversized_lesson_text_is_refused_not_stored(client, course, trainer):
    from app.authoring.lessons import MAX_LESSON_CHARS

    as_trainer(client, trainer)
    huge = "a" * (MAX_LESSON_CHARS + 1)
    assert client.post("/soan-thao/xem-truoc", data={"text": huge}).status_code == 413
    url = "/soan-thao/khoa-hoc/khoa-thu/bai/mo-dau"
    assert client.post(url + "/tu-dong-luu", data={"body_md": huge}).status_code == 413
    page = client.post(url, data={"title": "Mở đầu", "body_md": huge, "save": "1"})
    assert page.status_code == 413 and "Bài học quá dài" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LessonDraft)) == 0


def test_multi_answer_form_defaults_wrong_options_negative_and_refuses_gameable_weights(
    client, course, trainer
):
    as_trainer(client, trainer)
    three = {
        "options-0-weight": "50",
        "options-1-text": "06 tháng",
        "options-1-weight": "50",
        "options-2-text": "Hằng quý",
        "options-2-weight": "-20",
    }
    bad = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/cau-hoi-moi", data=question_form(qtype="multi", **three)
    )
    assert bad.status_code == 422
    assert "Chọn tất cả các phương án được 80% điểm" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuestionDraft)) == 0

    three["options-2-weight"] = ""  # no weight given: the default makes ticking all score 0
    ok = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/cau-hoi-moi",
        data=question_form(qtype="multi", key="t-06", **three),
    )
    assert ok.status_code == 302
    draft = db.session.scalar(select(QuestionDraft).where(QuestionDraft.key == "t-06"))
    assert [c["fraction"] for c in draft.data["choices"]] == [0.5, 0.5, -1.0]
