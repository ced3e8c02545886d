"""Keeping the trigger-kept coverage tables exact when units change place in the tree.

Why this exists: the triggers on `training_records` find a record's ancestor units through
`org_units` (level ids) when the record is written. Moving a unit changes the level ids of
its whole subtree without writing any record, so no trigger runs. The tree services therefore
re-key the records of the units whose position changes, in the same transaction:

1. `shift_counts(ids, -1)` while the units still have their old position: the records' rows
   of `coverage_counts` under the old ancestors are taken out;
2. the caller repositions the units (paths, levels, level ids) and flushes;
3. `shift_counts(ids, +1)`: the same records counted under the new ancestors;
4. `refold_officers(ids)`: each officer-year with a record there is refolded into
   `coverage_officers` / `coverage_officer_counts` (their old folds are stored with the old
   unit ids, so taking them out needs no old position).

Only the records of the given units are read (indexed by unit), not the whole table: the cost
follows the size of the moved subtree, not of the province.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, text

from app.extensions import db
from app.progress import coverage_officers

_SHIFT = {
    "sqlite": """
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a.id, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, '9999-12-31'),
       COALESCE(CAST(strftime('%m', r.completed_on) AS INTEGER), 0), {sign}count(*)
FROM training_records r JOIN org_units u ON u.id = r.unit_id
JOIN org_units a ON a.id IN (u.level1_id, u.level2_id, u.level3_id)
WHERE r.required AND r.unit_id IN :unit_ids
GROUP BY 1, 2, 3, 4, 5, 6
ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
DO UPDATE SET records = records + excluded.records
""",
    "postgresql": """
INSERT INTO coverage_counts (unit_id, year, course_id, officer_type, due_on, done_month, records)
SELECT a, r.year, r.course_id, r.officer_type, COALESCE(r.due_on, DATE '9999-12-31'),
       COALESCE(EXTRACT(MONTH FROM r.completed_on)::integer, 0), {sign}count(*)
FROM training_records r JOIN org_units u ON u.id = r.unit_id,
     unnest(ARRAY[u.level1_id, u.level2_id, u.level3_id]) AS a
WHERE r.required AND a IS NOT NULL AND r.unit_id IN :unit_ids
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (unit_id, year, course_id, officer_type, due_on, done_month)
DO UPDATE SET records = coverage_counts.records + EXCLUDED.records
""",
}
# The officer-years with a required record in the units (alias-free subquery: the refold
# formats `{a}` into the table's and the fold's own aliases).
_OFFICER_YEARS = (
    "({a}user_id, {a}year) IN (SELECT m.user_id, m.year FROM training_records m "
    "WHERE m.required AND m.unit_id IN :unit_ids)"
)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _run(sql: str, unit_ids: Sequence[int]) -> None:
    statement = text(sql).bindparams(bindparam("unit_ids", expanding=True))
    db.session.execute(statement, {"unit_ids": list(unit_ids)})


def shift_counts(unit_ids: Sequence[int], sign: int) -> None:
    """Add (+1) or take out (-1) the `coverage_counts` rows of these units' required records,
    under the ancestors the units have now. Does not commit."""
    if unit_ids:
        _run(_SHIFT[_dialect()].format(sign="" if sign > 0 else "-"), unit_ids)


def refold_officers(unit_ids: Sequence[int]) -> None:
    """Refold every officer-year with a required record in these units (after they moved)."""
    if not unit_ids:
        return
    for statement in coverage_officers.refold_statements(_dialect(), _OFFICER_YEARS):
        _run(statement, unit_ids)
