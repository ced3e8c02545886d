"""6-month and annual report: figures, XLSX/CSV downloads equal to the coverage page, scope."""

import io

from openpyxl import load_workbook

from app.org.models import Role
from app.reports.periodic import build_report
from app.reports.services import coverage
from tests.conftest import login
from tests.reports.test_coverage import YEAR, scene, second_course  # noqa: F401 (fixtures)


def test_half_year_and_year_figures(tree, scene):  # noqa: F811
    half = build_report(tree["province"], YEAR, "6t")
    by_name = {r.unit_name: (r.officers, r.trained) for r in half.rows}
    # by 30/06 both courses done: a1x (05/05) only; a2x finished 09/09.
    assert by_name["Công đoàn ngành A"] == (5, 1)
    assert (half.total.officers, half.total.trained) == (7, 1)
    year = build_report(tree["province"], YEAR, "nam")
    assert (year.total.officers, year.total.trained) == (7, 2)
    cov = coverage(tree["province"], YEAR, None)
    assert (year.total.officers, year.total.trained) == (cov.total.required, cov.total.trained)


def test_xlsx_opens_and_totals_equal_the_coverage_page(client, tree, scene, make_user):  # noqa: F811
    make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn")
    login(client, "admin@test.vn")
    response = client.get(f"/bao-cao/dinh-ky/{tree['province'].id}/tai-ve.xlsx?nam={YEAR}&ky=nam")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == "Đơn vị"
    total = rows[-1]
    cov = coverage(tree["province"], YEAR, None)
    assert (
        total[0] == "Tổng cộng" and total[1] == cov.total.required and total[2] == cov.total.trained
    )
    assert sum(r[1] for r in rows[3:-1]) == total[1]
    page = client.get(f"/bao-cao/bao-phu?nam={YEAR}&khoa=tat-ca").get_data(as_text=True)
    assert f'<span class="big">{cov.total.required}</span>' in page
    csv_text = client.get(
        f"/bao-cao/dinh-ky/{tree['province'].id}/tai-ve.csv?nam={YEAR}&ky=6t"
    ).data.decode("utf-8-sig")
    assert "Tổng cộng,7,1," in csv_text


def test_report_routes_refuse_other_subtrees(client, tree, make_user):
    make_user(tree["A"], Role.UNIT_MANAGER, email="qa@test.vn")
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "qa@test.vn")
    for unit in ("B", "B1", "province"):
        assert client.get(f"/bao-cao/dinh-ky/{tree[unit].id}").status_code == 404
        assert client.get(f"/bao-cao/dinh-ky/{tree[unit].id}/tai-ve.xlsx").status_code == 404
    assert client.get(f"/bao-cao/dinh-ky/{tree['A1'].id}").status_code == 200
    client.post("/dang-xuat")
    login(client, "hv@test.vn")
    assert client.get(f"/bao-cao/dinh-ky/{tree['A1'].id}/tai-ve.csv").status_code == 403


def test_plan_page_admin_only_and_validates(client, tree, make_user, course):
    make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn")
    make_user(tree["A"], Role.UNIT_MANAGER, email="qa@test.vn")
    login(client, "qa@test.vn")
    assert client.get("/ke-hoach/").status_code == 403
    client.post("/dang-xuat")
    login(client, "admin@test.vn")
    bad = client.post(
        "/ke-hoach/",
        data={
            "year": YEAR,
            "course_id": course.id,
            "officer_type": "",
            "due_on": f"{YEAR + 1}-01-05",
        },
    )
    assert "Hạn hoàn thành phải nằm trong năm của kế hoạch." in bad.get_data(as_text=True)
    ok = client.post(
        "/ke-hoach/",
        data={"year": YEAR, "course_id": course.id, "officer_type": "", "due_on": f"{YEAR}-10-01"},
    )
    assert ok.status_code == 302
    page = client.get(f"/ke-hoach/?nam={YEAR}").get_data(as_text=True)
    assert "01/10/" + str(YEAR) in page
    again = client.post(
        "/ke-hoach/",
        data={"year": YEAR, "course_id": course.id, "officer_type": "", "due_on": f"{YEAR}-11-01"},
    )
    assert "đã có trong kế hoạch" in again.get_data(as_text=True)
