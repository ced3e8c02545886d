"""Authoring pages of a course's questions: new, edit (the simple form's types; the others
read-only) and discard (routes on the authoring blueprint, app/authoring/blueprint.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.authoring import questions
from app.authoring import services as authoring
from app.authoring.blueprint import bp
from app.authoring.forms import OPTION_ROWS, ActionForm, QuestionForm
from app.extensions import db
from app.legal import services as legal


def question_page(course, key, form, question=None, draft=None, type_errors=(), status=200):
    while len(form.options) < OPTION_ROWS:
        form.options.append_entry()
    return (
        render_template(
            "authoring/question_form.html",
            course=course,
            key=key,
            question=question,
            draft=draft,
            form=form,
            type_errors=list(type_errors),
        ),
        status,
    )


def _save_question(course, form, key):
    """Validate the form and the type data; save the draft. Returns the problems."""
    form.known_documents = legal.known_document_codes(course)
    if not form.validate_on_submit():
        return None
    data = questions.question_data(form.qtype.data, form.option_dicts(), form.truefalse.data)
    problems = questions.validate_question(form.qtype.data, data)
    if problems:
        return problems
    questions.save_question_draft(
        course,
        key,
        qtype=form.qtype.data,
        text=form.text.data,
        data=data,
        explanation=form.explanation.data,
        reference=form.reference.data or "",
        author=current_user,
        active=form.active.data != "0",
        category=form.category.data or "",
    )
    db.session.commit()
    return []


@bp.route("/khoa-hoc/<slug>/cau-hoi-moi", methods=["GET", "POST"])
def new_question(slug: str):
    course = authoring.get_course_or_404(slug)
    form = QuestionForm()
    if request.method == "POST":
        key = form.key.data or questions.new_question_key(course)
        if form.key.data and questions.question_key_taken(course, key):
            form.validate()
            form.key.errors = [*form.key.errors, _("Mã câu hỏi này đã có trong khóa học.")]
            return question_page(course, None, form, status=422)
        problems = _save_question(course, form, key)
        if problems == []:
            flash(_("Đã lưu bản nháp câu hỏi %(k)s.", k=key), "success")
            return redirect(url_for(".course", slug=slug) + "#cau-hoi")
        return question_page(course, None, form, type_errors=problems or (), status=422)
    return question_page(course, None, form)


@bp.route("/khoa-hoc/<slug>/cau-hoi/<path:key>", methods=["GET", "POST"])
def edit_question(slug: str, key: str):
    course = authoring.get_course_or_404(slug)
    question, draft = questions.question_for_editing(course, key)
    source = draft or question
    if source.qtype not in questions.FORM_QTYPES:
        return _readonly_question(course, key, source)
    if request.method == "GET":
        form = QuestionForm(
            data={
                "key": key,
                "qtype": source.qtype,
                "text": source.text,
                "explanation": source.explanation,
                "reference": source.reference,
                "category": source.category,
                "truefalse": (
                    ("true" if (source.data or {}).get("correct") else "false")
                    if source.qtype == "truefalse"
                    else None
                ),
                "options": questions.option_rows(source.qtype, source.data or {}),
                "active": "1" if source.active else "0",
            }
        )
        return question_page(course, key, form, question, draft)
    form = QuestionForm()
    form.key.data = key
    problems = _save_question(course, form, key)
    if problems == []:
        flash(_("Đã lưu bản nháp câu hỏi %(k)s.", k=key), "success")
        return redirect(url_for(".course", slug=slug) + "#cau-hoi")
    return question_page(course, key, form, question, draft, type_errors=problems or (), status=422)


def _readonly_question(course, key, source):
    return render_template(
        "authoring/question_readonly.html", course=course, key=key, question=source
    )


@bp.post("/khoa-hoc/<slug>/bo-nhap-cau-hoi/<path:key>")
def discard_question_draft(slug: str, key: str):
    course = authoring.get_course_or_404(slug)
    if ActionForm().validate_on_submit():
        questions.discard_question_draft(course, key)
        db.session.commit()
        flash(_("Đã bỏ bản nháp câu hỏi."), "success")
    return redirect(url_for(".course", slug=slug) + "#cau-hoi")
