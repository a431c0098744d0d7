"""The municipality, school and person a route is about: loaded once, 404 when missing, and
refused unless the signed-in user may view it (see app/loading.py)."""

from typing import Annotated

from fastapi import Depends

from app.accounts.access import SignedIn, require
from app.db import SessionDep
from app.loading import checked_id, found
from app.schools import policy, service
from app.schools.models import Municipality, Person, School


def load_municipality(municipality_id: int, session: SessionDep,
                      principal: SignedIn) -> Municipality:
    municipality = found(service.get_municipality(session, checked_id(municipality_id)))
    require(policy.can_view_municipality(principal, municipality.id))
    return municipality


def load_school(school_id: int, session: SessionDep, principal: SignedIn) -> School:
    school = found(service.get_school(session, checked_id(school_id)))
    require(policy.can_view_school(principal, school))
    return school


def load_person(person_id: int, session: SessionDep, principal: SignedIn) -> Person:
    person = service.get_person(session, checked_id(person_id))
    person = found(person if person and person.municipality_id is not None else None)
    require(policy.can_view_person(principal, person))
    return person


MunicipalityDep = Annotated[Municipality, Depends(load_municipality)]
SchoolDep = Annotated[School, Depends(load_school)]
PersonDep = Annotated[Person, Depends(load_person)]
