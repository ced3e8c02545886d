"""Certificates on the web: the PDF download (owner or managers in scope) and the public
verification page a QR code points to."""

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from app.certificates import services as certificates
from app.core.db import write_intent
from app.extensions import db, limiter
from app.org.scope import record_in_scope_or_404
from app.progress.models import TrainingRecord

bp = Blueprint("certificates", __name__)


def _completed_record_or_404(record_id: int) -> TrainingRecord:
    """The record if the current user may see it: their own, or (unit manager, province
    admin) one whose unit lies in their scope. Anything else is 404, like a missing record."""
    record = record_in_scope_or_404(current_user, db.session.get(TrainingRecord, record_id))
    if record.completed_on is None:
        abort(404)
    return record


@bp.get("/chung-chi/<int:record_id>.pdf")
@login_required
def download(record_id: int):
    record = _completed_record_or_404(record_id)
    certificate = certificates.current_certificate(record)
    if certificate is None:
        if certificates.was_revoked(record):
            return render_template("reports/certificate_unavailable.html"), 410
        # First download issues it: a write in a GET. End the read transaction and start the
        # next one as a writer (SQLite: BEGIN IMMEDIATE, see app/core/db.py).
        db.session.commit()
        write_intent.set(True)
        record = db.session.get(TrainingRecord, record_id)
        certificate = certificates.issue_certificate(record, actor_id=current_user.id)
        db.session.commit()
    pdf = certificates.render_certificate_pdf(certificate)
    filename = f"giay-chung-nhan-{certificate.year}-{certificate.seq:05d}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/xac-minh/<token>")
@limiter.limit("60 per minute")
def verify(token: str):
    certificate = certificates.certificate_by_token(token)
    if certificate is None:
        abort(404)
    page = render_template(
        "reports/certificate_verify.html",
        full_name=certificate.full_name,
        course_title=certificate.course_title,
        completed_on=certificate.completed_on,
        number=certificate.number,
        status=certificate.status,
    )
    return Response(
        page,
        headers={
            "X-Robots-Tag": "noindex, nofollow",
            "Referrer-Policy": "no-referrer",  # the token is the URL: do not leak it onwards
            "Cache-Control": "no-cache",
        },
    )
