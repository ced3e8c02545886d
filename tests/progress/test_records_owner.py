"""Only app/progress/records.py writes training records: checked in the source (every module of
app/, parsed) and at run time (app/progress/writer_guard.py, on in the tests)."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update

from app.extensions import db
from app.progress import records
from app.progress.locking import lock_officers
from app.progress.models import TrainingRecord
from app.progress.writer_guard import UnownedRecordWrite, hand_written

APP = Path(__file__).resolve().parents[2] / "app"
OWNER = "progress/records.py"
# The model itself, and the guard/locks that records keeps as private helpers.
ALLOWED = {OWNER, "progress/models.py", "progress/locking.py", "progress/writer_guard.py"}
PRIVATE_HELPERS = {"app.progress.locking", "app.progress.writer_guard"}
WRITE_SQL = re.compile(
    r"\b(insert\s+into|update|delete\s+from|copy)\s+[\"`]?training_records\b", re.I
)


def _record_names(tree: ast.AST) -> set[str]:
    """ "TrainingRecord", the names it is imported as, and names bound to it or its table."""
    names = {"TrainingRecord"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {a.asname for a in node.names if a.name == "TrainingRecord" and a.asname}
    for node in ast.walk(tree):
        # `t = TrainingRecord.__table__` (a plain name or attribute, not a query's result)
        bound = node.value if isinstance(node, ast.Assign) else None
        while isinstance(bound, ast.Attribute):
            bound = bound.value
        if isinstance(bound, ast.Name) and bound.id in names:
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _mentions_record(node: ast.AST, names: set[str] = frozenset({"TrainingRecord"})) -> bool:
    return any(
        (isinstance(n, ast.Name) and n.id in names)
        or (isinstance(n, ast.Attribute) and n.attr in names)
        for n in ast.walk(node)
    )


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def record_writes(source: str) -> list[str]:
    """What in this module's source writes training records (or reaches records' private
    helpers): an empty list for a module that leaves records to app/progress/records.py."""
    found = []
    tree = ast.parse(source)
    records = _record_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _called_name(node)
            writes = name in {"insert", "update", "delete"} or name.endswith("_insert")
            if name in records:
                found.append(f"line {node.lineno}: constructs TrainingRecord")
            elif writes and any(_mentions_record(arg, records) for arg in node.args[:1]):
                found.append(f"line {node.lineno}: {name}(TrainingRecord)")
            elif (
                writes
                and isinstance(node.func, ast.Attribute)
                and _mentions_record(node.func.value, records)
            ):  # TrainingRecord.__table__.update(), session.query(TrainingRecord)….delete()
                found.append(f"line {node.lineno}: ….{name}() on TrainingRecord")
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
            if names & PRIVATE_HELPERS:
                found.append(f"line {node.lineno}: imports {sorted(names & PRIVATE_HELPERS)}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in PRIVATE_HELPERS:
                    found.append(f"line {node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.Constant) and WRITE_SQL.search(str(node.value)):
            found.append(f"line {node.lineno}: SQL writing training_records")
    return found


def test_no_module_but_records_writes_training_records():
    offenders = {}
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).as_posix()
        if relative in ALLOWED or relative == "__init__.py":
            continue
        found = record_writes(path.read_text(encoding="utf-8"))
        if found:
            offenders[relative] = found
    assert offenders == {}


def test_the_app_factory_reaches_the_checks_through_records_only():
    factory = (APP / "__init__.py").read_text(encoding="utf-8")
    assert "from app.progress.records import install_checks" in factory
    assert record_writes(factory) == []


@pytest.mark.parametrize(
    "source",
    [
        "from app.progress.models import TrainingRecord\nTrainingRecord(user_id=1)\n",
        "from app.progress import models\nmodels.TrainingRecord(user_id=1)\n",
        "db.session.execute(update(TrainingRecord).values(required=False))\n",
        "db.session.execute(sa.delete(TrainingRecord).where(TrainingRecord.id == 1))\n",
        "db.session.execute(insert(TrainingRecord.__table__), rows)\n",
        "db.session.execute(pg_insert(TrainingRecord).values(year=1))\n",
        "from app.progress.locking import lock_officers\n",
        "from app.progress import writer_guard\n",
        "import app.progress.locking\n",
        "db.session.execute(text('UPDATE training_records SET required = false'))\n",
        "db.session.execute(text('delete from training_records'))\n",
        "db.session.execute(text('UPDATE \"training_records\" SET required = false'))\n",
        "db.session.execute(TrainingRecord.__table__.update().values(required=False))\n",
        "db.session.execute(TrainingRecord.__table__.delete())\n",
        "db.session.query(TrainingRecord).filter_by(year=1).update({'required': False})\n",
        "db.session.query(TrainingRecord).filter_by(year=1).delete()\n",
        "from app.progress.models import TrainingRecord as TR\nTR(user_id=1)\n",
        "t = TrainingRecord.__table__\ndb.session.execute(update(t).values(year=1))\n",
    ],
)
def test_the_source_check_finds_each_kind_of_outside_write(source):
    assert record_writes(source) != []


def test_the_source_check_lets_reads_and_records_calls_through():
    source = (
        "from app.progress import records\n"
        "from app.progress.models import TrainingRecord\n"
        "rows = select(TrainingRecord).where(TrainingRecord.year == 2026)\n"
        "records.complete(user, course)\n"
        "db.session.execute(update(User).where(User.id.in_(select(TrainingRecord.user_id))))\n"
        "text('SELECT count(*) FROM training_records')\n"
    )
    assert record_writes(source) == []


# --- the run-time guard (CHECK_RECORD_WRITERS, on in the tests) ---------------------------------


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(TrainingRecord))


def _outside_record(officer, course) -> TrainingRecord:
    return TrainingRecord(
        user_id=officer.id,
        course_id=course.id,
        year=2026,
        unit_id=officer.unit_id,
        officer_type=officer.officer_type,
    )


def test_a_record_added_outside_records_is_refused_and_nothing_is_written(
    app, tree, make_user, course
):
    officer = make_user(tree["A1"])
    lock_officers([officer.id])  # the lock check passes: only the writer guard can refuse
    db.session.add(_outside_record(officer, course))
    with pytest.raises(UnownedRecordWrite, match=f"officer {officer.id}"):
        db.session.flush()
    db.session.rollback()
    assert _count() == 0


def test_a_statement_on_records_outside_records_is_refused(app, tree, make_user, course):
    officer = make_user(tree["A1"])
    record = records.complete(officer, course, on=date(2026, 3, 1))
    db.session.commit()
    for statement in (
        update(TrainingRecord).values(completed_on=None),
        delete(TrainingRecord),
        insert(TrainingRecord.__table__).values(
            user_id=officer.id,
            course_id=course.id,
            year=2025,
            unit_id=officer.unit_id,
            officer_type=officer.officer_type,
        ),  # fmt: skip
    ):
        lock_officers([officer.id])
        with pytest.raises(UnownedRecordWrite, match="statement on training_records"):
            db.session.execute(statement)
        db.session.rollback()
    assert _count() == 1
    assert db.session.get(TrainingRecord, record.id).completed_on == date(2026, 3, 1)


def test_changing_a_record_records_wrote_is_refused_once_it_was_flushed(
    app, tree, make_user, course
):
    officer = make_user(tree["A1"])
    record = records.complete(officer, course, on=date(2026, 3, 1))
    db.session.commit()  # the caller's commit flushes the record records handed over
    lock_officers([officer.id])
    record.completed_on = date(2026, 4, 1)
    with pytest.raises(UnownedRecordWrite):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(TrainingRecord, record.id).completed_on == date(2026, 3, 1)


def test_records_operations_and_test_scenes_pass_the_guard(app, tree, make_user, course):
    officer, other = make_user(tree["A1"]), make_user(tree["A2"])
    record = records.complete(officer, course, on=date(2026, 3, 1))
    db.session.commit()
    assert records.withdraw(officer, course, year=2026, attempt_id=None) is record
    db.session.commit()
    lock_officers([other.id])
    with hand_written():
        db.session.add(_outside_record(other, course))
    db.session.commit()
    assert _count() == 2 and db.session.get(TrainingRecord, record.id).completed_on is None


def test_with_the_guard_off_outside_writes_go_through(app, tree, make_user, course, monkeypatch):
    monkeypatch.setitem(app.config, "CHECK_RECORD_WRITERS", False)  # the production default
    officer = make_user(tree["A1"])
    lock_officers([officer.id])
    db.session.add(_outside_record(officer, course))
    db.session.commit()
    assert _count() == 1
