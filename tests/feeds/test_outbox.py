"""The invitation outbox survives a dying sender: rows written with the change, a real
`sus outbox send` killed between two deliveries, and retries after a failure."""

import asyncio
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from app import migrate
from app.db import make_engine, utcnow
from app.feeds import outbox
from app.feeds.config import get_env
from app.feeds.models import OutboxMessage
from app.meetings import service as meetings
from app.meetings.models import MeetingType
from tests.conftest import drop_database, make_person, make_year, provision_database
from tests.feeds.conftest import local
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
LEASE = 6
"""The senders' lease, in seconds: short, so that the restart need not wait 5 minutes."""


class HoldingSink:
    """Accepts messages, except that it can keep one waiting for its reply (250) until
    released, and then refuses it: the sender never learns it was delivered."""

    def __init__(self, hold: int | None = None):
        self.messages: list[email.message.EmailMessage] = []
        self.hold = hold
        self.holding = threading.Event()
        self.release = threading.Event()
        self._seen = 0

    async def handle_DATA(self, server, session, envelope):
        self._seen += 1
        if self._seen == self.hold:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_env(monkeypatch):
    port = free_port()
    env = {"SUS_INVITATIONS": "true", "SUS_SMTP_HOST": "127.0.0.1", "SUS_SMTP_PORT": str(port),
           "SUS_SMTP_FROM": "SUS Æblerød <sus@aeblerod.dk>"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_env.cache_clear()
    yield port, env
    get_env.cache_clear()


def _serve(sink, port):
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def _book(session: Session, names=("Lene Skov", "Lars Krog")):
    """A dialogue with two chiefs (invited by default): two invitations in its commit."""
    from app.schools import service as schools
    from app.schools.models import PersonFunction
    from app.schools.service import SchoolForm

    m = schools.create_municipality(session, name="Æblerød Kommune", kommunekode="990")
    school = schools.create_school(session, m.id, SchoolForm(name="Bakkeskolen",
                                                             institution_number="899001"))
    year = make_year(session, m, 2026)
    people = [make_person(session, m, name, function=PersonFunction.CHIEF,
                          email=f"{name.split()[0].lower()}@aeblerod.dk")
              for name in names]
    meetings.create_meeting(
        session, school_year=year, school=school, title="Skoleudviklingssamtale",
        meeting_type=MeetingType.DIALOGUE, starts_at=local(2027, 5, 4, 9),
        ends_at=local(2027, 5, 4, 11), location="Bakkevej 2",
        participants=[(p.id, "chief", True) for p in people])
    return [f"{p.name} <{p.email}>" for p in people]


@pytest.fixture
def own_database():
    url = provision_database("outbox")
    migrate.upgrade(url)
    engine = make_engine(url)
    yield url, engine
    engine.dispose()
    drop_database(url)


def _rows(engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _sender(url: str, env: dict, **kw) -> subprocess.Popen:
    sus = str(Path(sys.executable).with_name("sus"))
    full = {**os.environ, **env, "SUS_DATABASE_URL": url, "SUS_OUTBOX_LEASE_SECONDS": str(LEASE),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sus, "outbox", "send"], env=full, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, **kw)


def test_a_sender_killed_between_two_messages_sends_each_once_after_restart(own_database,
                                                                              smtp_env):
    url, engine = own_database
    port, env = smtp_env
    sink = HoldingSink(hold=2)
    controller = _serve(sink, port)
    try:
        with Session(engine) as s:
            people = _book(s)
        # Written with the booking, sent by nobody yet (no sender runs in this process).
        rows = _rows(engine)
        assert sorted(r.recipient for r in rows) == ["lars@aeblerod.dk", "lene@aeblerod.dk"]
        assert all(r.sent_at is None and r.attempts == 0 for r in rows)
        assert sink.messages == []

        proc = _sender(url, env)
        assert sink.holding.wait(30), proc.communicate(timeout=5)[0]
        # The first was delivered and marked sent before the second went out.
        first, second = _rows(engine)
        assert len(sink.messages) == 1 and first.sent_at is not None
        assert second.sent_at is None and second.attempts == 1
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        sink.release.set()

        # Until the dead sender's lease ends, no other sender takes its message.
        claimed_until = _rows(engine)[1].next_attempt_at
        assert claimed_until > utcnow()
        with Session(engine) as s:
            assert outbox.deliver(s).sent == 0
        assert len(sink.messages) == 1
        time.sleep(max(0.0, (claimed_until - utcnow()).total_seconds()) + 0.1)
        again = _sender(url, env)
        out = again.communicate(timeout=30)[0].decode()
        assert again.returncode == 0, out
        assert "sent: 1" in out

        delivered = sorted(str(m["To"]) for m in sink.messages)
        assert delivered == sorted(people)
        assert len({m["Message-ID"] for m in sink.messages}) == 2
        assert all(r.sent_at is not None and r.next_attempt_at is None for r in _rows(engine))
    finally:
        sink.release.set()
        controller.stop()


def test_two_senders_never_claim_the_same_message(own_database, smtp_env):
    url, engine = own_database
    with Session(engine) as s:
        _book(s)
    now = utcnow()
    with Session(engine) as a, Session(engine) as b:
        first = outbox._claim(a, now)
        second = outbox._claim(b, now)
        assert first and second and first[0] != second[0]
        assert outbox._claim(a, now) is None and outbox._claim(b, now) is None


def test_a_failed_send_is_retried_later_with_the_error_kept(own_database, smtp_env):
    url, engine = own_database
    port, _env = smtp_env  # nothing listens there yet
    with Session(engine) as s:
        _book(s, ("Lene Skov",))
        result = outbox.deliver(s)
    assert (result.sent, result.failed) == (0, 1)
    (row,) = _rows(engine)
    assert row.attempts == 1 and row.sent_at is None
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at - utcnow() > timedelta(seconds=50)

    sink = HoldingSink()
    controller = _serve(sink, port)
    try:
        with Session(engine) as s:
            assert outbox.deliver(s).sent == 0  # not due yet: backing off
            r = s.get(OutboxMessage, row.id)
            r.next_attempt_at = utcnow()  # the minute has passed
            s.add(r)
            s.commit()
            assert outbox.deliver(s).sent == 1
        (row,) = _rows(engine)
        assert row.attempts == 2 and row.sent_at is not None and row.last_error is None
        assert [str(m["To"]) for m in sink.messages] == ["Lene Skov <lene@aeblerod.dk>"]
    finally:
        controller.stop()


def test_a_message_is_given_up_after_the_last_attempt(own_database, smtp_env, monkeypatch):
    url, engine = own_database
    monkeypatch.setenv("SUS_OUTBOX_MAX_ATTEMPTS", "1")
    get_env.cache_clear()
    with Session(engine) as s:
        _book(s, ("Lene Skov",))
        assert outbox.deliver(s).failed == 1
    (row,) = _rows(engine)
    assert row.sent_at is None and row.next_attempt_at is None and row.last_error


def test_the_app_process_sends_what_a_commit_stored(own_database, smtp_env):
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    url, engine = own_database
    port, _env = smtp_env
    sink = HoldingSink()
    controller = _serve(sink, port)
    try:
        with TestClient(create_app(Settings(database_url=url))):  # runs the lifespan
            with Session(engine) as s:
                expected = _book(s, ("Lene Skov",))
            deadline = time.monotonic() + 10
            while not sink.messages and time.monotonic() < deadline:
                time.sleep(0.05)
        assert [str(m["To"]) for m in sink.messages] == expected
        assert _rows(engine)[0].sent_at is not None
    finally:
        controller.stop()
