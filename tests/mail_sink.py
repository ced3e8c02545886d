"""A real SMTP server in the test process (aiosmtpd) that keeps every message it accepts:
used by the account tests (app) and the browser journey (the gunicorn server sends to it)."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import time

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailSink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def start(self) -> MailSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list:
        return [m for rcpts, m in self.messages if address in rcpts]

    def text_to(self, address: str) -> list[str]:
        return [m.get_body(("plain",)).get_content() for m in self.to(address)]

    def link_to(self, address: str, path: str, wait: float = 0.0) -> str:
        """The last `…/path/<token>` URL e-mailed to `address` (waits up to `wait` s)."""
        deadline = time.monotonic() + wait
        while True:
            links = [
                found
                for text in self.text_to(address)
                for found in re.findall(rf"https?://\S+{re.escape(path)}/[\w-]+", text)
            ]
            if links or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        assert links, f"no {path} link mailed to {address}: {self.messages}"
        return links[-1]
