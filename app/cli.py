"""Command-line registration: `register(app)` adds each feature package's group (its cli.py)."""

from flask import Flask

from app.core.db import write_intent


def register(app: Flask) -> None:
    """Add every feature package's command group (each lives in its package's cli.py)."""
    from app.auth.cli import setup_cli
    from app.authoring.cli import courses_cli
    from app.core.cli import backup_cli
    from app.dev.cli import dev_cli
    from app.org.cli import roles_cli
    from app.progress.cli import coverage_cli
    from app.quizzes.cli import questions_cli
    from app.reminders.cli import reminders_cli
    from app.roster.cli import roster_cli
    from app.tree.cli import units_cli

    groups = (courses_cli, dev_cli, reminders_cli, roster_cli, questions_cli, coverage_cli)
    for group in (*groups, setup_cli, units_cli, backup_cli, roles_cli):
        app.cli.add_command(group)
    # CLI commands write: their SQLite transactions begin IMMEDIATE (requests set their own).
    write_intent.set(True)
