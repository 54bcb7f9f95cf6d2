"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the email tests, and Django pointed at it.

tests/conftest.py loads these fixtures for every test. The
server can be told to refuse the next messages with a temporary (4xx) or permanent (5xx) answer,
as a mail provider under load or a dead mailbox would.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """Records every DATA it is sent (`attempts`) and every message it accepted (`messages`)."""

    def __init__(self):
        self.attempts: list[bytes] = []
        self.accepted: list[bytes] = []
        self.script: list[str] = []  # answers to the next DATA commands, e.g. "451 4.3.0 Try later"
        self.gate: threading.Event | None = None  # when set by a test, DATA waits until it opens
        self.arrived = threading.Event()  # a DATA command has reached the server
        self._lock = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        self.arrived.set()
        if self.gate is not None:
            self.gate.wait(10)  # holds this conversation (and the server's loop) mid-send
        with self._lock:
            self.attempts.append(envelope.content)
            reply = self.script.pop(0) if self.script else "250 Message accepted for delivery"
            if reply.startswith("250"):
                self.accepted.append(envelope.content)
            self._lock.notify_all()
        return reply

    def refuse_next(self, *replies: str) -> None:
        with self._lock:
            self.script.extend(replies)

    def wait_for_attempts(self, count: int, timeout: float = 15.0) -> list[bytes]:
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.attempts) >= count, timeout):
                raise AssertionError(f"the SMTP server got {len(self.attempts)} messages, expected {count}")
            return list(self.attempts)

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        """The accepted messages, parsed."""
        with self._lock:
            return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.accepted]


@pytest.fixture
def smtp_server(settings):
    """A live SMTP server on 127.0.0.1 and Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    handler = SMTPServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 0.05
    settings.EMAIL_RETRY_BACKOFF_MAX_SECONDS = 0.2
    settings.DEFAULT_FROM_EMAIL = "Example Clinic <bookings@clinic.example.test>"
    yield handler
    controller.stop()
