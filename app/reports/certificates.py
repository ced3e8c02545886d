"""Certificates of completion (giấy chứng nhận): issue, number, revoke, render as PDF.

A certificate is a document: what it prints (name, unit, course, completion date) is copied
onto the row when it is issued, so the PDF downloaded next year and the public verification
page both show what was certified, even if the officer is renamed or moves. Correcting it
means issuing a new version (`reissue_certificate`), which marks the old one superseded.

Register number ("số vào sổ"): "{seq:05d}/{year}/TĐKT", `year` being the year of issue (the
year's register book) and `seq` the next number in it: max + 1, guarded by the unique
constraint (year, seq) and retried in a savepoint when two issues race for the same number.

Each completed training record has at most one *valid* certificate (a partial unique index);
revoked and superseded ones stay for verification and history.
"""

from __future__ import annotations

import enum
import io
import secrets
from datetime import date, datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core import audit
from app.core.dates import format_date, local_today
from app.core.db import partial_index_where, utcnow
from app.core.mail import public_url
from app.core.text import nfc
from app.courses.models import Course
from app.extensions import db
from app.org.models import OrgUnit, User
from app.progress.models import TrainingRecord

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
NUMBER_SUFFIX = "TĐKT"
_ISSUE_ATTEMPTS = 5


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class CertificateError(Exception):
    """The record cannot get a certificate (not completed, or its certificate was revoked)."""


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


def format_number(seq: int, year: int) -> str:
    return f"{seq:05d}/{year}/{NUMBER_SUFFIX}"


def _valid_certificate(record: TrainingRecord) -> Certificate | None:
    """The record's valid certificate, whichever completion it certifies."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.record_id == record.id,
            Certificate.status == CertificateStatus.VALID.value,
        )
    )


def current_certificate(record: TrainingRecord) -> Certificate | None:
    """The valid certificate of the record's *current* completion, if issued. A record that
    was reopened (a new major course version) and completed again needs a new one."""
    certificate = _valid_certificate(record)
    if certificate is None or certificate.completed_on != record.completed_on:
        return None
    return certificate


def was_revoked(record: TrainingRecord) -> bool:
    """Whether the certificate of the record's current completion was revoked."""
    return (
        db.session.scalar(
            select(Certificate.id)
            .where(
                Certificate.record_id == record.id,
                Certificate.completed_on == record.completed_on,
                Certificate.status == CertificateStatus.REVOKED.value,
            )
            .limit(1)
        )
        is not None
    )


def certificate_by_token(token: str) -> Certificate | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.token == token))


def verification_url(certificate: Certificate) -> str:
    return public_url("certificates.verify", token=certificate.token)


def _next_seq(year: int) -> int:
    current = db.session.scalar(select(func.max(Certificate.seq)).where(Certificate.year == year))
    return (current or 0) + 1


def _new_certificate(record: TrainingRecord, actor_id: int | None, today: date) -> Certificate:
    """Insert a valid certificate for `record` with the next register number (no commit)."""
    user = db.session.get(User, record.user_id)
    course = db.session.get(Course, record.course_id)
    unit = db.session.get(OrgUnit, record.unit_id)
    for _attempt in range(_ISSUE_ATTEMPTS):
        seq = _next_seq(today.year)
        certificate = Certificate(
            record_id=record.id,
            year=today.year,
            seq=seq,
            number=format_number(seq, today.year),
            token=secrets.token_urlsafe(16),
            full_name=nfc(user.full_name),
            unit_name=nfc(unit.name),
            course_title=nfc(course.title),
            completed_on=record.completed_on,
            issued_by_id=actor_id,
            status=CertificateStatus.VALID.value,
        )
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
        except IntegrityError:
            # Another issue took this number, or this record's certificate: look again.
            if (existing := current_certificate(record)) is not None:
                return existing
            continue
        audit.record(
            "certificate.issue",
            "certificate",
            certificate.id,
            actor_id,
            record_id=record.id,
            number=certificate.number,
        )
        return certificate
    raise RuntimeError("could not allocate a certificate number")


def issue_certificate(
    record: TrainingRecord, *, actor_id: int | None = None, today: date | None = None
) -> Certificate:
    """The certificate of the record's current completion, issued now if there is none.
    Commits when it issues.

    A valid certificate of an earlier completion of the same record (reopened for a new major
    version, then completed again) is superseded by the new one. Raises CertificateError if
    the record is not completed or this completion's certificate was revoked (a revoked
    certificate is not silently replaced: `reissue_certificate` does that on purpose)."""
    if record.completed_on is None:
        raise CertificateError("record not completed")
    if (existing := current_certificate(record)) is not None:
        return existing
    if was_revoked(record):
        raise CertificateError("certificate revoked")
    if _valid_certificate(record) is not None:
        return reissue_certificate(
            record, "Hoàn thành lại khóa học (phiên bản mới)", actor_id=actor_id, today=today
        )
    certificate = _new_certificate(record, actor_id, today or local_today())
    db.session.commit()
    return certificate


def revoke_certificate(
    certificate: Certificate, reason: str, *, actor_id: int | None = None
) -> Certificate:
    """Mark a certificate revoked (the verification page then says so). Commits."""
    mark_revoked(certificate, reason, actor_id=actor_id)
    db.session.commit()
    return certificate


def revoke_record_certificate(
    record: TrainingRecord, reason: str, *, actor_id: int | None = None
) -> Certificate | None:
    """Revoke the record's valid certificate, if any (its completion was withdrawn). Does not
    commit: the service that withdrew the completion does, in the same transaction."""
    certificate = _valid_certificate(record)
    if certificate is not None:
        mark_revoked(certificate, reason, actor_id=actor_id)
    return certificate


REGRADE_REASON = "Bài làm được chấm lại dưới điểm đạt"


def reinstate_after_regrade(record: TrainingRecord, *, actor_id: int | None = None) -> None:
    """A regrade gave the pass back: the completion's certificate, revoked by the regrade
    that took the pass away (and only then), is issued again with a new number. Other
    revocations stand. Does not commit (the grading service does)."""
    if record.completed_on is None or current_certificate(record) is not None:
        return
    revoked = db.session.scalar(
        select(Certificate)
        .where(
            Certificate.record_id == record.id,
            Certificate.completed_on == record.completed_on,
            Certificate.status == CertificateStatus.REVOKED.value,
        )
        .order_by(Certificate.id.desc())
        .limit(1)
    )
    if revoked is not None and revoked.reason == REGRADE_REASON:
        _new_certificate(record, actor_id, local_today())


def mark_revoked(certificate: Certificate, reason: str, *, actor_id: int | None = None) -> None:
    certificate.status = CertificateStatus.REVOKED.value
    certificate.reason = nfc(reason)
    certificate.status_changed_at = utcnow()
    audit.record(
        "certificate.revoke",
        "certificate",
        certificate.id,
        actor_id,
        number=certificate.number,
        reason=certificate.reason,
    )


def reissue_certificate(
    record: TrainingRecord, reason: str, *, actor_id: int | None = None, today: date | None = None
) -> Certificate:
    """Issue a new version with today's data (e.g. a corrected name); the current valid one,
    if any, becomes superseded and points to the new one. Commits."""
    if record.completed_on is None:
        raise CertificateError("record not completed")
    old = _valid_certificate(record)
    if old is not None:
        old.status = CertificateStatus.SUPERSEDED.value
        old.reason = nfc(reason)
        old.status_changed_at = utcnow()
        db.session.flush()  # frees the "one valid certificate per record" slot
    new = _new_certificate(record, actor_id, today or local_today())
    if old is not None:
        old.superseded_by_id = new.id
    audit.record(
        "certificate.reissue",
        "certificate",
        new.id,
        actor_id,
        replaces=old.number if old else None,
        reason=nfc(reason),
    )
    db.session.commit()
    return new


# --- PDF ---------------------------------------------------------------------------------------

RED = (165, 20, 25)
DARK = (25, 25, 25)


def qr_png(url: str) -> io.BytesIO:
    """The QR code of `url` as a PNG in memory (error correction M, 2-module quiet zone)."""
    import segno  # imported here: fpdf2, Pillow and fontTools cost each worker ~30 MB

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    return buffer


def render_certificate_pdf(certificate: Certificate) -> bytes:
    """An A4 landscape certificate with the DejaVu fonts shipped in app/static/fonts embedded
    (subset), so Vietnamese prints right on any reader, and a QR code of the verification URL
    (also a clickable link on the code and on the printed URL)."""
    from fpdf import FPDF  # see qr_png

    url = verification_url(certificate)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"{_('Giấy chứng nhận')} {certificate.number}")
    pdf.set_author("TĐKT Learn")
    pdf.set_creator("TĐKT Learn")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    width = pdf.w - 40  # text block between the frames

    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, pdf.w - 28, pdf.h - 28)

    def line(text_: str, size: float, style: str = "", color=DARK, gap: float = 2.0) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*color)
        pdf.set_x(20)
        pdf.multi_cell(width, size * 0.5, nfc(text_), align="C")
        pdf.ln(gap)

    pdf.set_y(24)
    line(_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 12, "B", gap=0.5)
    line(_("Độc lập - Tự do - Hạnh phúc"), 12, "B", gap=10)
    line(_("GIẤY CHỨNG NHẬN"), 30, "B", RED, gap=6)
    line(_("Chứng nhận đồng chí"), 13, gap=1)
    line(certificate.full_name, 22, "B", gap=2)
    line(_("Đơn vị: %(unit)s", unit=certificate.unit_name), 12, gap=5)
    line(_("Đã hoàn thành khóa bồi dưỡng"), 13, gap=1)
    line(certificate.course_title, 16, "B", gap=3)
    line(_("Ngày hoàn thành: %(d)s", d=format_date(certificate.completed_on)), 13, gap=0)

    bottom = pdf.h - 52
    pdf.set_text_color(*DARK)
    pdf.set_font("DejaVu", "B", 12)
    pdf.set_xy(24, bottom + 8)
    pdf.cell(120, 7, nfc(_("Số vào sổ: %(n)s", n=certificate.number)))
    pdf.set_font("DejaVu", "", 11)
    pdf.set_xy(24, bottom + 16)
    pdf.cell(120, 7, _("Cấp ngày: %(d)s", d=format_date(certificate.issued_at)))

    size = 32
    qr_x = pdf.w - 24 - size
    pdf.image(qr_png(url), x=qr_x, y=bottom - 4, w=size, h=size, link=url)
    pdf.set_font("DejaVu", "", 8)
    pdf.set_xy(pdf.w - 24 - 110, bottom + size - 3)
    pdf.cell(110, 4, _("Quét mã để xác minh giấy chứng nhận"), align="R")
    pdf.set_xy(pdf.w - 24 - 110, bottom + size + 1)
    pdf.cell(110, 4, url, align="R", link=url)
    return bytes(pdf.output())
