from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.core.dates import local_today
from app.core.page_cache import cached_page
from app.core.params import query_int, query_page, query_year
from app.courses.models import Course
from app.extensions import db
from app.org.models import OFFICER_TYPE_LABELS, OrgUnit
from app.org.scope import (
    MANAGING_ROLES,
    home_unit,
    in_scope,
    may_see_unit,
    require_roles,
    scope_units,
    unit_in_scope_or_404,
)
from app.progress import coverage_stamps
from app.reports import periodic, services
from app.reports.charts import coverage_charts

bp = Blueprint("reports", __name__, url_prefix="/bao-cao")
bp.before_request(require_roles(*MANAGING_ROLES))  # every page: unit managers, province admins


# Ids and titles only: the filter's options need no more, and loading whole courses
# (summaries, settings) as ORM objects cost more than the page's aggregate (bench S4). Built
# once: building a statement costs more than running this one on SQLite.
_COURSE_OPTIONS = select(Course.id, Course.title).order_by(Course.title)


def _filters():
    today = local_today()
    year = query_year("nam", today.year)
    courses = db.session.execute(_COURSE_OPTIONS).all()
    chosen = request.args.get("khoa")
    if chosen is None:
        # Opening the page: the year's first required course (usually the Law course);
        # "tat-ca" asks for every required course at once (an officer counts when all done).
        course_id = services.default_course_id(current_user, year)
    else:
        course_id = query_int("khoa", None)  # "tat-ca" (every course) is not a number
    if course_id not in {c.id for c in courses}:
        course_id = None
    officer_type = request.args.get("loai", "")
    if officer_type not in {t.value for t in OFFICER_TYPE_LABELS}:
        officer_type = ""
    return year, courses, course_id, officer_type


def _breadcrumbs(root):
    """The units from the viewer's own unit down to `root` (nothing above the viewer)."""
    if any(root.id == unit.id for unit in scope_units(current_user)):
        return [root]  # the page as it opens on a unit of the viewer's grants: no query
    return [u for u in root.ancestors() if may_see_unit(current_user, u)]


@bp.get("/bao-phu")
@bp.get("/bao-phu/<int:unit_id>")
def coverage(unit_id: int | None = None):
    root_id = unit_id if unit_id else home_unit(current_user).id
    # Read before any number (coverage_stamps): the unit's path, and the counters that move
    # with every write the page could show.
    found = coverage_stamps.unit_stamp(root_id)
    if found is None or (unit_id and not in_scope(current_user, found[1])):
        abort(404)
    province_id, _path, stamp = found
    key = (
        "coverage",
        root_id,
        province_id,
        stamp,
        local_today(),  # the default year, the years offered, and what is late
        tuple(sorted(request.args.items(multi=True))),
        _viewer_scope(),
    )
    return cached_page(key, lambda: _coverage_page(db.session.get(OrgUnit, root_id)))


def _viewer_scope() -> tuple:
    """What of the viewer the page depends on: the default course and the breadcrumbs follow
    his grants' units, the menu his roles (both from the grants), and his own unit."""
    grants = sorted((grant.role, grant.unit.path) for grant in current_user.grants)
    return current_user.unit.path, tuple(grants)


def _coverage_page(root) -> str:
    year, courses, course_id, officer_type = _filters()
    result = services.coverage(root, year, course_id, officer_type)
    progress = result.monthly
    breadcrumbs = _breadcrumbs(root)
    return render_template(
        "reports/coverage.html",
        cov=result,
        progress=progress,
        charts=coverage_charts(result, progress) if result.rows else "",
        courses=courses,
        breadcrumbs=breadcrumbs,
        officer_types=OFFICER_TYPE_LABELS,
        years=range(local_today().year, 2022, -1),
    )


@bp.get("/bao-phu/<int:unit_id>/can-bo")
def officers(unit_id: int):
    root = unit_in_scope_or_404(current_user, unit_id)
    year, courses, course_id, officer_type = _filters()
    own = request.args.get("rieng") == "1"
    page = services.officer_statuses(root, year, course_id, officer_type, query_page(), 50, own)
    breadcrumbs = _breadcrumbs(root)
    return render_template(
        "reports/officers.html",
        root=root,
        page=page,
        year=year,
        course_id=course_id,
        officer_type=officer_type,
        courses=courses,
        breadcrumbs=breadcrumbs,
        own=own,
        today=local_today(),
        officer_types=OFFICER_TYPE_LABELS,
    )


def _report_args():
    today = local_today()
    year = query_year("nam", today.year)
    period = request.args.get("ky", "6t" if today.month <= 6 else "nam")
    if period not in periodic.PERIODS:
        period = "nam"
    return year, period


@bp.get("/dinh-ky")
@bp.get("/dinh-ky/<int:unit_id>")
def periodic_report(unit_id: int | None = None):
    root = unit_in_scope_or_404(current_user, unit_id) if unit_id else home_unit(current_user)
    year, period = _report_args()
    report = periodic.build_report(root, year, period)
    return render_template(
        "reports/periodic.html",
        report=report,
        periods=periodic.PERIODS,
        years=range(local_today().year, 2022, -1),
    )


@bp.get("/dinh-ky/<int:unit_id>/tai-ve.<fmt>")
def periodic_download(unit_id: int, fmt: str):
    root = unit_in_scope_or_404(current_user, unit_id)
    year, period = _report_args()
    report = periodic.build_report(root, year, period)
    name = f"bao-cao-tap-huan-tdkt-{period}-{year}-{root.code}"
    if fmt == "xlsx":
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        body = periodic.to_xlsx(report)
    elif fmt == "csv":
        mimetype, body = "text/csv; charset=utf-8", periodic.to_csv(report)
    else:
        abort(404)
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
