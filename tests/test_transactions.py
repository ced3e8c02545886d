"""The transaction rule (docs/architecture.md): services never commit; the boundary does, once.

Walks app/ with `ast` and fails when `<…session…>.commit()` is called outside a boundary
module. Boundaries are recognised by file name, not by package, so they stay recognised while
modules move between packages (org/views.py → roster/views.py, courses/authoring_views.py →
authoring/views*.py, progress/reminders.py → reminders/services.py …).
"""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db

APP = Path(__file__).resolve().parents[1] / "app"


def is_boundary(path: Path) -> bool:
    """A module whose code may commit: it ends a request, a command or a job step."""
    relative = path.relative_to(APP)
    name = relative.name
    return (
        name == "views.py" or name.startswith("views_") or name.endswith("_views.py")  # requests
        or name == "cli.py" or name.endswith("_cli.py")  # `flask …` commands
        or name == "jobs.py"  # job runners: core/jobs.py, the roster and question-bank imports
        or relative.parts[0] == "dev"  # demo and generated data, run from the command line
        or relative == Path("__init__.py")  # the factory (error handlers)
        or relative == Path("core", "serving.py")  # request start/end hooks
    )  # fmt: skip


# Commits a service must keep, as "module path:function" (a function of the same name elsewhere
# is not exempt). Each such commit line carries a comment saying why; keep this list short.
ALLOWED_IN_SERVICES = {
    # Mail: the secret must be stored before the message that carries it leaves, and no lock
    # may be held while talking SMTP.
    "auth/activation.py:send_invitations",
    "auth/activation.py:request_reset",
    # The daily reminder run logs each e-mail right after the SMTP server accepted it (a crash
    # re-sends at most one), and ends its read before talking SMTP.
    "reminders/services.py:_log_sent",
    "reminders/services.py:send_reminders",
    # The roster import writes in chunks, each its own transaction with the job's checkpoint
    # (resumable; SQLite's write lock is released between chunks): a job step boundary.
    "roster/services.py:_import_checked",
    # The question-bank import the same way: a check in a read transaction, then chunks, each
    # committed with the job's checkpoint.
    "quizzes/bank.py:import_questions",
    "quizzes/bank_chunks.py:write",
}


def session_commits(source: str) -> list[tuple[int, str]]:
    """(line, enclosing function) of every `….session….commit()` call in `source`. A
    savepoint's own `.commit()` (`trial = db.session.begin_nested(); trial.commit()`) is not
    one: only a receiver that names the session counts."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "commit"
                and "session" in ast.unparse(child.func.value)
            ):
                found.append((child.lineno, function))
            visit(child, function)

    visit(ast.parse(source), "<module>")
    return found


def commits_outside_boundaries() -> tuple[list[str], set[str]]:
    """The forbidden commits ("path:line in function"), and the allow-list entries used."""
    forbidden, used = [], set()
    for path in sorted(APP.rglob("*.py")):
        if is_boundary(path):
            continue
        source = path.read_text("utf-8")
        lines = source.splitlines()
        for line, function in session_commits(source):
            where = f"{path.relative_to(APP.parent)}:{line} in {function}()"
            key = f"{path.relative_to(APP).as_posix()}:{function}"
            if key in ALLOWED_IN_SERVICES and "#" in lines[line - 1]:
                used.add(key)
            else:
                forbidden.append(where)
    return forbidden, used


def test_services_never_commit():
    forbidden, _used = commits_outside_boundaries()
    assert forbidden == [], (
        "A service commits: remove the commit and let the view / CLI command / job step that "
        "calls it commit once (docs/architecture.md). A justified exception needs a comment "
        "on the commit's line and its function in ALLOWED_IN_SERVICES:\n" + "\n".join(forbidden)
    )


def test_the_allow_list_has_no_stale_entries():
    _forbidden, used = commits_outside_boundaries()
    assert ALLOWED_IN_SERVICES - used == set()


def test_the_walker_finds_session_commits_and_only_those():
    source = (
        "def save():\n"
        "    db.session.commit()\n"
        "def chunk():\n"
        "    session = db.session()\n"
        "    session.commit()\n"
        "    trial = db.session.begin_nested()\n"
        "    trial.commit()\n"  # a savepoint: fine inside a service
        "    repo.commit()\n"  # not the database session
        "db.session().commit()\n"
    )
    assert session_commits(source) == [(2, "save"), (5, "chunk"), (9, "<module>")]


def test_boundaries_are_known_by_file_name():
    for boundary in (
        "org/views.py",
        "roster/views.py",
        "authoring/views_lessons.py",
        "courses/authoring_views.py",
        "roster/cli.py",
        "org/tree_cli.py",
        "core/jobs.py",
        "roster/jobs.py",
        "dev/generate_people.py",
        "__init__.py",
    ):
        assert is_boundary(APP / boundary), boundary
    for service in (
        "org/services.py",
        "roster/services.py",
        "quizzes/saving.py",
        "authoring/drafts.py",
        "core/audit.py",
        "org/__init__.py",
        "reviews.py",
    ):
        assert not is_boundary(APP / service), service


def test_two_services_compose_in_one_transaction(app, tree, make_user):
    """A failure after two service calls leaves nothing of either: nothing committed halfway."""
    from app.org.models import OrgUnit
    from app.roster.services import set_active
    from app.tree.services import create_unit

    officer = make_user(tree["A1"])
    units = db.session.scalar(select(func.count()).select_from(OrgUnit))
    create_unit(None, tree["province"], "Công đoàn mới", "MOI")
    set_active(None, officer, False, "Nghỉ")
    db.session.flush()
    # both services did write (so the rollback below has something to undo)
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == units + 1
    assert officer.active is False
    db.session.rollback()  # what a failing request or command does after the calls
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == units
    assert db.session.get(type(officer), officer.id).active is True
