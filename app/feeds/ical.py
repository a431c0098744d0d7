"""iCalendar text (RFC 5545) from plain event data, written with the `icalendar` library.

Everything here is a pure function of its input: no clock, no random UID, no database, so
the same events give the same bytes (the ETag is a hash of them). What real clients need and
why (each fails differently):

- Times are local wall-clock times with TZID=Europe/Copenhagen and one VTIMEZONE of two yearly
  rules. icalendar's generated time zones list every transition as dates; ical.js and Outlook
  read those wrongly and move summer meetings by an hour. No floating times, no "Z" after a
  TZID; DTSTAMP and LAST-MODIFIED are UTC.
- A time in the hour that autumn's change repeats (02:00-03:00 on the last Sunday of October)
  is written in UTC: with a TZID, libical and ical.js read the second 02:30 as the first.
- Subscription feeds carry no METHOD: METHOD:PUBLISH (RFC 5546) would require an ORGANIZER
  in every event and forbid ATTENDEE, which libical's check enforces. Only the e-mailed
  invitations (REQUEST/CANCEL, which do follow those rules) have one.
- REFRESH-INTERVAL;VALUE=DURATION (RFC 7986 requires the parameter) and X-PUBLISHED-TTL as
  durations (PT4H): the library writes a bare timedelta in an X- property as "4:00:00".
- A feed always holds its VTIMEZONE, so a feed without events is still a valid calendar
  (RFC 5545 wants at least one component in a VCALENDAR).
- Whole-day events are VALUE=DATE with an exclusive DTEND (the day after the last one).
"""

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
)

TZID = "Europe/Copenhagen"
CPH = ZoneInfo(TZID)
PRODID = "-//SUS//Skoleudviklingssamtaler//DA"
REFRESH = timedelta(hours=4)
"""How often we ask clients to fetch: Outlook and Apple honour it, Google does as it likes."""


@dataclass(frozen=True)
class Address:
    email: str
    name: str
    required: bool = True


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    sequence: int
    changed_at: datetime
    """DTSTAMP and LAST-MODIFIED: the event's own change time, never the time of rendering."""
    summary: str
    start: datetime | date
    """Aware datetime (any zone; written in Copenhagen time) or, for whole days, a date."""
    end: datetime | date
    """Exclusive: a date is the day after the last day."""
    cancelled: bool = False
    location: str | None = None
    description: str = ""
    url: str | None = None
    organizer: Address | None = None
    attendees: tuple[Address, ...] = field(default_factory=tuple)
    private: bool = False
    """CLASS:PRIVATE, so calendars shared further show only "busy" (LUS)."""
    transparent: bool = False
    """TRANSP:TRANSPARENT: a step spanning weeks must not block anyone's free/busy time."""


# RFC 5545 TEXT holds no control characters but HTAB (a line break is written as "\\n").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: str) -> str:
    """A text value as a feed may carry it: line breaks kept (the library escapes them),
    other control characters dropped. A school name pasted with CR/LF broke the feed."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _line(value: str) -> str:
    """A name: one line, whatever was pasted into it."""
    return " ".join(_text(value).split("\n")).strip()


def copenhagen_timezone() -> Timezone:
    """The EU rules since 1996, written once as yearly rules (what Thunderbird itself ships)."""
    tz = Timezone()
    tz.add("TZID", TZID)
    tz.add("X-LIC-LOCATION", TZID)
    summer = TimezoneDaylight()
    summer.add("TZNAME", "CEST")
    summer.add("TZOFFSETFROM", timedelta(hours=1))
    summer.add("TZOFFSETTO", timedelta(hours=2))
    summer.add("DTSTART", datetime(1970, 3, 29, 2, 0, 0))
    summer.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    winter = TimezoneStandard()
    winter.add("TZNAME", "CET")
    winter.add("TZOFFSETFROM", timedelta(hours=2))
    winter.add("TZOFFSETTO", timedelta(hours=1))
    winter.add("DTSTART", datetime(1970, 10, 25, 3, 0, 0))
    winter.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(microsecond=0)


def _add_local(ev: Event, name: str, value: datetime | date) -> None:
    """DTSTART/DTEND: local wall-clock time with TZID, or a date (VALUE=DATE)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("floating time given to a feed")
        # Naive local time with an explicit TZID: the library would otherwise search its
        # time zone tables for every value to name the zone (a third of the render time).
        local = value.astimezone(CPH).replace(microsecond=0)
        if repeated_hour(local):
            ev.add(name, _utc(value))
        else:
            ev.add(name, local.replace(tzinfo=None, fold=0), parameters={"TZID": TZID})
    else:
        ev.add(name, value)


def repeated_hour(local: datetime) -> bool:
    """Whether a Copenhagen wall-clock time happens twice (the autumn change)."""
    naive = local.replace(tzinfo=None)
    return (naive.replace(fold=0, tzinfo=CPH).utcoffset()
            != naive.replace(fold=1, tzinfo=CPH).utcoffset())


def _address(prop: str, a: Address, *, rsvp: bool) -> vCalAddress:
    addr = vCalAddress(f"mailto:{a.email}")
    addr.params["CN"] = _line(a.name)
    if prop == "ATTENDEE":
        addr.params["CUTYPE"] = "INDIVIDUAL"
        addr.params["ROLE"] = "REQ-PARTICIPANT" if a.required else "OPT-PARTICIPANT"
        if rsvp:
            addr.params["PARTSTAT"] = "NEEDS-ACTION"
            addr.params["RSVP"] = "TRUE"
    return addr


def vevent(e: FeedEvent, *, rsvp: bool = False) -> Event:
    ev = Event()
    ev.add("UID", e.uid)
    ev.add("SEQUENCE", e.sequence)
    ev.add("DTSTAMP", _utc(e.changed_at))
    ev.add("LAST-MODIFIED", _utc(e.changed_at))
    _add_local(ev, "DTSTART", e.start)
    _add_local(ev, "DTEND", e.end)
    ev.add("SUMMARY", _line(e.summary))
    ev.add("STATUS", "CANCELLED" if e.cancelled else "CONFIRMED")
    if e.location:
        ev.add("LOCATION", _text(e.location))
    if e.description:
        ev.add("DESCRIPTION", _text(e.description))
    if e.url:
        ev.add("URL", e.url)
    if e.organizer is not None:
        ev.add("ORGANIZER", _address("ORGANIZER", e.organizer, rsvp=False))
    for a in e.attendees:
        ev.add("ATTENDEE", _address("ATTENDEE", a, rsvp=rsvp))
    if e.private:
        ev.add("CLASS", "PRIVATE")
    ev.add("TRANSP", "TRANSPARENT" if e.transparent or e.cancelled else "OPAQUE")
    return ev


class _EventCache:
    """Serialized VEVENTs by their (immutable) data. Turning an event into folded text is
    most of a feed's cost in the library, and most events are the same from one render to
    the next: after one meeting moves, a feed of 2,000 events serializes one event again."""

    def __init__(self, max_entries: int = 200_000):
        self._data: OrderedDict[tuple[FeedEvent, bool], bytes] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def get(self, e: FeedEvent, rsvp: bool) -> bytes:
        key = (e, rsvp)
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                return found
        text = vevent(e, rsvp=rsvp).to_ical()
        with self._lock:
            self._data[key] = text
            while len(self._data) > self._max:
                self._data.popitem(last=False)
        return text

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


event_cache = _EventCache()


def _calendar(name: str, events: list[FeedEvent], method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    if method is not None:
        cal.add("METHOD", method)
    else:
        # Subscription hints; an iTIP message (REQUEST/CANCEL) carries none of them.
        cal.calendar_name = _line(name)
        cal.add("X-WR-TIMEZONE", TZID)
        cal.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    if method is None or any(isinstance(e.start, datetime) for e in events):
        cal.add_component(copenhagen_timezone())
    return cal


END = b"END:VCALENDAR\r\n"


def calendar_parts(name: str, events: list[FeedEvent], *, method: str | None = None,
                   rsvp: bool = False) -> tuple[bytes, list[bytes]]:
    """The calendar's opening text (up to its first event) and each event's text: the
    whole calendar is `head + b"".join(events) + END` (app/feeds/splice.py keeps them)."""
    head = _calendar(name, events, method).to_ical()
    if not head.endswith(END):
        raise ValueError("unexpected calendar text")
    return head[:-len(END)], [event_cache.get(e, rsvp) for e in events]


def calendar(name: str, events: list[FeedEvent], *, method: str | None = None,
             rsvp: bool = False) -> bytes:
    """A whole calendar: CRLF lines folded at 75 octets, UTF-8, byte-identical for equal input.

    The library writes the calendar and each event; the events' text is spliced in before the
    closing line, exactly where `Calendar.to_ical()` would put it (a test compares the two).
    """
    head, parts = calendar_parts(name, events, method=method, rsvp=rsvp)
    return b"".join([head, *parts, END])


def calendar_by_library(name: str, events: list[FeedEvent], *, method: str | None = None,
                        rsvp: bool = False) -> bytes:
    """The same calendar written by the library in one piece (tests compare the two)."""
    cal = _calendar(name, events, method)
    for e in events:
        cal.add_component(vevent(e, rsvp=rsvp))
    return cal.to_ical()


def whole_days(start: date, last: date | None) -> tuple[date, date]:
    """(DTSTART, exclusive DTEND) for a period of whole days from `start` to `last` inclusive."""
    last = last if last is not None and last >= start else start
    return start, last + timedelta(days=1)


def local_days(starts_at: datetime, ends_at: datetime | None) -> tuple[date, date]:
    """A whole-day meeting stored as UTC instants → its local days (exclusive end)."""
    first = starts_at.astimezone(CPH).date()
    if ends_at is None:
        return first, first + timedelta(days=1)
    end_local = ends_at.astimezone(CPH)
    end = end_local.date() if end_local.time() == datetime.min.time() else (
        end_local.date() + timedelta(days=1))
    return first, max(end, first + timedelta(days=1))
