"""One change counter per municipality, raised in the same transaction as every change that can
alter one of its feeds, so that a feed's conditional request is one primary-key read.

After every flush, each new, changed or deleted object of a watched kind names the
municipality it belongs to (a meeting its own, a participant its meeting's, a step its school
year's...) and that municipality's counter rises by one, in the flush's own transaction: a
rolled-back change raises nothing, a committed one is seen by every worker and process.
Other domains whose rows show in feeds (the agendas' item titles) register their kinds in
`registry.change_sources` from app.wiring.bootstrap(). A change made with a bulk UPDATE
bypasses the session events: such code calls `bump(session, municipality_id)` itself.
Each rise is logged in FeedChange with the meeting it was about, so that a stored feed is
brought up to date by re-rendering only those meetings (app/feeds/splice.py).
Who may see what counts too: a login's roles, its activation, language or person raise the
counter of that person's municipality (logged as NO_EVENT: no event changed, but the owner's
grants did), so that a poll that finds the counter unchanged may trust what it decided
before (app/feeds/polls.py). So do the rows only the scheduling's conflict check reads (busy
times, working hours, holidays: app/scheduling/conflicts.py CHANGE_SOURCES), so that its
answers can be kept until the counter rises: the counter is the municipality's one "something
changed" number.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import col

from app.accounts.models import RoleAssignment, User
from app.cycles.models import SchoolAssignment, SchoolYear, Step
from app.feeds import registry
from app.feeds.models import FeedChange, FeedCounter, FeedSettings
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


MANY = 200
"""More meetings than this in one flush are logged as one change of everything: a full
render is then cheaper than reading the meetings one by one."""
WHOLE = None
"""A change that can touch any event of the municipality's feeds."""
NO_EVENT = 0
"""A change that alters no event: who may see what (a login's roles, activation or language:
a feed's owner may now see a different feed, or none), or what only the conflict check
reads. Stored feeds of other owners are brought up to date without rendering anything."""
ACCESS_COLUMNS = ("is_active", "locale", "person_id")
"""The columns of a login that decide its feeds (a login's time, say, decides nothing)."""
KEEP = 2000
"""Changes kept per municipality; a feed stored before the oldest is rendered in full."""


def _meeting_of(session, obj) -> int | None:
    """The one meeting whose event a change alters, or None when it can alter more: a
    meeting created or deleted in a series renumbers its siblings ("Møde 2 af 6")."""
    if isinstance(obj, Meeting):
        if obj.series_key and (obj in session.new or obj in session.deleted
                               or sa.inspect(obj).attrs.series_key.history.has_changes()):
            return None
        return obj.id
    if isinstance(obj, MeetingParticipant):
        return obj.meeting_id
    for source in registry.change_sources:
        if isinstance(obj, source.model) and source.meeting_of is not None:
            return source.meeting_of(session, obj)
    return None


def _previous(obj, attr: str) -> list:
    """The values an attribute had before this flush changed it."""
    state = sa.inspect(obj)
    if attr not in state.attrs:
        return []
    return [v for v in state.attrs[attr].history.deleted if v is not None]


def _person_municipalities(session, person_ids: Iterable[int | None]) -> set[int]:
    found = set()
    for person_id in person_ids:
        person = session.get(Person, person_id) if person_id else None
        if person is not None and person.municipality_id is not None:
            found.add(person.municipality_id)
    return found


def _access_of(session, obj, changed: bool) -> set[int]:
    """The municipalities whose feeds' owners a change of logins or roles concerns."""
    if isinstance(obj, User):
        if changed and not any(sa.inspect(obj).attrs[c].history.has_changes()
                               for c in ACCESS_COLUMNS):
            return set()
        return _person_municipalities(session, [obj.person_id, *_previous(obj, "person_id")])
    if isinstance(obj, RoleAssignment):
        user = session.get(User, obj.user_id)
        return _person_municipalities(session, [user.person_id] if user else [])
    return set()


def _changes(session, objects: Iterable, changed: Iterable = ()) -> dict[int, set[int | None]]:
    """Municipality → the meetings changed (None: anything may have; NO_EVENT: no event).
    `changed`: the objects among them that were there before this flush."""
    found: dict[int, set[int | None]] = {}
    extra = {source.model: source.municipality_of for source in registry.change_sources}
    updated = {id(o) for o in changed}
    for obj in objects:
        for m_id in _access_of(session, obj, id(obj) in updated):
            found.setdefault(m_id, set()).add(NO_EVENT)
        of = WATCHED.get(type(obj)) or extra.get(type(obj))
        if of is None:
            continue
        m_id = of(session, obj)
        # A school or person moved to another municipality changes the old one's feeds too.
        for m in {m_id, *_previous(obj, "municipality_id")} - {None}:
            found.setdefault(m, set()).add(_meeting_of(session, obj))
    return found


_UPSERT = sa.text(
    "INSERT INTO feedcounter (municipality_id, counter) VALUES (:m, 1) "
    "ON CONFLICT (municipality_id) DO UPDATE SET counter = feedcounter.counter + 1 "
    "RETURNING counter")
_LOG = sa.text("INSERT INTO feedchange (municipality_id, counter, meeting_id) "
               "VALUES (:m, :c, :meeting)")
_PRUNE = sa.text("DELETE FROM feedchange WHERE municipality_id = :m AND counter <= :c")


def record(session, changes: dict[int, set[int | None]]) -> None:
    """Raise the counters in the session's transaction (SQLite ≥ 3.35 and PostgreSQL) and
    log what each rise was about."""
    conn = session.connection()
    session.info.setdefault(_RAISED, set()).update(changes)
    for m_id in sorted(changes):  # one order: no deadlock between writers
        value = conn.execute(_UPSERT, {"m": m_id}).scalar_one()
        meetings = changes[m_id]
        if WHOLE in meetings or len(meetings) > MANY:
            meetings = {WHOLE}
        conn.execute(_LOG, [{"m": m_id, "c": value, "meeting": x}
                            for x in sorted(meetings, key=lambda x: x or 0)])
        if value % 100 == 0:
            conn.execute(_PRUNE, {"m": m_id, "c": value - KEEP})


_RAISED = "feeds.counter.raised"


def raised_here(session, municipality_id: int) -> bool:
    """Whether the session's open transaction raised this counter: the value it reads is then
    its own, uncommitted, and may become another transaction's if this one rolls back."""
    return municipality_id in session.info.get(_RAISED, ())


def _transaction_over(session, *_args) -> None:
    session.info.pop(_RAISED, None)


def bump(session, *municipality_ids: int) -> None:
    """A change of anything in these municipalities (for bulk UPDATEs, which no session
    event sees)."""
    record(session, {m_id: {WHOLE} for m_id in municipality_ids})


def _after_flush(session, _flush_context) -> None:
    changed = [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    found = _changes(session, [*session.new, *changed, *session.deleted], changed)
    if found:
        record(session, found)


def since(session, municipality_id: int, first: int, last: int) -> set[int] | None:
    """The meetings changed by the counter's rises first+1..last, or None when one of them
    was about more than meetings, or is no longer logged."""
    rows = session.execute(sa.select(col(FeedChange.counter), col(FeedChange.meeting_id)).where(
        FeedChange.municipality_id == municipality_id, FeedChange.counter > first,
        FeedChange.counter <= last)).all()
    if len({c for c, _m in rows}) != last - first:
        return None
    meetings = {m for _c, m in rows}
    if WHOLE in meetings:
        return None
    return {m for m in meetings if m}  # NO_EVENT: no event to render again


def current(session, municipality_id: int) -> int:
    """The counter as the database has it (a column select: never a stale identity-map row)."""
    value = session.execute(sa.select(FeedCounter.counter).where(
        FeedCounter.municipality_id == municipality_id)).scalar()
    return value or 0


def install() -> None:
    if not event.contains(OrmSession, "after_flush", _after_flush):
        event.listen(OrmSession, "after_flush", _after_flush)
    for name in ("after_commit", "after_soft_rollback"):
        if not event.contains(OrmSession, name, _transaction_over):
            event.listen(OrmSession, name, _transaction_over)
