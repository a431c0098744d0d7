"""Who may see and change municipalities and schools."""

from sqlalchemy.sql import ColumnElement
from sqlmodel import false, true

from app.accounts.access import Principal
from app.accounts.models import Role
from app.schools.models import Municipality, Person, School


def can_view_municipality(p: Principal, municipality_id: int) -> bool:
    return p.is_admin or municipality_id in p.municipality_ids()


def can_manage_municipality(p: Principal, municipality_id: int) -> bool:
    """Consultants run their municipality's cycle; administrators run everything."""
    return p.is_admin or municipality_id in p.municipality_ids(Role.CONSULTANT)


def can_view_school(p: Principal, school: School) -> bool:
    return can_view_municipality(p, school.municipality_id)


def can_edit_school(p: Principal, school: School) -> bool:
    """The school's own leadership may keep its facts up to date."""
    return can_manage_municipality(p, school.municipality_id) or school.id in p.school_ids()


def can_create_school(p: Principal, municipality_id: int) -> bool:
    return can_manage_municipality(p, municipality_id)


def can_view_person(p: Principal, person: Person) -> bool:
    """Colleagues in the same municipality see each other; everyone sees themselves."""
    if p.user is not None and p.user.person_id == person.id:
        return True
    return person.municipality_id is not None and can_view_municipality(p, person.municipality_id)


def visible_municipalities(p: Principal) -> ColumnElement[bool]:
    """A WHERE clause: the municipalities this principal may see."""
    if p.is_admin:
        return true()
    ids = p.municipality_ids()
    return Municipality.id.in_(ids) if ids else false()
