"""Dates as Vietnamese officials read them: dd/mm/yyyy, in Vietnam's time zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    return datetime.now(VN_TZ).date()


def to_local(value: datetime) -> datetime:
    """Stored timestamps are naive UTC."""
    return value.replace(tzinfo=UTC).astimezone(VN_TZ)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return to_local(value).strftime("%H:%M %d/%m/%Y")


def local_date_of(value: datetime) -> date:
    return to_local(value).date()


def format_iso_date(value: str | None) -> str:
    """ "2022-06-15" (as written in course files) → "15/06/2022"; anything else unchanged."""
    if not value:
        return ""
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)
