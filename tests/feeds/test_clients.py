"""Every feed, read by four independent parsers as real clients would: the `icalendar`
library, `vobject` with validation (it flags a missing UID or DTSTAMP), Mozilla's ical.js
(Thunderbird's parser) under Node, and libical (Evolution's parser) with its RFC 5545/5546
restriction check, through a small C program (tests/feeds/libical/check.c) built here
against Debian's libical-dev. ical.js and libical must put meetings on both sides of the
clock changes at the right UTC instant in 2026, 2027 and 2028, the repeated hour included."""

import io
import json
import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import icalendar
import pytest
import vobject

from app.feeds import invitations, service
from app.feeds.hooks import Change
from app.feeds.models import FeedKind
from tests.conftest import IN_CI, make_year
from tests.feeds.conftest import enable_public, every_feed, spec_for

ICALJS = Path(__file__).parent / "icaljs"


def _node() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    installed = (ICALJS / "node_modules" / "ical.js").exists()
    if node is None or not installed:
        message = ("Node and ical.js are needed (./dev test runs npm ci in tests/feeds/icaljs; "
                   "apt-get install nodejs npm).")
        if IN_CI:
            pytest.fail(message + " In CI they must be there.")
        pytest.skip(message)
    return node


def icaljs(paths: list[Path]) -> list[dict]:
    node = _node()
    done = subprocess.run([node, str(ICALJS / "parse.mjs"), *map(str, paths)],
                          capture_output=True, text=True, timeout=60, cwd=ICALJS,
                          env={**os.environ, "TZ": "America/New_York"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


LIBICAL_SOURCE = Path(__file__).parent / "libical" / "check.c"


@pytest.fixture(scope="session")
def libical_checker(tmp_path_factory) -> Path:
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libical"], capture_output=True,
                           text=True) if shutil.which("pkg-config") else None
    if shutil.which("gcc") is None or flags is None or flags.returncode != 0:
        message = "gcc and libical-dev are needed for the libical check (./dev installs them)."
        if IN_CI:
            pytest.fail(message + " In CI they must be there.")
        pytest.skip(message)
    exe = tmp_path_factory.mktemp("libical") / "check"
    built = subprocess.run(["gcc", "-O1", "-o", str(exe), str(LIBICAL_SOURCE),
                            *flags.stdout.split()], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    return exe


def libical(checker: Path, paths: list[Path]) -> list[dict]:
    """Per file: the errors libical's parser and restriction check add, and each event's
    start as libical reads it (UTC, or a date)."""
    done = subprocess.run([str(checker), *map(str, paths)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "TZ": "America/New_York"})
    assert done.returncode == 0, done.stderr
    out: list[dict] = []
    for line in done.stdout.splitlines():
        first, second, *rest = line.split("\t")
        if second == "errors" and first.endswith(".ics"):
            out.append({"errors": rest, "starts": {}})
        else:
            out[-1]["starts"][first] = second
    return out


def _write(tmp_path, bodies) -> list[Path]:
    paths = []
    for i, (_label, body) in enumerate(bodies):
        path = tmp_path / f"{i}.ics"
        path.write_bytes(body)
        paths.append(path)
    return paths


def _invitation_bodies(db, world) -> list[tuple[str, bytes]]:
    enable_public(db, world)
    m = world.meetings["dialogue"]
    msgs = invitations.build(db, {m.id: Change(changed=True)})
    found = []
    for msg in msgs:
        for part in msg.walk():
            if part.get_content_type() == "text/calendar":
                found.append((f"invitation to {msg['To']}", part.get_payload(decode=True)))
    assert found, "the chief wants invitations by default"
    return found


@pytest.fixture
def feeds_and_invitations(db, world):
    return every_feed(db, world) + _invitation_bodies(db, world)


def test_every_feed_is_wellformed_crlf_folded_utf8(feeds_and_invitations):
    for label, body in feeds_and_invitations:
        assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b""), label
        for line in body.split(b"\r\n"):
            assert len(line) <= 75, (label, line)
            line.decode("utf-8")  # folding never splits a character
        text = body.decode("utf-8")
        assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")


def test_every_feed_parses_with_icalendar_and_vobject(feeds_and_invitations):
    for label, body in feeds_and_invitations:
        cal = icalendar.Calendar.from_ical(body)
        for ev in cal.walk("VEVENT"):
            assert ev.get("UID") and ev.get("DTSTAMP") and ev.get("DTSTART"), label
            assert ev.errors == [], (label, ev.errors)
        parsed = vobject.readOne(io.StringIO(body.decode("utf-8")), validate=True)
        assert parsed.validate(True), label
        for ev in getattr(parsed, "vevent_list", []):
            assert ev.uid.value and ev.dtstamp.value, label


def test_vobject_validation_would_catch_a_missing_uid_or_dtstamp(db, world):
    """The check above is a real one: the same feed without UID or DTSTAMP fails it."""
    body = every_feed(db, world)[0][1].decode()
    for prop in ("UID:", "DTSTAMP:"):
        broken = "\r\n".join(x for x in body.split("\r\n") if not x.startswith(prop))
        with pytest.raises(vobject.base.ValidateError):
            vobject.readOne(io.StringIO(broken), validate=True).validate(True)


def test_every_feed_parses_with_icaljs(tmp_path, feeds_and_invitations):
    paths = []
    for i, (_label, body) in enumerate(feeds_and_invitations):
        path = tmp_path / f"{i}.ics"
        path.write_bytes(body)
        paths.append(path)
    results = icaljs(paths)
    assert len(results) == len(paths)
    for (label, body), result in zip(feeds_and_invitations, results):
        assert len(result["events"]) == body.count(b"BEGIN:VEVENT"), label
        for ev in result["events"]:
            # Copenhagen time, but UTC in the hour the autumn change repeats.
            assert ev["uid"] and (ev["allDay"] or ev["tzid"] == "Europe/Copenhagen"
                                  or ev["summary"] == "Natlig driftsmøde"), (label, ev)
        if b"TZID=" in body:
            assert result["timezones"] == 1, label


# Meetings at 10:00 Copenhagen time on the Friday before and the Monday after each change
# (last Sunday of March and of October): the UTC hour differs by one across each change.
EXPECTED_UTC = {
    "y25_before": "2026-03-27T09:00:00.000Z",  # CET, +01:00
    "y25_after": "2026-03-30T08:00:00.000Z",   # CEST, +02:00
    "autumn_before": "2026-10-23T08:00:00.000Z",
    "autumn_after": "2026-10-26T09:00:00.000Z",
    "spring_before": "2027-03-26T09:00:00.000Z",
    "sunday": "2027-03-28T10:00:00.000Z",       # 12:00 on the day of the change itself
    "spring_after": "2027-03-29T08:00:00.000Z",
    "y27_before": "2028-03-24T09:00:00.000Z",
    "y27_after": "2028-03-27T08:00:00.000Z",
    "y28_before": "2028-10-27T08:00:00.000Z",
    "y28_after": "2028-10-30T09:00:00.000Z",
    "dialogue": "2027-04-20T06:00:00.000Z",     # 08:00 summer time
    "repeated": "2027-10-31T01:30:00.000Z",     # the second 02:30 of the autumn change
}


def test_icaljs_gives_the_right_utc_instant_across_dst_in_three_years(db, world, tmp_path):
    spec = spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id,
                    person="consultant", full_history=True)
    path = tmp_path / "all.ics"
    path.write_bytes(service.render(db, spec))
    (result,) = icaljs([path])
    by_uid = {ev["uid"]: ev for ev in result["events"]}
    years = set()
    for name, instant in EXPECTED_UTC.items():
        ev = by_uid[world.meetings[name].uid]
        assert ev["start"] == instant, (name, ev)
        # And what we stored is what ical.js reads back.
        stored = world.meetings[name].starts_at.astimezone(timezone.utc)
        assert datetime.fromisoformat(ev["start"].replace("Z", "+00:00")) == stored
        years.add(instant[:4])
    assert years >= {"2026", "2027", "2028"}
    allday = by_uid[world.meetings["allday"].uid]
    assert allday["allDay"] and allday["start"] == "2027-01-15" and allday["end"] == "2027-01-16"


def test_every_feed_and_invitation_passes_libicals_restriction_check(
        tmp_path, libical_checker, feeds_and_invitations):
    """What Evolution and many servers read: no X-LIC-ERROR after icalrestriction_check, which
    applies RFC 5546's rules to a calendar with METHOD (PUBLISH would forbid ATTENDEE and require
    ORGANIZER) and RFC 5545's to one without."""
    results = libical(libical_checker, _write(tmp_path, feeds_and_invitations))
    assert len(results) == len(feeds_and_invitations)
    for (label, body), result in zip(feeds_and_invitations, results):
        assert result["errors"] == [], (label, result["errors"])
        assert len(result["starts"]) == body.count(b"BEGIN:VEVENT"), label


def test_libicals_check_is_a_real_one(tmp_path, libical_checker, db, world):
    """The same check fails a feed that says METHOD:PUBLISH beside its ATTENDEEs."""
    spec = spec_for(db, world, FeedKind.PERSON, world.people["chief"].id, person="chief")
    body = service.render(db, spec).replace(b"CALSCALE:GREGORIAN\r\n",
                                            b"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n")
    (result,) = libical(libical_checker, _write(tmp_path, [("broken", body)]))
    assert any("ATTENDEE" in e for e in result["errors"]), result


def test_libical_gives_the_right_utc_instant_across_dst(db, world, tmp_path, libical_checker):
    spec = spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id,
                    person="consultant", full_history=True)
    (result,) = libical(libical_checker, _write(tmp_path, [("all", service.render(db, spec))]))
    for name, instant in EXPECTED_UTC.items():
        expected = instant[:19].replace("-", "").replace(":", "") + "Z"
        assert result["starts"][world.meetings[name].uid] == expected, name


def test_a_year_without_events_is_still_a_valid_calendar(db, world, tmp_path, libical_checker):
    """RFC 5545 wants at least one component in a VCALENDAR: the time zone is always there."""
    empty = make_year(db, world.municipality, 2024)
    spec = spec_for(db, world, FeedKind.YEAR, empty.id, person="consultant")
    body = service.render(db, spec)
    assert b"BEGIN:VEVENT" not in body and body.count(b"BEGIN:VTIMEZONE") == 1
    (result,) = libical(libical_checker, _write(tmp_path, [("empty", body)]))
    assert result["errors"] == []
    (parsed,) = icaljs(_write(tmp_path, [("empty", body)]))
    assert parsed["events"] == [] and parsed["timezones"] == 1


def test_the_librarys_generated_timezone_is_what_we_avoid(db, world):
    """Our VTIMEZONE is two yearly rules; icalendar's own would list dates (RDATE)."""
    spec = spec_for(db, world, FeedKind.SCHOOL, world.schools["bakke"].id, person="consultant")
    from app.feeds import service

    body = service.render(db, spec).decode()
    tz = body[body.index("BEGIN:VTIMEZONE"):body.index("END:VTIMEZONE")]
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in tz
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in tz
    assert "RDATE" not in tz and tz.count("BEGIN:DAYLIGHT") == 1 and tz.count("BEGIN:STANDARD") == 1
