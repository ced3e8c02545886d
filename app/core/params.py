"""Integers from the URL: path segments (the `int` converter) and query arguments.

Why: `/bai-lam/99999999999999999999` and `?trang=99999999999999999999` reached the database
as integers SQLite cannot hold (OverflowError → 500), and PostgreSQL's `integer` columns stop
at 2**31 − 1; `nam=0` reached `date(0, 1, 1)`. One converter and one helper bound them all:
an id out of range is no page (404); a page number or year out of range is 404 too, while a
missing or non-numeric value keeps the page's default, as before.
"""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL `integer`; every id column of the schema is one
MAX_PAGE = 1_000_000
YEAR_MIN, YEAR_MAX = 2000, 2100


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` from 0 to MAX_ID unless the rule says otherwise; longer digit strings are
    refused before Python converts them (int() of 5,000 digits raises, 4,300 is its limit)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)

    def to_python(self, value: str) -> int:
        if len(value) > 12:
            raise ValidationError()
        return super().to_python(value)


def install(app) -> None:
    """Before any blueprint: rules take their converter class when they are added."""
    app.url_map.converters["int"] = BoundedIntConverter


def bounded_id(value) -> int:
    """`coerce` for form fields holding ids: ValueError (a form error) when out of range."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError("id out of range")
    return number


def query_int(name: str, default: int | None, minimum: int = 1, maximum: int = MAX_ID):
    """`request.args[name]` as an int: the default when missing or not a number, 404 when a
    number outside [minimum, maximum]."""
    raw = request.args.get(name, "").strip()
    digits = raw[1:] if raw[:1] in "+-" else raw
    if not (digits.isascii() and digits.isdigit()):
        return default
    if len(digits) > 12:
        abort(404)
    number = int(raw)
    if not minimum <= number <= maximum:
        abort(404)
    return number


def query_page(name: str = "trang") -> int:
    return query_int(name, 1, 1, MAX_PAGE)


def query_year(name: str, default: int) -> int:
    return query_int(name, default, YEAR_MIN, YEAR_MAX)
