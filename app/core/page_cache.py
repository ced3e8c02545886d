"""Rendered pages kept per worker process, for pages many users open with the same content.

Why: on the lesson and coverage pages most of a request's cost was rendering the template
(bench S1, S2, S4), yet what it renders depends on a few inputs the view can name: the lesson
and whether it is done, the coverage rows and what the viewer may see. The view computes a key
from exactly those inputs plus a stamp read from the database that moves whenever the content
does; a request whose key was rendered before gets that text back.

What a cached page may not carry is put back on every request: the CSRF token (each session
has its own; it is cut out of the stored text and the request's own is put in its place). A
request with flashed messages waiting is rendered afresh and not stored (the messages are the
user's). The key always includes the language and the script root; the caller includes
everything else the page shows — the stamp, the viewer's roles or scope — so a page is never
shown to someone who would have seen a different one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import current_app, g, request, session
from flask_babel import get_babel
from flask_wtf.csrf import generate_csrf

# Each entry is one rendered page (5–40 KB): a bound keeps a worker's memory flat; the oldest
# entry goes first (stale stamps are never asked for again, so they age out).
MAX_PAGES = 256
_TOKEN_HOLE = "\x00csrf-token\x00"


def _pages() -> dict:
    # Per application object, not per module: tests build many apps on different databases.
    return current_app.extensions.setdefault("tdkt_pages", {})


def _token_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _language() -> str:
    """What decides the request's language: the locale selector's answer, else the default —
    the input of Flask-Babel's `get_locale()` without parsing it into a `Locale` (which cost
    a tenth of a kept page). Two answers naming one language only keep two copies."""
    babel = get_babel()
    chosen = babel.locale_selector() if babel.locale_selector else None
    return str(chosen or babel.default_locale)


def cached_page(key: Hashable, render: Callable[[], str]) -> str:
    """`render()`'s text, or the text rendered before under `key` (same language and script
    root), with this request's CSRF token in it."""
    if session.get("_flashes"):
        return render()  # the messages are this user's and shown once: never stored
    full_key = (key, request.script_root, _language())
    pages = _pages()
    page = pages.get(full_key)
    if page is None:
        text = render()
        token = g.get(_token_field())
        page = text.replace(token, _TOKEN_HOLE) if token else text
        while len(pages) >= MAX_PAGES:
            del pages[next(iter(pages))]
        pages[full_key] = page
        return text
    if _TOKEN_HOLE in page:
        return page.replace(_TOKEN_HOLE, generate_csrf())
    return page


def forget_pages() -> None:
    """Drop this worker's copies (tests; nothing in the app needs it: keys carry stamps)."""
    _pages().clear()
