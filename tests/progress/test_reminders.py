"""`flask reminders send`: who gets which e-mail, through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.core import mail
from app.courses.models import Course
from app.extensions import db
from app.org.models import Role
from app.reminders.models import ReminderLog
from app.reminders.services import send_reminders
from tests.conftest import require as require_record

TODAY = date(2026, 6, 15)
TITLE = "Nghiệp vụ thi đua, khen thưởng cơ bản"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Collects every message; refuses the recipients listed in `reject` at RCPT time."""

    def __init__(self):
        self.messages = []
        self.reject: set[str] = set()
        self.per_connection: int | None = None  # like a server's per-connection limit
        self.connections = 0

    async def handle_HELO(self, server, session, envelope, hostname):
        session.sent = 0
        self.connections += 1
        session.host_name = hostname
        return "250 OK"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.sent = 0
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.per_connection is not None and session.sent >= self.per_connection:
            return "421 4.7.0 Too many messages, closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        session.sent += 1
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for rcpts, m in self.messages if address in rcpts]

    @property
    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.messages for r in rcpts)


@pytest.fixture
def smtp(app, monkeypatch):
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_SENDER", "tdkt-learn@congdoan.test")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://tdkt.congdoan.test")
    monkeypatch.setitem(app.config, "REMINDER_DAYS_BEFORE", 14)
    monkeypatch.setitem(app.config, "REMINDER_ESCALATE_AFTER_DAYS", 30)
    yield sink
    controller.stop()


@pytest.fixture
def training(app):
    course = Course(slug="nghiep-vu-co-ban", title=TITLE)
    other = Course(slug="luat-thi-dua", title="Luật Thi đua, khen thưởng 2022")
    db.session.add_all([course, other])
    db.session.commit()

    def require(user, due_on, *, course=course, completed_on=None, required=True, year=None):
        record = require_record(
            user,
            course,
            year or due_on.year,
            due_on,
            completed_on=completed_on,
            required=required,
        )
        db.session.commit()
        return record

    require.course = course
    require.other = other
    return require


@pytest.fixture
def people(tree, make_user, training):
    """Officers in every situation, and two sibling managers (A and B)."""
    d = TODAY
    p = {
        "manager_a": make_user(tree["A"], Role.UNIT_MANAGER, "Quản Lý A", "qa@test.vn"),
        "manager_b": make_user(tree["B"], Role.UNIT_MANAGER, "Quản Lý B", "qb@test.vn"),
        "admin": make_user(tree["province"], Role.PROVINCE_ADMIN, "Quản Trị", "admin@test.vn"),
        "soon": make_user(tree["A1"], name="Trần Văn Sớm", email="soon@test.vn"),
        "late": make_user(tree["A1"], name="Nguyễn Thị Thu Hà", email="late@test.vn"),
        "very_late": make_user(tree["A2"], name="Lê Văn Trễ", email="trehan@test.vn"),
        "no_email": make_user(tree["A1"], name="Phạm Không Thư"),
        "inactive": make_user(tree["A1"], name="Đỗ Nghỉ Việc", email="nghi@test.vn"),
        "far": make_user(tree["A1"], name="Vũ Còn Xa", email="far@test.vn"),
        "done": make_user(tree["A1"], name="Hoàng Đã Học", email="done@test.vn"),
        "optional": make_user(tree["A1"], name="Bùi Tự Nguyện", email="opt@test.vn"),
        "b_soon": make_user(tree["B1"], name="Ngô Bê Một", email="b1@test.vn"),
    }
    p["no_email"].email = None
    p["inactive"].active = False
    db.session.commit()
    training(p["soon"], d + timedelta(days=10))
    training(p["late"], d - timedelta(days=5))
    training(p["late"], d + timedelta(days=14), course=training.other)  # also due soon
    training(p["very_late"], d - timedelta(days=40))
    training(p["no_email"], d - timedelta(days=31))
    training(p["inactive"], d - timedelta(days=60))
    training(p["far"], d + timedelta(days=15))
    training(p["done"], d - timedelta(days=3), completed_on=d - timedelta(days=4))
    training(p["optional"], d - timedelta(days=50), required=False)
    training(p["b_soon"], d)  # due today: still "due soon", not late
    training(p["far"], date(2025, 12, 31), year=2025)  # last year's gap: no longer actionable
    return p


def without_email(user):
    user.email = None  # the factory always gives one
    db.session.commit()
    return user


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_reminders_go_to_the_right_people_with_dates_and_links(smtp, people):
    summary = send_reminders(TODAY)

    assert summary.ok, summary.describe()
    assert summary.sent == {"due_soon": 3, "late": 2, "escalation": 1}
    assert smtp.recipients == sorted(
        ["soon@test.vn", "late@test.vn", "late@test.vn", "trehan@test.vn", "b1@test.vn"]
        + ["qa@test.vn"]
    )
    for nobody in ["nghi@test.vn", "far@test.vn", "done@test.vn", "opt@test.vn", "qb@test.vn"]:
        assert smtp.to(nobody) == []
    assert smtp.to("admin@test.vn") == []

    (soon,) = smtp.to("soon@test.vn")
    assert soon["Subject"] == "[TĐKT Learn] Sắp đến hạn bồi dưỡng: 1 khóa học"
    assert soon["From"].addresses[0].addr_spec == "tdkt-learn@congdoan.test"
    text = body(soon)
    assert "Kính gửi đồng chí Trần Văn Sớm," in text
    assert TITLE in text and "25/06/2026" in text and "còn 10 ngày" in text
    assert "https://tdkt.congdoan.test/bang-dieu-khien" in text
    assert TITLE in soon.get_body(("html",)).get_content()

    late_mails = {m["Subject"]: body(m) for m in smtp.to("late@test.vn")}
    late = late_mails["[TĐKT Learn] Quá hạn bồi dưỡng: 1 khóa học"]
    assert "Nguyễn Thị Thu Hà" in late and TITLE in late
    assert "10/06/2026" in late and "quá hạn 5 ngày" in late
    assert "Luật Thi đua" not in late  # the course due soon is in the other e-mail
    assert "29/06/2026" in late_mails["[TĐKT Learn] Sắp đến hạn bồi dưỡng: 1 khóa học"]
    assert "hạn chót hôm nay" in body(smtp.to("b1@test.vn")[0])

    (escalation,) = smtp.to("qa@test.vn")
    assert escalation["Subject"] == "[TĐKT Learn] 2 cán bộ quá hạn bồi dưỡng hơn 30 ngày"
    text = body(escalation)
    assert "Lê Văn Trễ (CĐCS A2)" in text and "06/05/2026" in text and "quá hạn 40 ngày" in text
    assert "Phạm Không Thư (CĐCS A1)" in text and "chưa có e-mail" in text
    assert "Nguyễn Thị Thu Hà" not in text  # late 5 days: not escalated yet
    assert "Đỗ Nghỉ Việc" not in text  # inactive
    assert f"/bao-cao/bao-phu/{people['manager_a'].unit_id}/can-bo?nam=2026" in text

    rows = db.session.scalars(select(ReminderLog).order_by(ReminderLog.id)).all()
    assert len(rows) == 6 and {r.sent_on for r in rows} == {TODAY}


def test_second_run_the_same_day_sends_nothing_next_day_sends_again(smtp, people, runner):
    first = runner.invoke(args=["reminders", "send", "--date", "2026-06-15"])
    assert first.exit_code == 0, first.output
    assert "Nhắc việc ngày 15/06/2026: Đã gửi 6 e-mail" in first.output
    assert len(smtp.messages) == 6

    second = runner.invoke(args=["reminders", "send", "--date", "2026-06-15"])
    assert second.exit_code == 0, second.output
    assert "Đã gửi 0 e-mail" in second.output
    assert "Đã gửi trước đó trong ngày (bỏ qua): 6." in second.output
    assert len(smtp.messages) == 6

    runner.invoke(args=["reminders", "send", "--date", "2026-06-16"])
    assert len(smtp.messages) == 13  # the same six again, and "far" is now due within 14 days
    assert len(smtp.to("far@test.vn")) == 1


def test_escalation_goes_to_the_nearest_manager_only(smtp, tree, make_user, training):
    upper = make_user(tree["A"], Role.UNIT_MANAGER, "Quản Lý Ngành A", "qa@test.vn")
    grassroots = make_user(tree["A1"], Role.UNIT_MANAGER, "Chủ Tịch A1", "cta1@test.vn")
    sibling = make_user(tree["A2"], Role.UNIT_MANAGER, "Chủ Tịch A2", "cta2@test.vn")
    make_user(tree["B"], Role.UNIT_MANAGER, "Quản Lý Ngành B", "qb@test.vn")
    training(without_email(make_user(tree["A1"], name="Cán Bộ A Một")), TODAY - timedelta(days=45))
    training(grassroots, TODAY - timedelta(days=45))  # a late manager: told to the level above
    training(without_email(make_user(tree["B1"], name="Cán Bộ B Một")), TODAY - timedelta(days=45))

    summary = send_reminders(TODAY, escalate_after=30)

    assert [body(m) for m in smtp.to("cta2@test.vn")] == []  # sibling grassroots manager
    (to_a1,) = [m for m in smtp.to("cta1@test.vn") if "cán bộ quá hạn" in m["Subject"]]
    assert "Cán Bộ A Một" in body(to_a1) and "Chủ Tịch A1 (CĐCS A1)" not in body(to_a1)
    (to_a,) = [m for m in smtp.to("qa@test.vn") if "cán bộ quá hạn" in m["Subject"]]
    assert "Chủ Tịch A1 (CĐCS A1)" in body(to_a) and "Cán Bộ A Một" not in body(to_a)
    (to_b,) = smtp.to("qb@test.vn")
    assert "Cán Bộ B Một" in body(to_b) and "A Một" not in body(to_b)
    assert summary.sent["escalation"] == 3 and summary.unrouted == 0
    assert upper.id and sibling.id


def test_escalate_after_option_and_unrouted_count(smtp, tree, make_user, training, runner):
    training(make_user(tree["A1"], name="Không Ai Quản", email="x@test.vn"), TODAY)
    training(without_email(make_user(tree["A2"], name="Trễ Một Ngày")), TODAY - timedelta(days=2))
    result = runner.invoke(
        args=["reminders", "send", "--date", "2026-06-15", "--escalate-after", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "Cán bộ quá hạn không có cán bộ quản lý nhận báo cáo: 1." in result.output
    assert smtp.recipients == ["x@test.vn"]


def test_refused_recipient_is_not_logged_and_a_rerun_sends_only_it(smtp, people, runner):
    smtp.reject = {"trehan@test.vn"}
    first = runner.invoke(args=["reminders", "send", "--date", "2026-06-15"])
    assert first.exit_code == 1
    assert "LỖI gửi tới" in first.output and "trehan@test.vn" in first.output
    assert "550" in first.output
    assert len(smtp.messages) == 5  # the others went out and are logged
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 5

    smtp.reject = set()
    smtp.messages.clear()
    second = runner.invoke(args=["reminders", "send", "--date", "2026-06-15"])
    assert second.exit_code == 0, second.output
    assert smtp.recipients == ["trehan@test.vn"]  # no double send to those already reached


def test_smtp_down_sends_and_logs_nothing(app, people, monkeypatch, runner):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    result = runner.invoke(args=["reminders", "send", "--date", "2026-06-15"])
    assert result.exit_code == 1
    assert "Mất kết nối máy chủ thư: 5 e-mail chưa gửi" in result.output
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 0


def test_dry_run_counts_without_sending(smtp, people, runner):
    result = runner.invoke(args=["reminders", "send", "--date", "2026-06-15", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Sẽ gửi 6 e-mail" in result.output
    assert smtp.messages == []
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 0


def test_a_server_closing_the_connection_gets_a_new_one(smtp, people):
    smtp.per_connection = 2
    summary = send_reminders(TODAY)
    assert summary.ok, summary.describe()
    assert summary.total_sent == 6 and len(smtp.messages) == 6
    assert smtp.connections == 3


def test_a_crash_mid_run_resends_nothing_already_sent(smtp, people, monkeypatch):

    real_send = mail.SmtpSession.send
    calls = {"n": 0}

    def crashing_send(self, message):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("process killed")  # anything that is not an SMTP error
        real_send(self, message)

    monkeypatch.setattr(mail.SmtpSession, "send", crashing_send)
    with pytest.raises(RuntimeError):
        send_reminders(TODAY)
    assert len(smtp.messages) == 3
    assert db.session.scalar(select(func.count()).select_from(ReminderLog)) == 3

    monkeypatch.setattr(mail.SmtpSession, "send", real_send)
    summary = send_reminders(TODAY)
    assert summary.total_sent == 3 and summary.already_sent == 3
    sent = [(tuple(rcpts), m["Subject"]) for rcpts, m in smtp.messages]
    assert len(sent) == 6 and len(set(sent)) == 6  # every e-mail exactly once
