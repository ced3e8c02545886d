"""Roster upkeep: importing the officer list read from a spreadsheet (the files themselves:
roster_files.py; the rows checked against the database: roster_check.py), every change to an
officer (create, update, move between units, deactivation) with its membership history and
audit trail, and the roster's pages.

Both the import and the per-officer edit form go through `_apply_changes`, so a move always
closes the old `UnitMembership`, re-points the officer's *current-year, not yet completed*
training records to the new unit (past years keep the unit they had: their coverage does not
change) and writes the audit log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy.orm import aliased

from app.core import audit
from app.core.audit import AuditEvent
from app.core.dates import local_date_of, local_today
from app.core.db import reading_only, utcnow
from app.core.jobs import let_other_writers_in
from app.core.pagination import Page, paginate
from app.core.text import nfc
from app.extensions import db
from app.org.models import (
    OfficerType,
    OrgUnit,
    UnitMembership,
    User,
    name_matches,
)
from app.org.scope import officers_in_scope, scope_filter, within_any
from app.org.services import create_officer
from app.progress import records
from app.roster.check import (
    CHUNK,
    FIELDS,
    RowResult,
    changed_fields,
    parse_roster,
    shown,
)
from app.roster.files import SPACES

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
    *,
    resume: ImportSummary | None = None,
    after_line: int = 0,
    checkpoint: Callable[[ImportSummary, int], None] | None = None,
) -> ImportSummary:
    """Commit a roster: good rows go in, bad rows are skipped. Re-validated against the
    database as it is now (the preview may be minutes old).

    Written in chunks of CHUNK rows, each its own short transaction, so that a province's list
    never holds SQLite's write lock for more than a chunk (quiz submits wait a fraction of a
    second, not the whole import). `checkpoint(summary so far, last line written)` runs inside
    each chunk's transaction, so the caller's record of how far it got commits with the rows.
    A run cut short is resumed by calling again with that record (`resume`, `after_line`): rows
    up to `after_line` are not written again, and the end state is the one an uninterrupted
    run gives. `progress(phase, done, total)` reports "check", then "write"."""
    report = progress or (lambda phase, done, total: None)
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False  # keep the preview's
    try:  # officers loaded across the commits below: reloading each would be a query each
        return _import_checked(scope_unit, rows, actor_id, report, resume, after_line, checkpoint)
    finally:
        session.expire_on_commit = expire


def _import_checked(
    scope_unit: OrgUnit,
    rows: list[tuple[int, dict[str, str]]],
    actor_id: int | None,
    report: Callable[[str, int, int], None],
    resume: ImportSummary | None,
    after_line: int,
    checkpoint: Callable[[ImportSummary, int], None] | None,
) -> ImportSummary:
    db.session.commit()  # what the caller did is its own; the check reads in a fresh transaction
    with reading_only():  # checking 15,000 rows takes seconds: quiz submits must not wait
        preview = parse_roster(scope_unit, rows, lambda done: report("check", done, len(rows)))
        scope_id = scope_unit.id
    db.session.commit()  # end the read: every chunk below is its own write transaction
    today = local_today()
    if resume is None:
        summary = ImportSummary(
            unchanged=preview.count("unchanged"),
            errors=preview.count("error"),
            bad_rows=preview.bad_row_lines,
        )
    else:  # the counts of the whole file were taken by the first run, before any write
        summary = ImportSummary.from_dict(resume.to_dict())
    writes = [r for r in preview.rows if r.action in ("new", "updated") and r.row > after_line]
    already = summary.created + summary.updated
    report("write", already, already + len(writes))
    for start in range(0, len(writes), CHUNK):
        held_since = time.monotonic()
        chunk = writes[start : start + CHUNK]
        records.lock_officers(result.user.id for result in chunk if result.action == "updated")
        created = _write_chunk(chunk, actor_id, today)
        summary.created += len(created)
        summary.updated += len(chunk) - len(created)
        if start + CHUNK >= len(writes) and summary.created + summary.updated:
            audit.record(
                "roster.import",
                "org_unit",
                scope_id,
                actor_id,
                created=summary.created,
                updated=summary.updated,
                errors=summary.errors,
            )
        if checkpoint is not None:
            checkpoint(summary, chunk[-1].row)
        db.session.commit()  # a job step: the chunk and its checkpoint, resumable from here
        report("write", already + start + len(chunk), already + len(writes))
        let_other_writers_in(time.monotonic() - held_since)
    return summary


@dataclass
class _Batch:
    """Work an import does once per chunk rather than once per officer: on PostgreSQL every
    statement on `training_records` runs the coverage statement triggers, which made moving
    15,000 officers one UPDATE at a time take over ten minutes."""

    sync: list[User] = field(default_factory=list)  # requirements to bring in line
    # {(column, value): officer ids}: this year's open records to re-point
    records: dict[tuple[str, object], list[int]] = field(default_factory=dict)

    def apply(self, today: date) -> None:
        for (column, value), user_ids in self.records.items():
            records.repoint_open_records(user_ids, today.year, **{column: value})
        records.sync_requirements(self.sync, today)


def _write_chunk(chunk: list[RowResult], actor_id: int | None, today: date) -> list[User]:
    """Create or update the chunk's officers and flush; returns the ones created."""
    created: list[tuple[User, dict]] = []
    batch = _Batch()  # what the updated officers' changes imply for their records
    # One flush for the chunk: each officer's statements name that officer only, so nothing
    # pending for the others needs to reach the database first (a flush before each of them
    # made moving an officer cost ~4 ms).
    with db.session.no_autoflush:
        for result in chunk:
            if result.action == "new":
                created.append((_create(result.values), result.values))
            else:
                _apply_changes(actor_id, result.user, result.values, today, batch=batch)
    db.session.flush()
    batch.apply(today)
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
                    "details": {k: shown(k, v) for k, v in values.items() if k in FIELDS},
                }
                for user, values in created
            ],
        )
    for user, values in created:
        if values.get("active") is False:
            _deactivate(actor_id, user, values.get("leave_reason", ""), today)
    records.sync_requirements([user for user, _values in created if user.active], today)
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
    """Save the edit form (the caller has checked scope and validated, and commits)."""
    changes = changed_fields(user, values, erase=True)
    if changes:
        records.lock_officers([user.id])
        _apply_changes(actor_id, user, values, local_today(), erase=True)
    return changes


def conflicts(
    user: User | None, values: dict, scope_paths: Sequence[str] = ("/",)
) -> dict[str, str]:
    """{field: message} for an officer code, e-mail or phone another officer already has.

    An officer inside `scope_paths` (the manager's subtrees) is one the manager can see anyway,
    so the message says so; one outside gets a neutral message that does not confirm an
    account exists there (issue 17: "đã dùng cho cán bộ khác" was an existence oracle).
    """
    found = {}
    for name, column, taken, unavailable in (
        (
            "officer_code",
            User.officer_code,
            _("Mã cán bộ này đã dùng cho cán bộ khác."),
            _("Không dùng được mã cán bộ này; vui lòng nhập mã khác."),
        ),
        (
            "email",
            User.email,
            _("Thư điện tử này đã dùng cho cán bộ khác."),
            _("Không dùng được thư điện tử này; vui lòng nhập địa chỉ khác."),
        ),
        (
            "phone",
            User.phone,
            _("Số điện thoại này đã dùng cho cán bộ khác."),
            _("Không dùng được số điện thoại này; vui lòng nhập số khác."),
        ),
    ):
        if values.get(name):
            other = db.session.execute(
                select(User.id, OrgUnit.path)
                .join(OrgUnit, OrgUnit.id == User.unit_id)
                .where(column == values[name])
            ).first()
            if other is not None and (user is None or other.id != user.id):
                found[name] = taken if within_any(other.path, scope_paths) else unavailable
    return found


def set_active(actor_id: int | None, user: User, active: bool, reason: str = "") -> None:
    """Deactivate ("Nghỉ", "Đã chuyển") or reactivate an officer. The caller commits."""
    if user.active != active:
        records.lock_officers([user.id])
        _apply_changes(actor_id, user, {"active": active, "leave_reason": reason}, local_today())


def _apply_changes(
    actor_id: int | None,
    user: User,
    values: dict,
    today: date,
    erase: bool = False,
    batch: _Batch | None = None,
) -> None:
    """Change one officer. Records and requirements follow at once, or, given a batch, when
    the caller applies it."""
    changes = changed_fields(user, values, erase)
    plain = {k: list(v) for k, v in changes.items() if k not in {"unit_id", "active"}}
    for name in plain:
        setattr(user, name, values[name])
    if "officer_type" in plain:  # the current year's open records follow the officer's type
        _current_open_records(user, today, batch, officer_type=user.officer_type)
    if plain:
        audit.record("officer.update", "user", user.id, actor_id, changes=plain)
    if "unit_id" in changes:
        _move(actor_id, user, db.session.get(OrgUnit, values["unit_id"]), today, batch)
    if "active" in changes:
        if values["active"]:
            user.active = True
            db.session.add(UnitMembership(user_id=user.id, unit_id=user.unit_id, start_on=today))
            audit.record("officer.activate", "user", user.id, actor_id)
        else:
            _deactivate(actor_id, user, values.get("leave_reason", ""), today)
    if user.active and {"unit_id", "officer_type", "active"} & changes.keys():
        if batch is None:
            records.sync_requirements([user], today)
        else:
            batch.sync.append(user)


def _current_open_records(user: User, today: date, batch: _Batch | None, **values) -> None:
    """Re-point this year's not-yet-completed records; earlier years are history."""
    if batch is None:
        records.repoint_open_records([user.id], today.year, **values)
        return
    for column, value in values.items():
        batch.records.setdefault((column, value), []).append(user.id)


def _close_membership(user: User, today: date) -> None:
    closed = db.session.execute(
        update(UnitMembership)
        .where(UnitMembership.user_id == user.id, UnitMembership.end_on.is_(None))
        .values(end_on=today)
        .execution_options(synchronize_session=False)  # memberships are not read back
    ).rowcount
    has_any = db.session.scalar(select(UnitMembership.id).where(UnitMembership.user_id == user.id))
    if not closed and has_any is None:  # an officer from before roster history began
        start = min(local_date_of(user.created_at), today) if user.created_at else today
        db.session.add(
            UnitMembership(user_id=user.id, unit_id=user.unit_id, start_on=start, end_on=today)
        )


def _move(
    actor_id: int | None, user: User, unit: OrgUnit, today: date, batch: _Batch | None = None
) -> None:
    old = user.unit
    if user.active:
        _close_membership(user, today)
        db.session.add(UnitMembership(user_id=user.id, unit_id=unit.id, start_on=today))
    user.unit = unit
    user.unit_id = unit.id
    _current_open_records(user, today, batch, unit_id=unit.id)
    audit.record("officer.move", "user", user.id, actor_id, from_unit=old.code, to_unit=unit.code)


def _deactivate(actor_id: int | None, user: User, reason: str, today: date) -> None:
    """Inactive officers leave coverage: this year's open required records stop counting."""
    user.active = False
    _close_membership(user, today)
    records.drop_open_requirements(user.id, today.year)
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


def units_in_scope(viewer: User, active_only: bool = True) -> list[OrgUnit]:
    """The units of the viewer's subtrees in tree order (one query): the edit form's unit
    choice, the tree pages."""
    statement = select(OrgUnit).where(scope_filter(viewer, OrgUnit.path))
    if active_only:
        statement = statement.where(OrgUnit.active.is_(True))
    return list(db.session.scalars(statement.order_by(OrgUnit.path)))
