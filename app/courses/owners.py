"""Course owners: only a course's owners and the province admin edit or publish it; the
province admin adds and removes owners. The creator of a course owns it.

One rule (`may_edit`) guards the authoring and question-bank blueprints (`owners_only`), so a
route added later is covered without thinking about it. Like every service, the changing
functions never commit: the view does (docs/architecture.md).
"""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, func, select

from app.core import audit
from app.core.text import nfc
from app.courses.models import Course, CourseOwner
from app.extensions import db
from app.org.models import Role, User


class OwnerError(ValueError):
    """An owner change refused; the message is for the page."""


def is_course_admin(user: User) -> bool:
    return user.has_role(Role.PROVINCE_ADMIN)


def may_edit(user: User, course: Course) -> bool:
    """Owners and the province admin edit and publish; everyone else only reads."""
    if is_course_admin(user):
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(CourseOwner.course_id == course.id, CourseOwner.user_id == user.id)
            )
        )
    )


def editable_course_ids(user: User) -> set[int] | None:
    """Ids of the courses the user may edit; None means every course (province admin)."""
    if is_course_admin(user):
        return None
    return set(
        db.session.scalars(select(CourseOwner.course_id).where(CourseOwner.user_id == user.id))
    )


def owners_only():
    """`before_request` guard, after `authors_only`: a route naming a course (`<slug>`) is
    for its owners and the province admin; others get 403 and nothing changes."""
    slug = (request.view_args or {}).get("slug")
    if slug is None or not current_user.is_authenticated:
        return None
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is not None and not may_edit(current_user, course):
        abort(403)
    return None


def owners_of(course: Course) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(CourseOwner, CourseOwner.user_id == User.id)
            .where(CourseOwner.course_id == course.id)
            .order_by(User.full_name, User.id)
        )
    )


def add_owner_row(course: Course, user: User, actor: User | None = None) -> None:
    """Make `user` an owner without checks (a course's creator, seeding). Does not commit."""
    db.session.add(
        CourseOwner(course_id=course.id, user_id=user.id, added_by_id=actor.id if actor else None)
    )


def add_owner(actor: User, course: Course, email: str) -> User:
    """The province admin makes the officer with this e-mail an owner. The officer
    must be active, in the admin's scope, and able to author (trainer or province admin)."""
    from app.org.scope import officers_in_scope

    if not is_course_admin(actor):
        raise OwnerError(_("Chỉ quản trị tỉnh được thêm người phụ trách khóa học."))
    email = nfc(email or "").strip().lower()
    user = db.session.scalar(
        officers_in_scope(actor).where(func.lower(User.email) == email, User.active.is_(True))
    )
    if user is None:
        raise OwnerError(_("Không tìm thấy cán bộ đang công tác có thư điện tử này."))
    if not user.can_author:
        raise OwnerError(_("Cán bộ này chưa có vai trò giảng viên: hãy cấp vai trò trước."))
    if db.session.get(CourseOwner, (course.id, user.id)) is not None:
        raise OwnerError(_("Cán bộ này đã phụ trách khóa học."))
    add_owner_row(course, user, actor)
    audit.record("course.owner_add", "course", course.id, actor.id, user=user.id)
    return user


def remove_owner(actor: User, course: Course, user_id: int) -> None:
    """The province admin removes an owner (the caller commits). Raises `OwnerError`."""
    if not is_course_admin(actor):
        raise OwnerError(_("Chỉ quản trị tỉnh được bỏ người phụ trách khóa học."))
    owner = db.session.get(CourseOwner, (course.id, user_id))
    if owner is None:
        raise OwnerError(_("Cán bộ này không phụ trách khóa học."))
    db.session.delete(owner)
    audit.record("course.owner_remove", "course", course.id, actor.id, user=user_id)
