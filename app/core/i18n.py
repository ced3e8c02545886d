"""Translations in templates: Flask-Babel's catalogue, looked up once per request."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup


def install_fast_template_gettext(app: Flask) -> None:
    """Templates' `_()` resolves the request's translations once, not on every call.

    Flask-Babel's own template callables look the domain, locale and catalogue up again for
    each string (a dozen `g` lookups); a page has 10–20 strings, which made gettext about a
    seventh of the lesson page's cost (bench S1). The catalogue is the one Flask-Babel picks.
    """
    from flask import g
    from flask_babel import get_translations
    from jinja2 import pass_context

    def translations():
        found = g.get("_tdkt_translations")
        if found is None:
            found = g._tdkt_translations = get_translations()
        return found

    @pass_context
    def template_gettext(context, string, **variables):
        # What Jinja's "newstyle" gettext does (escape, then always %-format), in one call
        # instead of three nested ones through the template context.
        translated = translations().ugettext(string)
        if context.eval_ctx.autoescape:
            translated = Markup(translated)
        return translated % variables

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
