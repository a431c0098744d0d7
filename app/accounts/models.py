"""Logins, roles, sessions and the counts of failed logins."""

from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import Timestamped, UTCDateTime, enum_type, utcnow
from app.i18n import N_


class Role(str, Enum):
    ADMIN = "admin"
    CONSULTANT = "consultant"
    """konsulent / forvaltning: of one municipality"""
    SCHOOL_LEADER = "school_leader"
    """skoleledelse: of one school"""
    PARTICIPANT = "participant"
    """deltager (chef, PPR-leder, psykolog, politician): of one municipality"""


ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.CONSULTANT: N_("Consultant"),
    Role.SCHOOL_LEADER: N_("School leadership"),
    Role.PARTICIPANT: N_("Participant"),
}


class User(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    """Always stored in lower case; the login name."""
    name: str = Field(max_length=160)
    password_hash: str | None = Field(default=None, max_length=300)
    """argon2id; None means the user cannot log in with a password."""
    person_id: int | None = Field(
        default=None, foreign_key="person.id", unique=True, ondelete="SET NULL"
    )
    locale: str | None = Field(default=None, max_length=5)
    """Chosen UI language; None follows the browser."""
    is_active: bool = Field(default=True)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class RoleAssignment(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "municipality_id", "school_id"),
        # The scope a role needs: admins none, consultants and participants a
        # municipality, school leadership a school.
        sa.CheckConstraint(
            "(role = 'admin' AND municipality_id IS NULL AND school_id IS NULL)"
            " OR (role IN ('consultant', 'participant')"
            " AND municipality_id IS NOT NULL AND school_id IS NULL)"
            " OR (role = 'school_leader' AND school_id IS NOT NULL AND municipality_id IS NULL)",
            name="scope",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    role: Role = Field(sa_type=enum_type(Role, "role"))
    municipality_id: int | None = Field(
        default=None, foreign_key="municipality.id", index=True, ondelete="CASCADE"
    )
    school_id: int | None = Field(
        default=None, foreign_key="school.id", index=True, ondelete="CASCADE"
    )


class UserSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    """sha256 of the cookie's token: a database leak gives no usable session."""
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    expires_at: datetime = Field(sa_type=UTCDateTime())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class LoginThrottle(SQLModel, table=True):
    """Failed logins counted per e-mail address ("account:…") and per client address
    ("address:…"), shared by every server process. See accounts.service.authenticate."""

    key: str = Field(primary_key=True, max_length=330)
    failures: int = Field(default=0)
    retry_at: datetime = Field(sa_type=UTCDateTime())
    """No attempt is checked before this."""
    forget_at: datetime = Field(sa_type=UTCDateTime(), index=True)
    """From this on the count starts again from zero."""
