"""Passwords, logins, sessions and users. No HTTP here."""

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func
from sqlmodel import Session, select

from app.accounts.access import hash_token
from app.accounts.models import LoginAttempt, Role, RoleAssignment, User, UserSession
from app.config import Settings
from app.db import utcnow
from app.schools.models import Person

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class TooManyAttempts(Exception):
    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


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


def authenticate(
    session: Session, settings: Settings, email: str, password: str, ip: str
) -> User | None:
    """The user if the password is right; None if not; TooManyAttempts when rate limited."""
    email = normalise_email(email)
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    failures = session.exec(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.email == email, LoginAttempt.at > since, ~LoginAttempt.succeeded)
    ).one()
    if failures >= settings.login_max_failures:
        raise TooManyAttempts(settings.login_window_minutes)
    user = get_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.is_active
    session.add(LoginAttempt(email=email, ip=ip[:64], succeeded=ok))
    if ok:
        session.exec(delete(LoginAttempt).where(LoginAttempt.email == email, ~LoginAttempt.succeeded))
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        session.add(user)
    session.commit()
    return user if ok else None


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
