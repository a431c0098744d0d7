"""The consultants' debrief keywords: the short note after each dialogue (Svendborg 1.3,
"Noter stikord/opmærksomhedspunkter") that the year summary gathers; and the consultant's
arrangement of each public version's presentation, kept between visits."""

import sqlalchemy as sa
from sqlmodel import Field

from app.db import Timestamped, Versioned


class DebriefKeywords(Timestamped, Versioned, table=True):
    """Keywords written on a debrief meeting (or, where the year has none, on the dialogue).
    Internal: shown to the administration only, never in a public version."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True, ondelete="CASCADE")
    school_year_id: int = Field(foreign_key="schoolyear.id", index=True, ondelete="CASCADE")
    school_id: int | None = Field(default=None, foreign_key="school.id", ondelete="CASCADE")
    text: str = Field(default="", sa_type=sa.Text)
    """One keyword or attention point a line."""


class SlideChoices(Timestamped, Versioned, table=True):
    """The order, the hidden slides and the comments of one public version's presentation
    (the school leaders' or the committee's) of a municipality's school year. Every export
    uses them; a save based on an older version is refused (app/versioned)."""

    __table_args__ = (sa.UniqueConstraint("school_year_id", "audience"),)

    id: int | None = Field(default=None, primary_key=True)
    school_year_id: int = Field(foreign_key="schoolyear.id", ondelete="CASCADE")
    audience: str = Field(max_length=16)
    """leaders | committee (app.summary.service.Version)."""
    slides: list[dict] = Field(default_factory=list, sa_type=sa.JSON)
    """In the consultant's order: {"key", "hidden", "comment"} per slide."""
