"""The baseline: a bare Flask app on the same gunicorn, with what the stack costs and no more.

- GET /ping      a constant response (the ceiling of Flask + gunicorn)
- GET /page      a Jinja page looping over objects, padded to BARE_PAGE_BYTES (the size of the
                 app's lesson page, measured by the bench before starting this server)
- POST /insert   one SQLite insert: WAL + busy_timeout + BEGIN IMMEDIATE, one connection kept
                 per worker (the bare floor for the app's quiz submit)
- GET /coverage/<n>  S2's baseline: the hand-written coverage aggregate of view n (SQL and
                 parameters from the JSON file named by BARE_COVERAGE, written by the bench)
                 through the bare driver (sqlite3 / psycopg, one connection kept per worker),
                 its rows and totals rendered in a minimal Jinja template

    gunicorn -w 2 -b 127.0.0.1:PORT --chdir bench bare_app:app
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask, render_template, request
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><header><nav><a href="/">Trang chủ</a> › <a href="/khoa-hoc">{{ title }}</a></nav></header>
<main><h1>{{ title }}</h1>
{% for item in items %}<section class="item" id="muc-{{ item.id }}">
<h2>{{ item.id }}. {{ item.title }}</h2><p>{{ item.body }}</p></section>
{% endfor %}</main><footer>TĐKT Learn</footer></body></html>"""

COVERAGE_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Độ bao phủ</title></head>
<body><main><h1>Độ bao phủ</h1>
<p id="totals" data-totals="{{ totals|join(',') }}">Phải học {{ totals[0] }},
đã học {{ totals[1] }}, quá hạn {{ totals[2] }}</p>
<table><tr><th>Đơn vị</th><th>Phải học</th><th>Đã học</th><th>Quá hạn</th></tr>
{% for row in rows %}<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td><td>{{ row[1] - row[2] }}</td>
<td>{{ row[3] }}</td></tr>
{% endfor %}</table></main></body></html>"""


@dataclass
class Item:
    id: int
    title: str
    body: str


def _items(count: int) -> list[Item]:
    return [
        Item(
            i,
            f"Điều {i}. Nguyên tắc thi đua, khen thưởng",
            "Tự nguyện, tự giác, công khai; đoàn kết, hợp tác và cùng phát triển.",
        )
        for i in range(1, count + 1)
    ]


app = Flask(__name__)
app.jinja_loader = DictLoader(
    {"page.html": PAGE, "coverage.html": COVERAGE_PAGE}
)  # compiled once and cached, as in the app
TARGET = int(os.environ.get("BARE_PAGE_BYTES", "9000"))
TITLE = "Những quy định chung của Luật Thi đua, khen thưởng"


def _size(count: int) -> int:
    with app.app_context():
        return len(render_template("page.html", title=TITLE, items=_items(count)).encode())


ITEMS = _items(max(1, round((TARGET - _size(0)) / ((_size(10) - _size(0)) / 10))))

DB_PATH = os.environ.get("BARE_DB", "/tmp/tdkt-bench-bare.sqlite3")
_local = threading.local()


def _connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(DB_PATH, isolation_level=None, timeout=10)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS submits (id INTEGER PRIMARY KEY, who TEXT, at REAL)"
        )
        _local.conn = conn
    return conn


@app.get("/ping")
def ping():
    return "ok"


@app.get("/page")
def page():
    return render_template("page.html", title=TITLE, items=ITEMS)


@app.post("/insert")
def insert():
    conn = _connection()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO submits (who, at) VALUES (?, ?)",
            (request.form.get("who", ""), time.time()),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return "", 204


COVERAGE = (
    json.loads(Path(os.environ["BARE_COVERAGE"]).read_text())
    if "BARE_COVERAGE" in os.environ
    else {}
)


def _coverage_connection():
    conn = getattr(_local, "coverage", None)
    if conn is None:
        if COVERAGE["driver"] == "sqlite":
            conn = sqlite3.connect(COVERAGE["dsn"], isolation_level=None)
        else:
            import psycopg

            conn = psycopg.connect(COVERAGE["dsn"], autocommit=True)
        _local.coverage = conn
    return conn


def _param(value):
    return date.fromisoformat(value["date"]) if isinstance(value, dict) else value


@app.get("/coverage/<int:view>")
def coverage(view: int):
    spec = COVERAGE["views"][view]
    cursor = _coverage_connection().cursor()
    cursor.execute(spec["sql"], [_param(p) for p in spec["params"]])
    rows = cursor.fetchall()
    # The bench's own totals rule (_summary_floor): for one course the viewed unit's row covers
    # its subtree; otherwise the rows are disjoint and add up.
    own = [r for r in rows if r[0] == spec["root_id"]] if spec["course"] else []
    counted = own or [r for r in rows if not spec["course"] or r[0] != spec["root_id"]]
    totals = (
        sum(int(r[1]) for r in counted),
        sum(int(r[1]) - int(r[2]) for r in counted),
        sum(int(r[3]) for r in counted),
    )
    return render_template("coverage.html", rows=rows, totals=totals)
