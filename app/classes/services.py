"""In-person classes (lớp tập huấn): a trainer records the class and who attended; each attendee
counts as trained on the course in the class's year, account or not (`records.complete` with
source "class"). A class belongs to the recorder's unit and is visible within that subtree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.core import audit
from app.core.dates import local_today
from app.core.pagination import Page, paginate
from app.extensions import db
from app.org.models import OrgUnit, User, name_matches
from app.org.scope import (
    TEACHING_ROLES,
    home_unit,
    officers_in_scope,
    scope_filter,
)
from app.org.scope import (
    class_in_scope_or_404 as _class_in_scope_or_404,
)
from app.progress import records
from app.progress.models import ClassAttendance, TrainingClass
from app.roster.files import read_table


def classes_page(viewer: User, page: int, per_page: int) -> Page:
    stmt = (
        select(TrainingClass)
        .join(OrgUnit, OrgUnit.id == TrainingClass.unit_id)
        .where(scope_filter(viewer, OrgUnit.path, TEACHING_ROLES))
        .order_by(TrainingClass.held_on.desc(), TrainingClass.id.desc())
    )
    return paginate(stmt, page, per_page)


def class_in_scope_or_404(viewer: User, class_id: int) -> TrainingClass:
    return _class_in_scope_or_404(viewer, db.session.get(TrainingClass, class_id))


def create_class(
    actor: User,
    course,
    held_on: date,
    place: str,
    trainer_name: str = "",
    notes: str = "",
) -> TrainingClass:
    """Record a class organised by the actor's home unit (his first teaching scope)."""
    klass = TrainingClass(
        course_id=course.id,
        unit_id=home_unit(actor, TEACHING_ROLES).id,
        held_on=held_on,
        place=place,
        trainer_name=trainer_name,
        notes=notes,
        created_by=actor.id,
    )
    db.session.add(klass)
    db.session.flush()
    audit.record(
        "class.create",
        "training_class",
        klass.id,
        actor.id,
        course=course.slug,
        held_on=held_on.isoformat(),
        place=place,
    )
    return klass


def attendees(klass: TrainingClass) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ClassAttendance, ClassAttendance.user_id == User.id)
            .where(ClassAttendance.class_id == klass.id)
            .order_by(User.full_name, User.id)
        )
    )


def add_attendees(actor: User, klass: TrainingClass, users: list[User]) -> int:
    """Add officers (the caller checked they are in scope); already present ones are skipped.
    Each counts as trained for the course and the class's year. Returns how many."""
    present = set(
        db.session.scalars(
            select(ClassAttendance.user_id).where(ClassAttendance.class_id == klass.id)
        )
    )
    records.lock_officers(user.id for user in users)  # all of them first, in id order
    added = []
    for user in users:
        if user.id in present:
            continue
        present.add(user.id)
        db.session.add(ClassAttendance(class_id=klass.id, user_id=user.id))
        records.complete(user, klass.course, on=klass.held_on, source="class")
        added.append(user.id)
    if added:
        audit.record("class.attend", "training_class", klass.id, actor.id, user_ids=added)
    return len(added)


def can_remove(klass: TrainingClass) -> bool:
    """Attendance may be corrected until the year's report is sent. There is no "report sent"
    mark yet, so a year counts as reported once it is over: only this year's classes change."""
    return klass.held_on.year == local_today().year


def remove_attendee(actor: User, klass: TrainingClass, user: User) -> bool:
    """Take an officer off the attendance list. False when refused (nothing changed).

    Refused for a closed year, and when the year's completion did not come from a class
    (an online pass, source "online", or one tied to an attempt): that completion stands on
    its own, so removing the attendance would not undo it. Otherwise the completion is reset
    (completed_on None), unless another class of the same course that year also had the
    officer: then that class's date becomes the completion date.
    """
    attendance = db.session.scalar(
        select(ClassAttendance).where(
            ClassAttendance.class_id == klass.id, ClassAttendance.user_id == user.id
        )
    )
    if attendance is None or not can_remove(klass):
        return False
    record = records.locked_record(user, klass.course_id, klass.held_on.year)
    if record is not None and (record.source != "class" or record.attempt_id is not None):
        return False
    db.session.delete(attendance)
    if record is not None:
        other = db.session.scalar(
            select(TrainingClass.held_on)
            .join(ClassAttendance, ClassAttendance.class_id == TrainingClass.id)
            .where(
                ClassAttendance.user_id == user.id,
                ClassAttendance.class_id != klass.id,
                TrainingClass.course_id == klass.course_id,
                TrainingClass.held_on >= date(klass.held_on.year, 1, 1),
                TrainingClass.held_on <= date(klass.held_on.year, 12, 31),
            )
            .order_by(TrainingClass.held_on)
        )
        records.reset_class_completion(record, other)
    audit.record("class.remove", "training_class", klass.id, actor.id, user_id=user.id)
    return True


def search_officers(viewer: User, query: str, limit: int = 20) -> list[User]:
    """Active officers in the viewer's scope whose name (or code, e-mail) matches."""
    if not query.strip():
        return []
    dialect = db.session.get_bind().dialect.name
    return list(
        db.session.scalars(
            officers_in_scope(viewer, TEACHING_ROLES)
            .where(
                User.active.is_(True),
                name_matches(User.full_name, query, dialect)
                | (User.officer_code == query.strip())
                | (User.email == query.strip().lower()),
            )
            .order_by(User.full_name, User.id)
            .limit(limit)
        )
    )


def officers_by_ids(viewer: User, ids: list[int]) -> list[User]:
    """Only those in the viewer's scope: ids from a form are never trusted."""
    if not ids:
        return []
    return list(
        db.session.scalars(officers_in_scope(viewer, TEACHING_ROLES).where(User.id.in_(ids)))
    )


@dataclass
class SheetMatch:
    users: list[User] = field(default_factory=list)
    unknown: list[tuple[int, str, str]] = field(default_factory=list)  # row, label, reason


def match_sheet(viewer: User, filename: str, data: bytes) -> SheetMatch:
    """Match an attendance sheet's rows to officers in scope: by "Mã cán bộ", else "Thư điện
    tử", else "Họ và tên" + "Mã đơn vị" (unique). Raises RosterFileError for unreadable files."""
    _headings, rows = read_table(filename, data)
    scope = officers_in_scope(viewer, TEACHING_ROLES).options(joinedload(User.unit))
    result = SheetMatch()
    seen = set()
    for number, row in rows:
        code, email = row.get("officer_code", ""), row.get("email", "").lower()
        name, unit_code = row.get("full_name", ""), row.get("unit_code", "")
        label = name or code or email
        if code:
            found = db.session.scalars(scope.where(User.officer_code == code)).all()
        elif email:
            found = db.session.scalars(scope.where(User.email == email)).all()
        elif name and unit_code:
            found = db.session.scalars(
                scope.where(
                    User.full_name == name,
                    func.upper(OrgUnit.code) == unit_code.upper(),
                    User.active.is_(True),
                )
            ).all()
        else:
            result.unknown.append(
                (number, label, _("Cần Mã cán bộ, Thư điện tử hoặc Họ và tên kèm Mã đơn vị."))
            )
            continue
        if len(found) != 1:
            reason = (
                _("Không tìm thấy cán bộ trong phạm vi quản lý.")
                if not found
                else _("Có nhiều cán bộ trùng họ tên trong đơn vị: hãy ghi Mã cán bộ.")
            )
            result.unknown.append((number, label, reason))
        elif found[0].id not in seen:
            seen.add(found[0].id)
            result.users.append(found[0])
    return result
