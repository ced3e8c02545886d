"""Authoring pages of a course's lessons: new, edit (with preview), autosave, hide, move,
discard, and the live preview (routes on the authoring blueprint, app/authoring/blueprint.py)."""

from __future__ import annotations

from flask import flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.authoring import lessons
from app.authoring import services as authoring
from app.authoring.blueprint import bp
from app.authoring.forms import ActionForm, AutosaveForm, LessonForm, PreviewForm
from app.core.dates import format_datetime
from app.core.markdown import render_markdown
from app.extensions import db
from app.legal import services as legal


def _too_long(form) -> bool:
    return len(form.body_md.data or "") > lessons.MAX_LESSON_CHARS


def lesson_page(course, lesson_slug, form, draft, preview_html=None, status=200):
    lesson = None
    if lesson_slug:
        lesson, draft_found = lessons.lesson_for_editing(course, lesson_slug)
        draft = draft or draft_found
    if preview_html is None:
        preview_html = render_markdown(form.body_md.data or "")
    return (
        render_template(
            "authoring/lesson_form.html",
            course=course,
            lesson=lesson,
            lesson_slug=lesson_slug,
            draft=draft,
            form=form,
            preview_html=preview_html,
        ),
        status,
    )


@bp.route("/khoa-hoc/<slug>/bai-moi", methods=["GET", "POST"])
def new_lesson(slug: str):
    course = authoring.get_course_or_404(slug)
    form = LessonForm()
    if request.method == "GET":
        return lesson_page(course, None, form, None)
    form.known_documents = legal.known_document_codes(course)
    valid = form.validate()
    if _too_long(form):
        return lesson_page(course, None, form, None, preview_html="", status=413)
    if not (form.title.data or form.body_md.data or form.articles.data):
        return lesson_page(course, None, form, None)  # nothing typed: nothing to keep
    wanted = form.slug.data if not form.slug.errors else ""
    taken = wanted if wanted and lessons.lesson_slug_taken(course, wanted) else ""
    if taken:
        wanted, valid = "", False
    draft = lessons.create_lesson_draft(
        course,
        form.title.data or "",
        form.body_md.data or "",
        form.articles.data or "",
        current_user,
        slug=wanted,
    )
    db.session.commit()
    if valid and not form.preview.data:
        flash(_("Đã lưu bản nháp bài học “%(t)s”.", t=draft.title), "success")
        return redirect(url_for(".edit_lesson", slug=slug, lesson_slug=draft.slug))
    if taken:
        message = _(
            "Đường dẫn “%(s)s” đã có trong khóa học; bản nháp được lưu với đường dẫn “%(n)s”.",
            s=taken,
            n=draft.slug,
        )
        flash(message, "error")
    elif not valid:
        flash(_("Bài học chưa hợp lệ; nội dung đã được lưu vào bản nháp."), "error")
    return lesson_page(course, draft.slug, form, draft)


@bp.route("/khoa-hoc/<slug>/bai/<lesson_slug>", methods=["GET", "POST"])
def edit_lesson(slug: str, lesson_slug: str):
    course = authoring.get_course_or_404(slug)
    lesson, draft = lessons.lesson_for_editing(course, lesson_slug)
    if request.method == "GET":
        source = draft or lesson
        form = LessonForm(
            data={"title": source.title, "articles": source.articles, "body_md": source.body_md}
        )
        return lesson_page(course, lesson_slug, form, draft)
    form = LessonForm()
    form.known_documents = legal.known_document_codes(course)
    valid = form.validate()
    if _too_long(form):
        return lesson_page(course, lesson_slug, form, draft, preview_html="", status=413)
    draft = lessons.save_lesson_draft(
        course,
        lesson_slug,
        form.title.data or "",
        form.body_md.data or "",
        form.articles.data or "",
        current_user,
    )
    db.session.commit()
    if form.preview.data:
        return lesson_page(course, lesson_slug, form, draft)
    if not valid:
        flash(_("Bài học chưa hợp lệ; nội dung đã được lưu vào bản nháp."), "error")
        return lesson_page(course, lesson_slug, form, draft)
    flash(_("Đã lưu bản nháp bài học “%(t)s”.", t=draft.title), "success")
    return redirect(url_for(".edit_lesson", slug=slug, lesson_slug=lesson_slug))


def _autosaved(draft, **extra):
    """The JSON answer of an autosave: when it was saved, in words for the status line."""
    saved = format_datetime(draft.saved_at)
    return jsonify(
        ok=True,
        slug=draft.slug,
        saved_at=saved,
        message=_("Đã tự động lưu bản nháp lúc %(t)s.", t=saved),
        **extra,
    )


@bp.post("/khoa-hoc/<slug>/bai/<lesson_slug>/tu-dong-luu")
def autosave_lesson(slug: str, lesson_slug: str):
    """Called by authoring.js every few seconds while the author types (CSRF header)."""
    course = authoring.get_course_or_404(slug)
    form = AutosaveForm()
    if _too_long(form):
        return jsonify(ok=False, message=_("Bài học quá dài để lưu.")), 413
    draft = lessons.save_lesson_draft(
        course,
        lesson_slug,
        form.title.data or "",
        form.body_md.data or "",
        form.articles.data or "",
        current_user,
    )
    db.session.commit()
    return _autosaved(draft)


@bp.post("/khoa-hoc/<slug>/bai-moi/tu-dong-luu")
def autosave_new_lesson(slug: str):
    """First autosave of a new lesson: creates its draft and tells the page where it lives."""
    course = authoring.get_course_or_404(slug)
    form = AutosaveForm()
    if _too_long(form):
        return jsonify(ok=False, message=_("Bài học quá dài để lưu.")), 413
    if not (form.title.data or form.body_md.data):
        return jsonify(ok=False, message=""), 200
    draft = lessons.create_lesson_draft(
        course,
        form.title.data or "",
        form.body_md.data or "",
        form.articles.data or "",
        current_user,
    )
    db.session.commit()
    return _autosaved(
        draft,
        edit_url=url_for(".edit_lesson", slug=slug, lesson_slug=draft.slug),
        autosave_url=url_for(".autosave_lesson", slug=slug, lesson_slug=draft.slug),
    )


@bp.post("/khoa-hoc/<slug>/bai/<lesson_slug>/bo-nhap")
def discard_lesson_draft(slug: str, lesson_slug: str):
    course = authoring.get_course_or_404(slug)
    if ActionForm().validate_on_submit():
        lessons.discard_lesson_draft(course, lesson_slug, current_user)
        db.session.commit()
        flash(_("Đã bỏ bản nháp."), "success")
    return redirect(url_for(".course", slug=slug))


@bp.post("/khoa-hoc/<slug>/bai/<lesson_slug>/an")
def hide_lesson(slug: str, lesson_slug: str):
    course = authoring.get_course_or_404(slug)
    if ActionForm().validate_on_submit():
        hidden = request.form.get("an") != "0"
        lessons.set_lesson_hidden(course, lesson_slug, hidden, current_user)
        db.session.commit()
        flash(
            _("Bài học sẽ được ẩn khi xuất bản.") if hidden else _("Đã bỏ ẩn bài học."),
            "success",
        )
    return redirect(url_for(".course", slug=slug) + "#bai-hoc")


@bp.post("/khoa-hoc/<slug>/bai/<lesson_slug>/di-chuyen")
def move_lesson(slug: str, lesson_slug: str):
    course = authoring.get_course_or_404(slug)
    if ActionForm().validate_on_submit():
        offset = -1 if request.form.get("huong") == "len" else 1
        lessons.move_lesson(course, lesson_slug, offset, current_user)
        db.session.commit()
    return redirect(url_for(".course", slug=slug) + "#bai-hoc")


@bp.post("/xem-truoc")
def preview():
    """The live preview: the same render + sanitise as the learner page, as an HTML fragment."""
    form = PreviewForm()
    text = form.text.data or ""
    if len(text) > lessons.MAX_LESSON_CHARS:
        return _("Bài học quá dài để xem trước."), 413
    response = make_response(render_markdown(text))
    response.mimetype = "text/html"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
