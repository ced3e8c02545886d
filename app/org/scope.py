"""Authorisation in one place: role checks and the unit scope every officer-data query uses.

Roles come from grants (`RoleGrant`): each ties a role to a unit's subtree. A user's scope is
the union of the subtrees of his grants — of his unit-manager and province-admin grants for
officer data and coverage, of his trainer grants (too) for classes and attempts. Nobody else
sees anyone's data but their own. Out-of-scope objects answer 404, so their existence is not
revealed.

What is here, so no view or service writes its own copy:
- guards: `require_roles` (a blueprint's `before_request`), `roles_required` (one route of a
  blueprint mixing audiences), `authors_only`;
- questions: `may_see_unit`, `may_manage_officer`, `may_manage_unit`, `may_grant`, and the
  object rules of grading, `grading_refusal`;
- lookups that answer 404 outside scope: `unit_in_scope_or_404`, `attempt_in_scope_or_404`,
  `class_in_scope_or_404`, `record_in_scope_or_404`, `own_attempt_or_404`,
  `job_in_scope_or_404` (officers: `officers_in_scope`, one query);
- SQL: `scope_filter`, `officers_in_scope`; Python: `within`, `within_any`, `in_scope`.

This package sits below quizzes, progress and the job modules: it never imports them. Their
objects come in from the caller and are read by their attributes (`attempt.user`,
`klass.unit`, `job.user_id`), and the caller fetches them (`db.session.get(Attempt, id)`).
"""

from collections.abc import Iterable
from functools import wraps
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_login.config import EXEMPT_METHODS
from sqlalchemy import false, or_, select

from app.extensions import db, login_manager
from app.org.models import ROLE_RANK, OrgUnit, Role, RoleGrant, User, subtree_filter

# Whose grants give a scope over officer data (roster, coverage, reports).
MANAGING_ROLES = (Role.UNIT_MANAGER, Role.PROVINCE_ADMIN)
# … and over the people a trainer teaches (classes, attempts to grade).
TEACHING_ROLES = (Role.TRAINER, Role.UNIT_MANAGER, Role.PROVINCE_ADMIN)
# Whose pages are the trainers': courses, question banks, legal register, classes, grading.
TRAINER_ROLES = (Role.TRAINER, Role.PROVINCE_ADMIN)


# --- guards ----------------------------------------------------------------------------------


def require_roles(*roles: Role):
    """A blueprint's guard, `bp.before_request(require_roles(...))`: every route of it is for
    signed-in holders of one of `roles`. Not signed in: the sign-in page (as `login_required`);
    signed in without the role: 403. Written once per blueprint, so no route can forget it."""

    def guard():
        if request.method in EXEMPT_METHODS:  # as login_required: OPTIONS answers itself
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(*roles):
            abort(403)
        return None

    return guard


# `before_request` guard of the authoring blueprints (courses, question bank, legal register).
authors_only = require_roles(*TRAINER_ROLES)


def roles_required(*roles: Role):
    """One route's guard, under `login_required`, for a blueprint whose routes serve different
    people (the quiz blueprint: learners take quizzes, trainers grade); else `require_roles`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def within(path: str, top: str) -> bool:
    """Does the unit at `path` lie in the subtree whose root is at `top` (itself included)?

    The one place that compares materialised paths in Python; SQL uses `subtree_filter`.
    Paths end with "/" ("/1/4/"), so "/1/4/" is not within "/1/40/" nor the reverse."""
    return path.startswith(top)


def within_any(path: str, tops: Iterable[str]) -> bool:
    """Does the unit at `path` lie in one of the subtrees rooted at `tops`?"""
    return any(within(path, top) for top in tops)


def _outermost(paths: Iterable[str]) -> list[str]:
    """The paths not lying under another one of them, sorted (a union of subtrees)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(within(path, top) for top in kept):
            kept.append(path)
    return kept


def scope_units(user: User, roles: Iterable[Role] = MANAGING_ROLES) -> list[OrgUnit]:
    """The top units of the user's scope for `roles` (no unit under another), by path."""
    wanted = {r.value for r in roles}
    tops = _outermost(grant.unit.path for grant in user.grants if grant.role in wanted)
    by_path = {grant.unit.path: grant.unit for grant in user.grants}
    return [by_path[path] for path in tops]


def scope_paths(user: User, roles: Iterable[Role] = MANAGING_ROLES) -> list[str]:
    """Path prefixes of the subtrees `user` may see through grants of `roles`."""
    return [unit.path for unit in scope_units(user, roles)]


def home_unit(user: User, roles: Iterable[Role] = MANAGING_ROLES) -> OrgUnit:
    """The unit a page opens on by default: the user's outermost scope unit (the highest
    ranked role's first), else his own unit."""
    units = scope_units(user, roles)
    if not units:
        return user.unit
    rank: dict[str, int] = {}
    for grant in user.grants:
        rank[grant.unit.path] = max(rank.get(grant.unit.path, 0), ROLE_RANK[Role(grant.role)])
    return max(units, key=lambda unit: (rank.get(unit.path, 0), -len(unit.path)))


def in_scope(user: User, path: str, roles: Iterable[Role] = MANAGING_ROLES) -> bool:
    """Does the unit at `path` lie in one of the user's subtrees for `roles`?"""
    return within_any(path, scope_paths(user, roles))


def scope_filter(user: User, column, roles: Iterable[Role] = MANAGING_ROLES):
    """SQL condition "the path in `column` lies in the user's scope" (false when none)."""
    paths = scope_paths(user, roles)
    if not paths:
        return false()
    return or_(*(subtree_filter(column, path) for path in paths))


def officers_in_scope(user: User, roles: Iterable[Role] = MANAGING_ROLES):
    """A select() of officers the user may see, for further filtering by the caller."""
    return select(User).join(User.unit).where(scope_filter(user, OrgUnit.path, roles))


# --- may this user see / change it? -----------------------------------------------------------


def may_see_unit(user: User, unit: OrgUnit | None, roles: Iterable[Role] = MANAGING_ROLES) -> bool:
    """Is `unit` in one of the user's subtrees for `roles` (its data is his to see)?"""
    return unit is not None and in_scope(user, unit.path, roles)


def may_manage_officer(actor: User, officer: User | None) -> bool:
    """Edit, move, deactivate, invite an officer, give him a role: a unit manager or the
    province admin whose subtree holds the officer's unit — one's own record included (the
    grant rules then stop anyone acting on his own grants)."""
    return officer is not None and may_see_unit(actor, officer.unit, MANAGING_ROLES)


def _acts_on(grant: RoleGrant, unit: OrgUnit) -> bool:
    """The one rule of every change to the tree and its roles: the province admin anywhere in
    the subtree of his grant; a unit manager strictly below the unit of his grant — never on
    that unit itself (nor above it, nor beside it); nobody else."""
    if not within(unit.path, grant.unit.path):
        return False
    if grant.role == Role.PROVINCE_ADMIN.value:
        return True
    return grant.role == Role.UNIT_MANAGER.value and unit.path != grant.unit.path


def may_manage_unit(actor: User, unit: OrgUnit) -> bool:
    """Rename, move, merge away, close `unit` (the tree pages)."""
    return any(_acts_on(grant, unit) for grant in actor.grants)


def may_grant(actor: User, role: Role, unit: OrgUnit) -> bool:
    """Give (or revoke) `role` over `unit`: `may_manage_unit`'s rule, through a grant ranked at
    least as high as `role` — nobody grants above his own rank (a manager: manager, trainer)."""
    rank = ROLE_RANK[Role(role)]
    return any(
        _acts_on(grant, unit) and rank <= ROLE_RANK[Role(grant.role)] for grant in actor.grants
    )


def grading_refusal(grader: User, attempt: Any) -> str | None:
    """Why `grader` may not grade `attempt` (a quizzes `Attempt`), or None. Object rules that hold
    whoever asks: submitted attempts only, and nobody grades his own. Scope is checked apart
    (`attempt_in_scope_or_404`)."""
    if not attempt.is_submitted:
        return _("Bài làm chưa nộp nên chưa thể chấm.")
    if attempt.user_id == grader.id:
        return _("Bạn không thể tự chấm bài làm của chính mình.")
    return None


# --- lookups answering 404 outside scope -------------------------------------------------------


def unit_in_scope_or_404(
    user: User, unit_id: int, roles: Iterable[Role] = MANAGING_ROLES
) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id) if unit_id is not None else None
    if not may_see_unit(user, unit, roles):
        abort(404)
    return unit


def attempt_in_scope_or_404(user: User, attempt: Any, roles: Iterable[Role] = TEACHING_ROLES):
    """An attempt (possibly None) by an officer of the user's teaching scope — grading —,
    else 404. Whether it may be graded now is `grading_refusal`'s answer."""
    if attempt is None or not may_see_unit(user, attempt.user.unit, roles):
        abort(404)
    return attempt


def own_attempt_or_404(user: User, attempt: Any):
    """Attempts are private: another officer's attempt answers 404, as if it did not exist."""
    if attempt is None or attempt.user_id != user.id:
        abort(404)
    return attempt


def class_in_scope_or_404(user: User, klass: Any, roles: Iterable[Role] = TEACHING_ROLES):
    """An in-person class (possibly None) held by a unit of the user's teaching scope, else 404."""
    if klass is None or not may_see_unit(user, klass.unit, roles):
        abort(404)
    return klass


def record_in_scope_or_404(user: User, record: Any):
    """A training record (possibly None; its certificate): the officer's own, or one counted
    in a unit of the user's managing scope. Anything else is 404, like a missing record."""
    if record is None:
        abort(404)
    if record.user_id != user.id:
        unit_in_scope_or_404(user, record.unit_id)
    return record


def job_in_scope_or_404(user: User, job: Any):
    """A background job (roster import, question-bank import; possibly None): only the one who
    started it follows it — its rows may name officers outside another manager's subtree."""
    if job is None or job.user_id != user.id:
        abort(404)
    return job
