"""Markdown → HTML → sanitised HTML. The only way lesson text reaches a page.

Rendering happens once when a lesson is saved (the result is stored), so the sanitiser is not
on the hot path of every lesson view.
"""

import markdown
import nh3

_EXTENSIONS = ["extra", "admonition", "sane_lists", "smarty"]
_EXTENSION_CONFIGS = {
    "smarty": {"smart_quotes": False},  # keep "…" quotes as typed in Vietnamese text
}

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "div": {"class"},
    "p": {"class"},
    "span": {"class"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "abbr": {"title"},
}
# http(s) and mailto links only: javascript:, data: and vbscript: URLs are dropped by nh3.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    """Render Markdown (raw HTML in it is escaped or stripped) and sanitise the result."""
    html = markdown.markdown(
        text or "",
        extensions=_EXTENSIONS,
        extension_configs=_EXTENSION_CONFIGS,
        output_format="html",
    )
    return sanitise_html(html)
