"""A meeting's life as a consultant manages it: book, lengthen, cancel with its debrief, book
again, change place and people — each conflict-checked, each raising SEQUENCE."""

from datetime import date, time, timedelta

import pytest

from app.feeds import service as feeds
from app.meetings import service as meetings
from app.meetings.models import MeetingStatus
from app.scheduling import availability, conflicts, flows
from app.scheduling.conflicts import MoveForm
from tests.conftest import Factory, make_person
from tests.feeds.test_invitations import _calendar_part, _sent, smtp  # noqa: F401

DAY = date(2027, 4, 20)  # a Tuesday in the dialogue window, no holiday


@pytest.fixture
def year(svendborg):
    return svendborg


def _dialogue_and_debrief(db, y, i=0):
    school = y.schools[i]
    (d,) = meetings.list_meetings(db, step_id=y.dialogue.id, school_id=school.id)
    (b,) = meetings.list_meetings(db, step_id=y.debrief.id, school_id=school.id)
    return d, b


def _book(db, m, start=time(9, 0), minutes=None, force=False):
    return conflicts.move(db, m, MoveForm(day=DAY, start=start, minutes=minutes, force=force),
                          m.version)


def test_booking_a_planned_dialogue_books_its_debrief_right_after(db, year):
    d, b = _dialogue_and_debrief(db, year)
    assert d.status is MeetingStatus.PLANNED
    assert _book(db, d) == []
    db.refresh(b)
    assert d.status is MeetingStatus.BOOKED and b.status is MeetingStatus.BOOKED
    # As long as it needs: its agenda's length (the step's default without one).
    assert (d.ends_at - d.starts_at) == timedelta(minutes=meetings.planned_duration(db, d))
    assert b.starts_at == d.ends_at and (b.ends_at - b.starts_at) == timedelta(minutes=15)


def test_lengthening_keeps_the_start_moves_the_debrief_and_raises_sequence(db, year):
    d, b = _dialogue_and_debrief(db, year)
    _book(db, d, minutes=90)
    db.refresh(b)
    start, seq, b_seq = d.starts_at, d.sequence, b.sequence
    assert conflicts.lengthen(db, d, 120, expected_version=d.version) == []
    db.refresh(b)
    assert d.starts_at == start and d.ends_at - d.starts_at == timedelta(minutes=120)
    assert b.starts_at == d.ends_at
    assert d.sequence > seq and b.sequence > b_seq


def test_lengthening_into_someone_busy_is_refused_unless_forced(db, year):
    d, b = _dialogue_and_debrief(db, year)
    _book(db, d, minutes=90)
    # The chief is busy from 10:45: 90 minutes from 09:00 fit, 120 don't.
    availability.add_busy(db, year.chief, availability.BusyForm(
        day=DAY, start=time(10, 45), end=time(12, 0), note="Direktionsmøde"))
    with pytest.raises(conflicts.MoveConflicts) as err:
        conflicts.lengthen(db, d, 120, expected_version=d.version)
    assert any(c.kind == "busy" and c.person.startswith("Lene Skov") for c in err.value.conflicts)
    db.refresh(d)
    assert d.ends_at - d.starts_at == timedelta(minutes=90)
    accepted = conflicts.lengthen(db, d, 120, force=True, expected_version=d.version)
    assert accepted and d.ends_at - d.starts_at == timedelta(minutes=120)


def test_cancelling_a_dialogue_takes_its_debrief_and_booking_again_brings_it_back(db, year):
    d, b = _dialogue_and_debrief(db, year)
    _book(db, d)
    db.refresh(b)
    seq, b_seq = d.sequence, b.sequence
    done = conflicts.cancel(db, d, reason="Skolelederen er syg", expected_version=d.version)
    db.refresh(b)
    assert {m.id for m in done} == {d.id, b.id}
    assert d.status is MeetingStatus.CANCELLED and b.status is MeetingStatus.CANCELLED
    assert d.cancel_reason == "Skolelederen er syg" and d.cancelled_at is not None
    assert d.sequence > seq and b.sequence > b_seq
    # Booked again another day: both, the debrief right after, reason gone.
    conflicts.move(db, d, MoveForm(day=DAY + timedelta(days=1), start=time(13, 0)), d.version)
    db.refresh(b)
    assert d.status is MeetingStatus.BOOKED and b.status is MeetingStatus.BOOKED
    assert d.cancel_reason is None and d.cancelled_at is None
    assert b.starts_at == d.ends_at


def test_a_new_required_participant_who_is_busy_is_a_conflict(db, year):
    d, _b = _dialogue_and_debrief(db, year)
    _book(db, d)
    psych = year.psychologists[0]
    availability.add_busy(db, psych, availability.BusyForm(day=DAY, start=time(8, 0),
                                                           end=time(12, 0)))
    with pytest.raises(conflicts.ChangeConflicts):
        conflicts.checked_change(db, d, lambda s: meetings.add_participant(
            s, d, psych.id, function="psychologist", commit=False))
    assert psych.id not in {p.id for p, _mp in meetings.participants(db, d.id)}
    # Optional, they don't block; a guest by e-mail is one person, reused.
    conflicts.checked_change(db, d, lambda s: meetings.add_participant(
        s, d, psych.id, required=False, commit=False))
    guest = meetings.guest(db, d, name="Karin Bestyrelse", email="Karin@Example.dk")
    assert meetings.guest(db, d, name="K. B.", email="karin@example.dk").id == guest.id
    meetings.add_participant(db, d, guest.id)
    names = {p.name: mp.required for p, mp in meetings.participants(db, d.id)}
    assert names["Anne Lund"] is False and names["Karin Bestyrelse"] is True
    assert meetings.remove_participant(db, d, guest.id)
    assert "Karin Bestyrelse" not in {p.name for p, _mp in meetings.participants(db, d.id)}


def test_changing_the_place_raises_sequence(db, year):
    d, _b = _dialogue_and_debrief(db, year)
    _book(db, d)
    seq = d.sequence
    conflicts.checked_change(db, d, lambda s: meetings.set_place(
        s, d, kind="online", location="https://meet.example/abc", commit=False))
    assert d.location_kind == "online" and d.location == "https://meet.example/abc"
    assert d.sequence > seq


# --- invitations: REQUEST and CANCEL follow every change ------------------------------------


def test_invitations_follow_booking_lengthening_people_and_cancelling(db, year, smtp):  # noqa: F811
    feeds.save_settings(db, year.municipality.id, public_feeds=False,
                        organizer_name="Skole og Uddannelse",
                        organizer_email="skoleudvikling@svendborg.test")
    year.chief.email = "lene@svendborg.test"
    db.add(year.chief)
    db.commit()
    d, b = _dialogue_and_debrief(db, year)
    _book(db, d, minutes=90)
    (msg,) = _sent(smtp, 1)
    _, cal = _calendar_part(msg)
    assert str(cal["METHOD"]) == "REQUEST" and msg["To"].endswith("<lene@svendborg.test>")
    first = int(cal.walk("VEVENT")[0]["SEQUENCE"])
    conflicts.lengthen(db, d, 120, expected_version=d.version)
    (msg,) = _sent(smtp, 1)
    _, cal = _calendar_part(msg)
    assert int(cal.walk("VEVENT")[0]["SEQUENCE"]) > first
    # A guest gets an invitation; taken off again, a CANCEL.
    flows.invite_guest(db, d, name="Karin Bestyrelse", email="karin@example.dk")
    db.commit()
    (msg,) = _sent(smtp, 1)
    assert msg["To"] == "Karin Bestyrelse <karin@example.dk>"
    assert str(_calendar_part(msg)[1]["METHOD"]) == "REQUEST"
    guest = meetings.guest(db, d, name="", email="karin@example.dk")
    meetings.remove_participant(db, d, guest.id)
    (msg,) = _sent(smtp, 1)
    assert msg["To"] == "Karin Bestyrelse <karin@example.dk>"
    assert str(_calendar_part(msg)[1]["METHOD"]) == "CANCEL"
    # Cancelled: the chief gets a CANCEL with a higher SEQUENCE.
    conflicts.cancel(db, d, reason="Sygdom", expected_version=d.version)
    (msg,) = _sent(smtp, 1)
    _, cal = _calendar_part(msg)
    assert str(cal["METHOD"]) == "CANCEL" and msg["To"].endswith("<lene@svendborg.test>")
    assert int(cal.walk("VEVENT")[0]["SEQUENCE"]) > first + 1


# --- the place and people as the page's forms give them (app/scheduling/changes.py) ---------


def test_a_wrong_place_or_participant_names_its_field_and_changes_nothing(db, year):
    from app.forms import FieldError
    from app.scheduling import changes

    d, _b = _dialogue_and_debrief(db, year)
    _book(db, d)
    seq, place = d.sequence, (d.location_kind, d.location)
    wrong_places = [("online", "  ", "location"), ("other", "", "location"),
                    ("moon", "x", "kind")]
    for kind, location, field in wrong_places:
        with pytest.raises(FieldError) as err:
            changes.change_place(db, d, kind=kind, location=location,
                                 expected_version=d.version)
        assert err.value.field == field
    db.refresh(d)
    assert (d.location_kind, d.location) == place and d.sequence == seq
    stranger = make_person(db, Factory(db).municipality("Fremmed Kommune", "998"), "Fremmed")
    wrong_people = [({"person_id": None}, "person_id"),
                    ({"person_id": None, "guest_email": "k@example.dk"}, "guest_name"),
                    ({"person_id": None, "guest_name": "K", "guest_email": "k@dk"}, "guest_email"),
                    ({"person_id": 999999}, "person_id"), ({"person_id": stranger.id}, "person_id")]
    n = len(meetings.participants(db, d.id))
    for given, field in wrong_people:
        with pytest.raises(FieldError) as err:
            changes.add_participant(db, d, **given)
        assert err.value.field == field, given
    assert len(meetings.participants(db, d.id)) == n
    # The school's own place is its name and address.
    changes.change_place(db, d, kind="school", location="", expected_version=d.version)
    assert d.location_kind == "school" and d.location.startswith(year.schools[0].name)
    assert d.sequence > seq


def test_removing_says_who_gets_a_cancellation(db, year, smtp):  # noqa: F811
    from app.scheduling import changes

    d, _b = _dialogue_and_debrief(db, year)
    planned = flows.invite_guest(db, d, name="Karin Bestyrelse", email="karin@example.dk")
    db.commit()
    said = changes.removal_consequences(db, d, planned)
    assert said[-1] == "Mødet har ikke fået et tidspunkt endnu, så ingen får besked."
    _book(db, d)
    said = changes.removal_consequences(db, d, planned)
    assert said[-1].startswith("Karin Bestyrelse får en aflysning på e-mail (karin@example.dk)")
    feeds.set_invitation_preference(db, planned, False)
    db.commit()
    said = changes.removal_consequences(db, d, planned)
    assert said[-1].startswith("Karin Bestyrelse får ingen e-mail om det")
