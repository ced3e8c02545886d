"""Roster upkeep: checking and importing the officer list read from a spreadsheet (the files
themselves: roster_files.py), and every change to an officer (create, update, move between
units, deactivation) with its membership history and audit trail.

Both the import and the per-officer edit form go through `_apply_changes`, so a move always
closes the old `UnitMembership`, re-points the officer's *current-year, not yet completed*
training records to the new unit (past years keep the unit they had: their coverage does not
change) and writes the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.orm import aliased, joinedload

from app.core import audit
from app.core.audit import AuditEvent
from app.core.dates import local_date_of, local_today
from app.core.db import utcnow
from app.core.pagination import Page, paginate
from app.core.permissions import officers_in_scope
from app.core.text import nfc
from app.extensions import db
from app.org.labels import OFFICER_TYPE_LABELS
from app.org.models import (
    OfficerType,
    OrgUnit,
    UnitMembership,
    User,
    name_matches,
    subtree_filter,
)
from app.org.roster_files import SPACES, normalised
from app.org.services import create_officer
from app.progress.locking import lock_officers
from app.progress.models import PlanItem, TrainingRecord

CHUNK = 500  # rows checked, then written, between two progress reports
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+().\s-]{6,30}$")
_FULL_TIME = {"chuyên trách", "chuyen trach", "ct"}
_PART_TIME = {"kiêm nhiệm", "kiem nhiem", "kn"}
_INACTIVE = {"nghỉ", "đã nghỉ", "nghỉ hưu", "đã chuyển", "chuyển công tác", "nghi", "da chuyen"}
_ACTIVE = {"đang công tác", "đang làm việc", "hoạt động", "dang cong tac"}


# --- parsing a roster against the database ---------------------------------------------------


@dataclass
class RowResult:
    row: int
    name: str
    unit_label: str = ""
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    action: str = "new"  # new | updated | unchanged | error
    user: User | None = None
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class RosterPreview:
    rows: list[RowResult]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("new", "updated", "unchanged", "error")}

    @property
    def bad_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.action == "error"]

    @property
    def bad_row_lines(self) -> list[tuple[int, str, str]]:
        """(line in the file, name, reasons) of each bad row: what the importer fixes."""
        return [(r.row, r.name, " ".join(r.errors)) for r in self.bad_rows]


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy (also d/m/yyyy, with - or .) or ISO yyyy-mm-dd; None when not a valid date."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    try:
        if match:
            day, month, year = (int(x) for x in match.groups())
        elif iso:
            year, month, day = (int(x) for x in iso.groups())
        else:
            return None
        value = date(year, month, day)
    except ValueError:
        return None
    return value if date(1900, 1, 1) <= value <= local_today() else None


def parse_officer_type(text: str) -> str | None:
    key = normalised(text)
    if key in _FULL_TIME:
        return OfficerType.FULL_TIME.value
    if key in _PART_TIME:
        return OfficerType.PART_TIME.value
    raise ValueError


def _clean(raw: dict[str, str], units: _Units) -> RowResult:
    """Validate one row's cells on their own (keys and scope are checked by the caller)."""
    get = raw.get
    name = SPACES.sub(" ", get("full_name", ""))
    result = RowResult(row=0, name=name)
    values = result.values
    if not name:
        result.errors.append(_("Thiếu họ và tên."))
    elif len(name) > 255:
        result.errors.append(_("Họ và tên dài quá 255 ký tự."))
    values["full_name"] = name
    if get("birth_date"):
        values["birth_date"] = parse_date(get("birth_date"))
        if values["birth_date"] is None:
            result.errors.append(
                _("Ngày sinh “%(v)s” không hợp lệ (cần dạng dd/mm/yyyy).", v=get("birth_date"))
            )
    code, unit_name = get("unit_code", ""), get("unit_name", "")
    unit = units.find(code, unit_name, result.errors)
    if unit is not None:
        values["unit_id"] = unit.id
        result.unit_label = f"{unit.code} — {unit.name}"
    else:
        result.unit_label = code or unit_name
    for key, limit, message in (
        ("position", 255, _("Chức vụ dài quá 255 ký tự.")),
        ("officer_code", 40, _("Mã cán bộ dài quá 40 ký tự.")),
    ):
        if get(key):
            values[key] = get(key)
            if len(get(key)) > limit:
                result.errors.append(message)
    if get("officer_type"):
        try:
            values["officer_type"] = parse_officer_type(get("officer_type"))
        except ValueError:
            result.errors.append(
                _("Cột Chuyên trách/Kiêm nhiệm: “%(v)s” không hợp lệ.", v=get("officer_type"))
            )
    if get("email"):
        email = get("email").lower()
        if not _EMAIL.match(email) or len(email) > 255:
            result.errors.append(_("Thư điện tử “%(v)s” không hợp lệ.", v=get("email")))
        values["email"] = email
    if get("phone"):
        phone = get("phone")
        if re.fullmatch(r"[35789]\d{8}", phone):  # a number cell that lost its leading 0
            phone = "0" + phone
        if not _PHONE.match(phone):
            result.errors.append(_("Điện thoại “%(v)s” không hợp lệ.", v=get("phone")))
        values["phone"] = phone
    if get("status"):
        status = normalised(get("status"))
        if status in _INACTIVE:
            values["active"] = False
            values["leave_reason"] = get("status")
        elif status in _ACTIVE:
            values["active"] = True
        else:
            result.errors.append(_("Trạng thái “%(v)s” không hợp lệ.", v=get("status")))
    return result


class _Units:
    """The units the importing officer may write to, by code and by unique name."""

    def __init__(self, scope: str):
        units = db.session.scalars(select(OrgUnit).where(subtree_filter(OrgUnit.path, scope)))
        self.by_code: dict[str, OrgUnit] = {}
        self.by_name: dict[str, list[OrgUnit]] = {}
        for unit in units:
            self.by_code[unit.code.upper()] = unit
            self.by_name.setdefault(normalised(unit.name), []).append(unit)

    def find(self, code: str, name: str, errors: list[str]) -> OrgUnit | None:
        if code:
            unit = self.by_code.get(code.upper())
            if unit is None:
                errors.append(
                    _("Mã đơn vị “%(v)s” không có trong phạm vi quản lý của bạn.", v=code)
                )
            return unit
        if name:
            found = self.by_name.get(normalised(name), [])
            if len(found) == 1:
                return found[0]
            if found:
                errors.append(_("Có nhiều đơn vị tên “%(v)s”: hãy ghi Mã đơn vị.", v=name))
            else:
                errors.append(_("Đơn vị “%(v)s” không có trong phạm vi quản lý của bạn.", v=name))
            return None
        errors.append(_("Thiếu mã đơn vị."))
        return None


def _load_users(column, keys: set[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    keys_list = sorted(keys)
    for start in range(0, len(keys_list), 500):
        chunk = keys_list[start : start + 500]
        for user in db.session.scalars(select(User).where(column.in_(chunk))):
            found[getattr(user, column.key)] = user
    return found


def parse_roster(
    scope_unit: OrgUnit,
    rows: list[tuple[int, dict[str, str]]],
    progress: Callable[[int], None] | None = None,
) -> RosterPreview:
    """Validate every row and decide what committing it would do (nothing is written). Only
    units under `scope_unit` (the importer's own unit) may be named. `progress(rows checked)`
    is called every CHUNK rows."""
    scope = scope_unit.path
    units = _Units(scope)
    results = []
    for number, raw in rows:
        result = _clean(raw, units)
        result.row = number
        results.append(result)
        if progress is not None and len(results) % CHUNK == 0:
            progress(len(results))
    by_code = _load_users(
        User.officer_code,
        {r.values["officer_code"] for r in results if r.values.get("officer_code")},
    )
    by_email = _load_users(
        User.email, {r.values["email"] for r in results if r.values.get("email")}
    )
    seen_code: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    for result in results:
        code, email = result.values.get("officer_code"), result.values.get("email")
        if code and code in seen_code:
            result.errors.append(_("Trùng mã cán bộ với dòng %(n)s.", n=seen_code[code]))
        if email and email in seen_email:
            result.errors.append(_("Trùng thư điện tử với dòng %(n)s.", n=seen_email[email]))
        if code:
            seen_code.setdefault(code, result.row)
        if email:
            seen_email.setdefault(email, result.row)
        user = _match(result, by_code, by_email)
        if user is not None and not user.unit.path.startswith(scope):
            result.errors.append(
                _("Mã cán bộ hoặc thư điện tử này đã dùng cho cán bộ ngoài phạm vi quản lý.")
            )
        if result.errors:
            result.action = "error"
        elif user is not None:
            result.user = user
            result.changes = _diff(user, result.values)
            result.action = "updated" if result.changes else "unchanged"
    return RosterPreview(results)


def _match(result: RowResult, by_code: dict, by_email: dict) -> User | None:
    """The existing officer a row updates: by officer code, else by e-mail."""
    code, email = result.values.get("officer_code"), result.values.get("email")
    if code:
        user = by_code.get(code)
        other = by_email.get(email) if email else None
        if user is None and other is not None and other.officer_code in (None, code):
            return other  # known by e-mail, gets its code now
        if other is not None and other is not user:
            result.errors.append(_("Thư điện tử “%(v)s” đã dùng cho cán bộ khác.", v=email))
        return user
    if email:
        return by_email.get(email)
    result.errors.append(_("Cần có Mã cán bộ hoặc Thư điện tử để nhận diện cán bộ."))
    return None


_FIELDS = (
    "full_name",
    "officer_code",
    "birth_date",
    "unit_id",
    "position",
    "officer_type",
    "email",
    "phone",
    "active",
)


def _diff(user: User, values: dict, erase: bool = False) -> dict[str, tuple[str, str]]:
    """Fields whose new value differs. An import's empty cell keeps the stored value; the edit
    form (`erase`) clears it."""
    changes = {}
    for name in _FIELDS:
        if name not in values or (values[name] is None and not erase):
            continue
        old, new = getattr(user, name), values[name]
        if (old or "") != (new or ""):
            changes[name] = (_show(name, old), _show(name, new))
    return changes


def _show(name: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if name == "unit_id":
        unit = db.session.get(OrgUnit, value)
        return unit.code if unit else str(value)
    if name == "officer_type":
        return str(OFFICER_TYPE_LABELS.get(OfficerType(value), value))
    if name == "active":
        return _("Đang công tác") if value else _("Nghỉ")
    return str(value)


# --- writing: the only code that changes officers ---------------------------------------------


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    # (line, name, reasons) of each skipped row, for the importer to fix and send again
    bad_rows: list[tuple[int, str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportSummary:
        summary = cls(**data)
        summary.bad_rows = [tuple(row) for row in summary.bad_rows]
        return summary


def import_roster(
    scope_unit: OrgUnit,
    rows: list[tuple[int, dict[str, str]]],
    actor_id: int | None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportSummary:
    """Commit a roster: good rows go in, bad rows are skipped. Re-validated against the
    database as it is now (the preview may be minutes old). One transaction, flushed CHUNK
    rows at a time so that `progress(phase, done, total)` ("check", then "write") can tell
    how far it has got and the session does not hold every new object at once."""
    report = progress or (lambda phase, done, total: None)
    preview = parse_roster(scope_unit, rows, lambda done: report("check", done, len(rows)))
    today = local_today()
    summary = ImportSummary(
        unchanged=preview.count("unchanged"),
        errors=preview.count("error"),
        bad_rows=preview.bad_row_lines,
    )
    writes = [r for r in preview.rows if r.action in ("new", "updated")]
    report("write", 0, len(writes))
    lock_officers(result.user.id for result in writes if result.action == "updated")
    for start in range(0, len(writes), CHUNK):
        chunk = writes[start : start + CHUNK]
        created = _write_chunk(chunk, actor_id, today)
        summary.created += len(created)
        summary.updated += len(chunk) - len(created)
        report("write", start + len(chunk), len(writes))
    if writes:
        audit.record(
            "roster.import",
            "org_unit",
            scope_unit.id,
            actor_id,
            created=summary.created,
            updated=summary.updated,
            errors=summary.errors,
        )
    db.session.commit()
    return summary


def _write_chunk(chunk: list[RowResult], actor_id: int | None, today: date) -> list[User]:
    """Create or update the chunk's officers and flush; returns the ones created."""
    created: list[tuple[User, dict]] = []
    for result in chunk:
        if result.action == "new":
            created.append((_create(result.values), result.values))
        else:
            _apply_changes(actor_id, result.user, result.values, today)
    db.session.flush()
    if created:  # one statement each rather than thousands of ORM objects (bench: 15,000 rows)
        db.session.execute(
            insert(UnitMembership),
            [{"user_id": u.id, "unit_id": u.unit_id, "start_on": today} for u, _v in created],
        )
        db.session.execute(
            insert(AuditEvent),
            [
                {
                    "at": utcnow(),
                    "action": "officer.create",
                    "target_type": "user",
                    "target_id": user.id,
                    "actor_id": actor_id,
                    "details": {k: _show(k, v) for k, v in values.items() if k in _FIELDS},
                }
                for user, values in created
            ],
        )
    for user, values in created:
        if values.get("active") is False:
            _deactivate(actor_id, user, values.get("leave_reason", ""), today)
    _sync_requirements([user for user, _values in created if user.active], today)
    db.session.flush()
    return [user for user, _values in created]


def _create(values: dict) -> User:
    unit = db.session.get(OrgUnit, values["unit_id"])
    user = create_officer(
        values["full_name"],
        unit,
        email=values.get("email"),
        officer_type=OfficerType(values.get("officer_type") or OfficerType.PART_TIME.value),
        position=values.get("position", ""),
        phone=values.get("phone"),
    )
    user.officer_code = values.get("officer_code")
    user.birth_date = values.get("birth_date")
    return user


def update_officer(actor_id: int | None, user: User, values: dict) -> dict[str, tuple[str, str]]:
    """Save the edit form (the caller has checked scope and validated). Commits."""
    changes = _diff(user, values, erase=True)
    if changes:
        lock_officers([user.id])
        _apply_changes(actor_id, user, values, local_today(), erase=True)
        db.session.commit()
    return changes


def conflicts(user: User | None, values: dict) -> dict[str, str]:
    """{field: message} for an officer code or e-mail another officer already has."""
    found = {}
    for name, column, message in (
        ("officer_code", User.officer_code, _("Mã cán bộ này đã dùng cho cán bộ khác.")),
        ("email", User.email, _("Thư điện tử này đã dùng cho cán bộ khác.")),
    ):
        if values.get(name):
            other = db.session.scalar(select(User.id).where(column == values[name]))
            if other is not None and (user is None or other != user.id):
                found[name] = message
    return found


def set_active(actor_id: int | None, user: User, active: bool, reason: str = "") -> None:
    """Deactivate ("Nghỉ", "Đã chuyển") or reactivate an officer. Commits."""
    if user.active != active:
        lock_officers([user.id])
        _apply_changes(actor_id, user, {"active": active, "leave_reason": reason}, local_today())
        db.session.commit()


def _apply_changes(
    actor_id: int | None, user: User, values: dict, today: date, erase: bool = False
) -> None:
    changes = _diff(user, values, erase)
    plain = {k: list(v) for k, v in changes.items() if k not in {"unit_id", "active"}}
    for name in plain:
        setattr(user, name, values[name])
    if "officer_type" in plain:  # the current year's open records follow the officer's type
        _current_open_records(user, today, officer_type=user.officer_type)
    if plain:
        audit.record("officer.update", "user", user.id, actor_id, changes=plain)
    if "unit_id" in changes:
        _move(actor_id, user, db.session.get(OrgUnit, values["unit_id"]), today)
    if "active" in changes:
        if values["active"]:
            user.active = True
            db.session.add(UnitMembership(user_id=user.id, unit_id=user.unit_id, start_on=today))
            audit.record("officer.activate", "user", user.id, actor_id)
        else:
            _deactivate(actor_id, user, values.get("leave_reason", ""), today)
    if user.active and {"unit_id", "officer_type", "active"} & changes.keys():
        _sync_requirements([user], today)


def _sync_requirements(users: list[User], today: date) -> None:
    """Bring this year's requirements in line with the plan for officers who joined, came back,
    moved or changed type: the applicable plan line (the rule of `plan_item_for`: nearest
    unit, then a type-specific line) requires the course; no line, no requirement. Completed
    records are never touched. Plan lines are loaded once, so a large import stays cheap."""
    items = db.session.scalars(
        select(PlanItem).options(joinedload(PlanItem.unit)).where(PlanItem.year == today.year)
    ).all()
    if not items or not users:
        return
    records = {
        (r.user_id, r.course_id): r
        for r in db.session.scalars(
            select(TrainingRecord).where(
                TrainingRecord.year == today.year,
                TrainingRecord.user_id.in_([u.id for u in users]),
            )
        )
    }
    new_records = []
    for user in users:
        for course_id in {item.course_id for item in items}:
            applicable = [
                item
                for item in items
                if item.course_id == course_id
                and item.officer_type in ("", user.officer_type)
                and user.unit.path.startswith(item.unit.path)
            ]
            line = max(
                applicable,
                key=lambda item: (len(item.unit.path), item.officer_type != ""),
                default=None,
            )
            record = records.get((user.id, course_id))
            if record is not None and record.completed_on is not None:
                continue
            if record is None and line is not None:
                new_records.append(
                    {
                        "user_id": user.id,
                        "course_id": course_id,
                        "year": today.year,
                        "unit_id": user.unit_id,
                        "officer_type": user.officer_type,
                        "required": True,
                        "due_on": line.due_on,
                    }
                )
            elif record is not None:
                record.required = line is not None and user.active
                record.due_on = line.due_on if line is not None else record.due_on
    if new_records:
        # RETURNING makes SQLAlchemy send the rows in multi-row INSERTs on PostgreSQL too (a
        # plain executemany there is one statement, and one run of the coverage statement
        # triggers, per row). The officers are locked: updated ones by the caller, new ones
        # because this transaction created them.
        db.session.execute(insert(TrainingRecord).returning(TrainingRecord.id), new_records)


def _current_open_records(user: User, today: date, **new_values) -> None:
    """Re-point this year's not-yet-completed records; earlier years are history."""
    db.session.execute(
        update(TrainingRecord)
        .where(
            TrainingRecord.user_id == user.id,
            TrainingRecord.year == today.year,
            TrainingRecord.completed_on.is_(None),
        )
        .values(**new_values)
    )


def _close_membership(user: User, today: date) -> None:
    closed = db.session.execute(
        update(UnitMembership)
        .where(UnitMembership.user_id == user.id, UnitMembership.end_on.is_(None))
        .values(end_on=today)
    ).rowcount
    has_any = db.session.scalar(select(UnitMembership.id).where(UnitMembership.user_id == user.id))
    if not closed and has_any is None:  # an officer from before roster history began
        start = min(local_date_of(user.created_at), today) if user.created_at else today
        db.session.add(
            UnitMembership(user_id=user.id, unit_id=user.unit_id, start_on=start, end_on=today)
        )


def _move(actor_id: int | None, user: User, unit: OrgUnit, today: date) -> None:
    old = user.unit
    if user.active:
        _close_membership(user, today)
        db.session.add(UnitMembership(user_id=user.id, unit_id=unit.id, start_on=today))
    user.unit = unit
    user.unit_id = unit.id
    _current_open_records(user, today, unit_id=unit.id)
    audit.record("officer.move", "user", user.id, actor_id, from_unit=old.code, to_unit=unit.code)


def _deactivate(actor_id: int | None, user: User, reason: str, today: date) -> None:
    """Inactive officers leave coverage: this year's open required records stop counting."""
    user.active = False
    _close_membership(user, today)
    db.session.execute(
        update(TrainingRecord)
        .where(
            TrainingRecord.user_id == user.id,
            TrainingRecord.year == today.year,
            TrainingRecord.completed_on.is_(None),
            TrainingRecord.required.is_(True),
        )
        .values(required=False)
    )
    audit.record("officer.deactivate", "user", user.id, actor_id, reason=reason)


# --- reading: the roster page and one officer's history ---------------------------------------


def roster_page(viewer: User, query: str, page: int, per_page: int) -> Page:
    """Officers in the viewer's scope, inactive ones too, filtered by name, code or e-mail."""
    stmt = officers_in_scope(viewer).order_by(OrgUnit.name, User.full_name, User.id)
    query = SPACES.sub(" ", nfc(query))
    if query:
        dialect = db.session.get_bind().dialect.name
        stmt = stmt.where(
            name_matches(User.full_name, query, dialect)
            | (User.officer_code == query)
            | (User.email == query.lower())
        )
    return paginate(stmt, page, per_page)


def officer_in_scope(viewer: User, user_id: int) -> User | None:
    return db.session.scalar(officers_in_scope(viewer).where(User.id == user_id))


def officer_history(user: User) -> tuple[list[UnitMembership], list[tuple[AuditEvent, str]]]:
    """Memberships (newest first) and the last 100 audit events about this officer."""
    memberships = list(
        db.session.scalars(
            select(UnitMembership)
            .where(UnitMembership.user_id == user.id)
            .order_by(UnitMembership.start_on.desc(), UnitMembership.id.desc())
        )
    )
    actor = aliased(User)
    events = db.session.execute(
        select(AuditEvent, actor.full_name)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(AuditEvent.target_type == "user", AuditEvent.target_id == user.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(100)
    ).all()
    return memberships, [(event, name or "") for event, name in events]


def units_in_scope(viewer: User) -> list[OrgUnit]:
    """For the edit form's unit choice: the viewer's subtree in tree order."""
    return list(
        db.session.scalars(
            select(OrgUnit)
            .where(subtree_filter(OrgUnit.path, viewer.unit.path), OrgUnit.active.is_(True))
            .order_by(OrgUnit.path)
        )
    )
