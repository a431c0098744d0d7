"""Municipalities, their schools, and the people who take part in the cycle."""

from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field

from app.db import Timestamped, Versioned, enum_type
from app.i18n import N_


class SchoolKind(str, Enum):
    ORDINARY = "ordinary"
    """almen skole"""
    SPECIAL = "special"
    """specialskole: brings its own data to the dialogue"""
    VILLAGE = "village"
    """landsbyordning: school and daycare under one leader"""
    INTERNAL = "internal"
    """intern skole / behandlingstilbud"""


SCHOOL_KIND_LABELS = {
    SchoolKind.ORDINARY: N_("Ordinary school"),
    SchoolKind.SPECIAL: N_("Special school"),
    SchoolKind.VILLAGE: N_("Village school (school and daycare)"),
    SchoolKind.INTERNAL: N_("In-house school"),
}


class PersonFunction(str, Enum):
    """What a person does in the cycle; meetings invite participants by function."""

    CHIEF = "chief"
    """skolechef / Skole- og Uddannelseschef / skolecenterchef"""
    DIRECTOR = "director"
    """direktør (Ringsted's GRUS)"""
    CONSULTANT = "consultant"
    """konsulent i forvaltningen"""
    PPR_LEADER = "ppr_leader"
    PSYCHOLOGIST = "psychologist"
    """PPR-psykolog"""
    PEDAGOGICAL_CONSULTANT = "pedagogical_consultant"
    """pædagogisk konsulent (PPR)"""
    SCHOOL_LEADER = "school_leader"
    """skoleleder"""
    LEADERSHIP_TEAM = "leadership_team"
    """the rest of the school's leadership team"""
    BOARD_REPRESENTATIVE = "board_representative"
    """the school board's parent-elected representative (from 1 August 2025)"""
    POLITICIAN = "politician"
    OTHER = "other"


PERSON_FUNCTION_LABELS = {
    PersonFunction.CHIEF: N_("School chief"),
    PersonFunction.DIRECTOR: N_("Director"),
    PersonFunction.CONSULTANT: N_("Consultant"),
    PersonFunction.PPR_LEADER: N_("Head of PPR"),
    PersonFunction.PSYCHOLOGIST: N_("PPR psychologist"),
    PersonFunction.PEDAGOGICAL_CONSULTANT: N_("Pedagogical consultant"),
    PersonFunction.SCHOOL_LEADER: N_("School leader"),
    PersonFunction.LEADERSHIP_TEAM: N_("School leadership team"),
    PersonFunction.BOARD_REPRESENTATIVE: N_("School board representative"),
    PersonFunction.POLITICIAN: N_("Politician"),
    PersonFunction.OTHER: N_("Other"),
}


def function_label(value: str | None) -> str:
    """The translated label of a PersonFunction value (stored as plain text in places)."""
    from app.i18n import gettext

    if not value:
        return ""
    try:
        return gettext(PERSON_FUNCTION_LABELS[PersonFunction(value)])
    except ValueError:
        return value


class Municipality(Timestamped, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    """E.g. "Skanderborg Kommune"."""
    kommunekode: str = Field(max_length=3, unique=True)
    """The three-digit municipality code used by Danmarks Statistik and the ministry."""
    is_demo: bool = Field(default=False)
    """Invented data: the UI labels everything under it as demo data."""
    invites_board_representative: bool = Field(default=False)
    """The dialogue invites the school board's parent representative by default
    (folkeskoleloven § 40 a, from 1 August 2025): the municipality decides."""


class School(Timestamped, Versioned, table=True):
    __table_args__ = (
        sa.UniqueConstraint("municipality_id", "name"),
        sa.CheckConstraint("student_count IS NULL OR student_count >= 0", name="student_count"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="RESTRICT")
    name: str = Field(max_length=160)
    institution_number: str = Field(max_length=6, unique=True)
    """The ministry's six-digit institution number (institutionsnummer)."""
    kind: SchoolKind = Field(
        default=SchoolKind.ORDINARY, sa_type=enum_type(SchoolKind, "school_kind")
    )
    student_count: int | None = Field(default=None)
    has_special_classes: bool = Field(default=False)
    """Has a special-class department (specialklasserække)."""
    website: str | None = Field(default=None, max_length=300)
    address: str | None = Field(default=None, max_length=300)
    """Where meetings "at the school" take place."""


class Person(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int | None = Field(
        default=None, foreign_key="municipality.id", index=True, ondelete="CASCADE"
    )
    school_id: int | None = Field(
        default=None, foreign_key="school.id", index=True, ondelete="SET NULL"
    )
    """The school the person works at, if any."""
    name: str = Field(max_length=160)
    email: str | None = Field(default=None, max_length=254, unique=True)
    title: str | None = Field(default=None, max_length=160)
    """E.g. "Skolechef", "PPR-leder", "Pædagogisk konsulent"."""
    function: PersonFunction | None = Field(
        default=None, sa_type=enum_type(PersonFunction, "person_function")
    )
    organisation: str | None = Field(default=None, max_length=160)
    """E.g. "Skole og Uddannelse", "PPR", or the school's name."""
