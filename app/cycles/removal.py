"""Deleting a school year started by mistake: allowed while nothing is held or written in it.

What counts as written lives in the domains that write it (notes, agenda themes and
appendices, data package texts, debrief keywords); each adds a counter in app.wiring.bootstrap().
Meetings held are counted here. Booked meetings are cancelled first, in their own commit, so
participants get their CANCEL where invitations are on; then the year goes, and everything in
it with it (ON DELETE CASCADE).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.cycles.models import SchoolYear
from app.forms import FieldError
from app.i18n import N_
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus
from app.registry import Registry


@dataclass(frozen=True)
class ContentCounter:
    key: str
    label: str
    """A message id with %(count)s, e.g. N_("Notes: %(count)s")."""
    counts: Callable[[SchoolYear], list[Any]]
    """The year's count statements (`count(...)`), summed: the page asks them all at once."""


content_counters: Registry[ContentCounter] = Registry(
    "cycles.year_content_counters", key=lambda c: c.key)


def count(model: Any, *where: Any, join: tuple = ()) -> Any:
    """A statement counting the rows of `model` (joined through `join`, pairs of model and
    ON clause) that match."""
    stmt = select(func.count()).select_from(model)
    for other, on in join:
        stmt = stmt.join(other, on)
    return stmt.where(*where)


def _held(year: SchoolYear) -> list[Any]:
    return [count(Meeting, Meeting.school_year_id == year.id,
                  Meeting.status == MeetingStatus.HELD)]


HELD = ContentCounter("held", N_("Meetings held: %(count)s"), _held)


def content(session: Session, year: SchoolYear) -> list[str]:
    """What is held or written in the year, in words; empty if there is nothing. One query,
    however many domains count."""
    counters = [HELD, *content_counters]
    parts = [(c.key, q) for c in counters for q in c.counts(year)]
    row = session.execute(select(*[q.scalar_subquery() for _k, q in parts])).one()
    totals: dict[str, int] = {}
    for (key, _q), n in zip(parts, row):
        totals[key] = totals.get(key, 0) + int(n or 0)
    return [_(c.label, count=totals[c.key]) for c in counters if totals.get(c.key)]


def _booked(session: Session, year: SchoolYear) -> list[Meeting]:
    return list(session.exec(select(Meeting).where(Meeting.school_year_id == year.id,
                                                   Meeting.status == MeetingStatus.BOOKED)))


def what_deleting_does(session: Session, year: SchoolYear) -> list[str]:
    """Said before the year is deleted (FieldError if it may not be)."""
    found = content(session, year)
    if found:
        raise FieldError("year", _(
            "The school year %(label)s cannot be deleted: something is held or written in it "
            "(%(content)s). Only a year with nothing held or written can be deleted.",
            label=year.label, content="; ".join(found)))
    said = [_("The school year %(label)s is deleted with its steps, holidays, distribution of "
              "schools and planned meetings. It cannot be brought back.", label=year.label)]
    booked = _booked(session, year)
    if booked:
        said.append(_("Its %(count)s booked meetings are cancelled first: calendars drop them, "
                      "and participants get a cancellation where invitations are on.",
                      count=len(booked)))
    return said


def delete_school_year(session: Session, year: SchoolYear) -> None:
    """Delete a year with nothing held or written in it (FieldError otherwise)."""
    what_deleting_does(session, year)
    booked = _booked(session, year)
    if booked:
        for m in booked:
            meetings.cancel(session, m, reason=_("The school year is deleted."), commit=False)
        session.commit()
    session.delete(session.get(SchoolYear, year.id))
    session.commit()
