"""Issue 16: the legal register in the database and the browser, what learners read, and the
acceptance flow "NĐ 98/2023 replaced by NĐ 152/2025 from 01/07/2025" → citing lessons and
questions listed for the trainer → learners see a notice → a major publish re-assigns the
officers who had completed, and coverage drops accordingly (audited throughout)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.authoring.loader import load_courses
from app.core.audit import AuditEvent
from app.core.dates import local_today
from app.courses.models import Lesson
from app.extensions import db
from app.legal.models import LegalAmendment, LegalDocument, LegalReference
from app.org.models import Role
from app.progress.records import complete as record_completion
from app.quizzes.models import Question
from app.reports.services import coverage
from tests.conftest import ROOT, login, own_every_course
from tests.quizzes.bank_helpers import publish_imports
from tests.quizzes.test_learner_journey import take_quiz

FIXTURE = ROOT / "tests" / "fixtures" / "courses"


def switch(client, email: str) -> None:
    client.post("/dang-xuat")
    assert login(client, email).status_code == 302


def doc(code: str) -> LegalDocument:
    return db.session.scalar(select(LegalDocument).where(LegalDocument.code == code))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_loading_fills_the_register_and_article_level_references(course):
    nd98 = doc("nd-98-2023")
    assert (nd98.number, nd98.issued, nd98.effective) == (
        "98/2023/NĐ-CP",
        date(2023, 12, 31),
        date(2023, 12, 31),
    )
    assert nd98.status == "CORROBORATED" and nd98.article_statuses == {"Điều 5": "VERIFIED"}
    assert nd98.sources == ["https://example.org/nd-98-2023"]
    assert nd98.last_checked == date(2026, 2, 24)
    rows = db.session.scalars(
        select(LegalReference).where(LegalReference.document_code == "nd-98-2023")
    ).all()
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "bao-cao"))
    question = db.session.scalar(select(Question).where(Question.key == "t-02"))
    assert {(r.lesson_id, r.question_id, r.place, r.article) for r in rows} == {
        (lesson.id, None, "Điều 5 k1", "Điều 5"),
        (None, question.id, "Điều 5 k1", "Điều 5"),
    }
    scenario = db.session.scalar(select(Question).where(Question.key == "t-01"))
    assert scenario.tags == ["tinh-huong"]
    # loading again changes nothing (idempotent)
    before = count(LegalReference), count(LegalDocument)
    assert load_courses(FIXTURE).errors == []
    assert (count(LegalReference), count(LegalDocument)) == before


def test_lesson_footer_shows_names_and_articles_never_ids(client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    page = client.get("/khoa-hoc/khoa-thu/bai/3").get_data(as_text=True)
    footer = page.split('class="articles"', 1)[1].split("</div>", 1)[0]
    assert "Kế hoạch thực hiện Nghị quyết 07/NQ-TLĐ, Mục IV" in footer
    assert (
        "Nghị định quy định chi tiết một số điều của Luật Thi đua, khen thưởng 98/2023/NĐ-CP, "
        "Điều 5 khoản 1" in footer
    )
    assert "nd-98-2023" not in page and "kh-nq07" not in page
    assert "chưa đối chiếu" not in footer  # both references are VERIFIED (Điều 5 by its row)


def test_review_badges_references_not_verified(client, tree, make_user, course):
    trainer = make_user(tree["province"], role=Role.TRAINER)
    own_every_course(trainer)
    from app.legal.services import update_document

    plan = doc("kh-nq07")
    update_document(plan, {"status": "CORROBORATED"}, trainer)
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    attempt, form = take_quiz(client)
    client.post(f"/bai-lam/{attempt.id}", data=form)
    review = client.get(f"/bai-lam/{attempt.id}/ket-qua").get_data(as_text=True)
    items = review.split('class="reference"')[1:]
    assert len(items) == 4
    for item in items:
        block = item.split("</div>", 1)[0]
        assert "Kế hoạch thực hiện Nghị quyết 07/NQ-TLĐ, Mục" in block
        assert "chưa đối chiếu văn bản gốc" in block  # the plan is now CORROBORATED
    assert "kh-nq07" not in review and "nd-98-2023" not in review
    # the lesson page follows the edit too (the per-worker copy is rebuilt)
    lesson = client.get("/khoa-hoc/khoa-thu/bai/1").get_data(as_text=True)
    assert "chưa đối chiếu văn bản gốc" in lesson


# --- the register pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/soan-thao/van-ban/"),
        ("get", "/soan-thao/van-ban/nd-98-2023"),
        ("post", "/soan-thao/van-ban/nd-98-2023"),
        ("post", "/soan-thao/van-ban/nd-98-2023/thay-doi"),
    ],
)
@pytest.mark.parametrize("role", [Role.LEARNER, Role.UNIT_MANAGER])
def test_only_authors_reach_the_register_and_nothing_changes(
    client, tree, make_user, course, method, url, role
):
    make_user(tree["A1"], role=role, email="x@test.vn")
    login(client, "x@test.vn")
    data = {
        "number": "khác",
        "title": "Đổi tên",
        "issued": "2023-12-31",
        "last_checked": "2026-01-01",
        "status": "VERIFIED",
        "kind": "replaced",
        "replaced_by": "nd-152-2025",
        "effective_from": "2025-07-01",
    }
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 403
    nd98 = doc("nd-98-2023")
    assert (nd98.title, nd98.replaced_by, nd98.edited_at) == (
        "Nghị định quy định chi tiết một số điều của Luật Thi đua, khen thưởng",
        None,
        None,
    )
    assert count(LegalAmendment) == 0 and count(AuditEvent) == 0


def test_register_list_and_edit_with_server_side_validation(client, tree, make_user, course):
    own_every_course(make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn"))
    login(client, "gv@test.vn")
    listing = client.get("/soan-thao/van-ban/").get_data(as_text=True)
    assert "98/2023/NĐ-CP" in listing and "152/2025/NĐ-CP" in listing
    bad = {
        "number": "",
        "title": "Nghị định 98",
        "issued": "31/12/2023",
        "last_checked": "2026-03-01",
        "status": "VERIFIED",
        "sources": "thuvienphapluat.vn",
        "article_statuses": "điều năm = VERIFIED",
    }
    response = client.post("/soan-thao/van-ban/nd-98-2023", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "Nhập số hiệu văn bản.",
        "không phải địa chỉ http(s)",
        "vị trí = trạng thái",
        "Ngày không hợp lệ",
    ):
        assert message in page, message
    assert 'value="Nghị định 98"' in page  # what was typed is shown again
    db.session.expire_all()
    assert doc("nd-98-2023").edited_at is None and count(AuditEvent) == 0

    good = {
        **bad,
        "number": "98/2023/NĐ-CP",
        "issued": "2023-12-31",
        "sources": "https://example.org/a\nhttps://example.org/b",
        "article_statuses": "Điều 5 = VERIFIED\nĐiều 6 khoản 2 = seen-once",
    }
    assert client.post("/soan-thao/van-ban/nd-98-2023", data=good).status_code == 302
    db.session.expire_all()
    nd98 = doc("nd-98-2023")
    assert (nd98.title, nd98.status, nd98.last_checked) == (
        "Nghị định 98",
        "VERIFIED",
        date(2026, 3, 1),
    )
    assert nd98.sources == ["https://example.org/a", "https://example.org/b"]
    assert nd98.article_statuses == {"Điều 5": "VERIFIED", "Điều 6 k2": "SEEN-ONCE"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "legal.document.edit"))
    assert event.target_id == nd98.id and event.details["changed"]["title"][1] == "Nghị định 98"
    # a later load from files does not undo the trainer's edit
    assert load_courses(FIXTURE, force=True).errors == []
    db.session.expire_all()
    assert doc("nd-98-2023").title == "Nghị định 98"


def test_amendment_form_refuses_bad_input_and_changes_nothing(client, tree, make_user, course):
    own_every_course(make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn"))
    login(client, "gv@test.vn")
    url = "/soan-thao/van-ban/nd-98-2023/thay-doi"
    cases = [
        ({"kind": "replaced", "effective_from": "2025-07-01"}, "Nhập mã văn bản thay thế."),
        (
            {"kind": "replaced", "replaced_by": "nd-999", "effective_from": "2025-07-01"},
            "chưa có trong danh mục",
        ),
        ({"kind": "replaced", "replaced_by": "nd-152-2025"}, "Nhập ngày áp dụng thay đổi"),
        (
            {"kind": "amended", "article": "khoản năm", "effective_from": "2025-07-01"},
            "Viết vị trí theo dạng",
        ),
    ]
    for data, message in cases:
        response = client.post(url, data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(LegalAmendment) == 0 and count(AuditEvent) == 0
    assert doc("nd-98-2023").replaced_by is None


# --- acceptance: replaced → listed → notice → major publish re-assigns -------------------------


@pytest.fixture
def officers(course, tree, make_user, plan):
    """Four officers required this year; three completed (A1 ×2, B1 ×1)."""
    year = local_today().year
    people = [make_user(tree["A1"]), make_user(tree["A1"]), make_user(tree["A2"])]
    people.append(make_user(tree["B1"], email="hv@test.vn"))
    plan(year, date(year, 12, 31))
    for person in (people[0], people[1], people[3]):
        record_completion(person, course, on=local_today())
    db.session.commit()
    return people


def test_replacement_flags_notifies_and_a_major_version_reassigns(
    client, tree, make_user, course, officers
):
    year = local_today().year
    own_every_course(make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn"))
    before = coverage(tree["province"], year, course.id).total
    assert (before.required, before.trained) == (4, 3)

    # the learner sees no notice yet
    switch(client, "hv@test.vn")
    assert "Văn bản pháp luật đã thay đổi" not in client.get("/khoa-hoc/khoa-thu").get_data(
        as_text=True
    )
    client.get("/khoa-hoc/khoa-thu/bai/3")  # the worker's copy of the course is built

    # 1. the trainer records the replacement
    switch(client, "gv@test.vn")
    response = client.post(
        "/soan-thao/van-ban/nd-98-2023/thay-doi",
        data={
            "kind": "replaced",
            "replaced_by": "nd-152-2025",
            "effective_from": "2025-07-01",
            "note": "NĐ 152/2025 thay thế NĐ 98/2023",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    nd98 = doc("nd-98-2023")
    assert (nd98.replaced_by, nd98.replaced_from) == ("nd-152-2025", date(2025, 7, 1))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "legal.amendment"))
    assert event.details["replaced_by"] == "nd-152-2025"
    assert event.details["effective_from"] == "2025-07-01"
    assert event.details["courses"] == [course.id]

    # 2. the authoring dashboard lists the citing lesson and question (and only those)
    dashboard = client.get("/soan-thao/").get_data(as_text=True)
    assert "Văn bản đã thay đổi" in dashboard
    assert "/soan-thao/khoa-hoc/khoa-thu/bai/bao-cao" in dashboard
    assert "/soan-thao/khoa-hoc/khoa-thu/cau-hoi/t-02" in dashboard
    assert "cau-hoi/t-01" not in dashboard and "bai/mo-dau" not in dashboard
    assert "Bài học trích dẫn (1)" in dashboard and "Câu hỏi trích dẫn (1)" in dashboard
    assert "từ 01/07/2025" in dashboard

    # 3. learners of the course see the notice on the course and lesson pages
    switch(client, "hv@test.vn")
    for url in ("/khoa-hoc/khoa-thu", "/khoa-hoc/khoa-thu/bai/3", "/khoa-hoc/khoa-thu/bai/1"):
        page = client.get(url).get_data(as_text=True)
        assert "Văn bản pháp luật đã thay đổi" in page, url
        assert "98/2023/NĐ-CP đã được thay thế bởi" in page and "152/2025/NĐ-CP" in page
        assert "từ ngày 01/07/2025" in page
    course_page = client.get("/khoa-hoc/khoa-thu").get_data(as_text=True)
    basis = course_page.split('class="legal-basis"')[1].split("</ul>")[0]
    assert (
        "đã được thay thế bởi Nghị định quy định chi tiết và hướng dẫn thi hành Luật Thi đua, "
        "khen thưởng 152/2025/NĐ-CP từ 01/07/2025" in basis
    )

    # a minor version does not close it (the content has not been re-taught)
    switch(client, "gv@test.vn")
    client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor", "note": "typo"})
    switch(client, "hv@test.vn")
    assert "Văn bản pháp luật đã thay đổi" in client.get("/khoa-hoc/khoa-thu").get_data(
        as_text=True
    )
    assert coverage(tree["province"], year, course.id).total.trained == 3

    # 4. a major version re-assigns the three officers who had completed
    switch(client, "gv@test.vn")
    due = date(year, 12, 31).isoformat()
    response = client.post(
        "/soan-thao/khoa-hoc/khoa-thu/xuat-ban",
        data={"kind": "major", "note": "Cập nhật theo NĐ 152/2025", "due_on": due},
    )
    assert response.status_code == 302
    after = coverage(tree["province"], year, course.id).total
    assert (after.required, after.trained) == (4, 0)
    closed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "legal.amendment.reassign")
    )
    assert closed.details["reassigned"] == 3 and closed.details["version"] == "2.0"

    # the notice is gone for learners, the dashboard no longer asks for a publish
    switch(client, "hv@test.vn")
    for url in ("/khoa-hoc/khoa-thu", "/khoa-hoc/khoa-thu/bai/3"):
        assert "Văn bản pháp luật đã thay đổi" not in client.get(url).get_data(as_text=True)
    switch(client, "gv@test.vn")
    assert "Văn bản đã thay đổi" not in client.get("/soan-thao/").get_data(as_text=True)


def test_an_amendment_of_one_article_lists_only_what_cites_it(client, tree, make_user, course):
    own_every_course(make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn"))
    switch(client, "gv@test.vn")
    response = client.post(
        "/soan-thao/van-ban/kh-nq07/thay-doi",
        data={"kind": "amended", "article": "Mục III", "effective_from": "2026-01-01"},
    )
    assert response.status_code == 302
    dashboard = client.get("/soan-thao/").get_data(as_text=True)
    assert "cau-hoi/t-03" in dashboard  # cites Mục III.5
    assert "cau-hoi/t-01" not in dashboard and "cau-hoi/t-04" not in dashboard
    assert "Bài học trích dẫn (0)" in dashboard
    db.session.expire_all()
    assert doc("kh-nq07").replaced_by is None  # an amendment is not a replacement


def test_browser_edits_are_validated_and_stored_as_references_on_publish(
    client, tree, make_user, course
):
    own_every_course(make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn"))
    login(client, "gv@test.vn")
    url = "/soan-thao/khoa-hoc/khoa-thu/bai/muc-tieu"
    typed = {"title": "Mục tiêu", "body_md": "Nội dung đang gõ.", "save": "1"}
    for refs, message in (
        ("kh-nq07; Mục II", "viết theo dạng cũ"),
        ("kh-nq07 toàn văn", "không đúng dạng"),
        ("nd-khong-co Điều 1", "Căn cứ &#39;nd-khong-co&#39; chưa khai báo"),
    ):
        page = client.post(url, data={**typed, "articles": refs}).get_data(as_text=True)
        assert message in page, (refs, page[:200])
        assert "Nội dung đang gõ." in page  # nothing typed is lost
    before = {(r.lesson_id, r.place) for r in db.session.scalars(select(LegalReference))}
    good = {**typed, "articles": "kh-nq07 Mục II.1; nd-152-2025 Điều 10 khoản 2"}
    assert client.post(url, data=good).status_code == 302
    # a draft: the published references are unchanged until the publish
    assert {(r.lesson_id, r.place) for r in db.session.scalars(select(LegalReference))} == before
    assert (
        client.post("/soan-thao/khoa-hoc/khoa-thu/xuat-ban", data={"kind": "minor"}).status_code
        == 302
    )
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "muc-tieu"))
    rows = db.session.scalars(
        select(LegalReference).where(LegalReference.lesson_id == lesson.id)
    ).all()
    assert {(r.document_code, r.place, r.article) for r in rows} == {
        ("kh-nq07", "Mục II.1", "Mục II"),
        ("nd-152-2025", "Điều 10 k2", "Điều 10"),
    }


def test_historical_citations_do_not_flag_a_course(client, tree, make_user, course, tmp_path):
    import shutil

    target = tmp_path / "courses"
    shutil.copytree(FIXTURE / "khoa-thu", target / "khoa-thu")
    lesson = target / "khoa-thu" / "lessons" / "03-bao-cao.md"
    with lesson.open("a", encoding="utf-8") as f:
        f.write('\n!!! history "Lịch sử"\n    Trước 01/07/2025, Nghị định 98/2023 quy định…\n')
    gift = target / "khoa-thu" / "questions.gift"
    text = gift.read_text(encoding="utf-8")
    gift.write_text(text.replace("// [id:t-02]", "// [id:t-02]\n// [historical]"), "utf-8")
    assert load_courses(target).errors == []
    own_every_course(make_user(tree["province"], role=Role.TRAINER, email="gv@test.vn"))
    login(client, "gv@test.vn")
    response = client.post(
        "/soan-thao/van-ban/nd-98-2023/thay-doi",
        data={"kind": "replaced", "replaced_by": "nd-152-2025", "effective_from": "2025-07-01"},
    )
    assert response.status_code == 302
    amendment = db.session.scalar(select(LegalAmendment))
    assert amendment.courses == {}
    assert "Văn bản đã thay đổi" not in client.get("/soan-thao/").get_data(as_text=True)
    client.post("/dang-xuat")
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    assert "Văn bản pháp luật đã thay đổi" not in client.get("/khoa-hoc/khoa-thu").get_data(
        as_text=True
    )


def test_a_bank_import_updates_the_references(course):
    from app.quizzes.bank import import_questions
    from app.quizzes.formats import parse_gift

    text = (
        "// [id:nhap-01]\n// [ref: nd-152-2025 Điều 7 k2]\n"
        "::nhap-01:: Câu nhập? {\n=Đúng\n~Sai\n####Vì.\n}\n"
    )
    import_questions(course, parse_gift(text), dry_run=True)
    assert (
        db.session.scalar(select(func.count()).where(LegalReference.document_code == "nd-152-2025"))
        == 0
    )
    import_questions(course, parse_gift(text))
    cited = select(func.count()).where(LegalReference.document_code == "nd-152-2025")
    assert db.session.scalar(cited) == 0  # imported questions are drafts until a publish
    publish_imports(course)
    question = db.session.scalar(select(Question).where(Question.key == "nhap-01"))
    row = db.session.scalar(
        select(LegalReference).where(LegalReference.document_code == "nd-152-2025")
    )
    assert (row.question_id, row.place, row.article) == (question.id, "Điều 7 k2", "Điều 7")


def test_a_publish_adds_missing_documents_but_never_rewrites_the_register(tree, make_user, course):
    from app.authoring import services as authoring
    from app.authoring.versions import publish_course
    from app.courses.services import course_meta

    trainer = make_user(tree["province"], role=Role.TRAINER)
    own_every_course(trainer)
    meta = course_meta(course)
    basis = [dict(d) for d in meta["legal_basis"]]
    basis[0]["title"] = "Tên khác do khóa học này khai"
    basis.append({"id": "tt-15-2025", "number": "15/2025/TT-BNV", "title": "Thông tư 15"})
    authoring.save_course_meta(course, {**meta, "legal_basis": basis}, trainer)
    publish_course(course, "minor", trainer)
    assert doc("kh-nq07").title == "Kế hoạch thực hiện Nghị quyết 07/NQ-TLĐ"
    assert doc("tt-15-2025").number == "15/2025/TT-BNV"
