"""The one plan-line rule (app/progress/records.py `applicable_line`): of the lines over an
officer's unit that name his type or every officer, the nearest unit wins, then the type."""

from __future__ import annotations

from types import SimpleNamespace

from app.progress.records import applicable_line

NATIONAL, PROVINCE, UPPER_A, A1, B1 = "/1/", "/1/2/", "/1/2/3/", "/1/2/3/4/", "/1/2/5/6/"


def _line(path: str, officer_type: str = "", name: str = "") -> SimpleNamespace:
    return SimpleNamespace(unit=SimpleNamespace(path=path), officer_type=officer_type, name=name)


def test_the_nearest_unit_wins_over_a_type_specific_line_further_up():
    lines = [
        _line(NATIONAL, name="national"),
        _line(PROVINCE, "full_time", name="province, full-time"),
        _line(UPPER_A, name="upper A"),
    ]
    assert applicable_line(lines, A1, "full_time").name == "upper A"


def test_at_the_same_unit_the_type_specific_line_wins():
    lines = [_line(PROVINCE, name="everyone"), _line(PROVINCE, "full_time", name="full-time")]
    assert applicable_line(lines, A1, "full_time").name == "full-time"
    assert applicable_line(lines, A1, "part_time").name == "everyone"


def test_lines_of_other_subtrees_and_other_types_do_not_apply():
    lines = [_line(B1, name="B1"), _line(UPPER_A, "full_time", name="A, full-time")]
    assert applicable_line(lines, A1, "part_time") is None
    assert applicable_line(lines, "/1/2/3/44/", "full_time").name == "A, full-time"
    # a sibling whose id begins with the same digits is not inside: paths end with "/"
    assert applicable_line([_line("/1/2/5/6/")], "/1/2/5/66/", "") is None
