"""A calendar file is anyone's input: its repetitions are bounded, and a file over a bound is
refused with a message (issue 13). Each case once took a worker thread forever or filled the
memory; here each answers within the time budget."""

import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from app.scheduling import availability, ics
from app.scheduling.models import BusyPeriod
from tests.conftest import csrf, login

START = datetime(2026, 11, 1, tzinfo=timezone.utc)
END = START + timedelta(days=580)


def calendar(rule: str, dtstart: str = "20261201T090000") -> bytes:
    """One event from 9 to 10 (floating, so Danish time) with the given RRULE line."""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//DA\r\nBEGIN:VEVENT\r\nUID:a\r\n"
            f"DTSTART:{dtstart}\r\nDTEND:{dtstart[:9]}100000\r\n{rule}\r\nSUMMARY:Møde\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def refused(data: bytes) -> tuple[str, float]:
    began = time.monotonic()
    with pytest.raises(ics.CalendarError) as err:
        ics.busy_times(data, START, END)
    return str(err.value), time.monotonic() - began


def test_secondly_repetition_is_refused_quickly():
    message, took = refused(calendar("RRULE:FREQ=SECONDLY"))
    assert message == ics.TOO_MANY and took < ics.TIME_BUDGET + 2


def test_interval_zero_is_refused():
    message, took = refused(calendar("RRULE:FREQ=DAILY;INTERVAL=0"))
    assert message == ics.BAD_INTERVAL and took < ics.TIME_BUDGET + 2


def test_a_hundred_thousand_minutes_are_refused_not_stored():
    message, took = refused(calendar("RRULE:FREQ=MINUTELY;COUNT=100000"))
    assert message == ics.TOO_MANY and took < ics.TIME_BUDGET + 2


def test_at_the_bound_is_read_and_just_over_it_is_refused():
    # Daily events at 9: MAX_OCCURRENCES of them fit in no 580 days, so use hourly ones.
    within = calendar(f"RRULE:FREQ=HOURLY;COUNT={ics.MAX_OCCURRENCES}")
    assert ics.busy_times(within, START, END)  # read (and merged into few periods)
    message, _took = refused(calendar(f"RRULE:FREQ=HOURLY;COUNT={ics.MAX_OCCURRENCES + 1}"))
    assert message == ics.TOO_MANY


def test_a_rule_no_date_matches_is_stopped_by_the_time_budget(monkeypatch):
    # The rule library searches to the year 9999 for February 30th (12 s for MINUTELY).
    monkeypatch.setattr(ics, "TIME_BUDGET", 1.0)
    message, took = refused(calendar("RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30"))
    assert message == ics.TOO_SLOW and took < ics.TIME_BUDGET + 2


def test_an_ordinary_weekly_meeting_is_still_read():
    busy = ics.busy_times(calendar("RRULE:FREQ=WEEKLY;COUNT=10"), START, END)
    assert len(busy) == 10
    first_start, first_end = busy[0]
    assert (first_start.isoformat(), first_end - first_start) == (
        "2026-12-01T08:00:00+00:00", timedelta(hours=1))


def test_a_file_over_5_mb_is_refused():
    message, _took = refused(b"BEGIN:VCALENDAR\r\n" + b" " * ics.MAX_BYTES)
    assert message == ics.TOO_LARGE


def test_the_upload_route_answers_a_danish_message_and_stores_nothing(client, db, factory,
                                                                      svendborg):
    y = svendborg
    login(client, db, factory.user("consultant", municipality=y.municipality))
    began = time.monotonic()
    r = client.post(f"/people/{y.chief.id}/ics", data={"csrf_token": csrf(client)},
                    files={"file": ("cal.ics", calendar("RRULE:FREQ=SECONDLY"), "text/calendar")})
    assert time.monotonic() - began < ics.TIME_BUDGET + 2
    assert r.status_code == 422 and "for mange begivenheder" in r.text
    r = client.post(f"/people/{y.chief.id}/ics", data={"csrf_token": csrf(client)},
                    files={"file": ("cal.ics", calendar("RRULE:FREQ=DAILY;INTERVAL=0"),
                                    "text/calendar")})
    assert r.status_code == 422 and "interval" in r.text.lower()
    assert not db.exec(select(BusyPeriod).where(BusyPeriod.person_id == y.chief.id)).all()
    # And a good file still goes in.
    assert availability.import_ics(db, y.chief, calendar("RRULE:FREQ=WEEKLY;COUNT=3"),
                                   availability.BusySource.ICS_FILE, now=START) == 3
