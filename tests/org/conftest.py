"""Roster fixtures: people at several levels of the test tree."""

from __future__ import annotations

import pytest

from app.org.models import Role


@pytest.fixture
def people(tree, make_user):
    return {
        "admin": make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn"),
        "manager_a": make_user(tree["A"], Role.UNIT_MANAGER, email="qa@test.vn"),
        "learner_a1": make_user(tree["A1"], email="a1@test.vn", name="Học Viên A Một"),
        "learner_b1": make_user(tree["B1"], email="b1@test.vn", name="Học Viên B Một"),
    }
