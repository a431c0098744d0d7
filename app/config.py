"""Settings, read from environment variables with the prefix SUS_."""

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR = Path(os.environ.get("SUS_VAR_DIR", "var"))


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'sus.db'}"


def _kept_secret_key() -> str:
    """A secret generated once and kept under ./var/, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUS_", extra="ignore")

    database_url: str = Field(default_factory=_default_database_url)
    """SQLAlchemy URL; SQLite file by default, postgresql+psycopg://… for PostgreSQL."""
    secret_key: str = Field(default="", repr=False)
    """Signs cookies and derives tokens. Generated under ./var/ when unset."""
    base_url: str = "http://127.0.0.1:8000"
    accessibility_url: str | None = None
    """The accessibility statement (the municipality's WAS-tool statement); without it the
    footer links to the built-in page /accessibility."""
    """The address users reach the service at; used in links, feeds and cookie security."""
    default_locale: str = "da"
    session_days: int = 14
    audit_retention_days: int = Field(default=180, ge=1)
    """Audit log entries older than this are deleted automatically."""
    login_max_failures: int = 5
    """Failed logins for one e-mail address before each further attempt on it must wait.
    The wait is one minute, doubling with every further failure up to login_max_delay_minutes;
    the right password gets in once the wait is over (attempts during it are not checked)."""
    login_max_failures_per_address: int = 30
    """The same, for failed logins from one client address, whatever the e-mail address: a
    sprayer of many accounts is slowed down. Raise it if many users share one address (NAT)."""
    login_max_delay_minutes: int = 15
    """The longest wait after failed logins."""
    login_window_minutes: int = 15
    """A count of failures is forgotten this long after its wait ends without a new failure."""
    trusted_proxies: str = ""
    """Comma-separated addresses or networks (10.0.0.0/8) of reverse proxies whose
    X-Forwarded-For header names the client. None by default: the header is ignored."""
    log_level: str = "INFO"
    max_upload_mb: int = 20
    db_pool_timeout: float = 20.0
    """Seconds a request waits for a free database connection before answering 503."""

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_driver(cls, v: str) -> str:
        # Accept the plain postgresql:// form operators usually have, and use psycopg 3.
        for prefix in ("postgres://", "postgresql://"):
            if v.startswith(prefix):
                return "postgresql+psycopg://" + v[len(prefix):]
        return v

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, v: str) -> str:
        items = [item.strip() for item in v.split(",") if item.strip()]
        for item in items:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"SUS_TRUSTED_PROXIES: {item!r} is not an IP address or network") from None
        return ",".join(items)

    @property
    def trusted_proxy_list(self) -> list[str]:
        return self.trusted_proxies.split(",") if self.trusted_proxies else []

    def model_post_init(self, __context) -> None:
        if not self.secret_key:
            self.secret_key = _kept_secret_key()
        elif len(self.secret_key) < 32:
            raise ValueError("SUS_SECRET_KEY must be at least 32 characters")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


@lru_cache
def get_settings() -> Settings:
    return Settings()
