"""The union tree pages (/don-vi/cay): the tree of the user's subtree, one unit's page with
rename / move / merge / close, and the tree import with a preview. Thin: app/tree/services.py and
app/tree/imports.py decide and write. Units outside the user's subtree answer 404; a unit
the user sees but may not change (a manager's own unit) answers 403 to a change."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.org.models import OrgUnit, UnitLevel
from app.org.scope import (
    MANAGING_ROLES,
    require_roles,
    scope_units,
    unit_in_scope_or_404,
    within,
)
from app.roster import files as roster_files
from app.roster import services as roster
from app.roster import uploads as imports
from app.roster.forms import MAX_UPLOAD_BYTES, ConfirmForm
from app.tree import imports as tree_import
from app.tree import moves as tree_moves
from app.tree import services as tree
from app.tree.forms import (
    CloseForm,
    MergeForm,
    MoveForm,
    RenameForm,
    TreeUploadForm,
    UnitCreateForm,
    set_choices,
)

bp = Blueprint("tree", __name__, url_prefix="/don-vi/cay")
bp.before_request(require_roles(*MANAGING_ROLES))  # every page: unit managers, province admins
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope_units(active_only: bool = True) -> list[OrgUnit]:
    """Every unit under the user's grants, in tree order."""
    return roster.units_in_scope(current_user, active_only=active_only)


def _indent() -> int:
    return min((unit.level for unit in scope_units(current_user)), default=0)


def _parents(exclude: OrgUnit | None = None, units: list[OrgUnit] | None = None) -> list[OrgUnit]:
    """Active units in scope (each may receive a unit: `tree.may_receive` is this same scope)
    that can take a unit below them, not under `exclude`."""
    return [
        u
        for u in (units if units is not None else _scope_units())
        if u.level < UnitLevel.GRASSROOTS and (exclude is None or not within(u.path, exclude.path))
    ]


def _changeable_or_403(unit_id: int) -> OrgUnit:
    unit = unit_in_scope_or_404(current_user, unit_id)
    if not tree.may_change(current_user, unit):
        abort(403)
    return unit


@bp.get("/")
def index():
    show_closed = request.args.get("dong") == "1"
    units = _scope_units(active_only=not show_closed)
    form = UnitCreateForm()
    set_choices(form.parent_id, _parents(), _indent())
    return _index_page(units, form, show_closed)


def _index_page(units, form, show_closed=False, status=200):
    return render_template(
        "org/tree.html",
        units=units,
        counts=tree.officer_counts(units),
        form=form,
        show_closed=show_closed,
        indent=_indent(),
    ), status


@bp.post("/them")
def create():
    form = UnitCreateForm()
    set_choices(form.parent_id, _parents(), _indent())
    if form.validate_on_submit():
        parent = unit_in_scope_or_404(current_user, form.parent_id.data)
        try:
            unit = tree.create_unit(current_user, parent, form.name.data, form.code.data)
        except tree.TreeError as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã tạo đơn vị “%(n)s”.", n=unit.name), "success")
            return redirect(url_for("tree.unit", unit_id=unit.id))
    return _index_page(_scope_units(), form, status=422)


@bp.get("/<int:unit_id>")
def unit(unit_id: int):
    return _unit_page(unit_in_scope_or_404(current_user, unit_id))


def _unit_page(unit: OrgUnit, status: int = 200, **forms):
    rename = forms.get("rename") or RenameForm(
        formdata=None, data={"name": unit.name, "code": unit.code}
    )
    move = forms.get("move") or MoveForm(formdata=None)
    merge = forms.get("merge") or MergeForm(formdata=None)
    scoped = _scope_units()  # one query for both lists
    set_choices(
        move.parent_id,
        [u for u in _parents(exclude=unit, units=scoped) if u.id != unit.parent_id],
        _indent(),
    )
    targets = [u for u in scoped if not within(u.path, unit.path)]
    set_choices(merge.target_id, targets, _indent())
    children = [u for u in tree.subtree(unit) if u.parent_id == unit.id]
    return render_template(
        "org/unit.html",
        unit=unit,
        ancestors=unit.ancestors()[:-1],
        children=children,
        counts=tree.officer_counts([unit, *children]),
        may_change=tree.may_change(current_user, unit) and unit.active,
        movable=unit.parent_id is not None,
        rename_form=rename,
        move_form=move,
        merge_form=merge,
        close_form=forms.get("close") or CloseForm(formdata=None),
        close_error=forms.get("close_error"),
        events=tree.unit_history(unit),
    ), status


@bp.post("/<int:unit_id>/doi-ten")
def rename(unit_id: int):
    unit = _changeable_or_403(unit_id)
    form = RenameForm()
    if form.validate_on_submit():
        try:
            changed = tree.rename_unit(current_user, unit, form.name.data, form.code.data)
        except tree.TreeError as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã đổi tên.") if changed else _("Không có thay đổi nào."), "success")
            return redirect(url_for("tree.unit", unit_id=unit.id))
    return _unit_page(unit, 422, rename=form)


@bp.post("/<int:unit_id>/chuyen")
def move(unit_id: int):
    unit = _changeable_or_403(unit_id)
    form = MoveForm()
    set_choices(form.parent_id, _parents(exclude=unit), _indent())
    if form.validate_on_submit():
        parent = unit_in_scope_or_404(current_user, form.parent_id.data)
        try:
            result = tree_moves.move_unit(current_user, unit, parent)
        except tree.TreeError as error:
            form.parent_id.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Đã chuyển “%(u)s” về dưới “%(p)s”.", u=unit.name, p=parent.name), "success")
            if result.archives:
                flash(_("Số liệu các năm trước được giữ ở vị trí cũ."), "info")
            return redirect(url_for("tree.unit", unit_id=unit.id))
    return _unit_page(unit, 422, move=form)


@bp.post("/<int:unit_id>/sap-nhap")
def merge(unit_id: int):
    unit = _changeable_or_403(unit_id)
    form = MergeForm()
    set_choices(form.target_id, _scope_units(), _indent())
    if form.validate_on_submit():
        target = unit_in_scope_or_404(current_user, form.target_id.data)
        try:
            result = tree_moves.merge_units(current_user, unit, target)
        except tree.TreeError as error:
            form.target_id.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _("Đã sáp nhập “%(u)s” vào “%(t)s”: %(o)s cán bộ, %(c)s đơn vị trực thuộc.",
                  u=unit.name, t=target.name, o=result.officers, c=result.children),
                "success",
            )  # fmt: skip
            if result.demoted:
                flash(
                    _(
                        "Đã thu hồi vai trò trên đơn vị bị sáp nhập: %(n)s.",
                        n=", ".join(result.demoted),
                    ),
                    "info",
                )
            return redirect(url_for("tree.unit", unit_id=target.id))
    return _unit_page(unit, 422, merge=form)


@bp.post("/<int:unit_id>/dong")
def close(unit_id: int):
    unit = _changeable_or_403(unit_id)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        tree.close_unit(current_user, unit)
    except tree.TreeError as error:
        return _unit_page(unit, 422, close_error=str(error))
    db.session.commit()
    flash(_("Đã đóng đơn vị “%(n)s”.", n=unit.name), "success")
    return redirect(url_for("tree.unit", unit_id=unit.id))


# --- import ---------------------------------------------------------------------------------------


@bp.get("/mau-cay-don-vi.xlsx")
def template():
    return Response(
        tree_import.build_template(),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": 'attachment; filename="mau-cay-don-vi.xlsx"'},
    )


@bp.route("/nhap", methods=["GET", "POST"])
def import_upload():
    form = TreeUploadForm()
    if form.validate_on_submit():
        token = imports.store_upload(
            form.file, tree_import.read_file, tree_import.UPLOAD_KIND, current_user.id,
            MAX_UPLOAD_BYTES,
        )  # fmt: skip
        if token is not None:
            return redirect(url_for("tree.import_preview", token=token))
    return render_template("org/tree_import.html", form=form), 422 if form.errors else 200


@bp.route("/nhap/<token>", methods=["GET", "POST"])
def import_preview(token: str):
    stored = roster_files.load_upload(current_user.id, tree_import.UPLOAD_KIND, token)
    if stored is None:
        abort(404)
    filename, rows = stored
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            summary = tree_import.import_tree(current_user, rows)
        except tree.TreeError as error:  # the database changed since the check: say what
            db.session.rollback()
            flash(_("Không nhập được, không có dòng nào được ghi: %(e)s", e=str(error)), "error")
            return redirect(url_for("tree.import_preview", token=token))
        db.session.commit()
        roster_files.discard_upload(token)
        return render_template("org/tree_import_result.html", filename=filename, summary=summary)
    preview = tree_import.parse_tree(current_user, rows)
    return render_template(
        "org/tree_import_preview.html",
        form=form,
        filename=filename,
        preview=preview,
        first_rows=[r for r in preview.rows if r.action != "error"][:20],
    )
