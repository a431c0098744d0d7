"""The audit log: who used whose personal data, when, how and from where."""

from datetime import datetime
from enum import Enum

from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow
from app.i18n import N_


class AuditAction(str, Enum):
    READ = "read"
    SEARCH = "search"
    EXPORT = "export"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    LOGIN = "login"
    LOGIN_REFUSED = "login_refused"


ACTION_LABELS = {
    AuditAction.READ: N_("Read"),
    AuditAction.SEARCH: N_("Searched"),
    AuditAction.EXPORT: N_("Export"),
    AuditAction.CREATE: N_("Created"),
    AuditAction.UPDATE: N_("Changed"),
    AuditAction.DELETE: N_("Deleted"),
    AuditAction.LOGIN: N_("Login"),
    AuditAction.LOGIN_REFUSED: N_("Login refused"),
}


class AuditEntry(SQLModel, table=True):
    """One use of personal data. Plain ids, no foreign keys: an entry outlives the user,
    person or school it names (a deletion is itself logged), until the retention ends."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), index=True)
    user_id: int | None = Field(default=None, index=True)
    """Who (None: not signed in, e.g. a refused login)."""
    user_email: str | None = Field(default=None, max_length=254)
    """Their login name at the time, kept if the user is deleted or renamed."""
    action: AuditAction = Field(sa_type=enum_type(AuditAction, "audit_action"))
    record: str = Field(max_length=80, index=True)
    """Kind and id of the record, e.g. "school:12", "note:7", "person:3"."""
    person_id: int | None = Field(default=None, index=True)
    """The person the record concerns, if any."""
    school_id: int | None = Field(default=None, index=True)
    """The school the record concerns, if any."""
    details: str | None = Field(default=None, max_length=1000)
    """A search's criteria, a change's field names (never their values), an export's format."""
    address: str | None = Field(default=None, max_length=64)
    """The client address (the one a trusted proxy names)."""
    path: str | None = Field(default=None, max_length=300)
    """The request path, without its query string."""
