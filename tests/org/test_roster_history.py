"""Moves keep history and past coverage; deactivation leaves this year's coverage; the edit
form validates server-side with Vietnamese errors next to the field; search is NFC and
case-insensitive."""

from __future__ import annotations

import unicodedata
from datetime import date

from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.dates import local_today
from app.extensions import db
from app.org.models import UnitMembership, User
from app.progress.models import TrainingRecord
from app.progress.records import complete as record_completion
from app.reports.services import coverage
from tests.conftest import login


def _form(officer, **changes):
    data = {
        "full_name": officer.full_name,
        "officer_code": officer.officer_code or "",
        "birth_date": "",
        "unit_id": officer.unit_id,
        "position": officer.position,
        "officer_type": officer.officer_type,
        "email": officer.email or "",
        "phone": officer.phone or "",
    }
    data.update(changes)
    return data


def test_moved_officer_keeps_last_years_coverage_where_it_was(client, people, tree, course, plan):
    this_year = local_today().year
    last_year = this_year - 1
    plan(last_year)
    plan(this_year)
    officer = people["learner_a1"]
    record_completion(officer, course, on=date(last_year, 6, 1))
    db.session.commit()
    before = {
        (unit, year): coverage(tree[unit], year).total
        for unit in ("A", "B")
        for year in (last_year, this_year)
    }

    login(client, "qa@test.vn")  # manager of A moves the officer within A: A1 → A2 …
    response = client.post(
        f"/don-vi/can-bo/{officer.id}", data=_form(officer, unit_id=tree["A2"].id)
    )
    assert response.status_code == 302
    client.post("/dang-xuat")
    login(client, "admin@test.vn")  # … then the province admin moves them to B1
    response = client.post(
        f"/don-vi/can-bo/{officer.id}", data=_form(officer, unit_id=tree["B1"].id)
    )
    assert response.status_code == 302
    db.session.expire_all()

    # last year: still counted (required and trained) under A, nothing new under B
    for unit in ("A", "B"):
        old, new = before[(unit, last_year)], coverage(tree[unit], last_year).total
        assert (new.required, new.trained) == (old.required, old.trained)
    a_last = coverage(tree["A"], last_year)
    assert [r.trained for r in a_last.rows if r.unit and r.unit.code == "A1"] == [1]
    # this year: the open requirement moved from A to B
    assert coverage(tree["A"], this_year).total.required == before[("A", this_year)].required - 1
    assert coverage(tree["B"], this_year).total.required == before[("B", this_year)].required + 1
    records = {
        r.year: r
        for r in db.session.scalars(
            select(TrainingRecord).where(TrainingRecord.user_id == officer.id)
        )
    }
    assert records[last_year].unit_id == tree["A1"].id
    assert records[this_year].unit_id == tree["B1"].id

    memberships = db.session.scalars(
        select(UnitMembership)
        .where(UnitMembership.user_id == officer.id)
        .order_by(UnitMembership.id)
    ).all()
    assert [m.unit.code for m in memberships] == ["A1", "A2", "B1"]
    assert [m.end_on is None for m in memberships] == [False, False, True]
    moves = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.target_id == officer.id, AuditEvent.action == "officer.move"
        )
    ).all()
    assert [(e.details["from_unit"], e.details["to_unit"]) for e in moves] == [
        ("A1", "A2"),
        ("A2", "B1"),
    ]
    assert {e.actor_id for e in moves} == {people["manager_a"].id, people["admin"].id}

    page = client.get(f"/don-vi/can-bo/{officer.id}").get_data(as_text=True)
    assert "Quá trình công tác" in page and "CĐCS A2" in page and "A2 → B1" in page
    # the unit manager of A can no longer see the officer
    client.post("/dang-xuat")
    login(client, "qa@test.vn")
    assert client.get(f"/don-vi/can-bo/{officer.id}").status_code == 404


def test_deactivated_officer_drops_out_of_this_years_required_count(
    client, people, tree, course, plan
):
    this_year = local_today().year
    plan(this_year)
    officer = people["learner_a1"]
    done = people["learner_b1"]
    record_completion(done, course)
    db.session.commit()
    required = coverage(tree["province"], this_year).total.required
    login(client, "admin@test.vn")
    assert (
        client.post(f"/don-vi/can-bo/{officer.id}/nghi", data={"reason": "Đã chuyển"}).status_code
        == 302
    )
    assert client.post(f"/don-vi/can-bo/{done.id}/nghi", data={"reason": "Nghỉ"}).status_code == 302
    db.session.expire_all()
    total = coverage(tree["province"], this_year).total
    assert total.required == required - 1  # the completed one still counts: they were trained
    assert total.trained == 1
    assert db.session.get(User, officer.id).active is False
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.target_id == officer.id, AuditEvent.action == "officer.deactivate"
        )
    )
    assert event.details["reason"] == "Đã chuyển" and event.actor_id == people["admin"].id
    page = client.get(f"/don-vi/can-bo/{officer.id}").get_data(as_text=True)
    assert "Theo dõi lại cán bộ" in page
    assert client.post(f"/don-vi/can-bo/{officer.id}/kich-hoat").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, officer.id).active is True
    assert coverage(tree["province"], this_year).total.required == required  # required again


def test_officers_imported_after_the_plan_are_required(client, people, tree, course, plan):
    from tests.org.roster_files import officer_rows, preview_token, to_csv, upload

    this_year = local_today().year
    plan(this_year)
    required = coverage(tree["province"], this_year).total.required
    login(client, "admin@test.vn")
    rows = officer_rows(3, ["A1", "B1"])
    token = preview_token(upload(client, to_csv(rows), "a.csv"))
    client.post(f"/don-vi/can-bo/nhap/{token}")
    db.session.expire_all()
    assert coverage(tree["province"], this_year).total.required == required + 3
    assert coverage(tree["B"], this_year).total.required == 1 + 1  # learner_b1 and CB0002


def test_deactivation_by_import_status_column(client, people, tree, course, plan):
    from tests.org.roster_files import officer_rows, preview_token, to_csv, upload

    this_year = local_today().year
    login(client, "admin@test.vn")
    rows = officer_rows(2, ["A1"])
    token = preview_token(upload(client, to_csv(rows), "a.csv"))
    client.post(f"/don-vi/can-bo/nhap/{token}")
    plan(this_year)
    required = coverage(tree["province"], this_year).total.required
    rows[0]["status"] = "Nghỉ"
    token = preview_token(upload(client, to_csv(rows), "b.csv"))
    client.post(f"/don-vi/can-bo/nhap/{token}")
    db.session.expire_all()
    assert coverage(tree["province"], this_year).total.required == required - 1
    assert db.session.scalar(select(User.active).where(User.officer_code == "CB0001")) is False


def test_edit_form_errors_are_in_vietnamese_next_to_the_field(client, people, tree):
    officer = people["learner_a1"]
    login(client, "qa@test.vn")
    response = client.post(
        f"/don-vi/can-bo/{officer.id}",
        data=_form(
            officer, full_name="  ", birth_date="31/02/1990", email="khong-hop-le", phone="abc"
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="full_name-error">Vui lòng nhập họ và tên.' in page
    assert 'id="birth_date-error">Ngày sinh không hợp lệ' in page
    assert 'id="email-error">Thư điện tử không hợp lệ.' in page
    assert 'id="phone-error">' in page
    # a unit outside the subtree is not a valid choice
    response = client.post(
        f"/don-vi/can-bo/{officer.id}", data=_form(officer, unit_id=tree["B1"].id)
    )
    assert response.status_code == 422
    # another officer's e-mail
    response = client.post(f"/don-vi/can-bo/{officer.id}", data=_form(officer, email="qa@test.vn"))
    assert response.status_code == 422
    assert 'id="email-error">Thư điện tử này đã dùng cho cán bộ khác.' in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(User, officer.id).email == "a1@test.vn"


def test_edit_saves_changes_with_audit_old_and_new(client, people):
    officer = people["learner_a1"]
    login(client, "qa@test.vn")
    response = client.post(
        f"/don-vi/can-bo/{officer.id}",
        data=_form(
            officer,
            full_name=unicodedata.normalize("NFD", "Học Viên Hoà"),
            birth_date="05/09/1985",
            officer_code="A1-001",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, officer.id)
    assert saved.full_name == "Học Viên Hoà" and saved.birth_date == date(1985, 9, 5)
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.target_id == officer.id, AuditEvent.action == "officer.update"
        )
    )
    assert event.details["changes"]["full_name"] == ["Học Viên A Một", "Học Viên Hoà"]
    assert event.details["changes"]["birth_date"] == ["", "05/09/1985"]
    # saving the same values again writes nothing
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    client.post(f"/don-vi/can-bo/{officer.id}", data=_form(saved, birth_date="05/09/1985"))
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events


def test_search_is_nfc_and_case_insensitive(client, people, make_user, tree):
    make_user(tree["A2"], name="Đặng Thị Ánh", email="anh@test.vn")
    login(client, "qa@test.vn")
    for query in ["đặng thị", "ĐẶNG", unicodedata.normalize("NFD", "ánh"), "anh@test.vn"]:
        page = client.get("/don-vi/can-bo", query_string={"q": query}).get_data(as_text=True)
        assert "Đặng Thị Ánh" in page, query
        assert "Học Viên A Một" not in page
    page = client.get("/don-vi/can-bo", query_string={"q": "100%_"}).get_data(as_text=True)
    assert "0 cán bộ" in page


def test_roster_is_paginated_with_bounded_queries(client, people, make_user, tree):
    from tests.org.roster_files import QueryCounter

    for i in range(55):
        make_user(tree["A1"], name=f"Cán bộ Phân trang {i:02d}", password=None)
    login(client, "qa@test.vn")
    with QueryCounter(db.engine) as queries:
        first = client.get("/don-vi/can-bo").get_data(as_text=True)
    assert "Trang 1 / 2" in first
    assert queries.count <= 6  # user, count, page (units eager-loaded): not one per officer
    second = client.get("/don-vi/can-bo?trang=2").get_data(as_text=True)
    assert "Trang 2 / 2" in second
