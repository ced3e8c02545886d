"""The coverage charts written in Python give the markup of the template they replaced
(kept as tests/fixtures/coverage_chart_reference.html), byte for byte, for every kind of row."""

from types import SimpleNamespace

import pytest

from app.reports.charts import coverage_charts
from app.reports.services import Coverage, CoverageRow
from tests.conftest import ROOT

REFERENCE = (ROOT / "tests" / "fixtures" / "coverage_chart_reference.html").read_text()


def _unit(name: str):
    return SimpleNamespace(name=name, id=1)


def _coverage(rows, required: int) -> Coverage:
    total = CoverageRow(_unit("Gốc"), required, sum(r.trained for r in rows), 0)
    return Coverage(_unit("Gốc"), 2026, 1, "", rows, total)


ROWS = [
    CoverageRow(None, 7, 3, 1),  # the viewed unit's own officers
    CoverageRow(_unit("CĐCS A1"), 10, 10, 0),  # 100%: the full bar
    CoverageRow(_unit("CĐCS <b>&</b> \"B\" 'C'"), 3, 1, 2),  # escaped, 33.3…%
    CoverageRow(_unit("Công đoàn ngành Nông nghiệp và Môi trường tỉnh Bắc Ninh"), 9, 0, 0),
    CoverageRow(_unit("X" * 48), 0, 0, 0),  # 44 + leeway: not cut
    CoverageRow(_unit("Y" * 50), 1, 1, 0),  # cut with "…"
]
PROGRESS = list(enumerate([0, 0, 1, 3, 3, 7, 10, 12, 14, 14, 14, 14], start=1))


@pytest.mark.parametrize(
    "rows, progress, required",
    [
        (ROWS, PROGRESS, 14),
        (ROWS[:1], None, 7),
        (ROWS[1:3], [(m, 0) for m in range(1, 13)], 0),  # no one required: goal 1
        (ROWS[2:], [(m, 20) for m in range(1, 13)], 13),  # above the goal: full bars
    ],
)
def test_charts_match_the_template_they_replace(app, rows, progress, required):
    cov = _coverage(rows, required)
    with app.test_request_context("/"):
        expected = app.jinja_env.from_string(REFERENCE).render(cov=cov, progress=progress)
        written = coverage_charts(cov, progress)
    assert str(written) == expected


def test_the_comparison_sees_a_difference(app):
    cov = _coverage(ROWS, 14)
    other = _coverage(ROWS[:-1], 14)
    with app.test_request_context("/"):
        expected = app.jinja_env.from_string(REFERENCE).render(cov=cov, progress=PROGRESS)
        assert str(coverage_charts(other, PROGRESS)) != expected
