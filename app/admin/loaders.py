"""The person and municipality an administration route is about: 404 when missing, refused
unless the principal administers it (app.admin.policy)."""

from typing import Annotated

from fastapi import Depends

from app.accounts.access import AdminOnly, Staff, require
from app.admin import policy
from app.db import SessionDep
from app.loading import checked_id, found
from app.schools.models import Municipality, Person


def load_person(person_id: int, session: SessionDep, principal: Staff) -> Person:
    person = found(session.get(Person, checked_id(person_id)))
    require(policy.can_manage_people_in(principal, person.municipality_id))
    return person


def load_municipality(municipality_id: int, session: SessionDep,
                      principal: AdminOnly) -> Municipality:
    return found(session.get(Municipality, checked_id(municipality_id)))


AdminPersonDep = Annotated[Person, Depends(load_person)]
AdminMunicipalityDep = Annotated[Municipality, Depends(load_municipality)]
