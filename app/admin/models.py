"""Single-use links that let a user set a password: an invitation or a password reset."""

from datetime import datetime
from enum import Enum

from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow


class TokenPurpose(str, Enum):
    INVITATION = "invitation"
    """A new login: the administration invited the person."""
    RESET = "reset"
    """A password reset, asked for by the user ("Glemt adgangskode") or the administration."""


class AccountToken(SQLModel, table=True):
    """The link's token is shown once (in the e-mail and to the administrator who sent it);
    only its sha256 is stored. Used once: `used_at` is set by a conditional UPDATE."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    purpose: TokenPurpose = Field(sa_type=enum_type(TokenPurpose, "token_purpose"))
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    expires_at: datetime = Field(sa_type=UTCDateTime())
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id",
                                           ondelete="SET NULL")
    """The administrator who sent it; None when the user asked for it."""
