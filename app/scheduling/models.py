"""Availability, meeting places and scheduling proposals."""

from datetime import datetime, time
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import Timestamped, UTCDateTime, Versioned, enum_type, utcnow
from app.i18n import N_


class SchedulingSettings(Timestamped, Versioned, table=True):
    """A municipality's scheduling defaults (one row per municipality)."""

    __table_args__ = (
        sa.CheckConstraint("travel_minutes >= 0 AND travel_minutes <= 240", name="travel"),
        sa.CheckConstraint("day_end > day_start", name="day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True, ondelete="CASCADE")
    travel_minutes: int = 30
    """Minutes needed to get from one meeting place to another (school ↔ administration)."""
    administration_place: str = Field(default="", max_length=300)
    """Where meetings "at the administration" are held, e.g. "Rådhuset, mødelokale 2"."""
    day_start: time = time(8, 0)
    """Working hours of people who have not set their own."""
    day_end: time = time(16, 0)
    buffer_minutes: int = 15
    """Default break between two meetings for people who have not set their own."""


class Availability(Timestamped, Versioned, table=True):
    """A person's working hours, daily cap and buffer (one row per person)."""

    __table_args__ = (
        sa.CheckConstraint("day_end > day_start", name="day"),
        sa.CheckConstraint("max_per_day IS NULL OR max_per_day >= 1", name="cap"),
        sa.CheckConstraint("buffer_minutes >= 0", name="buffer"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, ondelete="CASCADE")
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4], sa_type=sa.JSON)
    """Working weekdays, 0 = Monday."""
    day_start: time = time(8, 0)
    day_end: time = time(16, 0)
    max_per_day: int | None = None
    """At most this many meetings a day; None: no limit."""
    buffer_minutes: int = 15
    """Minutes the person needs free between two meetings."""
    ics_url: str | None = Field(default=None, max_length=1000)
    """Address of the person's own calendar (.ics), read when they ask for a refresh."""
    ics_refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    ics_error: str | None = Field(default=None, max_length=300)


class BusySource(str, Enum):
    MANUAL = "manual"
    """Typed in."""
    ICS_FILE = "ics_file"
    ICS_URL = "ics_url"


class BusyPeriod(SQLModel, table=True):
    """A time a person cannot meet. Imported ones keep no title: only "busy"."""

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="times"),
        sa.Index("ix_busyperiod_person_starts", "person_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    starts_at: datetime = Field(sa_type=UTCDateTime())
    ends_at: datetime = Field(sa_type=UTCDateTime())
    note: str = Field(default="", max_length=200)
    """What the person typed, shown only to themselves; always empty for imported ones."""
    source: BusySource = Field(default=BusySource.MANUAL,
                               sa_type=enum_type(BusySource, "busy_source"))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class SchoolPreference(Timestamped, table=True):
    """When a school would rather meet (soft: the scheduler tries, never promises)."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", unique=True, ondelete="CASCADE")
    weekdays: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    """Preferred weekdays, 0 = Monday; empty: no preference."""
    preferred_from: time | None = None
    preferred_until: time | None = None


class ProposalStatus(str, Enum):
    DRAFT = "draft"
    COMMITTED = "committed"
    DISCARDED = "discarded"


PROPOSAL_STATUS_LABELS = {
    ProposalStatus.DRAFT: N_("Proposal"),
    ProposalStatus.COMMITTED: N_("Booked"),
    ProposalStatus.DISCARDED: N_("Discarded"),
}


class Proposal(Timestamped, table=True):
    """What the scheduler suggests for a step; nothing is booked until it is committed."""

    id: int | None = Field(default=None, primary_key=True)
    step_id: int = Field(foreign_key="step.id", index=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: ProposalStatus = Field(default=ProposalStatus.DRAFT,
                                   sa_type=enum_type(ProposalStatus, "proposal_status"))
    window_start: datetime = Field(sa_type=UTCDateTime())
    window_end: datetime = Field(sa_type=UTCDateTime())
    total: int = 0
    """Meetings asked for (a dialogue and its debrief count as one)."""
    placed: int = 0
    objective: int = 0
    bound: int | None = None
    greedy_placed: int = 0
    greedy_objective: int = 0
    method: str = Field(default="", max_length=20)
    seconds: float = 0.0
    report: dict = Field(default_factory=dict, sa_type=sa.JSON)
    """Why schools could not be placed and capacity shortfalls, as data (rendered in the
    reader's language)."""


class ProposalItem(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("proposal_id", "meeting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    starts_at: datetime = Field(sa_type=UTCDateTime())
    ends_at: datetime = Field(sa_type=UTCDateTime())
    location: str = Field(default="", max_length=300)
    meeting_version: int
    """The meeting's version when proposed: a meeting changed since is not overwritten."""
