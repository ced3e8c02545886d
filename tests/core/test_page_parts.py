"""Links and menus built once per worker give exactly what building them each time gives."""

from __future__ import annotations

from flask import url_for

from app.core.page_parts import fixed_url, url_builder
from app.org.models import Role
from tests.conftest import login


def test_url_builder_matches_url_for(app):
    query = {"nam": 2026, "khoa": "tat-ca", "loai": "kiem_nhiem"}
    with app.test_request_context("/", base_url="http://example.test/tdkt"):
        for endpoint in ("reports.coverage", "reports.officers"):
            build = url_builder(endpoint, "unit_id", **query)
            for unit_id in (1, 7, 42, 123456):
                assert build(unit_id) == url_for(endpoint, unit_id=unit_id, **query)
        # An endpoint whose id is not a path segment is still built right (one by one).
        build = url_builder("reports.coverage", "rieng", unit_id=3)
        assert build(1) == url_for("reports.coverage", unit_id=3, rieng=1)


def test_fixed_url_matches_url_for_under_each_script_root(app):
    for root in ("http://example.test/", "http://example.test/tdkt"):
        with app.test_request_context("/", base_url=root):
            for endpoint, values in (
                ("static", {"filename": "css/app.css"}),
                ("courses.dashboard", {}),
                ("courses.lesson", {"slug": "khoa-thu", "position": 2}),
            ):
                assert fixed_url(endpoint, **values) == url_for(endpoint, **values)
                assert fixed_url(endpoint, **values) == url_for(endpoint, **values)  # cached


def test_each_role_gets_its_own_menu_whatever_was_cached_before(app, tree, make_user):
    make_user(tree["A1"], email="hv@test.vn")
    make_user(tree["province"], role=Role.PROVINCE_ADMIN, email="qt@test.vn")
    make_user(tree["A"], role=Role.TRAINER, email="gv@test.vn")
    menus = {}
    for email in ("hv@test.vn", "qt@test.vn", "gv@test.vn", "hv@test.vn"):
        client = app.test_client()
        login(client, email)
        html = client.get("/bang-dieu-khien").get_data(as_text=True)
        menus.setdefault(email, []).append(html)
        assert "Khóa học của tôi" in html and "Đăng xuất" in html, html[:3000]
    learner, admin, trainer = menus["hv@test.vn"][0], menus["qt@test.vn"][0], menus["gv@test.vn"][0]
    assert "Độ bao phủ" not in learner and "Soạn thảo" not in learner
    assert "Độ bao phủ" in admin and "Kế hoạch" in admin and "Soạn thảo" in admin
    assert "Soạn thảo" in trainer and "Độ bao phủ" not in trainer and "Kế hoạch" not in trainer
    # The learner's menu after the others were cached is still the learner's.
    assert "Độ bao phủ" not in menus["hv@test.vn"][1] and "Soạn thảo" not in menus["hv@test.vn"][1]
