"""The tree pages: who may change what, and refused requests change nothing."""

from __future__ import annotations

from io import BytesIO

from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.extensions import db
from app.org.models import OrgUnit
from tests.conftest import login


def _snapshot():
    units = db.session.execute(
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.path, OrgUnit.active, OrgUnit.name,
               OrgUnit.code, OrgUnit.level2_id)
    ).all()  # fmt: skip
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    return sorted(units), events


def test_the_admin_sees_the_tree_and_moves_a_unit(client, tree, people):
    login(client, "admin@test.vn")
    page = client.get("/don-vi/cay/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "CĐCS A1" in html and "Công đoàn ngành B" in html
    unit_page = client.get(f"/don-vi/cay/{tree['A1'].id}")
    assert unit_page.status_code == 200 and "Chuyển đơn vị" in unit_page.get_data(as_text=True)

    response = client.post(f"/don-vi/cay/{tree['A1'].id}/chuyen", data={"parent_id": tree["B"].id})
    assert response.status_code == 302
    a1 = db.session.get(OrgUnit, tree["A1"].id)
    assert a1.parent_id == tree["B"].id and a1.level2_id == tree["B"].id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unit.move"))
    assert event.actor_id == people["admin"].id
    history = client.get(f"/don-vi/cay/{tree['A1'].id}").get_data(as_text=True)
    assert "Chuyển đơn vị cấp trên: A → B" in history


def test_the_admin_creates_renames_merges_and_closes(client, tree, people):
    login(client, "admin@test.vn")
    created = client.post(
        "/don-vi/cay/them", data={"parent_id": tree["B"].id, "name": "CĐCS Mới", "code": "B2"}
    )
    assert created.status_code == 302
    b2 = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "B2"))
    assert b2.parent_id == tree["B"].id and b2.level == 3
    renamed = client.post(f"/don-vi/cay/{b2.id}/doi-ten", data={"name": "CĐCS Hai", "code": "B2"})
    assert renamed.status_code == 302
    assert db.session.get(OrgUnit, b2.id).name == "CĐCS Hai"
    merged = client.post(f"/don-vi/cay/{tree['A2'].id}/sap-nhap", data={"target_id": b2.id})
    assert merged.status_code == 302
    assert not db.session.get(OrgUnit, tree["A2"].id).active
    refused = client.post(f"/don-vi/cay/{tree['B1'].id}/dong")
    assert refused.status_code == 422  # B1 still has an officer
    assert "còn cán bộ" in refused.get_data(as_text=True)
    assert db.session.get(OrgUnit, tree["B1"].id).active
    closed = client.post(f"/don-vi/cay/{b2.id}/dong")
    assert closed.status_code == 302 and not db.session.get(OrgUnit, b2.id).active


def test_a_cycle_is_refused_with_a_message_and_changes_nothing(client, tree, people):
    login(client, "admin@test.vn")
    before = _snapshot()
    response = client.post(f"/don-vi/cay/{tree['A'].id}/chuyen", data={"parent_id": tree["A1"].id})
    assert response.status_code == 422
    assert "Vui lòng chọn một đơn vị trong danh sách" in response.get_data(as_text=True)
    duplicate = client.post(
        "/don-vi/cay/them", data={"parent_id": tree["B"].id, "name": "Trùng", "code": "A1"}
    )
    assert duplicate.status_code == 422 and "đã được dùng" in duplicate.get_data(as_text=True)
    assert _snapshot() == before


def test_a_manager_cannot_move_outside_his_subtree_nor_his_own_unit(client, tree, people):
    login(client, "qa@test.vn")  # manager of A
    before = _snapshot()
    outside = client.post(f"/don-vi/cay/{tree['B1'].id}/chuyen", data={"parent_id": tree["A"].id})
    assert outside.status_code == 404
    assert client.get(f"/don-vi/cay/{tree['B'].id}").status_code == 404
    own = client.post(f"/don-vi/cay/{tree['A'].id}/chuyen", data={"parent_id": tree["B"].id})
    assert own.status_code == 403
    assert client.post(f"/don-vi/cay/{tree['A'].id}/dong").status_code == 403
    away = client.post(f"/don-vi/cay/{tree['A1'].id}/chuyen", data={"parent_id": tree["B"].id})
    assert away.status_code == 422  # B is not his to receive units
    merge_out = client.post(
        f"/don-vi/cay/{tree['A1'].id}/sap-nhap", data={"target_id": tree["B1"].id}
    )
    assert merge_out.status_code == 422  # not among the units he may choose
    assert _snapshot() == before
    # below his unit he may act
    assert (
        client.post(
            f"/don-vi/cay/{tree['A1'].id}/doi-ten", data={"name": "CĐCS A Một", "code": "A1"}
        ).status_code
        == 302
    )
    assert db.session.get(OrgUnit, tree["A1"].id).name == "CĐCS A Một"


def test_a_learner_gets_403_and_nothing_changes(client, tree, people):
    login(client, "a1@test.vn")
    before = _snapshot()
    assert client.get("/don-vi/cay/").status_code == 403
    for path, data in (
        (f"/don-vi/cay/{tree['A1'].id}/chuyen", {"parent_id": tree["B"].id}),
        (f"/don-vi/cay/{tree['A1'].id}/doi-ten", {"name": "X", "code": "A1"}),
        ("/don-vi/cay/them", {"parent_id": tree["A"].id, "name": "X", "code": "X"}),
    ):
        assert client.post(path, data=data).status_code == 403
    assert _snapshot() == before


def test_importing_a_tree_through_the_pages(client, tree, people):
    login(client, "admin@test.vn")
    assert client.get("/don-vi/cay/mau-cay-don-vi.xlsx").data[:2] == b"PK"
    body = (
        "Mã đơn vị;Tên đơn vị;Cấp;Mã đơn vị cấp trên\n"
        "N1;Ngành mới;2;P\nN1-1;Cơ sở;3;N1\nN2;Sai;3;P\n"
    )

    upload = client.post(
        "/don-vi/cay/nhap",
        data={"file": (BytesIO(body.encode()), "cay.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    preview = client.get(upload.headers["Location"])
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Cấp 3 không đúng" in html
    assert db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "N1")) is None
    result = client.post(upload.headers["Location"])
    assert result.status_code == 200
    assert db.session.scalar(select(OrgUnit.level).where(OrgUnit.code == "N1-1")) == 3
    assert db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "N2")) is None
    # the upload is gone once imported
    assert client.get(upload.headers["Location"]).status_code == 404
