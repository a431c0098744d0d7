"""The annual cycle (årshjul): templates, school years, their steps, assignments, holidays."""

from datetime import date
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import Timestamped, Versioned, enum_type
from app.i18n import N_


class StepScope(str, Enum):
    MUNICIPAL = "municipal"
    """One step for the whole municipality (e.g. "Sag på politisk udvalgsmøde")."""
    PER_SCHOOL = "per_school"
    """A meeting (or a series of them) for every school (e.g. the dialogue itself)."""


class StepStatus(str, Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


STEP_STATUS_LABELS = {
    StepStatus.NOT_STARTED: N_("Not started"),
    StepStatus.IN_PROGRESS: N_("In progress"),
    StepStatus.DONE: N_("Done"),
}


class LocationKind(str, Enum):
    SCHOOL = "school"
    """At the school (Ringsted's GRUS)."""
    ADMINISTRATION = "administration"
    """At the administration (rådhus, skolecenter)."""
    ONLINE = "online"


LOCATION_LABELS = {
    LocationKind.SCHOOL.value: N_("At the school"),
    LocationKind.ADMINISTRATION.value: N_("At the administration"),
    LocationKind.ONLINE.value: N_("Online"),
}


class CycleTemplate(Timestamped, table=True):
    """A cycle from the catalogue (municipality_id NULL) or a municipality's own copy."""

    __table_args__ = (sa.UniqueConstraint("municipality_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    """Stable identity from the catalogue file, e.g. "svendborg"."""
    municipality_id: int | None = Field(
        default=None, foreign_key="municipality.id", index=True, ondelete="CASCADE"
    )
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    source: str = Field(default="", max_length=300)
    """Where the template comes from, e.g. "STUK: Eksempler fra praksis, afsnit 1.3"."""
    digest: str = Field(default="", max_length=64)
    """sha256 of the catalogue file it was last loaded from."""


class TemplateStep(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("template_id", "key"),
        sa.CheckConstraint("month IS NULL OR (month BETWEEN 1 AND 12)", name="month"),
        sa.CheckConstraint("iso_week IS NULL OR (iso_week BETWEEN 1 AND 53)", name="iso_week"),
        sa.CheckConstraint("occurrences >= 1", name="occurrences"),
    )

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="cycletemplate.id", index=True, ondelete="CASCADE")
    position: int
    key: str = Field(max_length=80)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=sa.Text)
    attention_points: str = Field(default="", sa_type=sa.Text)
    """Opmærksomheder."""
    responsible: str = Field(default="", max_length=300)
    """Ansvarlig, as text (a role or a unit)."""
    scope: StepScope = Field(default=StepScope.MUNICIPAL, sa_type=enum_type(StepScope, "step_scope"))
    month: int | None = None
    """When: a month of the school year (1–12)…"""
    month_end: int | None = None
    """…possibly spanning to this month (e.g. April/May)…"""
    iso_week: int | None = None
    """…or an ISO week…"""
    offset_from: str | None = Field(default=None, max_length=80)
    """…or relative to another step's key…"""
    offset_days: int | None = None
    """…by this many days (negative: before)."""
    meeting_type: str | None = Field(default=None, max_length=40)
    """For per-school steps: the MeetingType of the meetings it makes."""
    duration_minutes: int | None = None
    duration_minutes_max: int | None = None
    """For a range such as GRUS's 3–4 hours."""
    occurrences: int = 1
    """Meetings per school per year: 6 for Ringsted's development talks."""
    location_kind: str | None = Field(default=None, max_length=20)
    participant_functions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    """PersonFunction values invited to each meeting; a trailing "?" marks an optional one
    ("ppr_leader?": "Leder af PPR inviteres hvis der er særlige opmærksomhedspunkter")."""
    confidential: bool = False
    """LUS: the meeting's content is confidential."""
    follows: str | None = Field(default=None, max_length=80)
    """Key of the step whose meetings this one follows directly (the 15-min debrief)."""
    blocks: int | None = None
    """The step's meetings are held back to back in this many half days (formiddage eller
    eftermiddage): Svendborg's prep meetings, "2 sammenhængende formiddage eller
    eftermiddage". None: each meeting on its own."""


class SchoolYear(Timestamped, Versioned, table=True):
    """A municipality's school year, 1 August – 31 July."""

    __table_args__ = (sa.UniqueConstraint("municipality_id", "start_year"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    start_year: int
    """2026 for the school year 2026/27."""
    template_id: int | None = Field(
        default=None, foreign_key="cycletemplate.id", ondelete="SET NULL"
    )

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def starts(self) -> date:
        return date(self.start_year, 8, 1)

    @property
    def ends(self) -> date:
        return date(self.start_year + 1, 7, 31)


class Step(Timestamped, Versioned, table=True):
    """A step of one school year: copied from the template, then the municipality's own."""

    __table_args__ = (
        sa.UniqueConstraint("school_year_id", "key"),
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                           name="dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_year_id: int = Field(foreign_key="schoolyear.id", index=True, ondelete="CASCADE")
    position: int
    key: str = Field(max_length=80)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=sa.Text)
    attention_points: str = Field(default="", sa_type=sa.Text)
    responsible: str = Field(default="", max_length=300)
    responsible_person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="SET NULL"
    )
    scope: StepScope = Field(default=StepScope.MUNICIPAL, sa_type=enum_type(StepScope, "step_scope"))
    status: StepStatus = Field(
        default=StepStatus.NOT_STARTED, sa_type=enum_type(StepStatus, "step_status")
    )
    start_date: date | None = None
    """First day of the step's window (for a per-school step: when its meetings may be)."""
    end_date: date | None = None
    """Last day of the window (inclusive); equal to start_date for a one-day step."""
    meeting_type: str | None = Field(default=None, max_length=40)
    duration_minutes: int | None = None
    occurrences: int = 1
    location_kind: str | None = Field(default=None, max_length=20)
    participant_functions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    confidential: bool = False
    follows: str | None = Field(default=None, max_length=80)
    blocks: int | None = None
    """Back to back in this many half days (see TemplateStep.blocks)."""
    school_input_deadline: date | None = None
    """Until this day school leadership may add its own agenda themes (agendas)."""
    duration_minutes_max: int | None = None
    """Upper end of a duration range (GRUS: 3–4 hours)."""
    # The date rule the step came with (from its template or last year's step): copying the
    # year to the next recomputes dates from it, unless someone set the dates by hand.
    month: int | None = None
    month_end: int | None = None
    iso_week: int | None = None
    offset_from: str | None = Field(default=None, max_length=80)
    offset_days: int | None = None
    dates_by_hand: bool = False
    """The municipality moved the dates: next year keeps its weeks instead of the rule."""


class SchoolAssignment(SQLModel, table=True):
    """Who covers a school this year: "fordeling af skoler mellem konsulenterne"."""

    __table_args__ = (sa.UniqueConstraint("school_year_id", "school_id", "person_id", "function"),)

    id: int | None = Field(default=None, primary_key=True)
    school_year_id: int = Field(foreign_key="schoolyear.id", index=True, ondelete="CASCADE")
    school_id: int = Field(foreign_key="school.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    function: str = Field(max_length=40)
    """A PersonFunction value: consultant, psychologist, pedagogical_consultant, …"""


class HolidayKind(str, Enum):
    PUBLIC = "public"
    """Helligdag (computed: Easter-based and fixed)."""
    SCHOOL = "school"
    """Skoleferie / fridag set by the municipality."""


class HolidayPeriod(SQLModel, table=True):
    """A day or period without meetings, per municipality and school year."""

    __table_args__ = (sa.CheckConstraint("end_date >= start_date", name="dates"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    school_year_id: int = Field(foreign_key="schoolyear.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    kind: HolidayKind = Field(sa_type=enum_type(HolidayKind, "holiday_kind"))
    start_date: date
    end_date: date
    key: str | None = Field(default=None, max_length=40)
    """Which computed holiday this is ("easter", "autumn_break", …); None: added by hand."""


class HolidaySettings(Timestamped, Versioned, table=True):
    """A municipality's own holiday plan, used for every new school year.

    The defaults are the common Danish ones; a municipality with winter break in week 8,
    or without the day after Ascension off, changes them here once.
    """

    __table_args__ = (
        sa.CheckConstraint("autumn_week BETWEEN 1 AND 53", name="autumn_week"),
        sa.CheckConstraint("winter_week BETWEEN 1 AND 53", name="winter_week"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True, ondelete="CASCADE")
    autumn_week: int = 42
    """Efterårsferie: ISO week."""
    winter_week: int = 7
    """Vinterferie: ISO week (some municipalities 6, 8 or 9)."""
    ascension_friday_off: bool = True
    """Fredag efter Kristi himmelfartsdag."""
    constitution_day_off: bool = True
    """Grundlovsdag, 5 June."""
