"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests that send mail: the invitations,
the task mails, the outbox and the administration's invitation e-mail."""

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from app.feeds.config import get_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Keeps every message it is sent; `wait_for` waits for one to an address (a server in
    another process sends it)."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        with self.arrived:
            self.arrived.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages
                if any(a.addr_spec == address for a in m["To"].addresses)]

    def wait_for(self, address: str, timeout: float = 30) -> list[EmailMessage]:
        with self.arrived:
            self.arrived.wait_for(lambda: self.to(address), timeout)
        assert self.to(address), f"no e-mail to {address} reached the SMTP server"
        return self.to(address)


@contextmanager
def smtp_server(monkeypatch, sender: str, handler=None, **env: str) -> Iterator:
    """Start the server, point SUS_SMTP_* (and `env`) at it for this test, and stop it after.
    Yields the handler (a new Sink unless one is given)."""
    handler = handler or Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in {"SUS_SMTP_HOST": "127.0.0.1", "SUS_SMTP_PORT": str(port),
                       "SUS_SMTP_FROM": sender, **env}.items():
        monkeypatch.setenv(key, value)
    get_env.cache_clear()
    try:
        yield handler
    finally:
        get_env.cache_clear()
        controller.stop()
