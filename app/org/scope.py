"""Authorisation in one place: role checks and the unit scope every officer-data query uses.

Roles come from grants (`RoleGrant`): each ties a role to a unit's subtree. A user's scope is
the union of the subtrees of his grants — of his unit-manager and province-admin grants for
officer data and coverage, of his trainer grants (too) for classes and attempts. Nobody else
sees anyone's data but their own. Out-of-scope objects answer 404, so their existence is not
revealed.
"""

from collections.abc import Iterable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import false, or_, select

from app.extensions import db
from app.org.models import ROLE_RANK, OrgUnit, Role, User, subtree_filter

# Whose grants give a scope over officer data (roster, coverage, reports).
MANAGING_ROLES = (Role.UNIT_MANAGER, Role.PROVINCE_ADMIN)
# … and over the people a trainer teaches (classes, attempts to grade).
TEACHING_ROLES = (Role.TRAINER, Role.UNIT_MANAGER, Role.PROVINCE_ADMIN)


def roles_required(*roles: Role):
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

    The one place that compares materialised paths in Python; SQL uses `subtree_filter`."""
    return path.startswith(top)


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


def scope_path(user: User) -> str:
    """Path of the user's home scope — his first managing scope unit, else his own unit.

    Kept for callers that need one unit (a default page root). Deciding access with it is
    wrong for a user holding grants over several subtrees: use `in_scope`, `scope_filter`."""
    return home_unit(user).path


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
    return any(within(path, top) for top in scope_paths(user, roles))


def scope_filter(user: User, column, roles: Iterable[Role] = MANAGING_ROLES):
    """SQL condition "the path in `column` lies in the user's scope" (false when none)."""
    paths = scope_paths(user, roles)
    if not paths:
        return false()
    return or_(*(subtree_filter(column, path) for path in paths))


def unit_in_scope_or_404(
    user: User, unit_id: int, roles: Iterable[Role] = MANAGING_ROLES
) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id) if unit_id is not None else None
    if unit is None or not in_scope(user, unit.path, roles):
        abort(404)
    return unit


def officers_in_scope(user: User, roles: Iterable[Role] = MANAGING_ROLES):
    """A select() of officers the user may see, for further filtering by the caller."""
    return select(User).join(User.unit).where(scope_filter(user, OrgUnit.path, roles))


def authors_only():
    """`before_request` guard of the authoring blueprints: sign-in first, then `can_author`."""
    from app.extensions import login_manager

    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.can_author:
        abort(403)
    return None
