"""`flask backup create` while attempts and training records are being written, then
`flask backup restore` into a new database and instance folder: every table holds one
consistent moment (the writer's commits up to some point, whole), the instance files are
there, and `flask coverage check` passes on the restored database. Runs on SQLite and, under
`.ci/with-postgres`, on PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from app import create_app
from app.core.backup import BackupError, create_backup, restore_backup
from app.core.db import write_intent
from app.extensions import db
from app.org.models import User
from app.progress.models import TrainingRecord
from app.progress.records import complete as record_completion
from app.quizzes.models import Attempt
from tests.conftest import _test_config

OFFICERS = 40
STATIC_TABLES = ["org_units", "users", "courses", "questions", "plan_items"]


@pytest.fixture
def scene(app, tree, make_user, course, plan):
    officers = [make_user(tree["A1" if i % 2 else "B1"]) for i in range(OFFICERS)]
    plan(2025)
    db.session.commit()
    return [o.id for o in officers], course.id


@pytest.fixture
def instance_folder(tmp_path) -> Path:
    folder = tmp_path / "instance-live"
    (folder / "question-uploads").mkdir(parents=True)
    (folder / "question-uploads" / "abc.gift").write_text("Câu hỏi {=đúng ~sai}", "utf-8")
    (folder / "job-progress").mkdir()
    (folder / "job-progress" / "tok.json").write_text('{"done": 3}', "utf-8")
    return folder


@pytest.fixture
def restore_url(app, database_url, tmp_path):
    """A new, empty database of the same kind as the test database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"tdkt_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Writer(threading.Thread):
    """Submits one passed attempt and its completion per officer, one commit each, as the
    quiz does, until stopped; `committed` lists the attempt ids in commit order."""

    def __init__(self, app, officer_ids, course_id):
        super().__init__(daemon=True)
        self.app, self.officer_ids, self.course_id = app, officer_ids, course_id
        self.committed: list[int] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        write_intent.set(True)  # as a POST request: SQLite transactions begin IMMEDIATE
        try:
            with self.app.app_context():
                for number, officer_id in enumerate(self.officer_ids):
                    if self.stop.is_set():
                        break
                    user = db.session.get(User, officer_id)
                    attempt = Attempt(
                        user_id=officer_id,
                        course_id=self.course_id,
                        course_version=1,
                        question_ids=[],
                        score=100.0,
                        passed=True,
                        submitted_at=datetime(2025, 3, 1 + number % 28),
                    )
                    db.session.add(attempt)
                    db.session.flush()
                    record_completion(
                        user,
                        attempt.course,
                        on=date(2025, 3, 1 + number % 28),
                        attempt_id=attempt.id,
                    )
                    db.session.commit()
                    self.committed.append(attempt.id)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error


def _counts(tables) -> dict[str, int]:
    return {t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) for t in tables}


def test_backup_while_writing_then_restore(
    app, database_url, scene, instance_folder, restore_url, tmp_path
):
    officer_ids, course_id = scene
    static_before = _counts(STATIC_TABLES)
    db.session.rollback()  # this thread's transaction must not hold the writer up
    writer = Writer(app, officer_ids, course_id)
    writer.start()
    while len(writer.committed) < 5 and writer.is_alive():
        threading.Event().wait(0.01)
    committed_before = len(writer.committed)
    backup = tmp_path / "backup"
    manifest = create_backup(backup, database_url, instance_folder)
    committed_during = len(writer.committed)
    print("commits before / after the backup:", committed_before, committed_during)
    writer.join(timeout=120)
    assert writer.error is None, writer.error
    assert not writer.is_alive()
    assert len(writer.committed) == OFFICERS  # the writer was never blocked for good
    assert manifest.instance_files == 2
    target_instance = tmp_path / "instance-restored"
    restore_backup(backup, restore_url, target_instance)

    restored = create_app({**_test_config(), "SQLALCHEMY_DATABASE_URI": restore_url})
    with restored.app_context():
        try:
            assert _counts(STATIC_TABLES) == static_before
            attempt_ids = list(db.session.scalars(select(Attempt.id).order_by(Attempt.id)))
            # one moment of the writer: its first k commits, whole, none half
            k = len(attempt_ids)
            assert committed_before <= k <= committed_during + 1
            assert attempt_ids == sorted(writer.committed[:k])
            completed = db.session.scalar(
                select(func.count()).where(TrainingRecord.completed_on.is_not(None))
            )
            assert completed == k
            result = restored.test_cli_runner().invoke(args=["coverage", "check"])
            assert result.exit_code == 0, result.output
            assert "đúng với hồ sơ" in result.output
        finally:
            db.session.remove()
            db.engine.dispose()
    assert (
        (target_instance / "question-uploads" / "abc.gift").read_text("utf-8").startswith("Câu hỏi")
    )
    assert (target_instance / "job-progress" / "tok.json").read_text("utf-8") == '{"done": 3}'


def test_cli_backup_and_restore(app, database_url, scene, restore_url, tmp_path):
    officer_ids, course_id = scene
    runner = app.test_cli_runner()
    backup = tmp_path / "cli-backup"
    created = runner.invoke(args=["backup", "create", str(backup)])
    assert created.exit_code == 0, created.output
    again = runner.invoke(args=["backup", "create", str(backup)])
    assert again.exit_code != 0 and "đã có dữ liệu" in again.output  # never over a backup
    restored = runner.invoke(
        args=[
            "backup",
            "restore",
            str(backup),
            "--database-url",
            restore_url,
            "--instance",
            str(tmp_path / "inst"),
        ]
    )
    assert restored.exit_code == 0, restored.output
    engine = create_engine(restore_url)
    with engine.connect() as connection:
        users = connection.execute(text("SELECT count(*) FROM users")).scalar()
    engine.dispose()
    assert users == db.session.scalar(select(func.count()).select_from(User))
    if restore_url.startswith("sqlite"):  # an existing file is not overwritten without --force
        with pytest.raises(BackupError):
            restore_backup(backup, restore_url, tmp_path / "inst")
