"""Change counters for everything the coverage page shows, kept by database triggers.

Why: the coverage page is opened far more often than its numbers change, and rendering it cost
several times the aggregate it reads (bench S2, S4). Workers keep rendered pages
(app/core/page_cache.py) and must know, with one cheap read, that nothing the page shows
has changed since. These counters are that read: a trigger moves a counter in the same
transaction as every write that can change a page, whichever code (or hand-typed SQL) makes it.

One row per province (`scope_id` = the `level1_id` of the unit written) and one row, scope 0,
for changes every page may show (the national unit, course titles, plan lines). What moves them:

* `training_records` — any insert, update or delete: the trigger-kept coverage tables follow
  the records, so a completion, a regrade, a plan line, a roster import or a class moves the
  counter of the province of the record's unit (both provinces when a record moves).
* `org_units` — any insert, update or delete: names, closures, tree moves and merges (a move's
  refold of the coverage tables happens in the same transaction: app/org/tree_coverage.py).
* `courses` (a title: the filter's options) and `plan_items` (the course a page opens on): 0.
* `flask coverage rebuild` moves every counter (it rewrites the tables without the triggers).

A page of a unit in province P is current while (P, counter 0 + counter P) is unchanged; the
national page while the sum of all counters is. The counters only grow, so a sum repeats no
earlier value. The reader reads the counters *before* the numbers: a write committed between
the two leaves a page newer than its key, never older.

PostgreSQL: one statement trigger per write statement (the province rows it touched, sorted, in
one upsert). On `training_records` it is named to fire before the count triggers, so a
transaction takes its province's counter before any count row of that province: two writers
of one province then queue at the counter rather than deadlock over count rows.
"""

from __future__ import annotations

from sqlalchemy import DDL, BigInteger, Integer, bindparam, event, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class CoverageStamp(db.Model):
    __tablename__ = "coverage_stamps"

    scope_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    changes: Mapped[int] = mapped_column(BigInteger, default=0)


# --- SQLite: row triggers ----------------------------------------------------------------------
def _sqlite_bump(scope: str) -> str:
    return (
        f"INSERT INTO coverage_stamps (scope_id, changes) VALUES (COALESCE({scope}, 0), 1) "
        "ON CONFLICT (scope_id) DO UPDATE SET changes = changes + 1;"
    )


def _record_scope(row: str) -> str:
    return f"(SELECT level1_id FROM org_units WHERE id = {row}.unit_id)"


def _sqlite_trigger(name: str, when: str, table: str, body: str) -> str:
    return f"CREATE TRIGGER {name} AFTER {when} ON {table} BEGIN {body} END"


SQLITE_RECORD_TRIGGERS = [
    _sqlite_trigger(
        "tr_coverage_stamp_insert", "INSERT", "training_records", _sqlite_bump(_record_scope("NEW"))
    ),
    _sqlite_trigger(
        "tr_coverage_stamp_delete", "DELETE", "training_records", _sqlite_bump(_record_scope("OLD"))
    ),
    _sqlite_trigger(
        "tr_coverage_stamp_update",
        "UPDATE",
        "training_records",
        _sqlite_bump(_record_scope("OLD")) + " " + _sqlite_bump(_record_scope("NEW")),
    ),
]
SQLITE_OTHER_TRIGGERS = [
    _sqlite_trigger(
        "tr_coverage_stamp_unit_insert", "INSERT", "org_units", _sqlite_bump("NEW.level1_id")
    ),
    _sqlite_trigger(
        "tr_coverage_stamp_unit_delete", "DELETE", "org_units", _sqlite_bump("OLD.level1_id")
    ),
    _sqlite_trigger(
        "tr_coverage_stamp_unit_update",
        "UPDATE",
        "org_units",
        _sqlite_bump("OLD.level1_id") + " " + _sqlite_bump("NEW.level1_id"),
    ),
    *(
        _sqlite_trigger(
            f"tr_coverage_stamp_{table}_{op.split()[0].lower()}", op, table, _sqlite_bump("0")
        )
        for table, ops in (
            ("courses", ("INSERT", "DELETE", "UPDATE OF title")),
            ("plan_items", ("INSERT", "DELETE", "UPDATE")),
        )
        for op in ops
    ),
]

# --- PostgreSQL: statement triggers -------------------------------------------------------------
_PG_BUMP = """
INSERT INTO coverage_stamps (scope_id, changes)
SELECT DISTINCT COALESCE({scope}, 0), 1 FROM {rows}
ORDER BY 1
ON CONFLICT (scope_id) DO UPDATE SET changes = coverage_stamps.changes + 1
"""
_PG_RECORD_ROWS = "(SELECT unit_id FROM {t} x) r LEFT JOIN org_units u ON u.id = r.unit_id"
_PG_UNIT_ROWS = "{t} u"


def _pg_function(name: str, rows: str, scope: str) -> str:
    def bump(tables: str) -> str:
        return _PG_BUMP.format(scope=scope, rows=rows.format(t=tables))

    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {bump("new_rows")};
  ELSIF TG_OP = 'DELETE' THEN
    {bump("old_rows")};
  ELSE
    {bump("(SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows)")};
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def _pg_triggers(prefix: str, table: str, function: str) -> list[str]:
    return [
        f"CREATE TRIGGER {prefix}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {prefix}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {prefix}_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


# "tr_a…": fires before tr_coverage_* (PostgreSQL runs a table's triggers in name order).
POSTGRES_RECORD_TRIGGERS = [
    _pg_function("coverage_stamp_records", _PG_RECORD_ROWS, "u.level1_id"),
    *_pg_triggers("tr_a_coverage_stamp", "training_records", "coverage_stamp_records"),
]
POSTGRES_OTHER_TRIGGERS = [
    _pg_function("coverage_stamp_units", _PG_UNIT_ROWS, "u.level1_id"),
    *_pg_triggers("tr_coverage_stamp_unit", "org_units", "coverage_stamp_units"),
    """
CREATE OR REPLACE FUNCTION coverage_stamp_everything() RETURNS trigger AS $$
BEGIN
  INSERT INTO coverage_stamps (scope_id, changes) VALUES (0, 1)
  ON CONFLICT (scope_id) DO UPDATE SET changes = coverage_stamps.changes + 1;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    "CREATE TRIGGER tr_coverage_stamp_courses AFTER INSERT OR DELETE OR UPDATE OF title "
    "ON courses FOR EACH STATEMENT EXECUTE FUNCTION coverage_stamp_everything()",
    "CREATE TRIGGER tr_coverage_stamp_plan_items AFTER INSERT OR DELETE OR UPDATE "
    "ON plan_items FOR EACH STATEMENT EXECUTE FUNCTION coverage_stamp_everything()",
]
POSTGRES_DROP = [
    "DROP FUNCTION IF EXISTS coverage_stamp_records() CASCADE",
    "DROP FUNCTION IF EXISTS coverage_stamp_units() CASCADE",
    "DROP FUNCTION IF EXISTS coverage_stamp_everything() CASCADE",
]


def record_triggers(dialect: str) -> list[str]:
    """The triggers on `training_records` (checked and reinstalled with the coverage ones)."""
    return {"sqlite": SQLITE_RECORD_TRIGGERS, "postgresql": POSTGRES_RECORD_TRIGGERS}.get(
        dialect, []
    )


def other_triggers(dialect: str) -> list[str]:
    return {"sqlite": SQLITE_OTHER_TRIGGERS, "postgresql": POSTGRES_OTHER_TRIGGERS}.get(dialect, [])


# Every page moves on after `flask coverage rebuild` (it rewrites the tables around the triggers).
BUMP_ALL = [
    "INSERT INTO coverage_stamps (scope_id, changes) VALUES (0, 0) "
    "ON CONFLICT (scope_id) DO NOTHING",
    "UPDATE coverage_stamps SET changes = changes + 1",
]


def _install(target, connection, tables=(), **kw) -> None:
    # After every table exists: the triggers name four of them.
    if not any(t.name == CoverageStamp.__tablename__ for t in tables):
        return
    dialect = connection.dialect.name
    for statement in [*record_triggers(dialect), *other_triggers(dialect)]:
        connection.exec_driver_sql(statement)


def install_triggers_on_create() -> None:
    """`db.create_all()` (tests) creates the triggers too; the migration creates them itself."""
    event.listen(db.metadata, "after_create", _install)
    for statement in POSTGRES_DROP:
        event.listen(db.metadata, "before_drop", DDL(statement).execute_if(dialect="postgresql"))


# --- reading ------------------------------------------------------------------------------------
# The unit's province, its path (for the scope check) and the counters its page depends on: its
# province's and scope 0's, or every one for a unit above the provinces. One indexed statement.
_STAMP = text(
    "SELECT u.level1_id, u.path, COALESCE(sum(s.changes), 0) FROM org_units u "
    "LEFT JOIN coverage_stamps s "
    "ON s.scope_id = 0 OR s.scope_id = COALESCE(u.level1_id, s.scope_id) "
    "WHERE u.id = :unit_id GROUP BY u.level1_id, u.path"
).bindparams(bindparam("unit_id", type_=Integer))


def unit_stamp(unit_id: int) -> tuple[int | None, str, int] | None:
    """(province id, path, stamp) of the unit, None when there is no such unit. The page of
    the unit is unchanged while the (province id, stamp) pair is."""
    row = db.session.execute(_STAMP, {"unit_id": unit_id}).first()
    return None if row is None else (row[0], row[1], int(row[2]))
