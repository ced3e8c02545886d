"""Reminder e-mails for required training: due soon, late, and escalation to unit managers.

`send_reminders(today)` is what `flask reminders send` (run daily by cron) calls. It is
idempotent per day: every e-mail sent is logged in `ReminderLog` under the unique key
(recipient, kind, day), and a run skips what is already logged for that day.

Crash safety: the log row for an e-mail is written and committed right after the SMTP server
accepted that e-mail, one at a time, never before and never in one batch at the end. A run
that dies halfway (SMTP outage, killed process) has logged exactly what was sent, so a rerun
sends only the rest. The one unavoidable window is between the server's "250 OK" and the
commit of that single row; a crash there re-sends that one e-mail. Two runs started at the
same moment are not coordinated (cron runs one): the unique key stops the second run from
logging twice, not from sending twice.

Only records of the current year are considered: a past year's record can no longer be
completed (a completion today counts for today's year), so reminding about it is noise.
The unit a late officer is escalated from is the record's unit (the unit at that time),
the one whose coverage the delay lowers.
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.mime.multipart import MIMEMultipart

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.dates import format_date, local_today
from app.core.mail import SmtpSession, build_email, public_url
from app.courses.models import Course
from app.extensions import db
from app.org.models import OrgUnit, User
from app.progress.models import TrainingRecord
from app.reminders.models import ReminderKind, ReminderLog

# --- what to send ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A required, not yet completed training record, as the e-mails show it."""

    record_id: int
    user_id: int
    officer_name: str
    officer_email: str | None
    unit_id: int
    unit_name: str
    unit_path: str
    course_title: str
    due_on: date
    days_late: int  # 0 or less: not late yet


@dataclass
class Message:
    user_id: int
    kind: ReminderKind
    to: str  # the recipient's address
    email: MIMEMultipart
    record_ids: list[int]


@dataclass
class ReminderSummary:
    day: date
    sent: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in ReminderKind})
    already_sent: int = 0  # skipped: logged earlier the same day
    failed: list[tuple[str, str]] = field(default_factory=list)  # (recipient, error)
    not_attempted: int = 0  # left after the SMTP connection was lost
    unrouted: int = 0  # late officers with no unit manager (with an e-mail) above them
    dry_run: bool = False

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_attempted

    def describe(self) -> str:
        """The Vietnamese summary the CLI prints."""
        verb = "Sẽ gửi" if self.dry_run else "Đã gửi"
        lines = [
            f"Nhắc việc ngày {format_date(self.day)}: {verb} {self.total_sent} e-mail "
            f"({self.sent['due_soon']} sắp đến hạn, {self.sent['late']} quá hạn, "
            f"{self.sent['escalation']} báo cáo cho cán bộ quản lý).",
            f"Đã gửi trước đó trong ngày (bỏ qua): {self.already_sent}.",
        ]
        if self.unrouted:
            lines.append(f"Cán bộ quá hạn không có cán bộ quản lý nhận báo cáo: {self.unrouted}.")
        for recipient, error in self.failed:
            lines.append(f"LỖI gửi tới {recipient}: {error}")
        if self.not_attempted:
            lines.append(
                f"Mất kết nối máy chủ thư: {self.not_attempted} e-mail chưa gửi "
                "(chạy lại lệnh để gửi tiếp)."
            )
        return "\n".join(lines)


def _open_items(today: date, days_before: int) -> list[Item]:
    """Required, uncompleted records of active officers due by `today + days_before`."""
    rows = db.session.execute(
        select(
            TrainingRecord.id,
            TrainingRecord.user_id,
            User.full_name,
            User.email,
            OrgUnit.id,
            OrgUnit.name,
            OrgUnit.path,
            Course.title,
            TrainingRecord.due_on,
        )
        .join(User, User.id == TrainingRecord.user_id)
        .join(OrgUnit, OrgUnit.id == TrainingRecord.unit_id)
        .join(Course, Course.id == TrainingRecord.course_id)
        .where(
            TrainingRecord.year == today.year,
            TrainingRecord.required.is_(True),
            TrainingRecord.completed_on.is_(None),
            TrainingRecord.due_on.is_not(None),
            TrainingRecord.due_on <= today + timedelta(days=days_before),
            User.active.is_(True),
        )
        .order_by(TrainingRecord.due_on, Course.title, User.full_name, TrainingRecord.id)
    ).all()
    return [Item(*row[:8], due_on=row[8], days_late=(today - row[8]).days) for row in rows]


def _managers_by_path() -> dict[str, list[User]]:
    """Active unit managers who can receive e-mail, keyed by the path of each unit they manage."""
    from app.org.grants import managers_by_unit_path

    return managers_by_unit_path()


def nearest_managers(unit_path: str, by_path: dict[str, list[User]], exclude: int) -> list[User]:
    """The unit managers of the deepest unit on `unit_path` (itself included) that has any,
    leaving out the officer `exclude` (a late manager is escalated to the level above)."""
    parts = unit_path.strip("/").split("/")
    for depth in range(len(parts), 0, -1):
        prefix = "/" + "/".join(parts[:depth]) + "/"
        found = [m for m in by_path.get(prefix, []) if m.id != exclude]
        if found:
            return found
    return []


def plan_reminders(
    today: date, *, days_before: int, escalate_after: int
) -> tuple[list[Message], int]:
    """Every e-mail due `today` (before the day's log is consulted) and the number of late
    officers beyond `escalate_after` days whom no unit manager can be told about."""
    items = _open_items(today, days_before)
    messages: list[Message] = []

    by_officer: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        if item.officer_email:
            by_officer[item.user_id].append(item)
    dashboard = public_url("courses.dashboard")
    for officer_items in by_officer.values():
        first = officer_items[0]
        late = [i for i in officer_items if i.days_late > 0]
        soon = [i for i in officer_items if i.days_late <= 0]
        for kind, group in ((ReminderKind.LATE, late), (ReminderKind.DUE_SOON, soon)):
            if not group:
                continue
            subject = (
                _("[TĐKT Learn] Quá hạn bồi dưỡng: %(n)s khóa học", n=len(group))
                if kind is ReminderKind.LATE
                else _("[TĐKT Learn] Sắp đến hạn bồi dưỡng: %(n)s khóa học", n=len(group))
            )
            email = build_email(
                first.officer_name,
                first.officer_email,
                subject,
                "reminder_officer",
                name=first.officer_name,
                kind=kind.value,
                items=group,
                link=dashboard,
                today=today,
            )
            messages.append(
                Message(
                    first.user_id, kind, first.officer_email, email, [i.record_id for i in group]
                )
            )

    by_path = _managers_by_path()
    by_manager: dict[int, list[Item]] = defaultdict(list)
    managers: dict[int, User] = {}
    unrouted = set()
    for item in items:
        if item.days_late <= escalate_after:
            continue
        found = nearest_managers(item.unit_path, by_path, exclude=item.user_id)
        if not found:
            unrouted.add(item.user_id)
        for manager in found:
            managers[manager.id] = manager
            by_manager[manager.id].append(item)
    for manager_id, manager_items in by_manager.items():
        manager = managers[manager_id]
        manager_items.sort(key=lambda i: (i.unit_name, i.officer_name, i.due_on))
        email = build_email(
            manager.full_name,
            manager.email,
            _(
                "[TĐKT Learn] %(n)s cán bộ quá hạn bồi dưỡng hơn %(days)s ngày",
                n=len({i.user_id for i in manager_items}),
                days=escalate_after,
            ),
            "reminder_escalation",
            name=manager.full_name,
            unit_name=manager.unit.name,
            items=manager_items,
            escalate_after=escalate_after,
            link=public_url("reports.officers", unit_id=manager.unit_id, nam=today.year),
            today=today,
        )
        messages.append(
            Message(
                manager_id,
                ReminderKind.ESCALATION,
                manager.email,
                email,
                [i.record_id for i in manager_items],
            )
        )
    return messages, len(unrouted)


# --- sending -----------------------------------------------------------------------------------


# Errors about one message: the connection is still usable, go on with the next one.
_MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


def _log_sent(message: Message, today: date) -> bool:
    """Record one sent e-mail and commit at once. False if another run logged it first."""
    db.session.add(
        ReminderLog(
            user_id=message.user_id,
            kind=message.kind.value,
            sent_on=today,
            email=message.to,
            record_ids=message.record_ids,
        )
    )
    try:
        db.session.commit()  # at once: a crash later must not re-send this e-mail
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def send_reminders(
    today: date | None = None,
    *,
    days_before: int | None = None,
    escalate_after: int | None = None,
    dry_run: bool = False,
) -> ReminderSummary:
    """Send the day's reminders by SMTP and log each one as soon as it is accepted.

    Commits once per e-mail sent (see the module docstring for why). With `dry_run` nothing
    is sent or logged; the summary counts what would be sent."""
    config = current_app.config
    today = today or local_today()
    days_before = config["REMINDER_DAYS_BEFORE"] if days_before is None else days_before
    escalate_after = (
        config["REMINDER_ESCALATE_AFTER_DAYS"] if escalate_after is None else escalate_after
    )
    summary = ReminderSummary(day=today, dry_run=dry_run)
    messages, summary.unrouted = plan_reminders(
        today, days_before=days_before, escalate_after=escalate_after
    )
    logged = set(
        db.session.execute(
            select(ReminderLog.user_id, ReminderLog.kind).where(ReminderLog.sent_on == today)
        ).all()
    )
    db.session.commit()  # end the read transaction: no lock is held while talking SMTP

    pending = []
    for message in messages:
        if (message.user_id, message.kind.value) in logged:
            summary.already_sent += 1
        else:
            pending.append(message)
    if dry_run:
        for message in pending:
            summary.sent[message.kind.value] += 1
        return summary

    smtp = SmtpSession(config)
    try:
        for index, message in enumerate(pending):
            try:
                smtp.send(message.email)
            except _MESSAGE_ERRORS as error:
                summary.failed.append((message.to, _smtp_error(error)))
                continue
            except OSError as error:  # connection refused or lost (SMTPException included)
                summary.failed.append((message.to, _smtp_error(error)))
                summary.not_attempted = len(pending) - index - 1
                break
            if _log_sent(message, today):
                summary.sent[message.kind.value] += 1
            else:
                summary.already_sent += 1
    finally:
        smtp.close()
    return summary


def _smtp_error(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [
            f"{code} {msg.decode(errors='replace')}" for code, msg in error.recipients.values()
        ]
        return "; ".join(codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
    return f"{type(error).__name__}: {error}"
