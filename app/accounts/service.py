"""Passwords, logins, sessions and users. No HTTP here."""

import math
import secrets
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from app.accounts.access import hash_token
from app.accounts.models import LoginThrottle, Role, RoleAssignment, User, UserSession
from app.config import Settings
from app.db import utcnow
from app.schools.models import Person

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class TooManyAttempts(Exception):
    """Too many failed logins: no attempt is checked for `seconds` more."""

    def __init__(self, seconds: int, *, by_address: bool):
        super().__init__(seconds)
        self.seconds = seconds
        self.minutes = max(1, math.ceil(seconds / 60))
        self.by_address = by_address
        """The client address's count, not the e-mail address's, asks for the wait."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


ACCOUNT, ADDRESS, DEVICE = "account:", "address:", "device:"
"""Prefixes of LoginThrottle keys. A browser that has logged in to the account before (its
device cookie, see `device_cookie`) is counted on its own key instead of the account's, so
failures from elsewhere never make its user wait (OWASP's device cookies)."""

DEVICE_COOKIE = "sus_device"


def _device_serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="login-device")


def device_cookie(settings: Settings, email: str, device: str | None = None) -> tuple[str, str]:
    """(cookie value, device id) for a browser that just logged in as `email`."""
    device = device or secrets.token_urlsafe(16)
    return _device_serializer(settings).dumps([normalise_email(email), device]), device


def device_of(settings: Settings, cookie: str | None, email: str) -> str | None:
    """The device id if `cookie` is a genuine device cookie for `email`, else None."""
    if not cookie:
        return None
    try:
        cookie_email, device = _device_serializer(settings).loads(cookie)
    except (BadSignature, ValueError, TypeError):
        return None
    return device if cookie_email == normalise_email(email) and isinstance(device, str) else None


def login_delay(failures: int, threshold: int, settings: Settings) -> timedelta:
    """The wait after the `failures`-th failure: none below the threshold, then one minute,
    doubling with each further failure up to login_max_delay_minutes."""
    if failures < threshold:
        return timedelta(0)
    return timedelta(minutes=min(2 ** min(failures - threshold, 30),
                                 settings.login_max_delay_minutes))


def _insert_missing(session: Session, table: sa.Table, rows: list[dict]) -> None:
    """INSERT the rows whose key is not there yet (the same statement on both databases)."""
    if session.get_bind().dialect.name == "postgresql":
        stmt: sa.Executable = postgresql.insert(table).values(rows).on_conflict_do_nothing(
            index_elements=["key"])
    else:
        stmt = sqlite.insert(table).values(rows).on_conflict_do_nothing(index_elements=["key"])
    session.execute(stmt)


_THROTTLE: sa.Table = LoginThrottle.__table__  # type: ignore[attr-defined]


def _count_attempt(session: Session, settings: Settings, email: str, ip: str,
                   device: str | None = None) -> None:
    """Count this attempt as a failure of its e-mail and client address before the password
    is checked (a right password takes it back): parallel attempts cannot slip past the
    count. Raises TooManyAttempts, counting nothing, while either of them must wait."""
    account = DEVICE + device if device else ACCOUNT + email
    count_request(session, settings, {account: settings.login_max_failures,
                                      ADDRESS + ip: settings.login_max_failures_per_address})


def count_request(session: Session, settings: Settings, thresholds: dict[str, int]) -> None:
    """Count one attempt against each key (a LoginThrottle row); past a key's threshold each
    further attempt must wait, one minute and doubling. Raises TooManyAttempts, counting
    nothing, while any key must wait. The login counts its failures with it; the password
    reset ("Glemt adgangskode") counts its requests with keys of its own."""
    table = _THROTTLE
    now = utcnow()
    keys = sorted(thresholds)  # one lock order for every process: no deadlocks
    # Writing first, in a transaction of its own: on SQLite this takes the write lock (a
    # transaction that read first could not get it while another writes); on PostgreSQL the
    # SELECT … FOR UPDATE below holds both rows until the commit.
    session.commit()
    _insert_missing(session, table,
                    [{"key": k, "failures": 0, "retry_at": now, "forget_at": now} for k in keys])
    rows = session.execute(
        sa.select(table).where(table.c.key.in_(keys)).order_by(table.c.key).with_for_update()
    ).all()
    now = utcnow()  # again: waiting for the lock took time
    waits, counted = [], []
    for row in rows:
        failures = 0 if row.forget_at <= now else row.failures
        if failures >= thresholds[row.key] and row.retry_at > now:
            waits.append((row.retry_at - now, row.key.startswith(ADDRESS)))
        retry_at = now + login_delay(failures + 1, thresholds[row.key], settings)
        counted.append({"k": row.key, "failures": failures + 1, "retry_at": retry_at,
                        "forget_at": retry_at + timedelta(minutes=settings.login_window_minutes)})
    if waits:
        session.commit()
        wait, by_address = max(waits)
        raise TooManyAttempts(math.ceil(wait.total_seconds()), by_address=by_address)
    session.execute(
        sa.update(table).where(table.c.key == sa.bindparam("k"))
        .values(failures=sa.bindparam("failures"), retry_at=sa.bindparam("retry_at"),
                forget_at=sa.bindparam("forget_at")),
        counted,
    )
    session.commit()


def authenticate(
    session: Session, settings: Settings, email: str, password: str, ip: str,
    device: str | None = None,
) -> User | None:
    """The user if the password is right; None if not; TooManyAttempts when rate limited.

    Failures are counted in the database (every server process sees them) per e-mail address
    and per client address. Past a threshold each further attempt must wait, one minute and
    doubling; attempts during the wait are refused unchecked and change nothing, so hammering
    cannot keep the account shut: the right password gets in once the wait is over. With
    `device` (a browser that logged in to this account before) the account's own count is
    replaced by the device's, so someone guessing elsewhere cannot make its user wait."""
    email = normalise_email(email)[:254]
    ip = ip[:64]
    _count_attempt(session, settings, email, ip, device)
    user = get_user_by_email(session, email)
    password_hash = user.password_hash if user else None
    # The hash costs a tenth of a second of CPU or more: end the transaction first, so that
    # no lock is held meanwhile (a login's transactions hold SQLite's write lock).
    session.commit()
    ok = verify_password(password_hash, password)
    ok = ok and user is not None and user.is_active
    if not ok:
        session.rollback()
        return None
    user_id = user.id
    rehashed = hash_password(password) if _hasher.check_needs_rehash(user.password_hash) else None
    table = _THROTTLE
    now = utcnow()
    session.commit()  # the writes below start their own transaction (see _count_attempt)
    # The account starts afresh; the address only gets this attempt back, so a sprayer
    # cannot wipe its count by logging in to an account of its own.
    session.execute(sa.delete(table).where(
        table.c.key.in_([ACCOUNT + email] + ([DEVICE + device] if device else []))))
    session.execute(sa.update(table).where(table.c.key == ADDRESS + ip, table.c.failures > 0)
                    .values(failures=table.c.failures - 1))
    session.execute(sa.delete(table).where(table.c.forget_at < now))  # housekeeping
    values: dict[str, object] = {"last_login_at": now}
    if rehashed:
        values["password_hash"] = rehashed
    session.execute(sa.update(User).where(User.id == user_id).values(**values))
    session.commit()
    return session.get(User, user_id)


def start_session(session: Session, settings: Settings, user: User) -> str:
    """A new session; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=settings.session_days),
        )
    )
    # Housekeeping: expired sessions of anyone go when someone logs in.
    session.exec(delete(UserSession).where(UserSession.expires_at < now))
    session.commit()
    return token


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.exec(delete(UserSession).where(UserSession.token_hash == hash_token(token)))
        session.commit()


def set_locale(session: Session, user: User, locale: str | None) -> None:
    user.locale = locale
    session.add(user)
    session.commit()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str | None,
    person: Person | None = None,
) -> User:
    user = User(
        email=normalise_email(email),
        name=name,
        password_hash=hash_password(password) if password else None,
        person_id=person.id if person else None,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def grant(
    session: Session,
    user: User,
    role: Role,
    *,
    municipality_id: int | None = None,
    school_id: int | None = None,
) -> RoleAssignment:
    """Give a role (idempotent)."""
    existing = session.exec(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == role,
            RoleAssignment.municipality_id == municipality_id,
            RoleAssignment.school_id == school_id,
        )
    ).first()
    if existing:
        return existing
    ra = RoleAssignment(
        user_id=user.id, role=role, municipality_id=municipality_id, school_id=school_id
    )
    session.add(ra)
    session.commit()
    session.refresh(ra)
    return ra


def roles_of(session: Session, user: User) -> list[RoleAssignment]:
    return list(session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)))
