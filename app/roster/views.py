"""Roster upkeep for unit managers and province admins: the officer list of their subtree,
import with a preview, one officer's edit form and history. Out-of-scope officers answer 404."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.auth import activation
from app.core.params import query_page
from app.extensions import db
from app.org import grants
from app.org.models import OFFICER_TYPE_LABELS, ROLE_LABELS, OfficerType, OrgUnit, Role
from app.org.scope import (
    MANAGING_ROLES,
    home_unit,
    job_in_scope_or_404,
    require_roles,
    scope_paths,
    scope_units,
    unit_in_scope_or_404,
)
from app.roster import files as roster_files
from app.roster import jobs
from app.roster import services as roster
from app.roster import uploads as imports
from app.roster.forms import (
    MAX_UPLOAD_BYTES,
    ActivateForm,
    BulkActivationForm,
    ConfirmForm,
    DeactivateForm,
    GrantForm,
    OfficerForm,
    ReissueForm,
    RevokeForm,
    RosterUploadForm,
)

bp = Blueprint("org", __name__, url_prefix="/don-vi")
bp.before_request(require_roles(*MANAGING_ROLES))  # every page: unit managers, province admins

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 20


def _officer_or_404(user_id: int):
    officer = roster.officer_in_scope(current_user, user_id)
    if officer is None:
        abort(404)
    return officer


@bp.get("/can-bo")
def roster_list():
    query = request.args.get("q", "")
    page = roster.roster_page(current_user, query, query_page(), 50)
    return render_template(
        "org/roster.html",
        page=page,
        scope_units=scope_units(current_user),
        q=query,
        officer_types=OFFICER_TYPE_LABELS,
        OfficerType=OfficerType,
        activation_form=_bulk_activation_form(),
    )


# --- activation: e-mail invitations and printed slips (app/auth/activation.py) ---------------


def _bulk_activation_form() -> BulkActivationForm:
    form = BulkActivationForm()
    units = roster.units_in_scope(current_user)
    indent = min((u.level for u in units), default=0)
    form.unit_id.choices = [
        SelectChoice(u.id, f"{'— ' * (u.level - indent)}{u.name}") for u in units
    ]
    return form


def _bulk_officers():
    """The not-yet-activated officers of the chosen unit's subtree (404 outside scope)."""
    form = _bulk_activation_form()
    if not form.validate_on_submit():
        abort(400)
    unit = unit_in_scope_or_404(current_user, form.unit_id.data)
    return unit, activation.not_activated(current_user, unit)


def _flash_sent(summary: activation.SendSummary) -> None:
    if summary.sent:
        flash(_("Đã gửi %(n)s thư mời kích hoạt.", n=summary.sent), "success")
    if summary.without_email:
        flash(
            _("%(n)s cán bộ chưa có thư điện tử: hãy in phiếu kích hoạt.", n=summary.without_email),
            "info",
        )
    if summary.failed:
        flash(
            _(
                "Không gửi được %(n)s thư (máy chủ thư: %(e)s). Hãy thử lại sau.",
                n=len(summary.failed),
                e=summary.failed[0][1],
            ),
            "error",
        )
    if summary.already_invited:
        flash(
            _(
                "%(n)s cán bộ đã có thư mời còn hạn, không gửi lại (gửi lại từng người từ "
                "trang của cán bộ).",
                n=summary.already_invited,
            ),
            "info",
        )
    if summary.left:
        flash(_("Còn %(n)s thư chưa gửi: bấm gửi lần nữa để gửi tiếp.", n=summary.left), "info")
    if not (summary.sent or summary.without_email or summary.failed or summary.already_invited):
        flash(_("Mọi cán bộ của đơn vị đã kích hoạt tài khoản."), "info")


def _slips_pdf(issued, filename: str) -> Response:
    return Response(
        activation.render_activation_sheet(issued),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",  # one-time codes: not kept in any cache
        },
    )


@bp.post("/can-bo/kich-hoat/moi")
def invite_bulk():
    _unit, officers = _bulk_officers()
    _flash_sent(activation.send_bulk_invitations(current_user.id, officers))
    return redirect(url_for("org.roster_list"))


@bp.post("/can-bo/kich-hoat/phieu")
def activation_sheet():
    unit, officers = _bulk_officers()
    issued = activation.issue_codes(current_user.id, officers)
    db.session.commit()  # the codes on paper are the ones stored
    return _slips_pdf(issued, f"phieu-kich-hoat-{unit.code}.pdf")


@bp.post("/can-bo/<int:user_id>/gui-loi-moi")
def reissue_invite(user_id: int):
    officer = _officer_or_404(user_id)
    if not ReissueForm().validate_on_submit():
        abort(400)
    if not officer.active:
        abort(404)
    _flash_sent(activation.send_invitations(current_user.id, [officer]))
    return redirect(url_for("org.officer", user_id=officer.id))


@bp.post("/can-bo/<int:user_id>/phieu-kich-hoat")
def reissue_code(user_id: int):
    officer = _officer_or_404(user_id)
    if not ReissueForm().validate_on_submit():
        abort(400)
    if not officer.active:
        abort(404)
    issued = activation.issue_codes(current_user.id, [officer])
    db.session.commit()  # the codes on paper are the ones stored
    return _slips_pdf(issued, f"phieu-kich-hoat-{officer.id}.pdf")


@bp.get("/can-bo/mau-danh-sach-can-bo.xlsx")
def roster_template():
    return Response(
        roster_files.build_template(),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": 'attachment; filename="mau-danh-sach-can-bo.xlsx"'},
    )


@bp.route("/can-bo/nhap", methods=["GET", "POST"])
def import_upload():
    form = RosterUploadForm()
    if form.validate_on_submit():
        token = imports.store_upload(
            form.file, roster_files.read_rows, jobs.UPLOAD_KIND, current_user.id, MAX_UPLOAD_BYTES
        )
        if token is not None:
            return redirect(url_for("org.import_preview", token=token))
    status = 422 if form.errors else 200
    recent = [
        (job, progress, url_for("org.import_job", token=job.token))
        for job, progress in jobs.recent(current_user.id)
    ]
    return render_template("org/import.html", form=form, recent=recent), status


@bp.route("/can-bo/nhap/<token>", methods=["GET", "POST"])
def import_preview(token: str):
    if jobs.job_for(current_user.id, token) is not None:  # confirmed already: follow the job
        return redirect(url_for("org.import_job", token=token))
    stored = roster_files.load_upload(current_user.id, jobs.UPLOAD_KIND, token)
    if stored is None:
        abort(404)
    filename, rows = stored
    form = ConfirmForm()
    if form.validate_on_submit():
        scope_unit = home_unit(current_user)
        job_id = jobs.create(current_user.id, scope_unit.id, token, filename, len(rows))
        if job_id is not None:  # None: a second click got here first, its job is the one
            jobs.start(job_id, len(rows))
        return redirect(url_for("org.import_job", token=token))
    preview = roster.parse_roster(home_unit(current_user), rows)
    return render_template(
        "org/preview.html",
        form=form,
        filename=filename,
        preview=preview,
        first_rows=[r for r in preview.rows if r.action != "error"][:PREVIEW_ROWS],
    )


def _job_or_404(token: str) -> jobs.RosterImportJob:
    return job_in_scope_or_404(current_user, jobs.job_for(current_user.id, token))


@bp.get("/can-bo/nhap/<token>/ket-qua")
def import_job(token: str):
    job = _job_or_404(token)
    progress = job.progress()
    if progress["status"] in (jobs.QUEUED, jobs.RUNNING):
        return render_template("org/import_progress.html", job=job, progress=progress)
    if progress["status"] == jobs.FAILED:
        failure = {
            jobs.EXPIRED: _("tệp tải lên đã hết hạn hoặc đã bị xoá, hãy tải tệp lên lại"),
            jobs.ERROR: _("lỗi hệ thống, đã ghi vào nhật ký máy chủ"),
        }.get((job.summary or {}).get("failure"), _("quá trình ghi bị gián đoạn"))
        return render_template(
            "org/import_result.html", job=job, failure=failure, form=ConfirmForm()
        )
    summary = roster.ImportSummary.from_dict(job.summary)
    return render_template("org/import_result.html", job=job, summary=summary)


@bp.get("/can-bo/nhap/<token>/tien-do")
def import_job_progress(token: str):
    return jsonify(_job_or_404(token).progress())


@bp.post("/can-bo/nhap/<token>/thu-lai")
def import_retry(token: str):
    job = _job_or_404(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job_id, rows = job.id, job.total
    if jobs.retry(job):
        jobs.start(job_id, rows)
    else:
        flash(_("Không thể thử lại: tệp đã hết hạn hoặc việc nhập không bị lỗi."), "error")
    return redirect(url_for("org.import_job", token=token))


def _grant_form(posted: bool = False) -> GrantForm:
    """The grant form offering what the signed-in user may give; filled from the request only
    when it is the form that was posted (the officer page posts its edit form too)."""
    units = grants.units_actor_may_grant_over(current_user)
    indent = min((u.level for u in units), default=0)
    roles = grants.roles_actor_may_grant(current_user)
    if posted:
        return GrantForm(roles, units, indent)
    return GrantForm(roles, units, indent, formdata=None)


def _officer_page(officer, form, grant_form=None, status: int = 200):
    memberships, events = roster.officer_history(officer)
    if grant_form is None:
        grant_form = _grant_form()
    return render_template(
        "org/officer.html",
        officer=officer,
        form=form,
        deactivate_form=DeactivateForm(),
        activate_form=ActivateForm(),
        reissue_form=ReissueForm(),
        grant_form=grant_form
        if grant_form.grant_role.choices and grant_form.grant_unit_id.choices
        else None,
        revoke_form=RevokeForm(),
        grants=grants.grant_history(officer),
        role_labels=ROLE_LABELS,
        memberships=memberships,
        events=events,
    ), status


@bp.route("/can-bo/<int:user_id>", methods=["GET", "POST"])
def officer(user_id: int):
    officer = _officer_or_404(user_id)
    units = roster.units_in_scope(current_user)
    form = OfficerForm() if request.method == "POST" else OfficerForm.for_officer(officer)
    indent = min((u.level for u in units), default=0)
    form.unit_id.choices = [
        SelectChoice(u.id, f"{'— ' * (u.level - indent)}{u.name}") for u in units
    ]
    if form.validate_on_submit():
        values = form.values()
        for name, message in roster.conflicts(
            officer, values, tuple(scope_paths(current_user))
        ).items():
            getattr(form, name).errors.append(message)
        if not form.errors:
            changes = roster.update_officer(current_user.id, officer, values)
            db.session.commit()
            if changes:
                flash(_("Đã lưu thay đổi."), "success")
            else:
                flash(_("Không có thay đổi nào."), "info")
            return redirect(url_for("org.officer", user_id=officer.id))
    return _officer_page(officer, form, status=422 if form.errors else 200)


@bp.post("/can-bo/<int:user_id>/vai-tro")
def grant_role(user_id: int):
    officer = _officer_or_404(user_id)
    form = _grant_form(posted=True)
    if form.validate_on_submit():
        unit = db.session.get(OrgUnit, form.grant_unit_id.data)
        try:
            grants.grant_role(current_user, officer, Role(form.grant_role.data), unit)
        except grants.GrantRefused as refusal:
            form.grant_role.errors.append(str(refusal))
        else:
            db.session.commit()
            flash(_("Đã cấp vai trò."), "success")
            return redirect(url_for("org.officer", user_id=officer.id))
    return _officer_page(officer, OfficerForm.for_officer(officer), form, status=422)


@bp.post("/can-bo/<int:user_id>/vai-tro/<int:grant_id>/thu-hoi")
def revoke_role(user_id: int, grant_id: int):
    officer = _officer_or_404(user_id)
    grant = grants.grant_of_officer_or_none(officer, grant_id)
    if grant is None:
        abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        grants.revoke_grant(current_user, grant)
    except grants.GrantRefused as refusal:
        flash(str(refusal), "error")
        return _officer_page(officer, OfficerForm.for_officer(officer), status=403)
    db.session.commit()
    flash(_("Đã thu hồi vai trò."), "success")
    return redirect(url_for("org.officer", user_id=officer.id))


@bp.post("/can-bo/<int:user_id>/nghi")
def deactivate(user_id: int):
    officer = _officer_or_404(user_id)
    form = DeactivateForm()
    if form.validate_on_submit():
        roster.set_active(current_user.id, officer, False, form.reason.data)
        db.session.commit()
        flash(_("Đã chuyển cán bộ sang trạng thái “%(r)s”.", r=form.reason.data), "success")
    return redirect(url_for("org.officer", user_id=officer.id))


@bp.post("/can-bo/<int:user_id>/kich-hoat")
def activate(user_id: int):
    officer = _officer_or_404(user_id)
    if ActivateForm().validate_on_submit():
        roster.set_active(current_user.id, officer, True)
        db.session.commit()
        flash(_("Cán bộ đã trở lại trạng thái đang công tác."), "success")
    return redirect(url_for("org.officer", user_id=officer.id))
