"""Reading a person's own calendar (.ics) as busy times: start and end only.

Titles, descriptions, places and attendees are never read into anything we keep: another
person may only ever learn that someone is busy. Free ("transparent") and cancelled events
don't block; recurring events are expanded over the horizon; all-day events block the day;
floating times are read as Danish time.
"""

import ipaddress
import socket
import urllib.parse
import urllib.request
from datetime import date, datetime, time, timedelta, timezone

from app.i18n import N_, TZ

MAX_BYTES = 5 * 1024 * 1024
"""A personal calendar of several years is well under a megabyte."""


class CalendarError(ValueError):
    """The calendar could not be read; the message is a message id."""


def _aware(value, *, end: bool = False) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=TZ)
        return value.astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(0), TZ).astimezone(timezone.utc)
    raise CalendarError(N_("The calendar has an event with a date that cannot be read."))


def busy_times(data: bytes, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Busy intervals (UTC) between start and end, merged where they overlap."""
    import icalendar
    import recurring_ical_events

    if len(data) > MAX_BYTES:
        raise CalendarError(N_("The calendar file is too large (at most 5 MB)."))
    try:
        calendar = icalendar.Calendar.from_ical(data)
        events = recurring_ical_events.of(calendar).between(start, end)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same to the user
        raise CalendarError(N_("This is not a calendar file (.ics) we can read.")) from exc
    found = []
    for event in events:
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        dtstart = event.get("DTSTART")
        if dtstart is None:
            continue
        s = _aware(dtstart.dt)
        if event.get("DTEND") is not None:
            e = _aware(event["DTEND"].dt)
        elif event.get("DURATION") is not None:
            e = s + event["DURATION"].dt
        elif not isinstance(dtstart.dt, datetime):
            e = _aware(dtstart.dt + timedelta(days=1))
        else:
            continue
        if e > s:
            found.append((max(s, start), min(e, end)))
    found = sorted((a, b) for a, b in found if b > a)
    merged: list[tuple[datetime, datetime]] = []
    for a, b in found:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


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
        raise CalendarError(N_("The calendar file is too large (at most 5 MB)."))
    return data
