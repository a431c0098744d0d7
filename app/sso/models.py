"""A municipality's single sign-on: its OpenID Connect provider (Entra ID, AD FS, …)."""

import sqlalchemy as sa
from sqlmodel import Field

from app.db import Timestamped, Versioned


class SsoSettings(Timestamped, Versioned, table=True):
    """One per municipality. The client secret is never stored: it is read from the
    environment variable named here (SUS_OIDC_SECRET_<kommunekode> by default)."""

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True, ondelete="CASCADE")
    enabled: bool = Field(default=False)
    """Shows "Log ind med <kommune>" on the login page."""
    issuer: str = Field(default="", max_length=300)
    """The provider's issuer URL; its /.well-known/openid-configuration is read from it."""
    client_id: str = Field(default="", max_length=200)
    secret_env: str = Field(default="", max_length=100)
    """The name of the environment variable that holds the client secret."""
    allowed_domains: str = Field(default="", max_length=500)
    """Comma-separated e-mail domains whose users may log in this way (empty: none)."""
    role_claim: str = Field(default="groups", max_length=100)
    """The ID token claim that carries the user's groups or roles."""
    role_map: str = Field(default="", sa_type=sa.Text())
    """Lines `claim value = role` (consultant, participant, school_leader). With any lines,
    the user's roles in this municipality follow the claim at every login."""
    allow_create: bool = Field(default=False)
    """A user no person matches by e-mail is created (as a person of the municipality) instead
    of refused."""
