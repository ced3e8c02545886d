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


def test_coverage_page_as_opened_by_a_unit_manager(client, tree, make_user, course, plan):
    # Bench S4: a small unit's manager opening the page. Kept from an earlier request (nothing
    # changed since): (BEGIN on SQLite,) the user (with his grants), the change counters with
    # the unit's path. Rendered (after a change): then the course options (ids and titles),
    # the plan lines choosing the default course, and the one aggregate; no query for the
    # breadcrumb of the manager's own unit.
    from app.core.page_cache import forget_pages

    make_user(tree["A1"], Role.UNIT_MANAGER, email="ql@test.vn")
    for _ in range(3):
        make_user(tree["A1"])
    plan(local_today().year)
    login(client, "ql@test.vn")
    client.get("/bao-cao/bao-phu")  # warm-up
    with count_queries() as statements:
        page = client.get("/bao-cao/bao-phu")
    assert page.status_code == 200
    kept = [s for s in statements if s.strip().upper() != "BEGIN"]  # SQLite's, not psycopg's
    assert len(kept) == 2 and "coverage_stamps" in kept[1], statements
    forget_pages()
    with count_queries() as statements:
        page = client.get("/bao-cao/bao-phu")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert tree["A1"].name in html and course.title in html
    rendered = [s for s in statements if s.strip().upper() != "BEGIN"]
    assert len(rendered) <= 5, statements
    assert not any("FROM org_units" in s.split("WHERE")[0] for s in rendered[2:]), statements


def test_coverage_breadcrumbs_from_the_viewer_down(client, tree, make_user, course, plan):
    # The crumb of the viewer's own unit comes without a query; below it the trail is read.
    make_user(tree["A"], Role.UNIT_MANAGER, email="ql@test.vn")
    plan(local_today().year)
    login(client, "ql@test.vn")

    def crumbs(path: str) -> str:
        html = client.get(path).get_data(as_text=True)
        return html.split('<nav class="crumbs"', 1)[1].split("</nav>", 1)[0]

    own = crumbs("/bao-cao/bao-phu")
    assert "<a " not in own  # the last crumb is the page itself, not a link
    child = crumbs(f"/bao-cao/bao-phu/{tree['A1'].id}")
    assert tree["A"].name in child and f"/bao-cao/bao-phu/{tree['A'].id}?" in child
    assert tree["province"].name not in child  # nothing above the viewer's unit
