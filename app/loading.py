"""Objects a route works on, looked up once: a typed dependency loads the object, answers 404
when there is none, and applies its view policy.

A domain writes the loader as a plain function and names the dependency once::

    def load_school(school_id: int, session: SessionDep, principal: SignedIn) -> School:
        school = found(service.get_school(session, checked_id(school_id)))
        require(policy.can_view_school(principal, school))
        return school

    SchoolDep = Annotated[School, Depends(load_school)]

and a route takes `school: SchoolDep` (the path parameter `school_id` comes through the
loader). The loader declares its route's Access (`SignedIn` above): a route that also names
`principal: SignedIn` gets the same dependency, resolved once, so it still declares exactly
one Access. A route for staff only uses a loader that depends on `Staff`.
"""

from typing import TypeVar

from fastapi import HTTPException
from sqlmodel import Session

from app.forms import int_or_none

T = TypeVar("T")


def checked_id(value: int | str | None) -> int:
    """An id from the address; one the database cannot hold names nothing: 404."""
    number = int_or_none(value)
    if number is None:
        raise HTTPException(404)
    return number


def found(obj: T | None) -> T:
    """The object, or 404."""
    if obj is None:
        raise HTTPException(404)
    return obj


def get_or_404(session: Session, model: type[T], object_id: int | str | None) -> T:
    """The row of `model` with that primary key, or 404."""
    return found(session.get(model, checked_id(object_id)))
