"""Question-bank pages for trainers and province admins (`current_user.can_author`): a course's
bank (filters, search), upload → dry-run preview → confirm, progress of large files, export.

Upload and confirm run a job (`app.quizzes.jobs`): small files inline, large ones in a thread
whose progress the job page polls (job-progress.js; a meta refresh without JavaScript).
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.core.jobs import FAILED, QUEUED, RUNNING
from app.core.params import query_page
from app.core.uploads import read_upload
from app.courses import owners
from app.courses.models import Course
from app.extensions import db
from app.org.scope import authors_only, job_in_scope_or_404
from app.quizzes import bank, jobs
from app.quizzes.bank_forms import MAX_UPLOAD_BYTES, BankConfirmForm, BankUploadForm
from app.quizzes.types import REGISTRY

bp = Blueprint("bank", __name__, url_prefix="/ngan-hang")

# Files up to this size are checked while the request waits; larger ones in the background.
SYNC_MAX_BYTES = 200_000
TYPE_LABELS = {name: cls.label for name, cls in REGISTRY.items()}
TYPE_LABELS.update({"cloze": _l("Cloze (điền vào chỗ trống)"), "?": _l("Không đọc được")})


bp.before_request(authors_only)
bp.before_request(owners.owners_only)  # a course's bank: its owners and the province admin


def _course_or_404(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    return course


def _job_or_404(course: Course, token: str) -> jobs.ImportJob:
    return job_in_scope_or_404(current_user, jobs.job_for(current_user.id, course.id, token))


def _background(size: int) -> bool:
    return size > current_app.config.get("BANK_SYNC_MAX_BYTES", SYNC_MAX_BYTES)


@bp.get("/")
def courses():
    rows = db.session.scalars(select(Course).order_by(Course.title)).all()
    editable = owners.editable_course_ids(current_user)
    rows = [c for c in rows if editable is None or c.id in editable]
    return render_template("bank/courses.html", courses=rows)


@bp.get("/<slug>")
def index(slug: str):
    course = _course_or_404(slug)
    return _index_page(course, BankUploadForm())


def _index_page(course: Course, form: BankUploadForm, status: int = 200):
    category = request.args.get("danh_muc", "")
    tag = request.args.get("the", "")
    search = request.args.get("q", "")
    page = bank.bank_page(
        course,
        category=category,
        tag=tag,
        search=search,
        page=query_page(),
        per_page=current_app.config.get("PER_PAGE", 50),
    )
    categories, tags, count = bank.bank_filters(course)
    recent = [
        (job, progress, url_for(".job", slug=course.slug, token=job.token))
        for job, progress in jobs.recent(current_user.id, course.id)
    ]
    return render_template(
        "bank/index.html",
        course=course,
        page=page,
        form=form,
        categories=categories,
        tags=tags,
        count=count,
        drafts=bank.draft_count(course),
        filters={"danh_muc": category, "the": tag, "q": search},
        type_labels=TYPE_LABELS,
        recent=recent,
    ), status


@bp.post("/<slug>/nhap")
def upload(slug: str):
    course = _course_or_404(slug)
    form = BankUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = read_upload(form.file, MAX_UPLOAD_BYTES)
        if data is not None:
            job_id, token = jobs.create_job(
                course.id,
                current_user.id,
                data,
                filename=upload.filename or "",
                fmt=form.fmt.data or "",
                encoding=form.encoding.data or "",
                category_prefix=form.category_prefix.data or "",
            )
            jobs.start(job_id, background=_background(len(data)))
            return redirect(url_for(".job", slug=slug, token=token))
    return _index_page(course, form, 422)


@bp.get("/<slug>/nhap/<token>")
def job(slug: str, token: str):
    course = _course_or_404(slug)
    job = _job_or_404(course, token)
    progress = job.progress()
    if progress["status"] in (QUEUED, RUNNING):
        return render_template("bank/progress.html", course=course, job=job, progress=progress)
    summary = None if progress["status"] == FAILED else bank.ImportSummary.from_dict(job.summary)
    first = [SimpleNamespace(**item) for item in (summary.preview if summary else [])]
    return render_template(
        "bank/preview.html",
        course=course,
        job=job,
        summary=summary,
        failure=_failure(job) if summary is None else None,
        resumable=job.kind == jobs.IMPORT and jobs.upload_path(job.token).exists(),
        first=first,
        form=BankConfirmForm(),
        type_labels=TYPE_LABELS,
    )


def _failure(job: jobs.ImportJob) -> str:
    failure = (job.summary or {}).get("failure")
    if failure == jobs.WRITE_ERROR:
        return _("Lỗi hệ thống khi ghi câu hỏi; chi tiết đã ghi vào nhật ký máy chủ.")
    if failure:  # a preview's: why the file could not be read
        return failure
    if job.kind == jobs.IMPORT:
        return _("Quá trình ghi bị gián đoạn.")
    return _("Quá trình xử lý bị gián đoạn. Hãy tải tệp lên lại.")


@bp.post("/<slug>/nhap/<token>")
def confirm(slug: str, token: str):
    course = _course_or_404(slug)
    job = _job_or_404(course, token)
    if not BankConfirmForm().validate_on_submit():
        abort(400)
    job_id, kind = job.id, job.kind
    if jobs.confirm(job):
        jobs.start(job_id, background=_background(jobs.upload_path(token).stat().st_size))
    elif kind == jobs.PREVIEW:
        flash(_("Tệp đã tải lên không còn trên máy chủ (quá một ngày). Hãy tải lên lại."), "error")
        return redirect(url_for(".index", slug=slug))
    return redirect(url_for(".job", slug=slug, token=token))


@bp.get("/<slug>/nhap/<token>/tien-do")
def job_progress(slug: str, token: str):
    course = _course_or_404(slug)
    job = _job_or_404(course, token)
    return jsonify(job.progress())


@bp.post("/<slug>/nhap/<token>/tiep-tuc")
def resume(slug: str, token: str):
    """ "Tiếp tục" on a failed import: write what is left after the last chunk committed (or
    start again when none was)."""
    course = _course_or_404(slug)
    job = _job_or_404(course, token)
    if not BankConfirmForm().validate_on_submit():
        abort(400)
    job_id = job.id
    if jobs.retry(job):
        jobs.start(job_id, background=_background(jobs.upload_path(token).stat().st_size))
    else:
        flash(_("Không thể tiếp tục: tệp đã hết hạn hoặc việc nhập không bị lỗi."), "error")
    return redirect(url_for(".job", slug=slug, token=token))


@bp.get("/<slug>/xuat/<fmt>")
def export(slug: str, fmt: str):
    course = _course_or_404(slug)
    if fmt not in bank.EXPORT_FORMATS:
        abort(404)
    data, mimetype, filename = bank.export_bank(course, fmt)
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
