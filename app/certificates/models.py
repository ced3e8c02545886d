"""The certificate row: what was certified, copied when issued (see services.py)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import partial_index_where, utcnow
from app.extensions import db


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        # one valid certificate per record: partial (status = 'valid'), see below
        Index("uq_certificates_record_id_valid", "record_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SET NULL: the certificate outlives its record (the printed data is copied below).
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_records.id", ondelete="SET NULL"), index=True
    )
    year: Mapped[int] = mapped_column()
    seq: Mapped[int] = mapped_column()
    number: Mapped[str] = mapped_column(String(40), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    unit_name: Mapped[str] = mapped_column(String(255))
    course_title: Mapped[str] = mapped_column(String(255))
    completed_on: Mapped[date] = mapped_column()
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default=CertificateStatus.VALID.value)
    reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None] = mapped_column()
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL")
    )

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID.value


partial_index_where(Certificate.__table__, "uq_certificates_record_id_valid", "status = 'valid'")
