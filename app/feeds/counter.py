"""One change counter per municipality, raised in the same transaction as every change that can
alter one of its feeds, so that a feed's conditional request is one primary-key read.

After every flush, each new, changed or deleted object of a watched kind names the
municipality it belongs to (a meeting its own, a participant its meeting's, a step its school
year's...) and that municipality's counter rises by one, in the flush's own transaction: a
rolled-back change raises nothing, a committed one is seen by every worker and process.
Other domains whose rows show in feeds (the agendas' item titles) register their kinds in
`registry.change_sources` from app.wiring.bootstrap(). A change made with a bulk UPDATE
bypasses the session events: such code calls `bump(session, municipality_id)` itself.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from app.cycles.models import SchoolAssignment, SchoolYear, Step
from app.feeds import registry
from app.feeds.models import FeedCounter, FeedSettings
from app.meetings.models import Meeting, MeetingParticipant
from app.schools.models import Municipality, Person, School


def _year_municipality(session, school_year_id: int | None) -> int | None:
    if school_year_id is None:
        return None
    year = session.get(SchoolYear, school_year_id)
    return year.municipality_id if year is not None else None


def _meeting_municipality(session, meeting_id: int | None) -> int | None:
    if meeting_id is None:
        return None
    meeting = session.get(Meeting, meeting_id)
    return meeting.municipality_id if meeting is not None else None


WATCHED: dict[type, registry.MunicipalityOf] = {
    Meeting: lambda s, o: o.municipality_id,
    MeetingParticipant: lambda s, o: _meeting_municipality(s, o.meeting_id),
    Step: lambda s, o: _year_municipality(s, o.school_year_id),
    SchoolYear: lambda s, o: o.municipality_id,
    SchoolAssignment: lambda s, o: _year_municipality(s, o.school_year_id),
    School: lambda s, o: o.municipality_id,
    Person: lambda s, o: o.municipality_id,
    Municipality: lambda s, o: o.id,
    FeedSettings: lambda s, o: o.municipality_id,
}


def meeting_municipality(session, meeting_id: int | None) -> int | None:
    """For other domains' change sources: the municipality of a meeting by its id."""
    return _meeting_municipality(session, meeting_id)


def _municipalities(session, objects: Iterable) -> set[int]:
    found: set[int] = set()
    extra = {source.model: source.municipality_of for source in registry.change_sources}
    for obj in objects:
        of = WATCHED.get(type(obj)) or extra.get(type(obj))
        if of is None:
            continue
        m_id = of(session, obj)
        if m_id is not None:
            found.add(m_id)
    return found


_UPSERT = sa.text(
    "INSERT INTO feedcounter (municipality_id, counter) VALUES (:m, 1) "
    "ON CONFLICT (municipality_id) DO UPDATE SET counter = feedcounter.counter + 1")


def bump(session, *municipality_ids: int) -> None:
    """Raise the counters in the session's transaction (SQLite ≥ 3.24 and PostgreSQL)."""
    conn = session.connection()
    for m_id in sorted(set(municipality_ids)):  # one order: no deadlock between writers
        conn.execute(_UPSERT, {"m": m_id})


def _after_flush(session, _flush_context) -> None:
    changed = [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    ids = _municipalities(session, [*session.new, *changed, *session.deleted])
    if ids:
        bump(session, *ids)


def current(session, municipality_id: int) -> int:
    """The counter as the database has it (a column select: never a stale identity-map row)."""
    value = session.execute(sa.select(FeedCounter.counter).where(
        FeedCounter.municipality_id == municipality_id)).scalar()
    return value or 0


def install() -> None:
    if not event.contains(OrmSession, "after_flush", _after_flush):
        event.listen(OrmSession, "after_flush", _after_flush)
