"""Vietnamese labels for the organisation enums (through Babel, so English can follow)."""

from flask_babel import lazy_gettext as _l

from app.org.models import OfficerType, Role, UnitLevel

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
