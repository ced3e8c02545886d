"""In-person classes: attendance counts as trained for the course and year (with or without an
account), idempotent; sheets match by code, e-mail or name + unit and list the rest by row;
removal only for class-sourced completions; scope 404 outside the subtree."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core.dates import local_today
from app.extensions import db
from app.org.models import Role
from app.progress.models import ClassAttendance, TrainingClass, TrainingRecord
from app.progress.records import complete as record_completion
from app.reports.services import coverage
from tests.conftest import login
from tests.org.roster_files import to_csv, to_xlsx


@pytest.fixture
def staff(tree, make_user):
    return {
        "trainer": make_user(tree["province"], Role.TRAINER, email="gv@test.vn"),
        "trainer_a": make_user(tree["A"], Role.TRAINER, email="gva@test.vn"),
        "learner": make_user(tree["A1"], email="hv@test.vn"),
    }


@pytest.fixture
def officers(tree, make_user):
    """Five officers of A1 and two of B1, none with an account (trained only in class)."""
    made = [make_user(tree["A1"], name=f"Cán bộ Lớp {i}", password=None) for i in range(5)]
    made += [make_user(tree["B1"], name=f"Cán bộ Bê {i}", password=None) for i in range(2)]
    return made


def _held_on() -> date:
    today = local_today()
    return today - timedelta(days=1) if today.month > 1 or today.day > 1 else today


def _new_class(client, course, held_on=None, expect=302):
    response = client.post(
        "/lop-tap-huan/moi",
        data={
            "course_id": course.id,
            "held_on": (held_on or _held_on()).strftime("%d/%m/%Y"),
            "place": "Hội trường LĐLĐ tỉnh",
            "trainer_name": "Nguyễn Văn Giảng",
            "notes": "",
        },
    )
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return db.session.scalar(select(TrainingClass).order_by(TrainingClass.id.desc()))


def test_attendance_adds_n_trained_for_that_course_and_year(
    client, staff, officers, tree, course, plan
):
    year = local_today().year
    plan(year)
    before = coverage(tree["province"], year, course.id).total
    login(client, "gv@test.vn")
    klass = _new_class(client, course)
    chosen = [officer.id for officer in officers[:4]]
    response = client.post(f"/lop-tap-huan/{klass.id}/them", data={"user_ids": chosen})
    assert response.status_code == 302
    db.session.expire_all()
    after = coverage(tree["province"], year, course.id).total
    assert after.trained == before.trained + 4
    assert after.required == before.required
    records = db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.user_id.in_(chosen))
    ).all()
    assert {(r.source, r.completed_on, r.year) for r in records} == {("class", klass.held_on, year)}
    # adding the same people again changes nothing
    client.post(f"/lop-tap-huan/{klass.id}/them", data={"user_ids": chosen})
    second = _new_class(client, course)
    client.post(f"/lop-tap-huan/{second.id}/them", data={"user_ids": chosen})
    db.session.expire_all()
    assert coverage(tree["province"], year, course.id).total.trained == before.trained + 4
    assert db.session.scalar(select(func.count(ClassAttendance.id))) == 8
    from tests.org.roster_files import QueryCounter

    with QueryCounter(db.engine) as queries:
        page = client.get(f"/lop-tap-huan/{klass.id}").get_data(as_text=True)
    assert "Học viên (4)" in page and "Cán bộ Lớp 0" in page
    assert queries.count <= 6  # not one query per attendee


def test_a_class_last_year_counts_for_last_year(client, staff, officers, tree, course, plan):
    last = local_today().year - 1
    plan(last)
    login(client, "gv@test.vn")
    klass = _new_class(client, course, held_on=date(last, 11, 20))
    client.post(f"/lop-tap-huan/{klass.id}/them", data={"user_ids": [officers[0].id]})
    db.session.expire_all()
    assert coverage(tree["province"], last, course.id).total.trained == 1
    assert coverage(tree["province"], last + 1, course.id).total.trained == 0


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_attendance_sheet_matches_and_lists_unknown_rows(
    client, staff, officers, tree, course, plan, kind
):
    year = local_today().year
    plan(year)
    officers[0].officer_code = "LOP-0"
    db.session.commit()
    rows = [
        {"officer_code": "LOP-0"},  # row 2: by code
        {"email": officers[1].email.upper()},  # row 3: by e-mail
        {"full_name": "Cán bộ Lớp 2", "unit_code": "a1"},  # row 4: by name + unit
        {"officer_code": "KHONG-CO"},  # row 5: unknown
        {
            "full_name": "Cán bộ Bê 0",
            "unit_code": "B1",
        },  # row 6: B1 is outside the trainer's scope
        {"full_name": "Chỉ có tên"},  # row 7: not enough to match
        {"officer_code": "LOP-0"},  # row 8: the same officer again: counted once
    ]
    data = to_csv(rows) if kind == "csv" else to_xlsx(rows)
    login(client, "gva@test.vn")  # a trainer of A: B1 is outside their scope
    klass = _new_class(client, course)
    response = client.post(
        f"/lop-tap-huan/{klass.id}/tai-len",
        data={"file": (io.BytesIO(data), f"diem-danh.{kind}")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Đã thêm 3 học viên từ tệp; 3 dòng không khớp." in page
    unknown = page.split('class="table unknown-rows"')[1].split("</table>")[0]
    for number in (5, 6, 7):
        assert f'<td class="num">{number}</td>' in unknown
    for number in (2, 3, 4, 8):
        assert f'<td class="num">{number}</td>' not in unknown
    db.session.expire_all()
    assert coverage(tree["A"], year, course.id).total.trained == 3


def test_remove_attendee_resets_only_class_completions(client, staff, officers, course, plan):
    year = local_today().year
    plan(year)
    online = officers[1]
    record_completion(online, course, on=_held_on())  # passed online first
    db.session.commit()
    login(client, "gv@test.vn")
    klass = _new_class(client, course)
    client.post(f"/lop-tap-huan/{klass.id}/them", data={"user_ids": [officers[0].id, online.id]})
    assert client.post(f"/lop-tap-huan/{klass.id}/xoa/{officers[0].id}").status_code == 302
    assert client.post(f"/lop-tap-huan/{klass.id}/xoa/{online.id}").status_code == 302
    db.session.expire_all()
    records = {
        r.user_id: r
        for r in db.session.scalars(select(TrainingRecord).where(TrainingRecord.year == year))
    }
    assert records[officers[0].id].completed_on is None
    assert records[officers[0].id].source is None
    assert records[online.id].completed_on is not None  # the online completion stands
    assert records[online.id].source == "online"
    attending = set(
        db.session.scalars(
            select(ClassAttendance.user_id).where(ClassAttendance.class_id == klass.id)
        )
    )
    assert attending == {online.id}


def test_remove_keeps_the_date_of_another_class(client, staff, officers, course):
    login(client, "gv@test.vn")
    first = _new_class(client, course)
    second = _new_class(client, course)
    for klass in (first, second):
        client.post(f"/lop-tap-huan/{klass.id}/them", data={"user_ids": [officers[0].id]})
    client.post(f"/lop-tap-huan/{first.id}/xoa/{officers[0].id}")
    db.session.expire_all()
    record = db.session.scalar(
        select(TrainingRecord).where(TrainingRecord.user_id == officers[0].id)
    )
    assert record.completed_on == second.held_on and record.source == "class"


def test_last_years_class_is_closed(client, staff, officers, course):
    login(client, "gv@test.vn")
    klass = _new_class(client, course, held_on=date(local_today().year - 1, 5, 5))
    client.post(f"/lop-tap-huan/{klass.id}/them", data={"user_ids": [officers[0].id]})
    client.post(f"/lop-tap-huan/{klass.id}/xoa/{officers[0].id}")
    db.session.expire_all()
    record = db.session.scalar(
        select(TrainingRecord).where(TrainingRecord.user_id == officers[0].id)
    )
    assert record.completed_on == klass.held_on


def test_class_form_errors(client, staff, course):
    login(client, "gv@test.vn")
    response = client.post(
        "/lop-tap-huan/moi",
        data={"course_id": course.id, "held_on": "32/13/2025", "place": ""},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="held_on-error">Ngày học không hợp lệ' in page
    assert 'id="place-error">Vui lòng nhập địa điểm.' in page
    future = (local_today() + timedelta(days=3)).strftime("%d/%m/%Y")
    response = client.post(
        "/lop-tap-huan/moi", data={"course_id": course.id, "held_on": future, "place": "X"}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(TrainingClass.id))) == 0


def test_scope_of_classes_and_attendees(client, staff, officers, tree, course, make_user):
    make_user(tree["B"], Role.TRAINER, email="gvb@test.vn")
    login(client, "gvb@test.vn")
    klass_b = _new_class(client, course)
    client.post("/dang-xuat")
    login(client, "gva@test.vn")
    for method, path in [
        ("get", f"/lop-tap-huan/{klass_b.id}"),
        ("post", f"/lop-tap-huan/{klass_b.id}/them"),
        ("post", f"/lop-tap-huan/{klass_b.id}/tai-len"),
        ("post", f"/lop-tap-huan/{klass_b.id}/xoa/{officers[5].id}"),
    ]:
        assert getattr(client, method)(path, data={"user_ids": [officers[0].id]}).status_code == 404
    assert "Hội trường" not in client.get("/lop-tap-huan").get_data(as_text=True)
    klass_a = _new_class(client, course)
    # an officer of B1 cannot be added by a trainer of A, even by forging the id
    response = client.post(f"/lop-tap-huan/{klass_a.id}/them", data={"user_ids": [officers[5].id]})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(ClassAttendance.id))) == 0
    # the search shows only officers in scope
    page = client.get(f"/lop-tap-huan/{klass_a.id}?q=cán bộ").get_data(as_text=True)
    assert "Cán bộ Lớp 0" in page and "Cán bộ Bê 0" not in page


def test_learners_and_managers_are_refused(client, staff, tree, make_user):
    make_user(tree["A"], Role.UNIT_MANAGER, email="ql@test.vn")
    for who in ("hv@test.vn", "ql@test.vn"):
        login(client, who)
        assert client.get("/lop-tap-huan").status_code == 403
        assert client.get("/lop-tap-huan/moi").status_code == 403
        client.post("/dang-xuat")


def test_xss_in_class_and_names_is_escaped(client, staff, tree, make_user, course):
    evil = make_user(tree["A1"], name="<script>alert(1)</script>", password=None)
    login(client, "gv@test.vn")
    response = client.post(
        "/lop-tap-huan/moi",
        data={
            "course_id": course.id,
            "held_on": _held_on().strftime("%d/%m/%Y"),
            "place": "<img src=x onerror=alert(2)>",
            "notes": "<b>x</b>",
        },
    )
    klass = db.session.scalar(select(TrainingClass))
    assert response.status_code == 302
    client.post(f"/lop-tap-huan/{klass.id}/them", data={"user_ids": [evil.id]})
    page = client.get(f"/lop-tap-huan/{klass.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page and "<b>x</b>" not in page
