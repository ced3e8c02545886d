"""Imports enter the bank as drafts: tests that look at the live bank publish first."""

from types import SimpleNamespace

from app.authoring.versions import MINOR, publish_course


def publish_imports(course, actor=None):
    """Publish the course's working copy (imported drafts included) as a minor version, as a
    trainer does after an import; `actor` defaults to "the system" (no user)."""
    return publish_course(course, MINOR, actor or SimpleNamespace(id=None))
