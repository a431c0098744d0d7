"""Rules for municipalities, schools and people. No HTTP here."""

import re
from collections import Counter

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.db import check_version
from app.forms import FieldError
from app.i18n import N_
from app.i18n import gettext as _
from app.schools import policy
from app.schools.models import Municipality, Person, School, SchoolKind


class SchoolForm(BaseModel):
    name: str = Field(min_length=1, max_length=160)
    institution_number: str = Field(pattern=r"^\d{6}$")
    kind: SchoolKind = SchoolKind.ORDINARY
    student_count: int | None = Field(default=None, ge=0, le=5000)
    has_special_classes: bool = False
    website: str | None = Field(default=None, max_length=300)
    address: str | None = Field(default=None, max_length=300)

    @field_validator("website")
    @classmethod
    def _web_address(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"https?://[^\s/]+\.[^\s]+", v):
            raise ValueError(N_("Must be a web address beginning with https://"))
        return v


INLINE_FIELDS = ("student_count", "has_special_classes", "address", "website")
"""Facts edited in place on the school page."""

FIELD_LABELS = {
    "name": N_("Name"),
    "institution_number": N_("Institution number"),
    "kind": N_("Kind of school"),
    "student_count": N_("Pupils"),
    "has_special_classes": N_("Special-class department"),
    "address": N_("Address"),
    "website": N_("Website"),
}


# --- municipalities ------------------------------------------------------------------


def list_municipalities(session: Session, principal: Principal) -> list[Municipality]:
    return list(
        session.exec(
            select(Municipality)
            .where(policy.visible_municipalities(principal))
            .order_by(Municipality.name)
        )
    )


def get_municipality(session: Session, municipality_id: int) -> Municipality | None:
    return session.get(Municipality, municipality_id)


def get_municipality_by_code(session: Session, kommunekode: str) -> Municipality | None:
    return session.exec(select(Municipality).where(Municipality.kommunekode == kommunekode)).first()


def create_municipality(
    session: Session, *, name: str, kommunekode: str, is_demo: bool = False
) -> Municipality:
    m = Municipality(name=name, kommunekode=kommunekode, is_demo=is_demo)
    session.add(m)
    session.commit()
    session.refresh(m)
    return m


def school_counts_by_kind(session: Session, municipality_id: int) -> dict[SchoolKind, int]:
    rows = session.exec(
        select(School.kind, func.count())
        .where(School.municipality_id == municipality_id)
        .group_by(School.kind)
    ).all()
    counts: Counter[SchoolKind] = Counter({SchoolKind(k): n for k, n in rows})
    return {kind: counts.get(kind, 0) for kind in SchoolKind}


# --- schools ---------------------------------------------------------------------------


def list_schools(
    session: Session,
    municipality_id: int,
    *,
    query: str | None = None,
    kind: SchoolKind | None = None,
) -> list[School]:
    stmt = select(School).where(School.municipality_id == municipality_id)
    if query:
        stmt = stmt.where(col(School.name).ilike(f"%{query.strip()}%"))
    if kind:
        stmt = stmt.where(School.kind == kind)
    return list(session.exec(stmt.order_by(School.name)))


def get_school(session: Session, school_id: int) -> School | None:
    return session.get(School, school_id)


def get_school_by_institution_number(session: Session, number: str) -> School | None:
    return session.exec(select(School).where(School.institution_number == number)).first()


def _check_unique(session: Session, data: SchoolForm, municipality_id: int, school_id: int | None):
    other = get_school_by_institution_number(session, data.institution_number)
    if other is not None and other.id != school_id:
        raise FieldError(
            "institution_number",
            _("Institution number %(number)s already belongs to %(school)s.",
              number=data.institution_number, school=other.name),
        )
    same_name = session.exec(
        select(School).where(School.municipality_id == municipality_id, School.name == data.name)
    ).first()
    if same_name is not None and same_name.id != school_id:
        raise FieldError("name", _("The municipality already has a school with this name."))


def create_school(session: Session, municipality_id: int, data: SchoolForm) -> School:
    _check_unique(session, data, municipality_id, None)
    school = School(municipality_id=municipality_id, **data.model_dump())
    session.add(school)
    session.commit()
    session.refresh(school)
    return school


def update_school(
    session: Session, school: School, data: SchoolForm, *, expected_version: int | None
) -> School:
    check_version(school, expected_version)
    _check_unique(session, data, school.municipality_id, school.id)
    for key, value in data.model_dump().items():
        setattr(school, key, value)
    session.add(school)
    session.commit()
    session.refresh(school)
    return school


def update_school_field(
    session: Session, school: School, name: str, value, *, expected_version: int | None
) -> School:
    if name not in INLINE_FIELDS:
        raise ValueError(name)
    check_version(school, expected_version)
    setattr(school, name, value)
    session.add(school)
    session.commit()
    session.refresh(school)
    return school


# --- people ------------------------------------------------------------------------------


def list_people(session: Session, *, municipality_id: int | None = None, school_id: int | None = None):
    stmt = select(Person)
    if municipality_id is not None:
        stmt = stmt.where(Person.municipality_id == municipality_id)
    if school_id is not None:
        stmt = stmt.where(Person.school_id == school_id)
    return list(session.exec(stmt.order_by(Person.name)))


def get_person(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)


def get_person_by_email(session: Session, email: str) -> Person | None:
    return session.exec(select(Person).where(Person.email == email.lower())).first()
