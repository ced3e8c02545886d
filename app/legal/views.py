"""The legal register in the authoring area (`/soan-thao/van-ban`): trainers and province
admins list documents, edit one, and record an amendment. Guarded like authoring
(`authors_only`): anyone else gets 403 and nothing changes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.legal import amendments, services
from app.legal.forms import AmendmentForm, DocumentForm
from app.org.scope import authors_only

bp = Blueprint("legal", __name__, url_prefix="/soan-thao/van-ban")
bp.before_request(authors_only)


def _document_or_404(code: str):
    document = services.get_document(code)
    if document is None:
        abort(404)
    return document


def _form_data(document) -> dict:
    fields = ("number", "title", "issuer", "issued", "effective", "status", "last_checked")
    data = {name: getattr(document, name) for name in fields}
    data["sources"] = "\n".join(document.sources or [])
    data["article_statuses"] = "\n".join(
        f"{place} = {status}" for place, status in (document.article_statuses or {}).items()
    )
    return data


@bp.get("/")
def index():
    return render_template(
        "legal/index.html",
        documents=services.list_documents(),
        impacts=amendments.amendment_impacts(only_open=False),
    )


@bp.route("/<code>", methods=["GET", "POST"])
def edit(code: str):
    document = _document_or_404(code)
    # on POST only what was posted: a missing field is empty, never the stored value
    form = DocumentForm(data=_form_data(document)) if request.method == "GET" else DocumentForm()
    if form.validate_on_submit():
        services.update_document(document, form.values(), current_user)
        db.session.commit()
        flash(_("Đã lưu văn bản “%(t)s”.", t=document.title), "success")
        return redirect(url_for(".index"))
    status = 400 if form.is_submitted() else 200
    return render_template("legal/document_form.html", form=form, document=document), status


@bp.route("/<code>/thay-doi", methods=["GET", "POST"])
def amend(code: str):
    document = _document_or_404(code)
    known = {d.code for d in services.list_documents()}
    form = AmendmentForm(known_codes=known, code=document.code)
    if form.validate_on_submit():
        amendments.record_amendment(
            document,
            form.kind.data,
            form.effective_from.data,
            current_user,
            article=form.article.data or "",
            replaced_by=form.replaced_by.data or None,
            note=form.note.data or "",
        )
        db.session.commit()
        flash(
            _(
                "Đã ghi nhận thay đổi. Các bài học và câu hỏi trích dẫn văn bản "
                "được liệt kê dưới đây."
            ),
            "success",
        )
        return redirect(url_for(".index") + "#thay-doi")
    status = 400 if form.is_submitted() else 200
    citing = amendments.citing_course_majors(document.code)
    return (
        render_template(
            "legal/amendment_form.html", form=form, document=document, citing=len(citing)
        ),
        status,
    )
