"""Authorisation in one place: role checks and the unit scope every officer-data query uses.

A unit manager and a province admin see their own unit and everything under it; nobody else
sees anyone's data but their own. Out-of-scope objects answer 404, so their existence is not
revealed.
"""

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.org.models import OrgUnit, Role, User, subtree_filter


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


def scope_path(user: User) -> str:
    """Path prefix of the subtree `user` may see."""
    return user.unit.path


def unit_in_scope_or_404(user: User, unit_id: int) -> OrgUnit:
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or not unit.path.startswith(scope_path(user)):
        abort(404)
    return unit


def officers_in_scope(user: User):
    """A select() of officers the user may see, for further filtering by the caller."""
    return select(User).join(User.unit).where(subtree_filter(OrgUnit.path, scope_path(user)))


def authors_only():
    """`before_request` guard of the authoring blueprints: sign-in first, then `can_author`."""
    from app.extensions import login_manager

    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.can_author:
        abort(403)
    return None
