"""The consultants' debrief keywords: the short note after each dialogue (Svendborg 1.3,
"Noter stikord/opmærksomhedspunkter") that the year summary gathers."""

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
