"""The per-worker copies of rendered pages (app/core/page_cache.py): bounded, keyed by the
language and script root as well as the caller's key, and never holding a CSRF token."""

from __future__ import annotations

from flask import render_template_string

from app.core import page_cache


def test_copies_are_bounded_oldest_first(app, monkeypatch):
    monkeypatch.setattr(page_cache, "MAX_PAGES", 2)
    calls = []

    def render(text):
        return lambda: (calls.append(text), text)[1]

    with app.test_request_context("/"):
        for key in ("a", "b", "c"):
            assert page_cache.cached_page(key, render(key)) == key
        assert page_cache.cached_page("c", render("new c")) == "c"  # kept
        assert page_cache.cached_page("a", render("new a")) == "new a"  # the oldest went
    assert calls == ["a", "b", "c", "new a"]


def test_the_token_is_never_kept_and_each_request_gets_its_own(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = '<input name="csrf_token" value="{{ csrf_token() }}">'
    # each in its own app context: `g` (where the token is kept for a request) is per context
    with app.app_context(), app.test_request_context("/"):
        first = page_cache.cached_page("form", lambda: render_template_string(page))
        token = first.split('value="')[1].split('"')[0]
        kept = next(v for k, v in app.extensions["tdkt_pages"].items() if k[0] == "form")
        assert token and token not in kept
    with app.app_context(), app.test_request_context("/"):
        second = page_cache.cached_page("form", lambda: "not rendered again")
        assert second.startswith('<input name="csrf_token" value="') and token not in second


def test_the_script_root_is_part_of_the_key(app):
    with app.test_request_context("/", base_url="http://localhost/a"):
        assert page_cache.cached_page("k", lambda: "under /a") == "under /a"
    with app.test_request_context("/", base_url="http://localhost/b"):
        assert page_cache.cached_page("k", lambda: "under /b") == "under /b"


def test_the_language_is_part_of_the_key(app, monkeypatch):
    from flask_babel import get_babel

    babel = get_babel(app)
    with app.test_request_context("/"):
        assert page_cache.cached_page("k", lambda: "vi") == "vi"
    monkeypatch.setattr(babel, "locale_selector", lambda: "en")
    with app.test_request_context("/"):
        assert page_cache.cached_page("k", lambda: "en") == "en"
