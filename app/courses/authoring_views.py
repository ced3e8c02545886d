"""Authoring pages for trainers and province admins (`current_user.can_author`).

Every route of the blueprint is guarded in one place (`authors_only`): a learner or a unit
manager gets 403 everywhere, including the JSON endpoints used by authoring.js.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.core.dates import format_datetime
from app.core.markdown import render_markdown
from app.courses import authoring, owners, versions
from app.courses.authoring_forms import (
    OPTION_ROWS,
    ActionForm,
    AutosaveForm,
    CourseForm,
    LessonForm,
    OwnerForm,
    PreviewForm,
    PublishForm,
    QuestionForm,
)
from app.extensions import db
from app.legal import amendments
from app.legal import services as legal
from app.org.scope import authors_only

bp = Blueprint("authoring", __name__, url_prefix="/soan-thao")


bp.before_request(authors_only)
bp.before_request(owners.owners_only)  # a course's routes: its owners and the province admin


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
        return _lesson_page(course, slug, form, None, status=400)
    if request.endpoint in {"authoring.edit_question", "authoring.new_question"}:
        course = authoring.get_course_or_404(request.view_args["slug"])
        key = (request.view_args or {}).get("key")
        form = QuestionForm(formdata=request.form)
        flash(_("Phiên làm việc đã hết hạn. Nội dung bạn gõ vẫn ở dưới đây: hãy lưu lại."), "error")
        return _question_page(course, key, form, status=400)
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
        meta=authoring.course_meta(course),
        lessons=authoring.working_lessons(course),
        questions=authoring.working_questions(course),
        pending=authoring.pending_changes(course),
        versions=versions.versions_of(course),
        action=ActionForm(),
    )


@bp.route("/khoa-hoc/<slug>/thong-tin", methods=["GET", "POST"])
def edit_course(slug: str):
    course = authoring.get_course_or_404(slug)
    if request.method == "GET":
        meta = authoring.course_meta(course)
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


# --- lessons ---------------------------------------------------------------------------------


def _too_long(form) -> bool:
    return len(form.body_md.data or "") > authoring.MAX_LESSON_CHARS


def _lesson_page(course, lesson_slug, form, draft, preview_html=None, status=200):
    lesson = None
    if lesson_slug:
        lesson, draft_found = authoring.lesson_for_editing(course, lesson_slug)
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
        return _lesson_page(course, None, form, None)
    form.known_documents = legal.known_document_codes(course)
    valid = form.validate()
    if _too_long(form):
        return _lesson_page(course, None, form, None, preview_html="", status=413)
    if not (form.title.data or form.body_md.data or form.articles.data):
        return _lesson_page(course, None, form, None)  # nothing typed: nothing to keep
    wanted = form.slug.data if not form.slug.errors else ""
    taken = wanted if wanted and authoring.lesson_slug_taken(course, wanted) else ""
    if taken:
        wanted, valid = "", False
    draft = authoring.create_lesson_draft(
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
    return _lesson_page(course, draft.slug, form, draft)


@bp.route("/khoa-hoc/<slug>/bai/<lesson_slug>", methods=["GET", "POST"])
def edit_lesson(slug: str, lesson_slug: str):
    course = authoring.get_course_or_404(slug)
    lesson, draft = authoring.lesson_for_editing(course, lesson_slug)
    if request.method == "GET":
        source = draft or lesson
        form = LessonForm(
            data={"title": source.title, "articles": source.articles, "body_md": source.body_md}
        )
        return _lesson_page(course, lesson_slug, form, draft)
    form = LessonForm()
    form.known_documents = legal.known_document_codes(course)
    valid = form.validate()
    if _too_long(form):
        return _lesson_page(course, lesson_slug, form, draft, preview_html="", status=413)
    draft = authoring.save_lesson_draft(
        course,
        lesson_slug,
        form.title.data or "",
        form.body_md.data or "",
        form.articles.data or "",
        current_user,
    )
    db.session.commit()
    if form.preview.data:
        return _lesson_page(course, lesson_slug, form, draft)
    if not valid:
        flash(_("Bài học chưa hợp lệ; nội dung đã được lưu vào bản nháp."), "error")
        return _lesson_page(course, lesson_slug, form, draft)
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
    draft = authoring.save_lesson_draft(
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
    draft = authoring.create_lesson_draft(
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
        authoring.discard_lesson_draft(course, lesson_slug, current_user)
        db.session.commit()
        flash(_("Đã bỏ bản nháp."), "success")
    return redirect(url_for(".course", slug=slug))


@bp.post("/khoa-hoc/<slug>/bai/<lesson_slug>/an")
def hide_lesson(slug: str, lesson_slug: str):
    course = authoring.get_course_or_404(slug)
    if ActionForm().validate_on_submit():
        hidden = request.form.get("an") != "0"
        authoring.set_lesson_hidden(course, lesson_slug, hidden, current_user)
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
        authoring.move_lesson(course, lesson_slug, offset, current_user)
        db.session.commit()
    return redirect(url_for(".course", slug=slug) + "#bai-hoc")


@bp.post("/xem-truoc")
def preview():
    """The live preview: the same render + sanitise as the learner page, as an HTML fragment."""
    form = PreviewForm()
    text = form.text.data or ""
    if len(text) > authoring.MAX_LESSON_CHARS:
        return _("Bài học quá dài để xem trước."), 413
    response = make_response(render_markdown(text))
    response.mimetype = "text/html"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- questions -------------------------------------------------------------------------------


def _question_page(course, key, form, question=None, draft=None, type_errors=(), status=200):
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
    data = authoring.question_data(form.qtype.data, form.option_dicts(), form.truefalse.data)
    problems = authoring.validate_question(form.qtype.data, data)
    if problems:
        return problems
    authoring.save_question_draft(
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
        key = form.key.data or authoring.new_question_key(course)
        if form.key.data and authoring.question_key_taken(course, key):
            form.validate()
            form.key.errors = [*form.key.errors, _("Mã câu hỏi này đã có trong khóa học.")]
            return _question_page(course, None, form, status=422)
        problems = _save_question(course, form, key)
        if problems == []:
            flash(_("Đã lưu bản nháp câu hỏi %(k)s.", k=key), "success")
            return redirect(url_for(".course", slug=slug) + "#cau-hoi")
        return _question_page(course, None, form, type_errors=problems or (), status=422)
    return _question_page(course, None, form)


@bp.route("/khoa-hoc/<slug>/cau-hoi/<path:key>", methods=["GET", "POST"])
def edit_question(slug: str, key: str):
    course = authoring.get_course_or_404(slug)
    question, draft = authoring.question_for_editing(course, key)
    source = draft or question
    if source.qtype not in authoring.FORM_QTYPES:
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
                "options": authoring.option_rows(source.qtype, source.data or {}),
                "active": "1" if source.active else "0",
            }
        )
        return _question_page(course, key, form, question, draft)
    form = QuestionForm()
    form.key.data = key
    problems = _save_question(course, form, key)
    if problems == []:
        flash(_("Đã lưu bản nháp câu hỏi %(k)s.", k=key), "success")
        return redirect(url_for(".course", slug=slug) + "#cau-hoi")
    return _question_page(
        course, key, form, question, draft, type_errors=problems or (), status=422
    )


def _readonly_question(course, key, source):
    return render_template(
        "authoring/question_readonly.html", course=course, key=key, question=source
    )


@bp.post("/khoa-hoc/<slug>/bo-nhap-cau-hoi/<path:key>")
def discard_question_draft(slug: str, key: str):
    course = authoring.get_course_or_404(slug)
    if ActionForm().validate_on_submit():
        authoring.discard_question_draft(course, key)
        db.session.commit()
        flash(_("Đã bỏ bản nháp câu hỏi."), "success")
    return redirect(url_for(".course", slug=slug) + "#cau-hoi")


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
            pending=authoring.pending_changes(course),
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
