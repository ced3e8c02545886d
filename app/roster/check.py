"""Checking a roster against the database: each row read from the file (roster_files.py)
is cleaned, matched to an existing officer by code or e-mail, and given the action committing
it would take (new, updated, unchanged, error with reasons). Nothing here writes; roster.py
applies what this decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.dates import local_today
from app.core.text import normalise_phone
from app.extensions import db
from app.org.models import OFFICER_TYPE_LABELS, OfficerType, OrgUnit, User, subtree_filter
from app.org.scope import within
from app.roster.files import SPACES, normalised
from app.roster.uploads import ImportPreview

CHUNK = 500  # rows checked, then written, between two progress reports
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
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
class RosterPreview(ImportPreview):
    """The checked roster: counts and bad rows (listed by name) from ImportPreview."""

    rows: list[RowResult]


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
        # One stored form (officers sign in with it); a cell that lost its leading 0 is
        # repaired by normalise_phone.
        phone = normalise_phone(get("phone"))
        if phone is None:
            result.errors.append(_("Điện thoại “%(v)s” không hợp lệ.", v=get("phone")))
        values["phone"] = phone or get("phone")
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
    """The units the importing officer may write to, by code and by unique name (open units
    only: a merged or closed unit takes no officers)."""

    def __init__(self, scope: str):
        units = db.session.scalars(
            select(OrgUnit).where(subtree_filter(OrgUnit.path, scope), OrgUnit.active.is_(True))
        )
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
    by_phone = _load_users(
        User.phone, {r.values["phone"] for r in results if r.values.get("phone")}
    )
    seen_code: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    for result in results:
        code, email = result.values.get("officer_code"), result.values.get("email")
        if code and code in seen_code:
            result.errors.append(_("Trùng mã cán bộ với dòng %(n)s.", n=seen_code[code]))
        if email and email in seen_email:
            result.errors.append(_("Trùng thư điện tử với dòng %(n)s.", n=seen_email[email]))
        phone = result.values.get("phone")
        if phone and phone in seen_phone:
            result.errors.append(_("Trùng số điện thoại với dòng %(n)s.", n=seen_phone[phone]))
        if code:
            seen_code.setdefault(code, result.row)
        if email:
            seen_email.setdefault(email, result.row)
        if phone:
            seen_phone.setdefault(phone, result.row)
        user = _match(result, by_code, by_email)
        holder = by_phone.get(phone) if phone else None
        # Who holds a value outside the importer's subtree is not his to know (issue 17: an
        # "already used by another officer" answer revealed accounts elsewhere): neutral words.
        if holder is not None and holder is not user and not result.errors:
            if within(holder.unit.path, scope):
                result.errors.append(_("Số điện thoại “%(v)s” đã dùng cho cán bộ khác.", v=phone))
            else:
                result.errors.append(_("Không dùng được số điện thoại “%(v)s”.", v=phone))
        if user is not None and not within(user.unit.path, scope):
            result.errors.append(
                _("Không dùng được mã cán bộ hoặc thư điện tử này; vui lòng dùng giá trị khác.")
            )
        if result.errors:
            result.action = "error"
        elif user is not None:
            result.user = user
            result.changes = changed_fields(user, result.values)
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


FIELDS = (
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


def changed_fields(user: User, values: dict, erase: bool = False) -> dict[str, tuple[str, str]]:
    """Fields whose new value differs. An import's empty cell keeps the stored value; the edit
    form (`erase`) clears it."""
    changes = {}
    for name in FIELDS:
        if name not in values or (values[name] is None and not erase):
            continue
        old, new = getattr(user, name), values[name]
        if (old or "") != (new or ""):
            changes[name] = (shown(name, old), shown(name, new))
    return changes


def shown(name: str, value) -> str:
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
