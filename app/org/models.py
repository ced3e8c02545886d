"""The union tree (TLĐ → LĐLĐ tỉnh → công đoàn cấp trên cơ sở → CĐCS) and its officers."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class UnitLevel(enum.IntEnum):
    NATIONAL = 0  # Tổng Liên đoàn
    PROVINCE = 1  # LĐLĐ tỉnh / công đoàn ngành trung ương
    UPPER = 2  # công đoàn cấp trên trực tiếp cơ sở
    GRASSROOTS = 3  # công đoàn cơ sở


class Role(enum.StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    UNIT_MANAGER = "unit_manager"
    PROVINCE_ADMIN = "province_admin"


# Who outranks whom when granting: nobody grants a role above their own. A learner holds no
# grant at all (every officer is a learner of his own data).
ROLE_RANK = {Role.LEARNER: 0, Role.TRAINER: 1, Role.UNIT_MANAGER: 2, Role.PROVINCE_ADMIN: 3}
GRANTABLE_ROLES = (Role.UNIT_MANAGER, Role.TRAINER, Role.PROVINCE_ADMIN)


class OfficerType(enum.StrEnum):
    FULL_TIME = "chuyen_trach"
    PART_TIME = "kiem_nhiem"


# Vietnamese labels for the enums (through Babel, so English can follow). They live with the
# enums: a separate labels module would import these models and be imported back by them.
UNIT_LEVEL_LABELS = {
    UnitLevel.NATIONAL: _l("Tổng Liên đoàn"),
    UnitLevel.PROVINCE: _l("Liên đoàn Lao động tỉnh"),
    UnitLevel.UPPER: _l("Công đoàn cấp trên cơ sở"),
    UnitLevel.GRASSROOTS: _l("Công đoàn cơ sở"),
}

ROLE_LABELS = {
    Role.LEARNER: _l("Học viên"),
    Role.TRAINER: _l("Giảng viên"),
    Role.UNIT_MANAGER: _l("Quản lý đơn vị"),
    Role.PROVINCE_ADMIN: _l("Quản trị tỉnh"),
}

OFFICER_TYPE_LABELS = {
    OfficerType.FULL_TIME: _l("Chuyên trách"),
    OfficerType.PART_TIME: _l("Kiêm nhiệm"),
}


class OrgUnit(db.Model):
    """A node of the union tree.

    `path` is the materialised path of ids ("/1/7/42/"). "Everything under this node" is the
    indexed range `path >= P AND path < P || '~'` (see `subtree_filter`): a prefix range that a
    B-tree answers on SQLite and PostgreSQL alike, unlike LIKE under a non-C collation.
    """

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[int] = mapped_column()
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    path: Mapped[str] = mapped_column(
        String(255).with_variant(String(255, collation="C"), "postgresql"), index=True
    )
    # Ids of this unit's ancestors at each level (itself at its own level, NULL below it):
    # coverage groups "by child unit" with one indexed GROUP BY on the next level's column.
    level1_id: Mapped[int | None] = mapped_column(index=True)
    level2_id: Mapped[int | None] = mapped_column(index=True)
    level3_id: Mapped[int | None] = mapped_column(index=True)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent", order_by="OrgUnit.name")

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code} {self.name}>"

    @property
    def level_label(self) -> str:
        return UNIT_LEVEL_LABELS[UnitLevel(self.level)]

    def ancestors(self) -> list[OrgUnit]:
        """Root first, self last — for breadcrumbs. One query."""
        ids = [int(part) for part in self.path.strip("/").split("/")]
        units = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids))).all()
        by_id = {unit.id: unit for unit in units}
        return [by_id[i] for i in ids if i in by_id]

    def set_position(self, parent: OrgUnit | None) -> None:
        """Set parent, level, path and level ids (the unit must have an id: flush first)."""
        self.parent = parent
        self.parent_id = parent.id if parent else None
        self.level = parent.level + 1 if parent else UnitLevel.NATIONAL
        self.path = f"{parent.path if parent else '/'}{self.id}/"
        for level in (1, 2, 3):
            if level < self.level:
                value = getattr(parent, f"level{level}_id")
            elif level == self.level:
                value = self.id
            else:
                value = None
            setattr(self, f"level{level}_id", value)


def level_column(level: int):
    """The OrgUnit column holding the ancestor id at `level` (1..3)."""
    return getattr(OrgUnit, f"level{level}_id")


def subtree_filter(column, path: str):
    """SQL condition "column's path lies under `path`" (inclusive) as an indexed range."""
    return (column >= path) & (column < path + "~")


class User(UserMixin, db.Model):
    """An officer on the roster. Officers trained in class may have no account (no password)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Stored normalised (app.core.text.normalise_phone): officers sign in with it.
    phone: Mapped[str | None] = mapped_column(String(30), unique=True)
    birth_date: Mapped[date | None] = mapped_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    position: Mapped[str] = mapped_column(String(255), default="")
    officer_type: Mapped[str] = mapped_column(String(20), default=OfficerType.PART_TIME.value)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The unit's own officer number ("Mã cán bộ"): the stable key roster imports update by.
    officer_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Raised by logout, a password change or reset and a deactivation: every session and
    # remember-me cookie carries the version it was signed in with (`get_id`), and the user
    # loader refuses an older one, so they end on the server, not only in the browser.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit: Mapped[OrgUnit] = relationship(lazy="joined", innerjoin=True)
    # The grants in force (not revoked). Loaded on first use — one query, for the signed-in
    # user only: lists of officers never read it.
    grants: Mapped[list[RoleGrant]] = relationship(
        primaryjoin="and_(RoleGrant.user_id == User.id, RoleGrant.revoked_at.is_(None))",
        foreign_keys="RoleGrant.user_id",
        viewonly=True,
        lazy="select",
        order_by="RoleGrant.id",
    )

    __table_args__ = (Index("ix_users_unit_id_active", "unit_id", "active"),)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.full_name}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: "id:version"."""
        return f"{self.id}:{self.session_version}"

    @property
    def activated(self) -> bool:
        """Has set a password (by an invitation, a printed code or the first install)."""
        return self.password_hash is not None

    @property
    def roles(self) -> frozenset[str]:
        """The roles this user holds anywhere (values of `Role`), learner always included."""
        return frozenset({Role.LEARNER.value, *(grant.role for grant in self.grants)})

    @property
    def role(self) -> str:
        """The highest role held anywhere (a value of `Role`): for labels and cache keys.
        Scope and permissions come from the grants themselves (app/org/scope.py)."""
        return max(self.roles, key=lambda value: ROLE_RANK[Role(value)])

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(r.value for r in roles)

    @property
    def can_view_coverage(self) -> bool:
        return self.has_role(Role.UNIT_MANAGER, Role.PROVINCE_ADMIN)

    @property
    def can_author(self) -> bool:
        return self.has_role(Role.TRAINER, Role.PROVINCE_ADMIN)


class RoleGrant(db.Model):
    """A role held over a unit's subtree: unit manager of X, trainer in X, province admin of X.

    Rows are never deleted: a revocation stamps `revoked_at`, so who held what, granted by
    whom, stays readable (the audit log records each grant and revocation too).
    """

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    unit: Mapped[OrgUnit] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        CheckConstraint("role IN ('trainer', 'unit_manager', 'province_admin')", name="role"),
    )

    def __repr__(self) -> str:
        return f"<RoleGrant {self.role} of unit {self.unit_id} to user {self.user_id}>"


class UnitMembership(db.Model):
    """Which unit an officer belonged to, from `start_on` to `end_on` (NULL: still there).

    Written by the roster on every create, move, deactivation and reactivation: the history
    page reads it; coverage never does (it reads the unit snapshot on `TrainingRecord`).
    """

    __tablename__ = "unit_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    start_on: Mapped[date] = mapped_column()
    end_on: Mapped[date | None] = mapped_column()

    unit: Mapped[OrgUnit] = relationship(lazy="joined", innerjoin=True)


def fold_case(value: str | None) -> str | None:
    """NFC + Unicode lower case, for case-insensitive name search."""
    import unicodedata

    return None if value is None else unicodedata.normalize("NFC", value).lower()


@event.listens_for(Engine, "connect")
def _sqlite_fold_function(dbapi_connection, connection_record):
    """SQLite's lower() folds ASCII only ("Đ" stays "Đ"): give it a Unicode one. PostgreSQL's
    lower() already folds Vietnamese under a UTF-8 locale (see `name_matches`)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_function("tdkt_lower", 1, fold_case, deterministic=True)


def name_matches(column, query: str, dialect: str):
    """SQL condition: `column` contains `query`, NFC and case-insensitively."""
    needle = fold_case(query) or ""
    lower = func.tdkt_lower if dialect == "sqlite" else func.lower
    return lower(column).contains(needle, autoescape=True)
