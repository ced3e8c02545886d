"""The yearly training plan, set by the province admin for their province."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.dates import local_today
from app.core.params import query_year
from app.courses.models import Course
from app.extensions import db
from app.org.models import OFFICER_TYPE_LABELS, Role
from app.org.scope import home_unit, require_roles
from app.plan.forms import PlanItemForm
from app.progress.models import PlanItem
from app.progress.services import add_plan_item

bp = Blueprint("plan", __name__, url_prefix="/ke-hoach")
bp.before_request(require_roles(Role.PROVINCE_ADMIN))


@bp.route("/", methods=["GET", "POST"])
def index():
    courses = list(db.session.scalars(select(Course).order_by(Course.title)))
    year = query_year("nam", local_today().year)
    form = PlanItemForm(courses, data={"year": year} if request.method == "GET" else None)
    if form.validate_on_submit():
        course = db.session.get(Course, form.course_id.data)
        try:
            add_plan_item(
                form.year.data,
                course,
                form.due_on.data,
                home_unit(current_user, [Role.PROVINCE_ADMIN]),
                form.officer_type.data,
                actor_id=current_user.id,
            )
        except IntegrityError:
            db.session.rollback()
            form.course_id.errors.append(
                _("Khóa học này đã có trong kế hoạch năm cho nhóm cán bộ này.")
            )
        else:
            db.session.commit()
            flash(_("Đã thêm vào kế hoạch năm %(y)s.", y=form.year.data), "success")
            return redirect(url_for(".index", nam=form.year.data))
    items = db.session.scalars(
        select(PlanItem)
        .where(
            PlanItem.year == year,
            PlanItem.unit_id == home_unit(current_user, [Role.PROVINCE_ADMIN]).id,
        )
        .order_by(PlanItem.due_on)
    ).all()
    return render_template(
        "progress/plan.html",
        form=form,
        items=items,
        year=year,
        officer_types=OFFICER_TYPE_LABELS,
        plan_unit=home_unit(current_user, [Role.PROVINCE_ADMIN]),
    )
