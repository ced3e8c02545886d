"""One-time secrets that let a person set a password: an e-mailed invitation link, a code
printed on an activation slip, a "quên mật khẩu" link.

Only a digest is stored. Links carry 256 random bits, so a plain SHA-256 is enough; printed
codes are short (10 characters, ~50 bits) so they are keyed with SECRET_KEY (HMAC-SHA256):
a copy of the database alone does not let anyone try codes offline.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db
from app.org.models import User


class TokenKind(enum.StrEnum):
    INVITE = "invite"  # e-mailed activation link, 14 days
    CODE = "code"  # printed activation code (slip + QR), 14 days
    RESET = "reset"  # self-service password reset link, 1 hour


class AccountToken(db.Model):
    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    # Set when used, or when a newer secret of the person replaced this one.
    spent_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)

    __table_args__ = (Index("ix_account_tokens_user_id_kind", "user_id", "kind"),)

    def usable(self, now: datetime) -> bool:
        return self.spent_at is None and self.expires_at > now and self.user.active
