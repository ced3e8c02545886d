"""Pages run a bounded number of SQL queries, whatever the amount of data (no N+1)."""

from contextlib import contextmanager

from sqlalchemy import event

from app.core.dates import local_today
from app.extensions import db
from app.org.models import Role
from tests.conftest import login


@contextmanager
def count_queries():
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_lesson_page_queries(client, tree, make_user, course):
    make_user(tree["A1"], email="hv@test.vn")
    login(client, "hv@test.vn")
    client.get("/khoa-hoc/khoa-thu/bai/2")  # warm-up
    with count_queries() as statements:
        assert client.get("/khoa-hoc/khoa-thu/bai/2").status_code == 200
    # BEGIN, the user, then one statement for "is this worker's copy of the course current,
    # and has the officer done this lesson?"
    assert len(statements) <= 3, statements


def test_coverage_and_names_do_not_grow_with_officers(client, tree, make_user, course, plan):
    make_user(tree["province"], Role.PROVINCE_ADMIN, email="admin@test.vn")
    for unit in ("A1", "A2", "B1"):
        make_user(tree[unit])
    plan(local_today().year)
    login(client, "admin@test.vn")

    def visit():
        client.get("/bao-cao/bao-phu")
        client.get(f"/bao-cao/bao-phu/{tree['province'].id}/can-bo")

    visit()  # warm-up
    with count_queries() as few:
        visit()
    for unit in ("A1", "A2", "B1"):
        for _ in range(5):
            make_user(tree[unit])
    plan(local_today().year + 1)  # more records elsewhere too
    visit()
    with count_queries() as many:
        visit()
    assert len(many) == len(few), many
