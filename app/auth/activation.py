"""Bringing officers onto the platform in bulk: e-mailed invitation links and printed
activation slips (A4, one slip per officer: name, unit, one-time code, the address and a QR
code), plus the "quên mật khẩu" e-mail. Mail goes through the reminders' SMTP helper."""

from __future__ import annotations

import smtplib
import threading
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth import tokens
from app.auth.models import AccountToken, TokenKind
from app.core.dates import format_date, local_date_of
from app.core.db import utcnow
from app.core.mail import SmtpSession, build_email, public_url
from app.core.printing import FONT_DIR, qr_png
from app.core.text import nfc, normalise_email
from app.extensions import db
from app.org.models import OrgUnit, User, subtree_filter
from app.org.scope import officers_in_scope

# --- who is activated ---------------------------------------------------------------------------


def not_activated(viewer: User, unit: OrgUnit) -> list[User]:
    """Active officers without a password under `unit` (which the caller has checked is in
    the viewer's scope), in unit then name order — the order slips are printed in."""
    stmt = (
        officers_in_scope(viewer)
        .where(
            subtree_filter(OrgUnit.path, unit.path),
            User.active.is_(True),
            User.password_hash.is_(None),
        )
        .order_by(OrgUnit.path, User.full_name, User.id)
    )
    return list(db.session.scalars(stmt))


def without_pending_invitation(officers: list[User]) -> list[User]:
    """Those of `officers` with an e-mail and no usable invitation yet: a bulk send goes on
    where the previous one stopped instead of replacing links people already have."""
    ids = [o.id for o in officers if o.email]
    pending = set()
    for start in range(0, len(ids), 500):  # bounded IN lists
        pending.update(
            db.session.scalars(
                select(AccountToken.user_id).where(
                    AccountToken.user_id.in_(ids[start : start + 500]),
                    AccountToken.kind == TokenKind.INVITE.value,
                    AccountToken.spent_at.is_(None),
                    AccountToken.expires_at > utcnow(),
                )
            )
        )
    return [o for o in officers if o.email and o.id not in pending]


# --- e-mail -------------------------------------------------------------------------------------

# Mail is sent within the request: a bulk send stops after this many and says how many are
# left (the next click goes on, see `without_pending_invitation`).
INVITE_BATCH = 300


@dataclass
class SendSummary:
    sent: int = 0
    without_email: int = 0
    already_invited: int = 0
    left: int = 0  # not sent this time (INVITE_BATCH): send again to go on
    failed: list[tuple[str, str]] = field(default_factory=list)  # (address, error)


def _send_all(messages: list) -> list[tuple[str, str]]:
    """Send over one SMTP connection; returns (address, error) of each message not sent."""
    failed = []
    smtp = SmtpSession(current_app.config)
    try:
        for address, message in messages:
            try:
                smtp.send(message)
            except (smtplib.SMTPException, OSError) as error:
                failed.append((address, str(error)))
    finally:
        smtp.close()
    return failed


def send_bulk_invitations(actor_id: int | None, officers: list[User]) -> SendSummary:
    """The roster's bulk send: officers with an e-mail and no usable invitation, at most
    INVITE_BATCH of them."""
    with_email = [o for o in officers if o.email]
    todo = without_pending_invitation(with_email)
    summary = send_invitations(actor_id, todo[:INVITE_BATCH])
    summary.without_email = len(officers) - len(with_email)
    summary.already_invited = len(with_email) - len(todo)
    summary.left = max(0, len(todo) - INVITE_BATCH)
    return summary


def send_invitations(actor_id: int | None, officers: list[User]) -> SendSummary:
    """A fresh 14-day invitation link to each officer with an e-mail (an older link stops
    working). The links are committed before any mail leaves, so no lock is held while
    talking SMTP; a link whose mail failed is harmless and is replaced by the next try."""
    summary = SendSummary()
    pending = []
    for officer in officers:
        if not officer.email:
            summary.without_email += 1
            continue
        secret = tokens.issue(officer, TokenKind.INVITE, actor_id)
        pending.append((officer, secret))
    db.session.commit()  # before any mail leaves: no lock is held while talking SMTP
    expires = format_date(local_date_of(utcnow() + tokens.VALIDITY[TokenKind.INVITE]))
    messages = [
        (
            officer.email,
            build_email(
                officer.full_name,
                officer.email,
                _("[TĐKT Learn] Mời kích hoạt tài khoản bồi dưỡng thi đua, khen thưởng"),
                "account_invite",
                name=officer.full_name,
                unit=officer.unit.name,
                link=public_url("auth.activate_link", token=secret),
                expires=expires,
            ),
        )
        for officer, secret in pending
    ]
    summary.failed = _send_all(messages)
    summary.sent = len(messages) - len(summary.failed)
    return summary


def request_reset(email: str) -> None:
    """ "Quên mật khẩu": a 1-hour link to an active account with this e-mail. Says nothing
    about whether one exists (the page answers the same either way). Commits."""
    email = normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None or not user.active:
        return
    secret = tokens.issue(user, TokenKind.RESET, None)
    db.session.commit()  # the link must be stored before the mail thread sends it
    message = build_email(
        user.full_name,
        user.email,
        _("[TĐKT Learn] Đặt lại mật khẩu"),
        "password_reset",
        name=user.full_name,
        link=public_url("auth.reset", token=secret),
    )
    # Sent beside the request: waiting for the SMTP server would make the answer slower
    # when the account exists (a timing oracle for who has an account).
    config, logger = dict(current_app.config), current_app.logger
    threading.Thread(
        target=_send_reset, args=(config, logger, user.email, message), daemon=True
    ).start()


def _send_reset(config: dict, logger, address: str, message) -> None:
    smtp = SmtpSession(config)
    try:
        smtp.send(message)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("password reset mail to %s not sent: %s", address, error)
    finally:
        smtp.close()


# --- the printed activation sheet ---------------------------------------------------------------

SLIPS_PER_PAGE = 4
SLIP_HEIGHT = 68.0  # mm: four slips and their cut lines on an A4 page


def issue_codes(actor_id: int | None, officers: list[User]) -> list[tuple[User, str]]:
    """A fresh one-time code for each officer (an older printed code stops working). The
    caller commits before the PDF is drawn: the codes on paper are the ones stored."""
    return [(officer, tokens.issue(officer, TokenKind.CODE, actor_id)) for officer in officers]


def render_activation_sheet(issued: list[tuple[User, str]]) -> bytes:
    """The A4 PDF: one slip per officer, cut along the dashed lines. DejaVu fonts embedded
    (Vietnamese prints right on any reader)."""
    from fpdf import FPDF  # imported here: fpdf2 and Pillow are heavy (see certificates)

    address = public_url("auth.activate_code")
    expires = format_date(local_date_of(utcnow() + tokens.VALIDITY[TokenKind.CODE]))
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(_("Phiếu kích hoạt tài khoản"))
    pdf.set_author("TĐKT Learn")
    pdf.set_creator("TĐKT Learn")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    if not issued:
        pdf.add_page()
        pdf.set_font("DejaVu", "", 12)
        pdf.cell(0, 10, _("Không có cán bộ nào cần kích hoạt."))
    for index, (officer, code) in enumerate(issued):
        if index % SLIPS_PER_PAGE == 0:
            pdf.add_page()
        top = 10 + (index % SLIPS_PER_PAGE) * (SLIP_HEIGHT + 1)
        _draw_slip(pdf, top, officer, code, address, expires)
    return bytes(pdf.output())


def _draw_slip(pdf, top: float, officer: User, code: str, address: str, expires: str) -> None:
    left, width, qr = 12.0, 186.0, 40.0
    pdf.set_draw_color(120, 120, 120)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.rect(left - 2, top, width + 4, SLIP_HEIGHT)
    pdf.set_dash_pattern()
    text_width = width - qr - 6
    pdf.set_text_color(25, 25, 25)

    def text(y: float, value: str, size: float, style: str = "", height: float = 5.5) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.set_xy(left, top + y)
        pdf.multi_cell(text_width, height, nfc(value))

    text(4, _("PHIẾU KÍCH HOẠT TÀI KHOẢN TĐKT LEARN"), 11, "B")
    text(11, _("Họ và tên: %(name)s", name=officer.full_name), 11, "B")
    text(18, _("Đơn vị: %(unit)s", unit=officer.unit.name), 9.5, height=4.5)
    pdf.set_font("DejaVu", "", 9.5)
    pdf.set_xy(left, top + 28)
    pdf.cell(28, 8, _("Mã kích hoạt:"))
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(60, 8, tokens.format_code(code))
    text(38, _("Truy cập: %(url)s", url=address), 9.5, height=4.5)
    text(
        48,
        _(
            "Nhập mã (hoặc quét mã QR), rồi đặt mật khẩu của đồng chí (ít nhất 10 ký tự). "
            "Mã dùng một lần, hết hạn ngày %(d)s. Không đưa phiếu này cho người khác.",
            d=expires,
        ),
        8.5,
        height=4,
    )
    url = public_url("auth.activate_code", ma=code)
    pdf.image(qr_png(url), x=left + width - qr, y=top + 6, w=qr, h=qr, link=url)
    pdf.set_font("DejaVu", "", 7.5)
    pdf.set_xy(left + width - qr - 4, top + qr + 7)
    pdf.cell(qr + 4, 4, _("Quét để kích hoạt"), align="C")
