"""Question stems as HTML for templates (filters `question_html` and `cloze_inputs`)."""

from __future__ import annotations

from markupsafe import Markup, escape


def _stem_html(question) -> Markup:
    """A question's stem as safe HTML: imported HTML is sanitised, Markdown rendered, plain text
    escaped (an Aiken stem that contains tags shows the tags as text)."""
    from app.core.markdown import render_markdown, sanitise_html

    if question.text_format == "html":
        return Markup(sanitise_html(question.text))
    if question.text_format == "markdown":
        return Markup(render_markdown(question.text))
    return Markup("<br>").join(escape(question.text).split("\n"))


def question_html(question) -> Markup:
    """The stem for reading (lists, review): a cloze shows its gaps as (1), (2)…"""
    stem = _stem_html(question)
    if question.qtype == "cloze":
        from app.quizzes.types.cloze import render_cloze

        return render_cloze(question, stem, with_inputs=False)
    return stem


def cloze_inputs(question) -> Markup:
    """A cloze stem with its gaps as form inputs (the attempt page)."""
    from app.quizzes.types.cloze import render_cloze

    return render_cloze(question, _stem_html(question), with_inputs=True)
