"""People and their logins, as the administration manages them. No HTTP here.

One function per change (create, update, give a role, take it away, deactivate, reactivate),
each committing its own transaction, so that an audit record can be written with each.
"""

import re
from dataclasses import dataclass

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.accounts.models import Role, RoleAssignment, User, UserSession
from app.admin.models import AccountToken
from app.forms import FieldError
from app.i18n import N_
from app.i18n import gettext as _
from app.schools.models import Municipality, Person, PersonFunction, School

LEADERSHIP_FUNCTIONS = (PersonFunction.SCHOOL_LEADER, PersonFunction.LEADERSHIP_TEAM)


class PersonForm(BaseModel):
    name: str = Field(min_length=1, max_length=160)
    email: str | None = Field(default=None, max_length=254)
    function: PersonFunction | None = None
    title: str | None = Field(default=None, max_length=160)
    organisation: str | None = Field(default=None, max_length=160)
    municipality_id: int
    school_id: int | None = None

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str | None) -> str | None:
        return valid_email(v) if v else None


EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def valid_email(value: str) -> str:
    """The address in lower case; ValueError with a message id if it is not one."""
    value = value.strip().lower()
    if not EMAIL.fullmatch(value):
        raise ValueError(N_("Must be an e-mail address, e.g. navn@kommune.dk."))
    return value


@dataclass
class Row:
    person: Person
    user: User | None
    municipality: Municipality | None
    school: School | None


def search_people(session: Session, *, municipality_ids: set[int] | None, query: str | None = None,
                  municipality_id: int | None = None, limit: int = 200) -> list[Row]:
    """People (with their login, if any) whose name, e-mail, title or organisation contains
    `query`, in the given municipalities (None: all)."""
    stmt = (select(Person, User, Municipality, School)
            .join(User, User.person_id == Person.id, isouter=True)
            .join(Municipality, Municipality.id == Person.municipality_id, isouter=True)
            .join(School, School.id == Person.school_id, isouter=True))
    if municipality_ids is not None:
        stmt = stmt.where(col(Person.municipality_id).in_(municipality_ids or {-1}))
    if municipality_id is not None:
        stmt = stmt.where(Person.municipality_id == municipality_id)
    rows = [Row(*r) for r in session.exec(stmt.order_by(Person.name, Person.id)).all()]
    if query and query.strip():
        # In Python: SQLite's lower() leaves Æ, Ø and Å as they are.
        wanted = query.strip().casefold()
        rows = [r for r in rows if any(wanted in (text or "").casefold() for text in (
            r.person.name, r.person.email, r.person.title, r.person.organisation,
            r.school.name if r.school else None))]
    return rows[:limit]


def login_of(session: Session, person: Person) -> User | None:
    return session.exec(select(User).where(User.person_id == person.id)).first()


def _check(session: Session, data: PersonForm, person_id: int | None) -> None:
    if data.school_id is not None:
        school = session.get(School, data.school_id)
        if school is None or school.municipality_id != data.municipality_id:
            raise FieldError("school_id", _("Choose a school of the person's municipality."))
    if data.email:
        other = session.exec(select(Person).where(Person.email == data.email)).first()
        if other is not None and other.id != person_id:
            raise FieldError("email", _("%(name)s already has this e-mail address.",
                                        name=other.name))
        user = accounts.get_user_by_email(session, data.email)
        if user is not None and user.person_id not in (None, person_id):
            raise FieldError("email", _("Another login already has this e-mail address."))


def create_person(session: Session, data: PersonForm) -> Person:
    _check(session, data, None)
    person = Person(**data.model_dump())
    session.add(person)
    session.commit()
    session.refresh(person)
    return person


def update_person(session: Session, person: Person, data: PersonForm) -> Person:
    _check(session, data, person.id)
    user = login_of(session, person)
    if user is not None and data.email is None:
        raise FieldError("email", _("A person with a login needs an e-mail address."))
    for key, value in data.model_dump().items():
        setattr(person, key, value)
    if user is not None:
        user.email, user.name = data.email or user.email, data.name
        session.add(user)
    session.add(person)
    session.commit()
    session.refresh(person)
    return person


# --- logins ----------------------------------------------------------------------------------


class NoEmail(Exception):
    """The person has no e-mail address, so cannot get a login."""


def ensure_login(session: Session, person: Person) -> User:
    """The person's login, made (without a password) if they have none. A login with the same
    e-mail address and no person yet is linked to them."""
    user = login_of(session, person)
    if user is not None:
        return user
    if not person.email:
        raise NoEmail()
    user = accounts.get_user_by_email(session, person.email)
    if user is None:
        user = User(email=accounts.normalise_email(person.email), name=person.name,
                    person_id=person.id)
    else:
        user.person_id = person.id
    session.add(user)
    session.commit()
    session.refresh(user)
    if person.function in LEADERSHIP_FUNCTIONS and person.school_id is not None \
            and not grants_of(session, user):
        # Someone the school's leadership consists of leads that school by default.
        give_role(session, user, Role.SCHOOL_LEADER, school_id=person.school_id)
    return user


def grants_of(session: Session, user: User) -> list[RoleAssignment]:
    return list(session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)
                             .order_by(RoleAssignment.role, RoleAssignment.id)))


def school_municipalities(session: Session, grants: list[RoleAssignment]) -> dict[int, int]:
    ids = {ra.school_id for ra in grants if ra.school_id}
    if not ids:
        return {}
    return dict(session.exec(select(School.id, School.municipality_id)
                             .where(col(School.id).in_(ids))).all())


def give_role(session: Session, user: User, role: Role, *, municipality_id: int | None = None,
              school_id: int | None = None) -> RoleAssignment:
    """Give a role (idempotent). The scope a role needs: administrator none, consultant and
    participant a municipality, school leadership a school."""
    if role is Role.ADMIN:
        municipality_id = school_id = None
    elif role is Role.SCHOOL_LEADER:
        municipality_id = None
        if school_id is None or session.get(School, school_id) is None:
            raise FieldError("school_id", _("Choose the school."))
    else:
        school_id = None
        if municipality_id is None or session.get(Municipality, municipality_id) is None:
            raise FieldError("municipality_id", _("Choose the municipality."))
    return accounts.grant(session, user, role, municipality_id=municipality_id,
                          school_id=school_id)


def take_role(session: Session, assignment: RoleAssignment) -> None:
    session.delete(assignment)
    session.commit()


def end_sessions(session: Session, user: User) -> None:
    session.exec(delete(UserSession).where(UserSession.user_id == user.id))


def deactivate(session: Session, user: User) -> None:
    """The login stops at once: its sessions end, its unused links die, and its calendar
    links answer nothing (app.feeds.policy.principal_for_person)."""
    user.is_active = False
    session.add(user)
    end_sessions(session, user)
    session.exec(delete(AccountToken).where(AccountToken.user_id == user.id,
                                            col(AccountToken.used_at).is_(None)))
    session.commit()


def reactivate(session: Session, user: User) -> None:
    user.is_active = True
    session.add(user)
    session.commit()
