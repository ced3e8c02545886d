"""In-person classes for trainers and province admins: record a class, its attendance by
picking officers in scope or uploading a sheet. Classes outside the viewer's subtree: 404."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.classes import services as classes
from app.classes.forms import (
    AddAttendeesForm,
    AttendanceSheetForm,
    RemoveAttendeeForm,
    TrainingClassForm,
)
from app.core.params import query_page
from app.core.uploads import read_upload
from app.courses.models import Course
from app.extensions import db
from app.org.scope import TRAINER_ROLES, require_roles
from app.roster.files import RosterFileError
from app.roster.forms import MAX_UPLOAD_BYTES

bp = Blueprint("progress", __name__, url_prefix="/lop-tap-huan")
bp.before_request(require_roles(*TRAINER_ROLES))  # every page: trainers, province admins


@bp.get("")
def class_list():
    page = classes.classes_page(current_user, query_page(), 30)
    return render_template("progress/classes.html", page=page)


@bp.route("/moi", methods=["GET", "POST"])
def class_new():
    form = TrainingClassForm()
    courses = list(db.session.scalars(select(Course).order_by(Course.title)))
    form.course_id.choices = [SelectChoice(c.id, c.title) for c in courses]
    if form.validate_on_submit():
        course = next(c for c in courses if c.id == form.course_id.data)
        klass = classes.create_class(
            current_user,
            course,
            form.held_on.data,
            form.place.data,
            form.trainer_name.data,
            form.notes.data,
        )
        db.session.commit()
        flash(_("Đã ghi nhận lớp tập huấn. Hãy thêm học viên."), "success")
        return redirect(url_for("progress.class_detail", class_id=klass.id))
    status = 422 if form.errors else 200
    return render_template("progress/class_new.html", form=form), status


def _detail(klass, sheet_form=None, unknown=None, status=200):
    query = request.args.get("q", "")
    return render_template(
        "progress/class_detail.html",
        klass=klass,
        attendees=classes.attendees(klass),
        q=query,
        found=classes.search_officers(current_user, query),
        add_form=AddAttendeesForm(formdata=None),
        sheet_form=sheet_form or AttendanceSheetForm(formdata=None),
        can_remove=classes.can_remove(klass),
        unknown=unknown,
    ), status


@bp.get("/<int:class_id>")
def class_detail(class_id: int):
    return _detail(classes.class_in_scope_or_404(current_user, class_id))


@bp.post("/<int:class_id>/them")
def add_attendees(class_id: int):
    klass = classes.class_in_scope_or_404(current_user, class_id)
    form = AddAttendeesForm()
    if form.validate_on_submit():
        users = classes.officers_by_ids(current_user, form.user_ids.data)
        if len(users) != len(set(form.user_ids.data)):
            abort(404)  # an id outside the viewer's scope (or no such officer)
        added = classes.add_attendees(current_user, klass, users)
        db.session.commit()
        flash(_("Đã thêm %(n)s học viên.", n=added), "success")
    else:
        flash(_("Chọn ít nhất một cán bộ."), "error")
    return redirect(url_for("progress.class_detail", class_id=klass.id))


@bp.post("/<int:class_id>/tai-len")
def upload_sheet(class_id: int):
    klass = classes.class_in_scope_or_404(current_user, class_id)
    form = AttendanceSheetForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = read_upload(form.file, MAX_UPLOAD_BYTES)
        if data is not None:
            try:
                match = classes.match_sheet(current_user, upload.filename or "", data)
            except RosterFileError as error:
                form.file.errors.append(str(error))
            else:
                added = classes.add_attendees(current_user, klass, match.users)
                db.session.commit()
                flash(
                    _(
                        "Đã thêm %(n)s học viên từ tệp; %(u)s dòng không khớp.",
                        n=added,
                        u=len(match.unknown),
                    ),
                    "success" if not match.unknown else "info",
                )
                if not match.unknown:
                    return redirect(url_for("progress.class_detail", class_id=klass.id))
                return _detail(klass, unknown=match.unknown)
    return _detail(klass, sheet_form=form, status=422)


@bp.post("/<int:class_id>/xoa/<int:user_id>")
def remove_attendee(class_id: int, user_id: int):
    klass = classes.class_in_scope_or_404(current_user, class_id)
    user = classes.officers_by_ids(current_user, [user_id])
    if not user:
        abort(404)
    if not RemoveAttendeeForm().validate_on_submit():
        abort(400)
    if classes.remove_attendee(current_user, klass, user[0]):
        db.session.commit()
        flash(_("Đã bỏ %(name)s khỏi danh sách lớp.", name=user[0].full_name), "success")
    else:
        flash(
            _(
                "Không thể bỏ %(name)s: kết quả đã được ghi nhận theo cách khác hoặc năm đã "
                "khóa sổ.",
                name=user[0].full_name,
            ),
            "error",
        )
    return redirect(url_for("progress.class_detail", class_id=klass.id))
