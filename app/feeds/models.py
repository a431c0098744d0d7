"""Calendar feeds: personal feed links, the municipality's feed settings, feed state.

A private feed is reached through a FeedLink: a random token (256 bits) that belongs to one
person and opens one feed. Only its sha256 is stored, so the URL is shown once, when it is
made; rotating gives the same feed a new URL, revoking deletes the row (the old URL is a 404).
"""

from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow
from app.i18n import N_


class FeedKind(str, Enum):
    MUNICIPALITY = "municipality"
    """The whole municipality, windowed over school years (target: municipality id)."""
    YEAR = "year"
    """One school year of one municipality (target: school year id)."""
    STEP = "step"
    """A step of the year wheel and its meetings (target: step id)."""
    SCHOOL = "school"
    """One school's meetings, windowed (target: school id)."""
    PERSON = "person"
    """The owner's own meetings and steps (target: the owner's person id)."""
    CONSULTANT = "consultant"
    """Meetings at the schools assigned to a consultant (target: that person's id)."""


FEED_KIND_LABELS = {
    FeedKind.MUNICIPALITY: N_("Municipality calendar"),
    FeedKind.YEAR: N_("School year calendar"),
    FeedKind.STEP: N_("Step calendar"),
    FeedKind.SCHOOL: N_("School calendar"),
    FeedKind.PERSON: N_("My meetings"),
    FeedKind.CONSULTANT: N_("Assigned schools"),
}

# Feeds that may also be offered without a token, where the municipality allows it.
PUBLIC_KINDS = (FeedKind.MUNICIPALITY, FeedKind.YEAR, FeedKind.STEP, FeedKind.SCHOOL)


class FeedLink(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("person_id", "kind", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    """Whose link: the feed shows what this person may see, nothing more."""
    kind: FeedKind = Field(sa_type=enum_type(FeedKind, "feed_kind"))
    target_id: int
    """The municipality, school year, step, school or person the feed is about."""
    token_hash: str = Field(max_length=64, unique=True)
    """sha256 of the token in the URL; the token itself is never stored."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    """When the current token was made (a rotation resets it)."""
    created_by_user_id: int | None = Field(default=None, foreign_key="user.id",
                                           ondelete="SET NULL")
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    """Last fetch by a calendar, written at most hourly: shows which links are alive."""


class FeedSettings(SQLModel, table=True):
    """A municipality's choices for its calendars (one row per municipality, or none)."""

    municipality_id: int = Field(foreign_key="municipality.id", primary_key=True,
                                 ondelete="CASCADE")
    public_feeds: bool = False
    """Offer calendars without login: the year wheel's steps and the dialogues' times."""
    organizer_name: str | None = Field(default=None, max_length=160)
    organizer_email: str | None = Field(default=None, max_length=254)
    """ORGANIZER of every event and invitation: a real mailbox that receives replies."""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class InvitationPreference(SQLModel, table=True):
    """A person's own choice about e-mailed invitations; no row means the default."""

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    wants_invitations: bool


class FeedState(SQLModel, table=True):
    """What a feed looked like last time it was served: the ETag and a Last-Modified that
    only ever moves forward, and the fingerprint of the data it was made from, so that an
    unchanged feed answers 304 without being rendered again."""

    key: str = Field(max_length=160, primary_key=True)
    fingerprint: str = Field(max_length=64)
    etag: str = Field(max_length=64)
    last_modified: datetime = Field(sa_type=UTCDateTime())
    body: bytes | None = Field(default=None, sa_type=sa.LargeBinary())
    """The bytes of that ETag, so that any worker or process answers a full request without
    rendering it again."""
    base: str | None = Field(default=None, max_length=64)
    """The fingerprint without the change counter: while it holds, a change of a few
    meetings is spliced into `body` (app/feeds/splice.py) instead of rendering it all."""
    counter: int | None = None
    """The municipality's feed counter the body was made at."""
    segments: bytes | None = Field(default=None, sa_type=sa.LargeBinary())
    """Where each event's text lies in `body`, by meeting (app/feeds/splice.py)."""


class OutboxMessage(SQLModel, table=True):
    """An e-mail to send, written in the same transaction as the change that caused it, so
    that a process dying before it is sent loses nothing (app.feeds.outbox sends it)."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    recipient: str = Field(max_length=254)
    """The To address, for the operator reading the table; the message holds the rest."""
    content: bytes = Field(sa_type=sa.LargeBinary())
    """The whole message as sent (RFC 5322), Message-ID included: a retry is the same mail."""
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default_factory=utcnow, sa_type=UTCDateTime(),
                                             index=True)
    """When a sender may take it next. A sender's claim moves it on by the lease, so that a
    sender that dies mid-way hands it back; None: sent, or given up (sent_at tells which)."""
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    last_error: str | None = Field(default=None, max_length=500)


class FeedCounter(SQLModel, table=True):
    """A number per municipality that rises, in the same transaction, with every change that
    can alter one of its feeds (app/feeds/counter.py): a feed's 304 compares it and nothing
    else. No foreign key: a change counted while its municipality is deleted must not fail."""

    municipality_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    counter: int = Field(default=0)


class FeedChange(SQLModel, table=True):
    """What one rise of a municipality's feed counter was about: a meeting (its time, people
    or agenda), or None for anything else (a school's name, a step, a setting), which can
    touch every event. A feed stored at counter N is brought to M by re-rendering just the
    meetings of N+1..M when every one of them names a meeting. Old rows are pruned."""

    __table_args__ = (sa.Index("ix_feedchange_municipality_counter", "municipality_id",
                               "counter"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int
    counter: int
    meeting_id: int | None = None
