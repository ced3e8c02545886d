"""The attack run's hostile files, each answered quickly, with little memory, and a clear error:
the XLSX dimension bomb (68 KB declaring A1:XFD1048576, a million one-cell rows), the 3M-row
file (190 KB), and the ReDoS question file (a short Aiken question and 120,000 "{").

Time and memory are measured in a child process (the readers alone, after a warm-up, peak
resident memory before and after), under a 2 GB address-space cap so that a regression fails
the test instead of the machine. The uploads are also sent through their pages.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.extensions import db
from app.org.models import Role
from tests.conftest import login, own_every_course
from tests.security import hostile_files

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 1.0
EXTRA_MB = 100

CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
sys.path.insert(0, sys.argv[1])
from app import create_app
from app.roster.files import RosterFileError, read_table
from app.quizzes.formats import parse_file
from app.quizzes.formats.xlsx import parse_xlsx
from tests.security.hostile_files import BANK_HEADING, row_bomb

target, path = sys.argv[2], sys.argv[3]
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

def run(data):
    if target == "roster":
        try:
            read_table("danh-sach.xlsx", data)
        except RosterFileError as error:
            return str(error)
        return "read"
    if target == "bank":
        return " | ".join(e.message for e in parse_xlsx(data).errors[:3])
    result = parse_file(data)  # "Tự nhận": the format is detected from the content
    return " | ".join(e.message for e in result.errors[:3]) or f"{len(result.questions)} câu"

with app.test_request_context():
    run(row_bomb(BANK_HEADING, rows=3) if target != "redos" else b"Q?\nA. a\nB. b\nANSWER: A\n")
    data = open(path, "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    message = run(data)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "extra_mb": (after - before) / 1024, "message": message}))
"""


def _measure(tmp_path, target: str, data: bytes) -> dict:
    path = tmp_path / "hostile.bin"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), target, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def bombs():
    return {
        "dimension": hostile_files.dimension_bomb(),
        "rows": hostile_files.row_bomb(),
        "bank-dimension": hostile_files.dimension_bomb(hostile_files.BANK_HEADING, "Câu hỏi"),
        "bank-rows": hostile_files.row_bomb(hostile_files.BANK_HEADING, sheet_name="Câu hỏi"),
    }


def test_the_bombs_are_the_attack_runs(bombs):
    assert len(bombs["dimension"]) < 100_000  # 68 KB in the attack run
    assert len(bombs["rows"]) < 250_000  # 190 KB


@pytest.mark.parametrize(
    "target, bomb",
    [
        ("roster", "dimension"),
        ("roster", "rows"),
        ("bank", "bank-dimension"),
        ("bank", "bank-rows"),
    ],
)
def test_xlsx_bombs_are_refused_fast_and_small(tmp_path, bombs, target, bomb):
    measured = _measure(tmp_path, target, bombs[bomb])
    assert "Tệp quá lớn hoặc hỏng" in measured["message"], measured
    assert measured["seconds"] < SECONDS, measured
    assert measured["extra_mb"] < EXTRA_MB, measured


def test_redos_question_file_is_answered_fast_and_small(tmp_path):
    measured = _measure(tmp_path, "redos", hostile_files.REDOS_AIKEN.encode())
    assert measured["seconds"] < SECONDS, measured
    assert measured["extra_mb"] < EXTRA_MB, measured
    assert "Dòng 5 dài hơn 20.000 ký tự" in measured["message"], measured


def test_detection_is_linear_on_hostile_text():
    """Not only long lines: many short lines of `{` (which pass the line limit) too."""
    from app.quizzes.formats import detect_format, parse_file

    aiken = "Câu hỏi?\nA. một\nB. hai\nANSWER: A\n"
    for text in (
        aiken + "{" * 120_000,
        aiken + "{\n" * 120_000,
        aiken + "\t \n" * 120_000,
        aiken + "::" * 9_000 + "\n",
    ):
        start = time.perf_counter()
        detect_format(None, text)
        parse_file(text.encode())
        assert time.perf_counter() - start < SECONDS


def test_deep_moodle_xml_is_refused_with_its_line():
    from app.quizzes.formats import parse_moodle_xml

    text = '<?xml version="1.0"?>\n<quiz>\n' + "<question>\n" * 20_000
    start = time.perf_counter()
    result = parse_moodle_xml(text)
    assert time.perf_counter() - start < SECONDS
    assert result.questions == []
    assert "lồng nhau quá 32 cấp" in result.errors[0].message
    assert result.errors[0].line == 34  # <quiz> on line 2, the 33rd open tag on line 34


# --- through the pages -------------------------------------------------------------------


@pytest.fixture
def people(app, tree, make_user, course):
    make_user(tree["A"], Role.UNIT_MANAGER, email="ql@test.vn")
    trainer = make_user(tree["A1"], Role.TRAINER, email="gv@test.vn")
    own_every_course(trainer)  # the bank upload is for the course's owners
    return trainer


def _client(app, email):
    client = app.test_client()
    login(client, email)
    return client


def _count(table: str) -> int:
    return db.session.scalar(db.text(f"SELECT count(*) FROM {table}"))


def test_roster_upload_of_a_bomb(app, people, bombs):
    client = _client(app, "ql@test.vn")
    users = _count("users")
    start = time.perf_counter()
    response = client.post(
        "/don-vi/can-bo/nhap",
        data={"file": (io.BytesIO(bombs["dimension"]), "danh-sach.xlsx")},
        content_type="multipart/form-data",
    )
    assert time.perf_counter() - start < SECONDS
    assert response.status_code == 422
    assert "Tệp quá lớn hoặc hỏng" in response.get_data(as_text=True)
    assert _count("users") == users


def test_class_attendance_upload_of_a_bomb(app, people, course, bombs):
    from datetime import date

    from app.classes.services import create_class

    klass = create_class(people, course, date(2025, 3, 1), "Hội trường")
    client = _client(app, "gv@test.vn")
    start = time.perf_counter()
    response = client.post(
        f"/lop-tap-huan/{klass.id}/tai-len",
        data={"file": (io.BytesIO(bombs["rows"]), "diem-danh.xlsx")},
        content_type="multipart/form-data",
    )
    assert time.perf_counter() - start < SECONDS
    assert response.status_code == 422
    assert "Tệp quá lớn hoặc hỏng" in response.get_data(as_text=True)
    assert _count("class_attendances") == 0


@pytest.mark.parametrize(
    "name, data",
    [
        ("cau-hoi.xlsx", "bank-dimension"),
        ("cau-hoi.txt", "redos"),
    ],
)
def test_bank_upload_of_hostile_files(app, people, course, bombs, monkeypatch, name, data):
    monkeypatch.setitem(app.config, "BANK_SYNC_MAX_BYTES", 10**8)  # parsed in the request
    body = hostile_files.REDOS_AIKEN.encode() if data == "redos" else bombs[data]
    questions = _count("questions")
    client = _client(app, "gv@test.vn")
    start = time.perf_counter()
    response = client.post(
        f"/ngan-hang/{course.slug}/nhap",
        data={"file": (io.BytesIO(body), name), "fmt": ""},  # "Tự nhận"
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert time.perf_counter() - start < SECONDS
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Tệp quá lớn hoặc hỏng" in page or "dài hơn 20.000 ký tự" in page
    assert _count("questions") == questions
