"""What a feed says: times, identity, cancellations, names, descriptions, windows, series."""

import re
from datetime import date, datetime, timedelta, timezone

import icalendar
import pytest

from app.feeds import ical, registry, service
from app.feeds.models import FeedKind
from app.meetings import service as meetings
from tests.feeds.conftest import enable_public, local, spec_for


def _events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def _muni(db, w, **kw):
    return spec_for(db, w, FeedKind.MUNICIPALITY, w.municipality.id, person="consultant", **kw)


def test_two_renders_of_an_unchanged_feed_are_byte_identical(db, world):
    spec = _muni(db, world, full_history=True)
    first = service.render(db, spec)
    service.cache.clear()
    db.expire_all()
    assert service.render(db, spec, now=datetime.now(timezone.utc) + timedelta(minutes=5)) == first


def test_times_are_copenhagen_wall_clock_with_tzid_never_floating_z_only_when_repeated(db, world):
    body = service.render(db, _muni(db, world, full_history=True)).decode()
    unfolded = body.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    tz = lines.index("END:VTIMEZONE")
    starts = [line for line in lines[tz:] if line.startswith(("DTSTART", "DTEND"))]
    assert len(starts) > 30
    in_utc = []
    for line in starts:
        utc = re.fullmatch(r"DT(?:START|END):(\d{8}T\d{6})Z", line)
        if utc:  # only a time the autumn change repeats, which a TZID cannot say
            in_utc.append(line)
            at = datetime.strptime(utc.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
            assert ical.repeated_hour(at.astimezone(ical.CPH)), line
            continue
        assert re.fullmatch(r"DT(START|END)(;TZID=Europe/Copenhagen:\d{8}T\d{6}"
                            r"|;VALUE=DATE:\d{8})", line), line
    assert in_utc == ["DTSTART:20271031T013000Z", "DTEND:20271031T015000Z"]
    stamps = [line for line in lines if line.startswith(("DTSTAMP", "LAST-MODIFIED"))]
    assert stamps
    for line in stamps:
        assert re.fullmatch(r"(DTSTAMP|LAST-MODIFIED):\d{8}T\d{6}Z", line), line
    assert "DTSTART;TZID=Europe/Copenhagen:20270420T080000" in unfolded  # the dialogue
    assert body.count("BEGIN:VTIMEZONE") == 1


def test_calendar_properties_name_once_and_durations(db, world):
    body = service.render(db, spec_for(db, world, FeedKind.SCHOOL, world.schools["sonder"].id,
                                       person="consultant")).decode()
    assert body.count("\r\nNAME:Søndervangskolen – skoleudviklingssamtaler\r\n") == 1
    assert body.count("\r\nX-WR-CALNAME:Søndervangskolen – skoleudviklingssamtaler\r\n") == 1
    assert "\r\nX-WR-TIMEZONE:Europe/Copenhagen\r\n" in body
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT4H\r\n" in body  # RFC 7986 wants VALUE
    assert "\r\nX-PUBLISHED-TTL:PT4H\r\n" in body
    # No METHOD: PUBLISH would require an ORGANIZER and forbid ATTENDEE (RFC 5546).
    assert "METHOD" not in body and "4:00:00" not in body


def test_stamps_come_from_the_meetings_own_change_time(db, world):
    m = world.meetings["dialogue"]
    ev = _events(service.render(db, _muni(db, world)))[m.uid]
    assert ev["DTSTAMP"].dt == m.changed_at.replace(microsecond=0)
    assert ev["LAST-MODIFIED"].dt == m.changed_at.replace(microsecond=0)
    assert ev["SEQUENCE"] == m.sequence == 0


def test_a_moved_meeting_keeps_its_uid_with_a_higher_sequence(db, world):
    m = world.meetings["dialogue"]
    spec = _muni(db, world)
    before = _events(service.render(db, spec))[m.uid]
    meetings.reschedule(db, m, starts_at=local(2027, 4, 22, 9), ends_at=local(2027, 4, 22, 11),
                        location="Rådhuset, lokale 3")
    after = _events(service.render(db, spec))[m.uid]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["DTSTART"].dt == local(2027, 4, 22, 9)
    assert str(after["LOCATION"]) == "Rådhuset, lokale 3"
    assert after["DTSTAMP"].dt >= before["DTSTAMP"].dt


def test_a_cancelled_meeting_stays_marked_for_the_grace_period_then_leaves(db, world):
    m = world.meetings["dialogue"]
    spec = _muni(db, world)
    seq = m.sequence
    meetings.cancel(db, m)
    ev = _events(service.render(db, spec))[m.uid]
    assert str(ev["STATUS"]) == "CANCELLED" and ev["SEQUENCE"] > seq
    assert str(ev["SUMMARY"]) == "AFLYST: Skoleudviklingssamtale – Bakkeskolen"
    assert str(ev["TRANSP"]) == "TRANSPARENT"
    later = m.cancelled_at + timedelta(days=29)
    assert m.uid in _events(service.render(db, spec, now=later))
    gone = m.cancelled_at + timedelta(days=31)
    assert m.uid not in _events(service.render(db, spec, now=gone))


def test_whole_day_steps_and_meetings_are_dates_with_an_exclusive_end(db, world):
    evs = _events(service.render(db, spec_for(db, world, FeedKind.YEAR, world.years[2026].id,
                                              person="consultant")))
    start = evs["step-%s-2026-opstart@sus" % world.municipality.kommunekode]
    assert start["DTSTART"].dt == date(2026, 11, 10) and start["DTEND"].dt == date(2026, 11, 11)
    span = evs["step-%s-2026-dialoger@sus" % world.municipality.kommunekode]
    assert span["DTSTART"].dt == date(2027, 4, 5) and span["DTEND"].dt == date(2027, 5, 29)
    assert str(span["TRANSP"]) == "TRANSPARENT"
    allday = evs[world.meetings["allday"].uid]
    assert allday["DTSTART"].dt == date(2027, 1, 15) and allday["DTEND"].dt == date(2027, 1, 16)


def test_step_sequence_rises_when_the_step_moves(db, world):
    step = world.steps["start"]
    spec = spec_for(db, world, FeedKind.STEP, step.id, person="consultant")
    uid = "step-%s-2026-opstart@sus" % world.municipality.kommunekode
    before = _events(service.render(db, spec))[uid]["SEQUENCE"]
    step.start_date = step.end_date = date(2026, 11, 12)
    db.add(step)
    db.commit()
    after = _events(service.render(db, spec))[uid]
    assert after["SEQUENCE"] > before and after["DTSTART"].dt == date(2026, 11, 12)


def test_window_is_last_this_and_next_school_year_full_history_on_request(db, world):
    window = _events(service.render(db, _muni(db, world)))
    full = _events(service.render(db, _muni(db, world, full_history=True)))
    mt = world.meetings
    for name in ("y25_before", "dialogue", "y27_after"):
        assert mt[name].uid in window and mt[name].uid in full
    for name in ("y22", "y28_before"):  # 2022/23 is history, 2028/29 beyond next year
        assert mt[name].uid not in window and mt[name].uid in full
    assert mt["unbooked"].uid not in full


def test_series_are_expanded_events_with_their_place_in_the_series(db, world):
    evs = _events(service.render(db, _muni(db, world)))
    talks = [evs[world.meetings[f"talk{i}"].uid] for i in (1, 2, 3)]
    assert len({str(t["UID"]) for t in talks}) == 3
    assert all("RRULE" not in t and "RECURRENCE-ID" not in t for t in talks)
    assert "Møde 2 af 3 i forløbet" in str(talks[1]["DESCRIPTION"])


def test_location_is_the_meetings_place_or_the_schools_address(db, world):
    evs = _events(service.render(db, _muni(db, world)))
    assert str(evs[world.meetings["dialogue"].uid]["LOCATION"]) == "Bakkeskolen, mødelokale 2"
    assert str(evs[world.meetings["spring_before"].uid]["LOCATION"]) == \
        "Søndervangskolen, Søndervang 1, 8660 Skå"


@pytest.fixture
def agenda_source(world):
    asked = []
    version = {"v": "1"}

    def items(session, ids):
        asked.extend(ids)
        return {i: ["Evaluering af sidste års aftaler (15 min)", "Trivsel og fravær"] for i in ids}

    source = registry.AgendaSource(items=items, version=lambda s, m: version["v"])
    registry.agenda_sources.add(source)
    yield asked, version
    registry.agenda_sources.remove(source)


def test_description_has_agenda_items_and_links_but_nothing_confidential(db, world,
                                                                         agenda_source):
    asked, _ = agenda_source
    evs = _events(service.render(db, _muni(db, world)))
    text = str(evs[world.meetings["dialogue"].uid]["DESCRIPTION"])
    assert "Dagsorden:\n1. Evaluering af sidste års aftaler (15 min)\n2. Trivsel og fravær" in text
    m = world.meetings["dialogue"]
    assert f"Mødet i SUS: http://testserver/meetings/{m.id}" in text
    assert f"Skolen: http://testserver/schools/{m.school_id}" in text
    assert f"Trinnet i årshjulet: http://testserver/steps/{m.step_id}" in text
    lus = world.meetings["lus"]
    assert lus.id not in asked  # the source is never even asked about a confidential meeting
    lus_text = str(evs[lus.uid]["DESCRIPTION"])
    assert "Dagsorden" not in lus_text and "Fortroligt" in lus_text
    assert str(evs[lus.uid]["CLASS"]) == "PRIVATE"


def test_public_feeds_have_no_links_people_or_agenda(db, world, agenda_source):
    asked, _ = agenda_source
    enable_public(db, world)
    spec = spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id, public=True)
    body = service.render(db, spec).decode()
    assert "http://testserver" not in body and "ATTENDEE" not in body
    assert "ORGANIZER" not in body and "Dagsorden" not in body and asked == []


def test_personal_feeds_have_organizer_and_attendees_others_do_not(db, world):
    enable_public(db, world)
    evs = _events(service.render(db, spec_for(db, world, FeedKind.PERSON,
                                              world.people["chief"].id, person="chief")))
    ev = evs[world.meetings["dialogue"].uid]
    assert str(ev["ORGANIZER"]) == "mailto:skoleudvikling@aeblerod.dk"
    assert ev["ORGANIZER"].params["CN"] == "Skole og Uddannelse"
    attendees = {str(a): a.params for a in ev["ATTENDEE"]}
    assert set(attendees) == {"mailto:lene@aeblerod.dk", "mailto:mette@aeblerod.dk",
                              "mailto:susanne@bakke.dk"}
    assert attendees["mailto:lene@aeblerod.dk"]["CN"] == "Lene Skov"
    school = service.render(db, spec_for(db, world, FeedKind.SCHOOL, world.schools["bakke"].id,
                                         person="chief")).decode()
    assert "ATTENDEE" not in school and "ORGANIZER" not in school


def test_person_feed_has_their_meetings_and_the_steps_they_are_responsible_for(db, world):
    evs = _events(service.render(db, spec_for(db, world, FeedKind.PERSON,
                                              world.people["chief"].id, person="chief")))
    mt = world.meetings
    for name in ("dialogue", "spring_after", "autumn_after", "sunday", "allday", "y25_before"):
        assert mt[name].uid in evs, name
    for name in ("autumn_before", "lus", "talk1"):  # not theirs
        assert mt[name].uid not in evs, name
    assert "step-%s-2026-opstart@sus" % world.municipality.kommunekode in evs
    assert "step-%s-2026-dialoger@sus" % world.municipality.kommunekode not in evs


def test_consultant_feed_has_the_assigned_schools_meetings(db, world):
    evs = _events(service.render(db, spec_for(db, world, FeedKind.CONSULTANT,
                                              world.people["consultant"].id, person="chief")))
    mt = world.meetings
    # Bakkeskolen and Søndervangskolen are assigned for 2026/27; Veng is not, nor other years.
    assert {mt[n].uid for n in ("dialogue", "spring_before", "autumn_before",
                                "autumn_after")} <= set(evs)
    for name in ("spring_after", "talk1", "y25_before", "sunday", "lus"):
        # lus: Søndervang's, but the chief (a participant) may not see a confidential one
        assert mt[name].uid not in evs, name


def test_danish_letters_survive(db, world):
    body = service.render(db, _muni(db, world))
    assert "Søndervangskolen".encode() in body.replace(b"\r\n ", b"")
    assert "Æblerød Kommune".encode() in body


def test_spliced_events_equal_the_librarys_own_calendar(db, world):
    from app.feeds import ical

    spec = spec_for(db, world, FeedKind.PERSON, world.people["chief"].id, person="chief",
                    full_history=True)
    with service.locale("da"):
        evs = service.events(db, spec, datetime.now(timezone.utc))
        name = service.calendar_name(spec)
    ical.event_cache.clear()
    assert ical.calendar(name, evs) == ical.calendar_by_library(name, evs)
    assert ical.calendar(name, evs) == ical.calendar_by_library(name, evs)  # from the cache


def test_a_changed_role_changes_the_fingerprint(db, world):
    from sqlmodel import select

    from app.accounts.models import RoleAssignment

    spec = spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id, person="leader")
    now = datetime.now(timezone.utc)
    before = service.fingerprint(db, spec, now).digest
    for ra in db.exec(select(RoleAssignment).where(
            RoleAssignment.user_id == world.users["leader"].id)):
        db.delete(ra)
    db.commit()
    after = spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id, person="leader")
    assert service.fingerprint(db, after, now).digest != before


def test_only_the_repeated_autumn_hour_counts_as_repeated_and_spring_gap_does_not_exist():
    from datetime import time

    from app.i18n import local_time_exists

    first = datetime(2027, 10, 31, 0, 30, tzinfo=timezone.utc).astimezone(ical.CPH)  # 02:30 CEST
    second = datetime(2027, 10, 31, 1, 30, tzinfo=timezone.utc).astimezone(ical.CPH)  # 02:30 CET
    assert first.hour == second.hour == 2
    assert ical.repeated_hour(first) and ical.repeated_hour(second)
    assert not ical.repeated_hour(datetime(2027, 10, 31, 3, 0, tzinfo=ical.CPH))
    assert not local_time_exists(date(2027, 3, 28), time(2, 30))
    assert local_time_exists(date(2027, 3, 28), time(3, 0))
    assert local_time_exists(date(2027, 10, 31), time(2, 30))
