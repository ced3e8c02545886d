"""Template helpers for the parts of a page that repeat: links to many units, and the menu.

Why: building a URL through the URL map costs ~20 µs, and the coverage page built two per
unit row (70 on the national view, a sixth of its time); the menu's links and labels are the
same for every user of a role, yet were built and translated on every page (bench S1/S3).
Both results depend only on their inputs and on the request's script root (this app has no
`url_defaults` or per-host rules), so they are built once and reused.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

_MARK = 987654321987  # an id no unit has, placed in the URL to find where the id goes


def url_builder(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """`url_builder(e, "unit_id", **q)(7) == url_for(e, unit_id=7, **q)`, with the URL map
    consulted once for all the ids of a list."""
    url = url_for(endpoint, **{key: _MARK}, **values)
    head, found, tail = url.partition(f"/{_MARK}")
    if not found:  # the id is not a path segment of this endpoint: build each URL
        return lambda value: url_for(endpoint, **{key: value}, **values)
    return lambda value: f"{head}/{int(value)}{tail}"


def fixed_url(endpoint: str, **values) -> str:
    """`url_for` for links that pages repeat with the same arguments (the stylesheet, the menu,
    sign-out, a lesson's neighbours), built once per script root in each worker. Only for a
    bounded set of arguments: each distinct URL stays in the worker's memory."""
    key = (endpoint, request.script_root, *sorted(values.items()))
    cache = current_app.extensions.setdefault("tdkt_fixed_urls", {})
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, **values)
    return url


def nav_links() -> Markup:
    """The signed-in user's menu entries (templates/_nav_links.html), rendered once per role,
    script root and language in each worker."""
    key = (tuple(sorted(current_user.roles)), request.script_root, str(get_locale()))
    cache = current_app.extensions.setdefault("tdkt_nav_links", {})
    html = cache.get(key)
    if html is None:
        html = cache[key] = Markup(render_template("_nav_links.html"))
    return html


def install(app) -> None:
    app.jinja_env.globals.update(url_builder=url_builder, fixed_url=fixed_url, nav_links=nav_links)
