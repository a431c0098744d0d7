"""Creating and editing municipalities: name, kommunekode and the organizer mailbox of its
calendar events and invitations. No HTTP here."""

import re

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, select

from app.db import check_version
from app.feeds import service as feeds
from app.forms import FieldError
from app.i18n import N_
from app.i18n import gettext as _
from app.schools.models import Municipality


class MunicipalityForm(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kommunekode: str
    organizer_name: str | None = Field(default=None, max_length=160)
    organizer_email: str | None = Field(default=None, max_length=254)

    @field_validator("kommunekode")
    @classmethod
    def _code(cls, v: str) -> str:
        if not re.fullmatch(r"\d{3}", v):
            raise ValueError(N_("Must be the three-digit municipality code, e.g. 740."))
        return v

    @field_validator("organizer_email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError(N_("Must be an e-mail address, e.g. navn@kommune.dk."))
        return v.lower() if v else v


def form_values(session: Session, municipality: Municipality) -> dict:
    s = feeds.settings_of(session, municipality.id)
    return {"name": municipality.name, "kommunekode": municipality.kommunekode,
            "organizer_name": s.organizer_name, "organizer_email": s.organizer_email}


def _check(session: Session, data: MunicipalityForm, municipality_id: int | None) -> None:
    for field, value, message in (
        ("name", data.name, N_("Another municipality already has this name.")),
        ("kommunekode", data.kommunekode, N_("Another municipality already has this code.")),
    ):
        other = session.exec(select(Municipality).where(getattr(Municipality, field) == value))\
            .first()
        if other is not None and other.id != municipality_id:
            raise FieldError(field, _(message))


def _save_organizer(session: Session, municipality_id: int, data: MunicipalityForm) -> None:
    s = feeds.settings_of(session, municipality_id)
    feeds.save_settings(session, municipality_id, public_feeds=s.public_feeds,
                        organizer_name=data.organizer_name, organizer_email=data.organizer_email)


def create(session: Session, data: MunicipalityForm) -> Municipality:
    _check(session, data, None)
    m = Municipality(name=data.name, kommunekode=data.kommunekode)
    session.add(m)
    session.flush()
    _save_organizer(session, m.id, data)  # commits
    session.refresh(m)
    return m


def update(session: Session, municipality: Municipality, data: MunicipalityForm, *,
           expected_version: int | None) -> Municipality:
    check_version(municipality, expected_version)
    _check(session, data, municipality.id)
    municipality.name, municipality.kommunekode = data.name, data.kommunekode
    session.add(municipality)
    session.flush()
    _save_organizer(session, municipality.id, data)  # commits
    session.refresh(municipality)
    return municipality
