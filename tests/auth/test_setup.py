"""`flask setup province`: the first install of a real province, once."""

from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.extensions import db
from app.org.models import OrgUnit, Role, UnitLevel, User

GOOD = "Sen-hong-nở-giữa-hồ-2026"
ARGS = ["setup", "province", "--code", "LDLD-HN", "--name", "Liên đoàn Lao động tỉnh Hà Nam"]


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (OrgUnit, User, AuditEvent)
    )


def test_setup_creates_root_and_admin_and_prints_a_one_time_link(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://tdkt.congdoan.test")
    result = runner.invoke(args=[*ARGS, "--admin-email", " Admin@LDLD-HN.vn "])
    assert result.exit_code == 0, result.output
    root = db.session.scalar(select(OrgUnit))
    assert (root.code, root.level, root.parent_id) == ("LDLD-HN", UnitLevel.PROVINCE, None)
    assert root.path == f"/{root.id}/" and root.level1_id == root.id
    admin = db.session.scalar(select(User))
    assert admin.email == "admin@ldld-hn.vn" and admin.role == Role.PROVINCE_ADMIN.value
    assert admin.password_hash is None and admin.unit_id == root.id
    link = next(line for line in result.output.splitlines() if "/kich-hoat/" in line).strip()
    assert link.startswith("https://tdkt.congdoan.test/kich-hoat/")

    browser = app.test_client()
    path = link.removeprefix("https://tdkt.congdoan.test")
    assert browser.post(path, data={"password": GOOD, "confirm": GOOD}).status_code == 302
    assert browser.get("/don-vi/can-bo").status_code == 200  # the admin's roster page
    assert app.test_client().get(path).status_code == 404  # one-time


def test_setup_refuses_to_run_twice(app, runner):
    assert runner.invoke(args=[*ARGS, "--admin-email", "a@hn.vn"]).exit_code == 0
    before = _counts()
    again = runner.invoke(args=[*ARGS, "--admin-email", "b@hn.vn"])
    assert again.exit_code == 1
    assert "chỉ chạy một lần" in again.output
    assert _counts() == before


def test_setup_refuses_a_database_with_data(app, runner, tree):
    before = _counts()
    result = runner.invoke(args=[*ARGS, "--admin-email", "a@hn.vn"])
    assert result.exit_code == 1 and _counts() == before


def test_setup_refuses_a_bad_email(app, runner):
    result = runner.invoke(args=[*ARGS, "--admin-email", "khong-phai-thu"])
    assert result.exit_code == 1 and "--admin-email" in result.output
    assert _counts() == (0, 0, 0)
