"""The log of reminder e-mails sent: one row per officer, kind and day, so a day's run sends
each e-mail once however often it is started."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.extensions import db


class ReminderKind(enum.StrEnum):
    DUE_SOON = "due_soon"
    LATE = "late"
    ESCALATION = "escalation"


class ReminderLog(db.Model):
    """One e-mail sent: to whom, of which kind, on which (Vietnam) day, about which records."""

    __tablename__ = "reminder_logs"
    __table_args__ = (UniqueConstraint("user_id", "kind", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    sent_on: Mapped[date] = mapped_column(index=True)
    email: Mapped[str] = mapped_column(String(255))
    record_ids: Mapped[list] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
