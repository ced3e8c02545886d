"""Fixtures: an app on a real database (a SQLite file, or PostgreSQL when TEST_DATABASE_URL
points at one — `make test` runs the suite both ways), a clean schema per test, factories."""

from __future__ import annotations

import contextvars
import os
import re
from datetime import date
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TDKT_SHARED_DIR", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url != "sqlite://":
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


class FreshRequestClient(FlaskClient):
    """A test client whose every request runs as in production: its own app context, so its
    own `g` and its own database session, removed when the request ends.

    Why: a test holds the app context open (see `app`), and Flask would reuse it for the
    requests the test makes. They would then share the test's `g` (Flask-Login's cached user:
    a second client would act as the first client's officer) and its database session: a view
    that forgot to commit would pass, its changes still in the session the test reads.

    So the request runs in an empty `contextvars` context, where Flask pushes a fresh app
    context. What the test set up is committed first (the request must see it, as a real one
    would), and the test's objects are expired after, so its next read sees what the request
    committed, and only that.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():
            return super().open(*args, **kwargs)
        db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.expire_all()


@pytest.fixture(scope="session")
def _schema_app(database_url):
    app = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = FreshRequestClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def _test_config() -> dict:
    return {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}


def _wipe() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        # Records first: deleting them fires the triggers that rewrite the coverage tables,
        # which must be emptied after.
        tables.remove("training_records")
        for table in ["training_records", *tables]:
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture
def app(_schema_app):
    with _schema_app.app_context():
        _wipe()
        # The workers' rendered pages are keyed by stamps the wipe starts again from zero: a
        # page of the last test must not answer this one (production never empties tables
        # under a running worker; `flask coverage rebuild` moves the stamps forward).
        _schema_app.extensions.pop("tdkt_pages", None)
        yield _schema_app
        db.session.remove()


@pytest.fixture
def records_written_by_hand(app, monkeypatch):
    """For tests that write training records with their own SQL (to set a scene, or to show
    the triggers follow any write): no services involved, so no `lock_officers` check and no
    check that app/progress/records.py wrote them."""
    monkeypatch.setitem(app.config, "CHECK_RECORD_LOCKS", False)
    monkeypatch.setitem(app.config, "CHECK_RECORD_WRITERS", False)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories -------------------------------------------------------------------------------

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture
def tree(app):
    """TLĐ → province → two upper-level unions (A, B) → grassroots unions (A1, A2, B1)."""
    from app.org.services import create_unit

    national = create_unit("Tổng Liên đoàn", "TLD")
    province = create_unit("LĐLĐ tỉnh Thử nghiệm", "P", national)
    upper_a = create_unit("Công đoàn ngành A", "A", province)
    upper_b = create_unit("Công đoàn ngành B", "B", province)
    a1 = create_unit("CĐCS A1", "A1", upper_a)
    a2 = create_unit("CĐCS A2", "A2", upper_a)
    b1 = create_unit("CĐCS B1", "B1", upper_b)
    db.session.commit()
    return {
        "national": national,
        "province": province,
        "A": upper_a,
        "B": upper_b,
        "A1": a1,
        "A2": a2,
        "B1": b1,
    }


@pytest.fixture
def make_user(app):
    from app.org.models import OfficerType, Role
    from app.org.services import create_officer

    counter = {"n": 0}

    def make(
        unit,
        role=Role.LEARNER,
        name=None,
        email=None,
        password=PASSWORD,
        officer_type=OfficerType.PART_TIME,
    ):
        counter["n"] += 1
        user = create_officer(
            name or f"Cán bộ Số {counter['n']}",
            unit,
            email=email or f"user{counter['n']}@test.vn",
            password=password,
            role=role,
            officer_type=officer_type,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def course(app):
    """The small fixture course in tests/fixtures/courses (3 lessons, 4 questions)."""
    from app.authoring.loader import load_courses

    report = load_courses(ROOT / "tests" / "fixtures" / "courses")
    assert report.errors == []
    db.session.commit()  # the test is the boundary: services never commit
    from app.courses.models import Course

    return db.session.scalar(db.select(Course).where(Course.slug == "khoa-thu"))


@pytest.fixture
def plan(app, course, tree):
    """Require the fixture course of every officer of the test province in `year`."""
    from app.progress.services import add_plan_item

    def make(year: int, due: date | None = None, officer_type: str = ""):
        item = add_plan_item(
            year, course, due or date(year, 12, 31), tree["province"], officer_type
        )
        db.session.commit()  # the test is the boundary: services never commit
        return item

    return make


def require(user, course, year: int, due_on: date, **values):
    """A required record of `course` for `user` (his current unit and type), open unless
    `values` say otherwise (completed_on=…). Added and flushed, not committed; returned."""
    from app.progress.locking import lock_officers
    from app.progress.models import TrainingRecord
    from app.progress.writer_guard import hand_written

    lock_officers([user.id])  # as every writer of records does (CHECK_RECORD_LOCKS)
    record = TrainingRecord(
        **{
            "user_id": user.id,
            "course_id": course.id,
            "year": year,
            "unit_id": user.unit_id,
            "officer_type": user.officer_type,
            "required": True,
            "due_on": due_on,
            **values,
        }
    )
    with hand_written():  # a scene, not a service: past the writer guard (flushed)
        db.session.add(record)
    return record


def login(client, email, password=PASSWORD):
    return client.post("/", data={"email": email, "password": password})


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


# --- the browser ------------------------------------------------------------------------------
# One Playwright (sync API) per test session: a second one started while the first runs fails
# ("Sync API inside the asyncio loop"), so every browser test takes this fixture.
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    import shutil

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (see .ci/ensure-packages)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def own_every_course(user) -> None:
    """Make `user` an owner of every course in the database (a trainer fixture that edits the
    fixture course: only owners and the province admin may). Commits."""
    from app.courses.models import Course
    from app.courses.owners import add_owner_row

    for course in db.session.scalars(db.select(Course)):
        add_owner_row(course, user)
    db.session.commit()
