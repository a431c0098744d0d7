"""Meetings: stored once, shown on pages, the year wheel and every calendar feed.

A meeting's calendar identity lives here: a stable `uid`, a `sequence` that rises whenever
its time, place or status changes and never falls, and `changed_at` for DTSTAMP and
LAST-MODIFIED. An ORM hook maintains them on every flush, so no code path can forget.
"""

import uuid
from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel

from app.db import Timestamped, UTCDateTime, Versioned, enum_type, utcnow
from app.i18n import N_


class MeetingType(str, Enum):
    DIALOGUE = "dialogue"
    """Skoleudviklingssamtalen itself."""
    PREP = "prep"
    """Formøde (Svendborg runde 1 with PPR, runde 2 internal)."""
    DEBRIEF = "debrief"
    """Kort opsamling efter mødet (15 min)."""
    DEVELOPMENT_TALK = "development_talk"
    """Ringsted: udviklingssamtale, 6 a year."""
    GRUS = "grus"
    """Ringsted: ledelsesteamudviklingssamtale at the school."""
    LUS = "lus"
    """Ringsted: ledelsesudviklingssamtale; confidential."""
    INTERNAL = "internal"
    """A municipal meeting without a school (opstartsmøde, opsamlingsmøde…)."""
    OTHER = "other"


MEETING_TYPE_LABELS = {
    MeetingType.DIALOGUE: N_("School development dialogue"),
    MeetingType.PREP: N_("Preparation meeting"),
    MeetingType.DEBRIEF: N_("Debrief"),
    MeetingType.DEVELOPMENT_TALK: N_("Development talk"),
    MeetingType.GRUS: N_("GRUS (leadership team development talk)"),
    MeetingType.LUS: N_("LUS (leadership development talk)"),
    MeetingType.INTERNAL: N_("Internal meeting"),
    MeetingType.OTHER: N_("Meeting"),
}


class MeetingStatus(str, Enum):
    PLANNED = "planned"
    """Exists, but has no time yet."""
    BOOKED = "booked"
    HELD = "held"
    CANCELLED = "cancelled"


MEETING_STATUS_LABELS = {
    MeetingStatus.PLANNED: N_("Not booked"),
    MeetingStatus.BOOKED: N_("Booked"),
    MeetingStatus.HELD: N_("Held"),
    MeetingStatus.CANCELLED: N_("Cancelled"),
}

# Changes to these make calendar clients update the event: SEQUENCE rises.
SEQUENCED_FIELDS = ("starts_at", "ends_at", "all_day", "location", "location_kind", "status")
# Changes to these are shown in feeds too: DTSTAMP/LAST-MODIFIED move, SEQUENCE stays.
DESCRIBED_FIELDS = ("title", "meeting_type", "confidential", "school_id")


def new_uid() -> str:
    return f"{uuid.uuid4()}@sus"


class Meeting(Timestamped, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at",
                           name="times"),
        sa.CheckConstraint("sequence >= 0", name="sequence"),
        sa.Index("ix_meeting_starts_at", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, max_length=100, unique=True)
    """iCalendar UID: stable for the meeting's whole life, globally unique."""
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    school_year_id: int = Field(foreign_key="schoolyear.id", index=True, ondelete="CASCADE")
    step_id: int | None = Field(default=None, foreign_key="step.id", index=True,
                                ondelete="CASCADE")
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True,
                                  ondelete="CASCADE")
    meeting_type: MeetingType = Field(
        default=MeetingType.OTHER, sa_type=enum_type(MeetingType, "meeting_type")
    )
    title: str = Field(max_length=300)
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    all_day: bool = False
    """A whole-day event: starts_at is local midnight of the first day (VALUE=DATE)."""
    location_kind: str | None = Field(default=None, max_length=20)
    location: str | None = Field(default=None, max_length=300)
    status: MeetingStatus = Field(
        default=MeetingStatus.PLANNED, sa_type=enum_type(MeetingStatus, "meeting_status")
    )
    confidential: bool = False
    """LUS: title, time and place may be shown, never the content."""
    series_key: str | None = Field(default=None, max_length=80)
    """Meetings of one recurring series (Ringsted's 6 development talks) share this."""
    series_index: int | None = None
    """1-based position in the series."""
    sequence: int = 0
    """iCalendar SEQUENCE: rises on every change of time, place or status; never falls."""
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    """Last change of anything a calendar shows: DTSTAMP and LAST-MODIFIED."""
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    """When it was cancelled: feeds keep it (as cancelled) for a grace period after this."""
    cancel_reason: str | None = Field(default=None, max_length=300)
    """Why it was cancelled, as the consultant wrote it (shown on the meeting page)."""


class MeetingParticipant(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    function: str | None = Field(default=None, max_length=40)
    """Why they are invited: a PersonFunction value."""
    required: bool = True
    """Optional participants (e.g. "Leder af PPR inviteres hvis …") don't block scheduling."""


def maintain_calendar_identity(session, flush_context, instances) -> None:
    for obj in session.dirty:
        if not isinstance(obj, Meeting):
            continue
        state = sa.inspect(obj)
        changed = {a.key for a in state.attrs if a.history.has_changes()}
        if changed & set(SEQUENCED_FIELDS):
            obj.sequence = (obj.sequence or 0) + 1
            if "status" in changed and obj.status is MeetingStatus.CANCELLED:
                obj.cancelled_at = obj.cancelled_at or utcnow()
        if changed & set(SEQUENCED_FIELDS + DESCRIBED_FIELDS):
            obj.changed_at = max(utcnow(), obj.changed_at)


def install_events() -> None:
    """Called by app.wiring.bootstrap(): SEQUENCE and changed_at follow every change."""
    if not event.contains(OrmSession, "before_flush", maintain_calendar_identity):
        event.listen(OrmSession, "before_flush", maintain_calendar_identity)
