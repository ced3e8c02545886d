"""E-mail: building a message from the `email/` templates, one SMTP session per run, and the
absolute links put in e-mails, slips and certificates. Reminders, account invitations and
resets, and certificates all go through here."""

from __future__ import annotations

import smtplib
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import gettext as _


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on PUBLIC_BASE_URL, built with url_for (works outside a request)."""
    from flask import url_for

    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with current_app.test_request_context("/", base_url=base):
        return url_for(endpoint, _external=True, **values)


def build_email(
    to_name: str, to_addr: str, subject: str, template: str, **context
) -> MIMEMultipart:
    """A multipart/alternative e-mail (plain text first, simple HTML second).

    Built with the classic email API (Header, formataddr): the modern EmailMessage folds some
    long Vietnamese subjects into encoded words without the space between two words
    ("bồi dưỡng" arrives as "bồidưỡng" on Python 3.11), the legacy encoder does not."""
    sender = current_app.config["MAIL_SENDER"]
    message = MIMEMultipart("alternative")
    message["Subject"] = Header(subject, "utf-8")
    message["From"] = formataddr((_("TĐKT Learn"), sender), charset="utf-8")
    message["To"] = formataddr((to_name, to_addr), charset="utf-8")
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.attach(MIMEText(render_template(f"email/{template}.txt", **context), "plain", "utf-8"))
    message.attach(MIMEText(render_template(f"email/{template}.html", **context), "html", "utf-8"))
    return message


class SmtpSession:
    """One SMTP connection for the run, opened on first use (STARTTLS and login if configured).

    A server that closes the connection (idle timeout, or a per-connection message limit
    answered with 421) gets one fresh connection and the message once more."""

    def __init__(self, config) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self.connection is None:
            cfg = self.config
            connection = smtplib.SMTP(
                cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg.get("MAIL_TIMEOUT", 30)
            )
            if cfg.get("MAIL_USE_TLS"):
                connection.starttls()
            if cfg.get("MAIL_USERNAME"):
                connection.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            self.connection = connection
        return self.connection

    def send(self, message: MIMEMultipart) -> None:
        try:
            self._connect().send_message(message)
            return
        except smtplib.SMTPServerDisconnected:
            pass
        except smtplib.SMTPResponseException as error:
            if error.smtp_code != 421:  # 421: service closing the channel
                raise
        self.close()
        self._connect().send_message(message)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None
