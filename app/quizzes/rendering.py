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


def cloze_inputs(question, answer=None) -> Markup:
    """A cloze stem with its gaps as form inputs (the attempt page), filled with the saved
    `answer` (one entry per gap) so that a resumed attempt shows what was answered."""
    from app.quizzes.types.cloze import render_cloze

    html = str(render_cloze(question, _stem_html(question), with_inputs=True))
    for index, given in enumerate(answer if isinstance(answer, list) else []):
        html = _fill_gap(html, f"q{question.id}-{index}", given)
    return Markup(html)


def _fill_gap(html: str, name: str, given) -> str:
    """Mark the saved answer of one gap in the rendered inputs (text, select or checkboxes)."""
    import re

    if isinstance(given, list):  # checkboxes of a multiple-answer gap
        for value in given:
            marker = f'name="{name}" value="{escape(value)}"'
            html = html.replace(marker, marker + " checked")
        return html
    if not given:
        return html
    select = re.search(rf'<select class="gap" name="{re.escape(name)}"[^>]*>.*?</select>', html)
    if select:
        option = f'<option value="{escape(given)}">'
        filled = select.group(0).replace(option, option[:-1] + " selected>", 1)
        return html[: select.start()] + filled + html[select.end() :]
    marker = f'type="text" name="{name}"'
    return html.replace(marker, f'{marker} value="{escape(given)}"', 1)
