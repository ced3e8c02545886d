"""Authoring pages for trainers and province admins (`current_user.can_author`): the course
list, a course's details, publishing, versions and owners. Lessons: lesson_views.py; questions:
question_views.py (their routes are on the same blueprint, app/authoring/blueprint.py).

Every route of the blueprint is guarded in one place (`authors_only`): a learner or a unit
manager gets 403 everywhere, including the JSON endpoints used by authoring.js.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.authoring import lesson_views, lessons, pending, question_views, questions, versions
from app.authoring import services as authoring
from app.authoring.blueprint import bp
from app.authoring.forms import (
    ActionForm,
    CourseForm,
    LessonForm,
    OwnerForm,
    PublishForm,
    QuestionForm,
)
from app.courses import owners
from app.courses.services import course_meta
from app.extensions import db
from app.legal import amendments

__all__ = ["bp"]  # the factory registers it; lesson_views and question_views add their routes


@bp.errorhandler(CSRFError)
def _csrf_expired(error):
    """An expired form (the page stayed open too long): show the typed lesson again with a
    fresh token instead of an error page, so nothing typed is lost. Nothing is stored: the
    request may not come from the author."""
    slug = (request.view_args or {}).get("slug")
    course = authoring.get_course_or_404(slug) if slug else None
    if (
        not current_user.is_authenticated
        or not current_user.can_author
        or (course is not None and not owners.may_edit(current_user, course))
    ):
        code = 403 if current_user.is_authenticated else 401
        return render_template("errors/error.html", code=code, message=None), code
    if request.endpoint in {"authoring.edit_lesson", "authoring.new_lesson"}:
        course = authoring.get_course_or_404(request.view_args["slug"])
        form = LessonForm(formdata=None, data=request.form.to_dict())
        flash(_("Phiên làm việc đã hết hạn. Nội dung bạn gõ vẫn ở dưới đây: hãy lưu lại."), "error")
        slug = (request.view_args or {}).get("lesson_slug")
        return lesson_views.lesson_page(course, slug, form, None, status=400)
    if request.endpoint in {"authoring.edit_question", "authoring.new_question"}:
        course = authoring.get_course_or_404(request.view_args["slug"])
        key = (request.view_args or {}).get("key")
        form = QuestionForm(formdata=request.form)
        flash(_("Phiên làm việc đã hết hạn. Nội dung bạn gõ vẫn ở dưới đây: hãy lưu lại."), "error")
        return question_views.question_page(course, key, form, status=400)
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(ok=False, message=_("Phiên làm việc đã hết hạn, hãy tải lại trang.")), 400
    return render_template("errors/error.html", code=400, message=error.description), 400


# --- courses ---------------------------------------------------------------------------------


@bp.get("/")
def index():
    editable = owners.editable_course_ids(current_user)
    courses = [c for c in authoring.authorable_courses() if editable is None or c.id in editable]
    return render_template(
        "authoring/index.html", courses=courses, impacts=amendments.amendment_impacts()
    )


@bp.route("/khoa-hoc/moi", methods=["GET", "POST"])
def new_course():
    form = CourseForm()
    if form.validate_on_submit():
        if authoring.slug_taken(form.slug.data):
            form.slug.errors.append(_("Mã khóa học này đã có."))
        else:
            course = authoring.create_course(form.slug.data, form.meta_dict(), current_user)
            db.session.commit()
            flash(_("Đã tạo khóa học. Hãy thêm bài học rồi xuất bản."), "success")
            return redirect(url_for(".course", slug=course.slug))
    return render_template("authoring/course_form.html", form=form, course=None)


@bp.get("/khoa-hoc/<slug>")
def course(slug: str):
    course = authoring.get_course_or_404(slug)
    return render_template(
        "authoring/course.html",
        course=course,
        meta=course_meta(course),
        lessons=lessons.working_lessons(course),
        questions=questions.working_questions(course),
        pending=pending.pending_changes(course),
        versions=versions.versions_of(course),
        action=ActionForm(),
    )


@bp.route("/khoa-hoc/<slug>/thong-tin", methods=["GET", "POST"])
def edit_course(slug: str):
    course = authoring.get_course_or_404(slug)
    if request.method == "GET":
        meta = course_meta(course)
        docs = [
            {**doc, "doc_id": doc.get("id", ""), "issued": None, "effective": None}
            for doc in meta["legal_basis"]
        ]
        form = CourseForm(data={**meta, "slug": course.slug, "legal_basis": docs})
        for entry, doc in zip(form.legal_basis, meta["legal_basis"], strict=False):
            entry.form.issued.data = _iso(doc.get("issued"))
            entry.form.effective.data = _iso(doc.get("effective"))
        form.legal_basis.append_entry()
    else:
        form = CourseForm()
        form.slug.data = course.slug  # the slug of an existing course does not change
        if form.validate_on_submit():
            authoring.save_course_meta(course, form.meta_dict(), current_user)
            db.session.commit()
            flash(
                _("Đã lưu thông tin khóa học.")
                if not course.published
                else _("Đã lưu bản nháp thông tin khóa học; học viên thấy sau khi xuất bản."),
                "success",
            )
            return redirect(url_for(".course", slug=slug))
    return render_template("authoring/course_form.html", form=form, course=course)


def _iso(value: str | None) -> date | None:
    """An ISO date from course.toml for a date field (None when absent or not a date)."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- publishing and versions -----------------------------------------------------------------


@bp.route("/khoa-hoc/<slug>/xuat-ban", methods=["GET", "POST"])
def publish(slug: str):
    course = authoring.get_course_or_404(slug)
    form = PublishForm()
    problems: list[str] = []
    if form.validate_on_submit():
        if form.kind.data == "major" and course.published and form.due_on.data is None:
            form.due_on.errors = [_("Nhập hạn học lại cho cán bộ đã hoàn thành.")]
        else:
            try:
                version = versions.publish_course(
                    course,
                    form.kind.data,
                    current_user,
                    note=form.note.data or "",
                    due_on=form.due_on.data,
                )
            except versions.PublishError as exc:
                problems = exc.problems
            else:
                db.session.commit()
                flash(_("Đã xuất bản phiên bản %(v)s.", v=version.label), "success")
                return redirect(url_for(".course", slug=slug))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "authoring/publish.html",
            course=course,
            form=form,
            pending=pending.pending_changes(course),
            problems=problems or versions.publish_problems(course),
        ),
        status,
    )


@bp.get("/khoa-hoc/<slug>/phien-ban")
def versions_page(slug: str):
    course = authoring.get_course_or_404(slug)
    items = versions.versions_of(course)
    old_label = request.args.get("tu") or (items[1].label if len(items) > 1 else "")
    new_label = request.args.get("den") or (items[0].label if items else "")
    old = versions.get_version_or_none(course, old_label) if old_label else None
    new = versions.get_version_or_none(course, new_label) if new_label else None
    sections = versions.diff_versions(old, new) if old and new else None
    return render_template(
        "authoring/versions.html",
        course=course,
        versions=items,
        old=old,
        new=new,
        sections=sections,
    )


# --- owners (the province admin adds and removes them) ---------------------------------------


@bp.route("/khoa-hoc/<slug>/phu-trach", methods=["GET", "POST"])
def course_owners(slug: str):
    course = authoring.get_course_or_404(slug)
    form = OwnerForm()
    status = 200
    if request.method == "POST":
        if not owners.is_course_admin(current_user):
            abort(403)
        if form.validate_on_submit():
            try:
                user = owners.add_owner(current_user, course, form.email.data)
                db.session.commit()
            except owners.OwnerError as refusal:
                form.email.errors.append(str(refusal))
            else:
                flash(_("Đã giao khóa học cho %(n)s.", n=user.full_name), "success")
                return redirect(url_for(".course_owners", slug=slug))
        status = 422
    return render_template(
        "authoring/owners.html",
        course=course,
        owners=owners.owners_of(course),
        form=form,
        action=ActionForm(),
        may_manage=owners.is_course_admin(current_user),
    ), status


@bp.post("/khoa-hoc/<slug>/phu-trach/<int:user_id>/bo")
def remove_course_owner(slug: str, user_id: int):
    course = authoring.get_course_or_404(slug)
    if not owners.is_course_admin(current_user):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        owners.remove_owner(current_user, course, user_id)
        db.session.commit()
    except owners.OwnerError as refusal:
        flash(str(refusal), "error")
    else:
        flash(_("Đã bỏ người phụ trách."), "success")
    return redirect(url_for(".course_owners", slug=slug))
