"""Feeds: which events a feed holds, their text, the bytes, and when they changed. No HTTP.

A feed is (kind, target, viewer, history). Rendering it costs time in proportion to its
events, so every request first computes a fingerprint from one primary-key read (the
municipality's feed counter, raised with every change that can alter its feeds, see
app/feeds/counter.py); when that equals the stored FeedState, the stored ETag and
Last-Modified answer a conditional request without rendering, and the bytes of a full one
come from an in-process cache or the FeedState row (so every worker and process shares them).
After a change of a few meetings only those are rendered again and spliced into the stored
bytes (app/feeds/splice.py); anything else renders the feed in full.
Last-Modified only moves forward: when the bytes change it becomes the newest change time of
the content, but at least one second after the previous value (an event that leaves the feed
has no change time of its own).
"""

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy import exists, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import i18n
from app.accounts.models import User
from app.config import get_settings
from app.cycles.models import SchoolAssignment, SchoolYear, Step
from app.db import begin_write, utcnow
from app.feeds import counter, ical, registry, splice
from app.feeds.config import get_env
from app.feeds.ical import Address, FeedEvent
from app.feeds.models import (
    FeedKind,
    FeedLink,
    FeedSettings,
    FeedState,
    InvitationPreference,
)
from app.feeds.policy import (
    LOOK_UP,
    PUBLIC,
    Viewer,
    may_open,
    meeting_clause,
    sees_municipality,
    viewer_for,
)
from app.i18n import gettext as _
from app.meetings.models import MEETING_TYPE_LABELS, Meeting, MeetingParticipant, MeetingStatus
from app.schools.models import Municipality, Person, PersonFunction, School

FORMAT_VERSION = "2"
"""Part of every fingerprint: bump it when the text of feeds changes, so caches let go."""

# Feeds about a person carry ORGANIZER and ATTENDEE; the wide ones would be mostly names.
ATTENDEE_KINDS = (FeedKind.PERSON, FeedKind.CONSULTANT)
WINDOWED_KINDS = (FeedKind.MUNICIPALITY, FeedKind.SCHOOL, FeedKind.PERSON, FeedKind.CONSULTANT)


def today() -> date:
    """Today in Copenhagen: which school years a windowed feed holds (tests replace it)."""
    return i18n.local(utcnow()).date()


# --- what a feed is -----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: FeedKind
    id: int
    municipality: Municipality
    name: str
    """What the feed is about, for its calendar name (a step's, school's or person's name)."""
    school_year: SchoolYear | None = None
    municipality_id: int = 0
    """The municipality's id as a plain value: read on every request without a refresh."""


@dataclass(frozen=True)
class Owner:
    """A link's person and their login (None: they have none), read with the link."""

    person: Person
    user: User | None
    municipality: Municipality | None
    """Held here so that the session's (weak) identity map keeps it for resolve_target."""


@dataclass(frozen=True)
class FeedSpec:
    target: Target
    viewer: Viewer
    full_history: bool = False
    today: date = field(default_factory=lambda: today())

    @property
    def key(self) -> str:
        return (f"{self.target.kind.value}:{self.target.id}:{self.viewer.key}:"
                f"{'all' if self.full_history else 'window'}:{self.locale}")

    @property
    def locale(self) -> str:
        return self.viewer.locale or get_settings().default_locale

    @property
    def with_attendees(self) -> bool:
        return not self.viewer.public and self.target.kind in ATTENDEE_KINDS

    def window(self) -> tuple[int, int] | None:
        """School years (first, last start year) in the feed; None for the whole history."""
        if self.full_history or self.target.kind not in WINDOWED_KINDS:
            return None
        current = self.today.year if self.today.month >= 8 else self.today.year - 1
        return current - 1, current + 1


def resolve_target(session: Session, kind: FeedKind, target_id: int) -> Target | None:
    municipality_id: int | None = None
    name = ""
    year = None
    if kind is FeedKind.MUNICIPALITY:
        municipality_id = target_id
    elif kind is FeedKind.YEAR:
        year = session.get(SchoolYear, target_id)
        municipality_id = year.municipality_id if year else None
        name = year.label if year else ""
    elif kind is FeedKind.STEP:
        step = session.get(Step, target_id)
        year = session.get(SchoolYear, step.school_year_id) if step else None
        municipality_id = year.municipality_id if year else None
        name = step.title if step else ""
    elif kind is FeedKind.SCHOOL:
        school = session.get(School, target_id)
        municipality_id = school.municipality_id if school else None
        name = school.name if school else ""
    elif kind in (FeedKind.PERSON, FeedKind.CONSULTANT):
        person = session.get(Person, target_id)
        municipality_id = person.municipality_id if person else None
        name = person.name if person else ""
    municipality = session.get(Municipality, municipality_id) if municipality_id else None
    if municipality is None:
        return None
    return Target(kind, target_id, municipality, name or municipality.name, year, municipality.id)


def public_feeds_on(session: Session, municipality_id: int) -> bool:
    s = session.get(FeedSettings, municipality_id)
    return bool(s and s.public_feeds)


def public_spec(session: Session, kind: FeedKind, target_id: int, *,
                full_history: bool = False, today: date | None = None,
                public_on: bool | None = None) -> FeedSpec | None:
    """The anonymous feed of a target, or None where there is none to give (`public_on`:
    whether its municipality gives public feeds, when the caller read that already)."""
    target = resolve_target(session, kind, target_id)
    if target is None or not may_open(PUBLIC, kind, target.municipality.id, target_id):
        return None
    if not (public_feeds_on(session, target.municipality.id) if public_on is None
            else public_on):
        return None
    if kind is FeedKind.STEP and _step_confidential(session, target_id):
        return None
    return _spec(target, PUBLIC, full_history, today)


def private_spec(session: Session, link: FeedLink, *, full_history: bool = False,
                 today: date | None = None, owner: Owner | None = None) -> FeedSpec | None:
    """The feed a link opens, for its owner; None if the link no longer opens anything."""
    person = owner.person if owner else session.get(Person, link.person_id)
    if person is None:
        return None
    viewer = viewer_for(session, person, owner.user if owner else LOOK_UP)
    target = resolve_target(session, link.kind, link.target_id)
    if viewer is None or target is None:
        return None
    if not may_open(viewer, link.kind, target.municipality.id, link.target_id):
        return None
    return _spec(target, viewer, full_history, today)


def _spec(target, viewer, full_history, today) -> FeedSpec:
    if today is None:
        return FeedSpec(target, viewer, full_history)
    return FeedSpec(target, viewer, full_history, today)


def _step_confidential(session: Session, step_id: int) -> bool:
    step = session.get(Step, step_id)
    return bool(step and step.confidential)


# --- which rows ---------------------------------------------------------------------------


def grace_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=get_env().feed_cancelled_days)


def _years_in_window(spec: FeedSpec):
    window = spec.window()
    stmt = select(SchoolYear.id).where(SchoolYear.municipality_id == spec.target.municipality.id)
    if window is not None:
        stmt = stmt.where(col(SchoolYear.start_year).between(*window))
    return stmt


def meeting_where(spec: FeedSpec, now: datetime) -> list:
    t, kind = spec.target, spec.target.kind
    where = [
        col(Meeting.starts_at).is_not(None),
        Meeting.municipality_id == t.municipality.id,
        meeting_clause(spec.viewer),
        or_(Meeting.status != MeetingStatus.CANCELLED,
            func.coalesce(Meeting.cancelled_at, Meeting.changed_at) >= grace_cutoff(now)),
    ]
    if kind is FeedKind.YEAR:
        where.append(Meeting.school_year_id == t.id)
    elif kind is FeedKind.STEP:
        where.append(Meeting.step_id == t.id)
    elif kind is FeedKind.SCHOOL:
        where.append(Meeting.school_id == t.id)
    elif kind is FeedKind.PERSON:
        where.append(exists().where(MeetingParticipant.meeting_id == Meeting.id,
                                    MeetingParticipant.person_id == t.id))
    elif kind is FeedKind.CONSULTANT:
        where.append(exists().where(SchoolAssignment.person_id == t.id,
                                    SchoolAssignment.school_id == Meeting.school_id,
                                    SchoolAssignment.school_year_id == Meeting.school_year_id))
    if spec.window() is not None:
        where.append(col(Meeting.school_year_id).in_(_years_in_window(spec)))
    return where


def step_where(spec: FeedSpec) -> list | None:
    """Steps in the feed, as whole-day events; None: this kind of feed has no steps."""
    t, kind, viewer = spec.target, spec.target.kind, spec.viewer
    where = [col(Step.start_date).is_not(None)]
    if kind is FeedKind.MUNICIPALITY:
        where.append(col(Step.school_year_id).in_(_years_in_window(spec)))
    elif kind is FeedKind.YEAR:
        where.append(Step.school_year_id == t.id)
    elif kind is FeedKind.STEP:
        where.append(Step.id == t.id)
    elif kind is FeedKind.PERSON:
        where += [Step.responsible_person_id == t.id,
                  col(Step.school_year_id).in_(_years_in_window(spec))]
    else:
        return None
    if viewer.public:
        where.append(col(Step.confidential).is_(False))
    elif not sees_municipality(viewer, t.municipality.id):
        where.append(Step.responsible_person_id == viewer.person_id)
    return where


# --- fingerprint: has anything the feed shows changed? --------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    digest: str
    base: str = ""
    """The digest of everything but the change counter."""
    counter: int = 0


def _as_utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands aggregates of datetimes back as text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def fingerprint(session: Session, spec: FeedSpec, now: datetime) -> Fingerprint:
    """A digest of what decides a feed's bytes, in one primary-key read: the municipality's
    feed counter (app/feeds/counter.py raises it in the transaction of every change that can
    alter one of its feeds), the feed's key and window, the viewer's grants, and today's date
    (cancelled meetings leave a feed by time alone, a day's delay at most)."""
    p = spec.viewer.principal
    viewer = (p.user.id if p.user else None, sorted(map(repr, p.grants)))
    base = hashlib.sha256("|".join([
        FORMAT_VERSION, spec.key, repr(spec.window()), repr(viewer), get_settings().base_url,
        grace_cutoff(now).date().isoformat()]).encode()).hexdigest()
    value = counter.current(session, spec.target.municipality_id)
    return Fingerprint(hashlib.sha256(f"{base}|{value}".encode()).hexdigest(), base, value)


# --- the events ---------------------------------------------------------------------------


@contextmanager
def locale(code: str) -> Iterator[None]:
    previous = i18n.get_locale()
    i18n.set_locale(code)
    try:
        yield
    finally:
        i18n.set_locale(previous)


def organizer(session: Session, municipality: Municipality) -> Address | None:
    s = session.get(FeedSettings, municipality.id)
    if s is not None and s.organizer_email:
        return Address(s.organizer_email, s.organizer_name or municipality.name)
    fallback = get_env().organizer
    if fallback is None:
        return None
    name, email = fallback
    return Address(email, name or municipality.name)


def _base() -> str:
    return get_settings().base_url.rstrip("/")


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def attendees_of(session: Session, meeting_ids: list[int]) -> dict[int, list[Address]]:
    found: dict[int, list[Address]] = {}
    for chunk in _chunks(meeting_ids):
        rows = session.exec(
            select(MeetingParticipant.meeting_id, Person.name, Person.email,
                   MeetingParticipant.required)
            .join(Person, Person.id == MeetingParticipant.person_id)
            .where(col(MeetingParticipant.meeting_id).in_(chunk), col(Person.email).is_not(None))
            .order_by(MeetingParticipant.meeting_id, Person.name, Person.id)
        ).all()
        for meeting_id, name, email, required in rows:
            found.setdefault(meeting_id, []).append(Address(email, name, required))
    return found


SeriesKey = tuple[str, int, int | None]
"""A series is one school's talks of one year: (series_key, school_year_id, school_id)."""


def series_of(meeting: Meeting) -> SeriesKey | None:
    if not meeting.series_key:
        return None
    return meeting.series_key, meeting.school_year_id, meeting.school_id


def _series_sizes(session: Session, municipality_id: int, keys: set[str]) -> dict[SeriesKey, int]:
    """How many meetings each series has: "Møde 2 af 6" counts the school's own talks of
    the year, as the title's "(2/6)" does — not every school's."""
    sizes: dict[SeriesKey, int] = {}
    for chunk in _chunks(sorted(keys)):
        for key, year_id, school_id, n in session.exec(
            select(Meeting.series_key, Meeting.school_year_id, Meeting.school_id,
                   func.count(Meeting.id))
            .where(Meeting.municipality_id == municipality_id, col(Meeting.series_key).in_(chunk))
            .group_by(Meeting.series_key, Meeting.school_year_id, Meeting.school_id)
        ).all():
            sizes[(key, year_id, school_id)] = n
    return sizes


def meeting_event(meeting: Meeting, *, school: tuple[str, str | None] | None, public: bool,
                  agenda: Sequence[str] = (), series_size: int | None = None,
                  organizer: Address | None = None,
                  attendees: Sequence[Address] = ()) -> FeedEvent:
    """One meeting as an event, in the current locale. Shared by feeds and invitations."""
    school_name, school_address = school or (None, None)
    summary = meeting.title
    if school_name and school_name not in summary:
        summary = f"{summary} – {school_name}"
    cancelled = meeting.status is MeetingStatus.CANCELLED
    if cancelled:
        summary = _("CANCELLED: ") + summary

    lines = [" · ".join(x for x in (_(MEETING_TYPE_LABELS[meeting.meeting_type]), school_name) if x)]
    if meeting.series_key and meeting.series_index and series_size:
        lines.append(_("Meeting %(index)s of %(count)s in the series",
                       index=meeting.series_index, count=series_size))
    if meeting.confidential:
        lines.append(_("Confidential: the content is never shown in calendars."))
    elif agenda:
        lines.append("")
        lines.append(_("Agenda:"))
        lines += [f"{i}. {title}" for i, title in enumerate(agenda, 1)]
    url = None
    if not public:
        url = f"{_base()}/meetings/{meeting.id}"
        lines.append("")
        lines.append(_("The meeting in SUS: %(url)s", url=url))
        if meeting.school_id:
            lines.append(_("The school: %(url)s", url=f"{_base()}/schools/{meeting.school_id}"))
        if meeting.step_id:
            lines.append(_("The step in the year wheel: %(url)s",
                           url=f"{_base()}/steps/{meeting.step_id}"))

    location = meeting.location
    if not location and meeting.location_kind == "school" and school_name:
        location = ", ".join(x for x in (school_name, school_address) if x)

    start: date | datetime
    end: date | datetime
    if meeting.all_day:
        start, end = ical.local_days(meeting.starts_at, meeting.ends_at)
    else:
        assert meeting.starts_at is not None  # only booked meetings become events
        start = meeting.starts_at
        end = meeting.ends_at or meeting.starts_at + timedelta(hours=1)
    return FeedEvent(
        uid=meeting.uid, sequence=meeting.sequence, changed_at=meeting.changed_at,
        summary=summary, start=start, end=end, cancelled=cancelled, location=location,
        description="\n".join(lines), url=url, organizer=organizer,
        attendees=tuple(attendees), private=meeting.confidential,
    )


def step_event(step: Step, year: SchoolYear, municipality: Municipality, *,
               public: bool) -> FeedEvent:
    start, end = ical.whole_days(step.start_date, step.end_date)
    lines = [_("Step in the year wheel %(year)s", year=year.label)]
    url = None
    if not public:
        if step.responsible:
            lines.append(_("Responsible: %(who)s", who=step.responsible))
        url = f"{_base()}/steps/{step.id}"
        lines += ["", _("The step in SUS: %(url)s", url=url)]
    return FeedEvent(
        uid=f"step-{municipality.kommunekode}-{year.start_year}-{step.key}@sus",
        sequence=step.version, changed_at=step.updated_at, summary=step.title,
        start=start, end=end, description="\n".join(lines), url=url, transparent=True,
    )


def _meeting_events(session: Session, spec: FeedSpec, now: datetime,
                    only: set[int] | None = None) -> list[splice.Keyed]:
    """The feed's meetings as events (of the meetings `only`, if given), by meeting id."""
    public = spec.viewer.public
    municipality = spec.target.municipality
    where = meeting_where(spec, now)
    if only is not None:
        where.append(col(Meeting.id).in_(sorted(only)))
    rows = session.exec(
        select(Meeting, School.name, School.address)
        .join(School, School.id == Meeting.school_id, isouter=True)
        .where(*where)
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    ids = [m.id for m, _n, _a in rows]
    open_ids = [m.id for m, _n, _a in rows if not m.confidential]
    agenda = {} if public else registry.agenda_items(session, open_ids)
    attendees = attendees_of(session, ids) if spec.with_attendees else {}
    org = organizer(session, municipality) if spec.with_attendees else None
    series = _series_sizes(session, municipality.id,
                           {m.series_key for m, _n, _a in rows if m.series_key})
    return [
        (m.id, meeting_event(m, school=(name, address) if name else None, public=public,
                             agenda=agenda.get(m.id, []) if not m.confidential else [],
                             series_size=series.get(series_of(m)), organizer=org,
                             attendees=attendees.get(m.id, [])))
        for m, name, address in rows
    ]


def keyed_events(session: Session, spec: FeedSpec, now: datetime) -> list[splice.Keyed]:
    """Every event of the feed in the feed's order, with its meeting's id (0: a step)."""
    found = _meeting_events(session, spec, now)
    sw = step_where(spec)
    if sw is not None:
        municipality, public = spec.target.municipality, spec.viewer.public
        for step, year in session.exec(
            select(Step, SchoolYear).join(SchoolYear, SchoolYear.id == Step.school_year_id)
            .where(*sw).order_by(Step.start_date, Step.position, Step.id)
        ).all():
            found.append((0, step_event(step, year, municipality, public=public)))
    found.sort(key=lambda keyed: splice.order(keyed[1]))
    return found


def events(session: Session, spec: FeedSpec, now: datetime) -> list[FeedEvent]:
    return [e for _m, e in keyed_events(session, spec, now)]


def calendar_name(spec: FeedSpec) -> str:
    t = spec.target
    m = t.municipality.name
    if t.kind is FeedKind.MUNICIPALITY:
        return _("School development dialogues – %(municipality)s", municipality=m)
    if t.kind is FeedKind.YEAR:
        return _("%(municipality)s – school year %(year)s", municipality=m, year=t.name)
    if t.kind is FeedKind.STEP:
        return _("%(step)s – %(municipality)s", step=t.name, municipality=m)
    if t.kind is FeedKind.SCHOOL:
        return _("%(school)s – school development dialogues", school=t.name)
    if t.kind is FeedKind.PERSON:
        return _("My meetings in SUS (%(name)s)", name=t.name)
    return _("Schools of %(name)s – SUS", name=t.name)


@dataclass
class Made:
    """A feed's bytes, the newest change time of its events (Last-Modified) and its layout."""

    body: bytes
    newest: datetime | None
    layout: splice.Layout


def render_full(session: Session, spec: FeedSpec, now: datetime) -> Made:
    """The whole feed from the database (its events' text from the in-process cache)."""
    with locale(spec.locale):
        keyed = keyed_events(session, spec, now)
        head, parts = ical.calendar_parts(calendar_name(spec), [e for _m, e in keyed])
    body, layout = splice.assemble(head, keyed, parts)
    times = [t for t in (_as_utc(e.changed_at) for _m, e in keyed) if t is not None]
    return Made(body, max(times, default=None), layout)


def render_updated(session: Session, spec: FeedSpec, fp: Fingerprint,
                   now: datetime) -> Made | None:
    """The stored feed with the meetings changed since it was made rendered again, or None
    when it must be rendered in full (something else changed, or nothing is stored)."""
    row = session.execute(
        sa.select(col(FeedState.base), col(FeedState.counter), col(FeedState.fingerprint),
                  col(FeedState.last_modified))
        .where(FeedState.key == spec.key)).one_or_none()
    if (row is None or row.base != fp.base or row.counter is None
            or row.counter > fp.counter):
        return None
    changed = counter.since(session, spec.target.municipality_id, row.counter, fp.counter)
    if changed is None:
        return None
    with locale(spec.locale):
        fresh = _meeting_events(session, spec, now, only=changed) if changed else []
        parts = [ical.event_cache.get(e, False) for _m, e in fresh]
    stored = _stored(session, spec.key, row.fingerprint)
    if stored is None:
        return None
    body, layout = splice.splice(*stored, changed, fresh, parts)
    times = [t for t in (_as_utc(row.last_modified),
                         *(_as_utc(e.changed_at) for _m, e in fresh)) if t is not None]
    return Made(body, max(times, default=None), layout)


def _stored(session: Session, key: str, digest: str) -> tuple[bytes, splice.Layout] | None:
    """The bytes and layout of the stored state: this process's copy, else the database's."""
    latest = cache.latest(key)
    if latest is not None and latest[0] == digest:
        return latest[1], latest[2]
    found = session.execute(sa.select(col(FeedState.body), col(FeedState.segments))
                            .where(FeedState.key == key, FeedState.fingerprint == digest)
                            ).one_or_none()
    if found is None or found.body is None or found.segments is None:
        return None
    return bytes(found.body), splice.Layout.decode(bytes(found.segments))


def render(session: Session, spec: FeedSpec, now: datetime | None = None) -> bytes:
    return render_full(session, spec, now or utcnow()).body


def render_meeting(session: Session, meeting: Meeting, *, with_people: bool) -> bytes:
    """One meeting as an .ics of its own, for a signed-in user who may see it."""
    school = session.get(School, meeting.school_id) if meeting.school_id else None
    municipality = session.get(Municipality, meeting.municipality_id)
    agenda = [] if meeting.confidential else registry.agenda_items(
        session, [meeting.id]).get(meeting.id, [])
    size = None
    if meeting.series_key:
        size = _series_sizes(session, meeting.municipality_id, {meeting.series_key}).get(
            series_of(meeting))
    event = meeting_event(
        meeting, school=(school.name, school.address) if school else None, public=False,
        agenda=agenda, series_size=size,
        organizer=organizer(session, municipality) if with_people else None,
        attendees=attendees_of(session, [meeting.id]).get(meeting.id, []) if with_people else [],
    )
    return ical.calendar(meeting.title, [event])


# --- conditional answers: ETag, Last-Modified, and the bytes only when needed ---------------


class _Cache:
    """The last rendered bytes of recent feeds, by (feed key, fingerprint). Process-local."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self._data: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._layouts: dict[str, tuple[str, splice.Layout]] = {}
        """Feed key → (fingerprint, layout) of its entry, to splice the next change into."""
        self._size = 0
        self._max = max_bytes
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self._lock:
            body = self._data.get(key)
            if body is not None:
                self._data.move_to_end(key)
            return body

    def latest(self, feed_key: str) -> tuple[str, bytes, splice.Layout] | None:
        """The feed's entry with its layout: (fingerprint, bytes, layout)."""
        with self._lock:
            found = self._layouts.get(feed_key)
            body = self._data.get((feed_key, found[0])) if found else None
            return (found[0], body, found[1]) if found and body is not None else None

    def put(self, key: tuple[str, str], body: bytes, layout: splice.Layout | None = None) -> None:
        with self._lock:
            if layout is not None:
                self._layouts[key[0]] = (key[1], layout)
            elif self._layouts.get(key[0], ("",))[0] != key[1]:
                self._layouts.pop(key[0], None)
            old = self._data.pop(key, None)
            self._size -= len(old) if old else 0
            # One entry per feed: older fingerprints of the same feed are dead weight.
            for stale in [k for k in self._data if k[0] == key[0]]:
                self._size -= len(self._data.pop(stale))
            self._data[key] = body
            self._size += len(body)
            while self._size > self._max and len(self._data) > 1:
                k, dropped = self._data.popitem(last=False)
                self._layouts.pop(k[0], None)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._layouts.clear()
            self._size = 0


cache = _Cache()


def etag_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def whole_second(value: datetime) -> datetime:
    """HTTP dates have whole seconds: compare and store Last-Modified the same way."""
    return value.astimezone(timezone.utc).replace(microsecond=0)


@dataclass
class Fixed:
    """A response whose bytes are already made (one meeting's .ics)."""

    etag: str
    last_modified: datetime
    data: bytes

    def body(self) -> bytes:
        return self.data


@dataclass
class Snapshot:
    """A feed as it is now: its ETag and Last-Modified, and its bytes on demand (from this
    process's cache, else the database, else rendered again)."""

    etag: str
    last_modified: datetime
    _body: bytes | None
    _session: Session
    _spec: FeedSpec
    _fp: Fingerprint
    _now: datetime

    @property
    def fingerprint(self) -> Fingerprint:
        return self._fp

    def body(self) -> bytes:
        if self._body is None:
            stored = self._session.execute(sa.select(col(FeedState.body)).where(
                FeedState.key == self._spec.key, FeedState.fingerprint == self._fp.digest,
                FeedState.etag == self.etag)).scalar()
            if stored is not None:
                self._body = bytes(stored)
                cache.put((self._spec.key, self._fp.digest), self._body)
                return self._body
            made = render_full(self._session, self._spec, self._now)
            cache.put((self._spec.key, self._fp.digest), made.body, made.layout)
            # Stored again: the bytes (another process may have none), and a new state if the
            # same data now reads differently (a new version of the code).
            self.etag, self.last_modified = _store(self._session, self._spec, self._fp,
                                                   made, self._now)
            self._body = made.body
        return self._body


def _store(session: Session, spec: FeedSpec, fp: Fingerprint, made: Made,
           now: datetime) -> tuple[str, datetime]:
    etag = etag_of(made.body)
    begin_write(session)  # feeds are GET requests: this write waits its turn on SQLite
    # Column reads and writes: the stored bytes (megabytes for a big feed) are not read back.
    state = session.execute(sa.select(col(FeedState.etag), col(FeedState.last_modified))
                            .where(FeedState.key == spec.key)).one_or_none()
    if state is not None and state.etag == etag:
        last_modified = whole_second(state.last_modified)
    else:
        last_modified = whole_second(made.newest or now)
        if state is not None:
            last_modified = max(last_modified,
                                whole_second(state.last_modified) + timedelta(seconds=1))
    values = {"fingerprint": fp.digest, "etag": etag, "last_modified": last_modified,
              "base": fp.base, "counter": fp.counter, "segments": made.layout.encode()}
    if state is None or state.etag != etag:  # the same bytes are not written again
        values["body"] = made.body
    if state is None:
        stmt: sa.Insert | sa.Update = sa.insert(FeedState).values(key=spec.key, **values)
    else:
        stmt = sa.update(FeedState).where(col(FeedState.key) == spec.key).values(**values)
    try:
        session.execute(stmt)
        session.commit()
    except IntegrityError:
        # Another worker stored the same feed at the same moment: its state is as good.
        session.rollback()
    return etag, last_modified


def snapshot(session: Session, spec: FeedSpec, now: datetime | None = None) -> Snapshot:
    """Two primary-key reads when nothing changed (the counter, the feed's state without its
    bytes); a render only after a change."""
    now = now or utcnow()
    fp = fingerprint(session, spec, now)
    cached = cache.get((spec.key, fp.digest))
    state = session.execute(sa.select(col(FeedState.fingerprint), col(FeedState.etag),
                                      col(FeedState.last_modified))
                            .where(FeedState.key == spec.key)).one_or_none()
    if state is not None and state.fingerprint == fp.digest:
        return Snapshot(state.etag, whole_second(_as_utc(state.last_modified)), cached, session,
                        spec, fp, now)
    made = render_updated(session, spec, fp, now) or render_full(session, spec, now)
    cache.put((spec.key, fp.digest), made.body, made.layout)
    etag, last_modified = _store(session, spec, fp, made, now)
    return Snapshot(etag, last_modified, made.body, session, spec, fp, now)


# --- links ----------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def find_link(session: Session, token: str) -> FeedLink | None:
    found = open_link(session, token)
    return found[0] if found else None


def open_link(session: Session, token: str) -> tuple[FeedLink, Owner] | None:
    """The link of a token with its owner, their login and municipality in one query: every
    calendar poll asks, and each of these was a round trip of its own."""
    if not token or len(token) > 100:
        return None
    row = session.exec(
        select(FeedLink, Person, User, Municipality)
        .join(Person, Person.id == FeedLink.person_id)
        .join(User, col(User.person_id) == Person.id, isouter=True)
        .join(Municipality, col(Municipality.id) == Person.municipality_id, isouter=True)
        .where(FeedLink.token_hash == hash_token(token))).first()
    if row is None:
        return None
    link, person, user, municipality = row
    return link, Owner(person, user, municipality)


def links_of(session: Session, person_id: int) -> list[FeedLink]:
    return list(session.exec(select(FeedLink).where(FeedLink.person_id == person_id)
                             .order_by(FeedLink.kind, FeedLink.target_id)))


def link_for(session: Session, person_id: int, kind: FeedKind, target_id: int) -> FeedLink | None:
    return session.exec(select(FeedLink).where(
        FeedLink.person_id == person_id, FeedLink.kind == kind,
        FeedLink.target_id == target_id)).first()


def issue_link(session: Session, person: Person, kind: FeedKind, target_id: int, *,
               by_user_id: int | None) -> tuple[FeedLink, str]:
    """Make the person's link to a feed, or give an existing one a new token (the old URL
    stops working). Returns the link and the token: the only time the token exists in
    clear."""
    token = new_token()
    link = link_for(session, person.id, kind, target_id) or FeedLink(
        person_id=person.id, kind=kind, target_id=target_id, token_hash="")
    link.token_hash = hash_token(token)
    link.created_at = utcnow()
    link.created_by_user_id = by_user_id
    link.last_used_at = None
    session.add(link)
    session.commit()
    session.refresh(link)
    return link, token


def revoke_link(session: Session, link: FeedLink) -> None:
    session.delete(link)
    session.commit()


def use_due(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a fetch now is to be recorded: at most once an hour (no write per poll)."""
    return last_used_at is None or now - last_used_at > timedelta(hours=1)


def note_use(session: Session, link: FeedLink, now: datetime | None = None) -> None:
    """Record that a calendar fetched the link."""
    now = now or utcnow()
    if use_due(link.last_used_at, now):
        begin_write(session)  # a GET request: the write waits its turn on SQLite
        link.last_used_at = now
        session.add(link)
        session.commit()


def feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"


def public_path(kind: FeedKind, target_id: int) -> str:
    return f"/feeds/public/{kind.value}/{target_id}.ics"


def urls(path: str) -> dict[str, str]:
    """The https address, and the webcal:// one that makes calendars subscribe on a click."""
    https = f"{_base()}{path}"
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


# --- settings and preferences ---------------------------------------------------------------


def settings_of(session: Session, municipality_id: int) -> FeedSettings:
    return session.get(FeedSettings, municipality_id) or FeedSettings(
        municipality_id=municipality_id)


def save_settings(session: Session, municipality_id: int, *, public_feeds: bool,
                  organizer_name: str | None, organizer_email: str | None) -> FeedSettings:
    s = settings_of(session, municipality_id)
    s.public_feeds = public_feeds
    s.organizer_name = organizer_name or None
    s.organizer_email = organizer_email or None
    s.updated_at = max(utcnow(), s.updated_at)
    session.add(s)
    session.commit()
    session.refresh(s)
    return s


# Those who sit in most meetings get invitations unless they say no.
INVITED_BY_DEFAULT = (PersonFunction.CHIEF, PersonFunction.DIRECTOR, PersonFunction.PPR_LEADER)


def wants_invitations(session: Session, person: Person) -> bool:
    pref = session.get(InvitationPreference, person.id)
    if pref is not None:
        return pref.wants_invitations
    return person.function in INVITED_BY_DEFAULT


def set_invitation_preference(session: Session, person: Person, wants: bool | None) -> None:
    """True/False: the person's choice; None: back to the default."""
    pref = session.get(InvitationPreference, person.id)
    if wants is None:
        if pref is not None:
            session.delete(pref)
    else:
        pref = pref or InvitationPreference(person_id=person.id, wants_invitations=wants)
        pref.wants_invitations = wants
        session.add(pref)
    session.commit()
