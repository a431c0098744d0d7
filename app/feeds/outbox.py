"""The outbox: invitations wait in a table until a sender has handed them to the SMTP server.

The session hook (app.feeds.hooks) writes each message as a row in the transaction that
changed the meeting, so a commit means the mail will go, and a rollback that it never will.
deliver() sends what is due: it claims one row at a time (one statement: PostgreSQL picks the
row with FOR UPDATE SKIP LOCKED, SQLite serialises writers, so the UPDATE's condition decides),
which moves the row's next_attempt_at on by a lease; sends it; and marks it sent, so several
app processes can share the table and none sends a message another has taken. A failure
counts as an attempt and waits 1, 2, 4 … 60 minutes; a sender that dies between claim and
mark hands the row back when its lease ends (a mail server that got the message before the
process died may then get it twice: same Message-ID, which mail clients use to merge them).

Each app process runs one Worker thread (started in the app's lifespan when mail is set up);
`sus outbox send` runs deliver() once. The worker also runs the `scans` that higher domains
register (app.wiring: the e-mails on what waits for people) every SUS_OUTBOX_SCAN_SECONDS;
each scan writes its messages into this table and guards itself against another process
scanning at the same moment.
"""

import contextlib
import email
import email.policy
import logging
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.db import utcnow
from app.feeds.config import get_env
from app.feeds.models import OutboxMessage
from app.registry import Registry

log = logging.getLogger("sus.invitations")

_wakeup = threading.Event()


@dataclass(frozen=True)
class Scan:
    """A periodic look for mail to write into the outbox."""

    name: str
    run: Callable[[Session], object]


scans: Registry[Scan] = Registry("feeds.outbox.scans", key=lambda s: s.name)


def run_scans(session: Session) -> None:
    for scan in scans:
        try:
            scan.run(session)
        except Exception:  # one scan failing must not stop the others nor the sending
            session.rollback()
            log.exception("the outbox scan %s failed; trying again later", scan.name)


def row(msg: EmailMessage) -> OutboxMessage:
    return OutboxMessage(recipient=str(msg["To"].addresses[0].addr_spec)[:254],
                         content=msg.as_bytes())


def wake() -> None:
    """Tell this process's worker that a commit added messages."""
    _wakeup.set()


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


@dataclass
class Result:
    sent: int = 0
    failed: int = 0


def _claim(session: Session, now: datetime) -> tuple[int, bytes, int] | None:
    due = (sa.select(col(OutboxMessage.id))
           .where(col(OutboxMessage.next_attempt_at) <= now)
           .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
           .limit(1))
    pick = due.with_for_update(skip_locked=True) \
        if session.get_bind().dialect.name == "postgresql" else due
    lease = timedelta(seconds=get_env().outbox_lease_seconds)
    while True:
        # Look first, in a read that then ends: an idle sender never takes SQLite's write
        # lock, and SQLite cannot turn a read into a write once another connection wrote.
        found = session.execute(due).first() is not None
        session.rollback()
        if not found:
            return None
        claimed = session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == pick.scalar_subquery(),
                   col(OutboxMessage.next_attempt_at) <= now)
            .values(next_attempt_at=now + lease, attempts=col(OutboxMessage.attempts) + 1)
            .returning(col(OutboxMessage.id), col(OutboxMessage.content),
                       col(OutboxMessage.attempts))
        ).first()
        session.commit()
        if claimed:
            return tuple(claimed)
        # Another sender claimed it between the look and the claim: look again.


def _mark(session: Session, message_id: int, **values) -> None:
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                    .values(**values))
    session.commit()


def _connect() -> smtplib.SMTP:
    env = get_env()
    smtp_class = smtplib.SMTP_SSL if env.smtp_ssl else smtplib.SMTP
    smtp = smtp_class(env.smtp_host, env.smtp_port, timeout=env.smtp_timeout)
    if env.smtp_starttls and not env.smtp_ssl:
        smtp.starttls()
    if env.smtp_user:
        smtp.login(env.smtp_user, env.smtp_password or "")
    return smtp


def deliver(session: Session) -> Result:
    """Send every message that is due now, one SMTP connection for the lot."""
    result = Result()
    smtp: smtplib.SMTP | None = None
    try:
        while (claimed := _claim(session, utcnow())) is not None:
            message_id, content, attempts = claimed
            try:
                if smtp is None:
                    smtp = _connect()
                smtp.send_message(email.message_from_bytes(content, policy=email.policy.default))
            except (OSError, smtplib.SMTPException) as exc:
                result.failed += 1
                gave_up = attempts >= get_env().outbox_max_attempts
                _mark(session, message_id, last_error=f"{type(exc).__name__}: {exc}"[:500],
                      next_attempt_at=None if gave_up else utcnow() + backoff(attempts))
                log.warning("invitation %s not sent (attempt %s%s): %s", message_id, attempts,
                            ", giving up" if gave_up else "", exc)
                if not isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                                        smtplib.SMTPSenderRefused)):
                    break  # the server is unreachable or unwell: try the rest later
                continue
            _mark(session, message_id, sent_at=utcnow(), next_attempt_at=None, last_error=None)
            result.sent += 1
    finally:
        if smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.quit()
    return result


class Worker:
    """The app process's sender thread: delivers what is due, then waits for a commit's
    wake-up or the poll interval."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sus-outbox", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        _wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        last_scan = 0.0
        while not self._stop.is_set():
            _wakeup.clear()
            try:
                with Session(self.engine) as session:
                    if time.monotonic() - last_scan >= get_env().outbox_scan_seconds:
                        last_scan = time.monotonic()
                        run_scans(session)
                    deliver(session)
            except Exception:  # a database hiccup must not end the thread
                log.exception("the invitation sender failed; trying again")
            _wakeup.wait(get_env().outbox_poll_seconds)
