"""Bench S7: a worker that only serves lessons does not carry the PDF, image and spreadsheet
libraries (fpdf2 and Pillow/fontTools behind it, segno, openpyxl): they load where a
certificate, a sheet or an export is made. Each would add megabytes to every worker's memory.
Nor, on SQLite, PostgreSQL's SQLAlchemy dialect (it imports every PostgreSQL driver's module),
nor the question bank's XML and spreadsheet formats.

Checked in a fresh interpreter: this test process has imported them through other tests.
"""

import json
import subprocess
import sys
import textwrap

from tests.conftest import ROOT

HEAVY = (
    "fpdf",
    "segno",
    "PIL",
    "fontTools",
    "openpyxl",
    "sqlalchemy.dialects.postgresql",
    # the question bank's import/export formats that only the bank's pages use
    "defusedxml",
    "app.quizzes.formats.moodle_xml",
    "app.quizzes.formats.moodle_xml_export",
    "app.quizzes.formats.xlsx",
    "app.quizzes.formats.aiken",
)

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from app import create_app
    from app.config import TestConfig
    from app.extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + sys.argv[1]
    app = create_app(config, serving=True)  # as a gunicorn worker (app/wsgi.py): no Alembic
    with app.app_context():
        from app.authoring.loader import load_courses
        from app.org.models import Role
        from app.org.services import create_officer, create_unit

        db.create_all()
        assert load_courses(__import__("pathlib").Path(sys.argv[2])).errors == []
        unit = create_unit("CĐCS Thử", "T", create_unit("Tổng Liên đoàn", "TLD"))
        create_officer("Cán bộ Thử", unit, email="hv@test.vn", password="mat-khau-thu-nghiem",
                       role=Role.LEARNER)
        db.session.commit()
    heavy = sys.argv[3].split(",")
    def loaded():  # a package and its modules
        return sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))
    after_start = loaded()
    client = app.test_client()
    signed_in = client.post("/", data={"email": "hv@test.vn", "password": "mat-khau-thu-nghiem"})
    page = client.get("/khoa-hoc/khoa-thu/bai/1")
    after_lesson = loaded()
    print(json.dumps({"signed_in": signed_in.status_code, "lesson": page.status_code,
                      "text": page.get_data(as_text=True)[:20000],
                      "after_start": after_start, "after_lesson": after_lesson}))
    """
)


def _fresh_interpreter(tmp_path, script: str) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            str(tmp_path / "lazy.sqlite3"),
            str(ROOT / "tests" / "fixtures" / "courses"),
            ",".join(HEAVY),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_lesson_request_loads_no_pdf_image_or_sheet_library(tmp_path):
    seen = _fresh_interpreter(tmp_path, SCRIPT)
    # The lesson was really served to a signed-in officer (not a redirect to sign-in).
    assert seen["signed_in"] == 302
    assert seen["lesson"] == 200 and "Đăng xuất" in seen["text"]
    assert seen["after_start"] == []
    assert seen["after_lesson"] == []


def test_the_check_sees_a_library_that_is_loaded(tmp_path):
    # The same script, with a certificate's library imported the way an eager import in the
    # app would: the check must see it (else the test above proves nothing).
    eager = SCRIPT.replace("from app import create_app", "import fpdf\nfrom app import create_app")
    seen = _fresh_interpreter(tmp_path, eager)
    assert "fpdf" in seen["after_start"] and "fpdf" in seen["after_lesson"]


def test_the_check_sees_a_dialect_or_bank_format_that_is_loaded(tmp_path):
    # The dotted entries (a dialect, a module of the app) are matched as modules too.
    eager = SCRIPT.replace(
        "from app import create_app",
        "import sqlalchemy.dialects.postgresql\nimport app.quizzes.formats.xlsx\n"
        "from app import create_app",
    )
    seen = _fresh_interpreter(tmp_path, eager)
    assert "sqlalchemy.dialects.postgresql" in seen["after_start"]
    assert "app.quizzes.formats.xlsx" in seen["after_start"]
