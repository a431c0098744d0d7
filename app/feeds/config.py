"""Settings of the feeds domain, from SUS_ environment variables like the app's own.

Kept here rather than in app/config.py: only feeds and invitations read them.
"""

from email.utils import parseaddr
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FeedEnv(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUS_", extra="ignore")

    feed_cancelled_days: int = Field(default=30, ge=1, le=365)
    """How long a cancelled meeting stays in feeds (as cancelled) before it leaves them."""
    invitations: bool = False
    """E-mail iTIP invitations to participants who want them. Needs smtp_host."""
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout: float = 20.0
    smtp_from: str | None = None
    """The sender, e.g. "Skoleudvikling <skoleudvikling@kommune.dk>"."""
    outbox_poll_seconds: float = Field(default=15.0, gt=0)
    """How often the sender in each app process looks for due messages (a commit that adds
    some wakes it at once)."""
    outbox_lease_seconds: float = Field(default=300.0, gt=0)
    """How long a sender's claim on a message lasts: longer than any send takes; after it, a
    message whose sender died is taken by another."""
    outbox_scan_seconds: float = Field(default=300.0, gt=0)
    """How often each app process looks for new e-mails to write, such as those on what waits
    for people (app.notes.task_mail); a duplicate is prevented in the database."""
    outbox_max_attempts: int = Field(default=12, ge=1)
    """Tries per message (waiting 1, 2, 4 … up to 60 minutes between them) before giving up."""
    invite_organizer: str | None = None
    """ORGANIZER when a municipality has set none: a real mailbox that receives the replies
    (RSVP). Defaults to the sender's address."""

    @property
    def invitations_on(self) -> bool:
        return self.invitations and bool(self.smtp_host) and bool(self.smtp_from)

    @property
    def mail_on(self) -> bool:
        """An SMTP server and a sender are set: the outbox is sent."""
        return bool(self.smtp_host) and bool(self.smtp_from)

    @property
    def organizer(self) -> tuple[str, str] | None:
        """(name, address) of the fallback organizer, or None."""
        name, address = parseaddr(self.invite_organizer or self.smtp_from or "")
        return (name, address) if "@" in address else None


@lru_cache
def get_env() -> FeedEnv:
    return FeedEnv()
