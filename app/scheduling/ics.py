"""Reading a person's own calendar (.ics) as busy times: start and end only.

Titles, descriptions, places and attendees are never read into anything we keep: another
person may only ever learn that someone is busy. Free ("transparent") and cancelled events
don't block; recurring events are expanded over the horizon; all-day events block the day;
floating times are read as Danish time.

A calendar file is anyone's input, and its recurrence rules can ask for more than any server
has: FREQ=SECONDLY over a year and a half is 50 million occurrences, INTERVAL=0 never ends,
and a rule no date can match (BYMONTH=2;BYMONTHDAY=30) makes the rule library search to the
year 9999. So the file is expanded in a child process with a time and memory budget, killed
when it runs over; within it at most MAX_OCCURRENCES occurrences are read, and INTERVAL must
be at least 1. What exceeds a bound is refused with a message, never cut short silently.
"""

import ipaddress
import json
import logging
import os
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from app.i18n import N_, TZ

log = logging.getLogger("sus.scheduling")

MAX_BYTES = 5 * 1024 * 1024
"""A personal calendar of several years is well under a megabyte."""
MAX_OCCURRENCES = 5000
"""Events and repetitions in the period read: a full calendar of 8 meetings a day holds 3,200."""
TIME_BUDGET = 8.0
"""Seconds the expansion may take before it is stopped (3,000 events take about one)."""
MEMORY_BUDGET = 1024 * 1024 * 1024
"""Address space of the expanding child process, in bytes."""

BAD_DATE = N_("The calendar has an event with a date that cannot be read.")
TOO_LARGE = N_("The calendar file is too large (at most 5 MB).")
UNREADABLE = N_("This is not a calendar file (.ics) we can read.")
BAD_INTERVAL = N_("The calendar has a repeating event with an interval below 1, which cannot "
                  "be read.")
TOO_MANY = N_("The calendar has too many events and repetitions in the period we read "
              "(at most 5000). Export a shorter period, or leave out events that repeat "
              "every minute or second.")
TOO_SLOW = N_("The calendar's repeating events take too long to work out. Export a shorter "
              "period or simpler repetitions.")


class CalendarError(ValueError):
    """The calendar could not be read; the message is a message id."""


def _aware(value, *, end: bool = False) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=TZ)
        return value.astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(0), TZ).astimezone(timezone.utc)
    raise CalendarError(BAD_DATE)


def busy_times(data: bytes, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Busy intervals (UTC) between start and end, merged where they overlap."""
    if len(data) > MAX_BYTES:
        raise CalendarError(TOO_LARGE)
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "app.scheduling.ics", start.isoformat(), end.isoformat()],
            input=data, capture_output=True, timeout=TIME_BUDGET, env=env, check=False)
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise CalendarError(TOO_SLOW) from exc
    try:
        answer = json.loads(done.stdout)
    except ValueError:  # killed (a signal: out of memory), or broken: say why in the log
        log.warning("calendar reading failed (exit %s): %s", done.returncode,
                    done.stderr[-1000:].decode("utf-8", "replace"))
        answer = {"error": TOO_MANY if done.returncode < 0 else UNREADABLE}
    if "error" in answer:
        known = (TOO_LARGE, UNREADABLE, BAD_INTERVAL, TOO_MANY, TOO_SLOW, BAD_DATE)
        raise CalendarError(answer["error"] if answer["error"] in known else UNREADABLE)
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in answer["busy"]]


def _expand(data: bytes, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """busy_times() itself, run in the child process (it trusts the budget around it)."""
    import icalendar
    import recurring_ical_events

    try:
        calendar = icalendar.Calendar.from_ical(data)
        _count(calendar, start, end)
        events = recurring_ical_events.of(calendar).between(start, end)
        found = []
        for event in events:
            interval = _interval(event)
            if interval is not None and interval[1] > interval[0]:
                found.append((max(interval[0], start), min(interval[1], end)))
    except CalendarError:
        raise
    except Exception as exc:
        raise CalendarError(UNREADABLE) from exc
    found = sorted((a, b) for a, b in found if b > a)
    merged: list[tuple[datetime, datetime]] = []
    for a, b in found:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _count(calendar, start: datetime, end: datetime) -> None:
    """Refuse a calendar with more than MAX_OCCURRENCES occurrences in the period, or a rule
    with an INTERVAL below 1. The rules are stepped through one occurrence at a time, so this
    stops at the bound; the library would list them all first (50 million for SECONDLY)."""
    from dateutil.rrule import rrulestr

    def naive(value) -> datetime:
        if not isinstance(value, datetime):
            return datetime.combine(value, time(0))
        return value.replace(tzinfo=None)

    # Occurrences are counted in their own wall-clock time: a day's slack covers the zones.
    lo = start.astimezone(TZ).replace(tzinfo=None) - timedelta(days=1)
    hi = end.astimezone(TZ).replace(tzinfo=None) + timedelta(days=1)
    count = 0

    def add(n: int = 1) -> None:
        nonlocal count
        count += n
        if count > MAX_OCCURRENCES:
            raise CalendarError(TOO_MANY)

    for component in calendar.walk("VEVENT"):
        dtstart = component.get("DTSTART")
        if dtstart is None:
            continue
        first = naive(dtstart.dt)
        rules = component.get("RRULE")
        rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
        if not rules and lo <= first <= hi:
            add()
        for rule in rules:
            if any(not isinstance(n, int) or n < 1 for n in rule.get("INTERVAL", [1])):
                raise CalendarError(BAD_INTERVAL)
            try:
                steps = rrulestr(rule.to_ical().decode(), dtstart=first, ignoretz=True)
            except (ValueError, TypeError):
                continue  # the library reads it its own way, or refuses it
            for when in steps:
                if when > hi:
                    break
                if when >= lo:
                    add()
        rdates = component.get("RDATE")
        for prop in rdates if isinstance(rdates, list) else [rdates] if rdates else []:
            add(sum(1 for p in getattr(prop, "dts", []) if lo <= naive(_period_start(p.dt)) <= hi))


def _period_start(value):
    return value[0] if isinstance(value, tuple) else value


def _interval(event) -> tuple[datetime, datetime] | None:
    """The busy time of one occurrence, or None for one that does not block."""
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    dtstart = event.get("DTSTART")
    if dtstart is None:
        return None
    s = _aware(dtstart.dt)
    if event.get("DTEND") is not None:
        e = _aware(event["DTEND"].dt)
    elif event.get("DURATION") is not None:
        e = s + event["DURATION"].dt
    elif not isinstance(dtstart.dt, datetime):
        e = _aware(dtstart.dt + timedelta(days=1))
    else:
        return None
    return s, e


def _child() -> None:
    """`python -m app.scheduling.ics START END` < calendar: JSON busy times or an error."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BUDGET, MEMORY_BUDGET))
    start, end = (datetime.fromisoformat(v) for v in sys.argv[1:3])
    try:
        busy = _expand(sys.stdin.buffer.read(MAX_BYTES + 1), start, end)
        answer: dict = {"busy": [[a.isoformat(), b.isoformat()] for a, b in busy]}
    except CalendarError as err:
        answer = {"error": str(err)}
    except MemoryError:
        answer = {"error": TOO_MANY}
    sys.stdout.write(json.dumps(answer))


def normalise_url(url: str) -> str:
    """webcal:// is https:// for a client; anything but https is refused."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://"):]
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "https" or not parsed.hostname:
        raise CalendarError(N_("The address must begin with https:// or webcal://"))
    return url


def _public_host(host: str) -> bool:
    """Only addresses on the internet: never this server's own network (no SSRF)."""
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if not ip.is_global:
            return False
    return True


class _SafeRedirect(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another public https address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        parsed = urllib.parse.urlsplit(newurl)
        if parsed.scheme != "https" or not parsed.hostname or not _public_host(parsed.hostname):
            raise CalendarError(N_("That address cannot be reached from here."))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, *, timeout: float = 10.0) -> bytes:
    """Download a calendar by its address. Tests replace this function."""
    url = normalise_url(url)
    host = urllib.parse.urlsplit(url).hostname
    if not _public_host(host):
        raise CalendarError(N_("That address cannot be reached from here."))
    request = urllib.request.Request(url, headers={"User-Agent": "SUS calendar import"})
    # A redirect could point from a public host into this server's own network.
    opener = urllib.request.build_opener(_SafeRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CalendarError(N_("The calendar could not be fetched from that address.")) from exc
    if len(data) > MAX_BYTES:
        raise CalendarError(TOO_LARGE)
    return data


if __name__ == "__main__":
    _child()
