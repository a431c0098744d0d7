"""Meetings keep one calendar identity through every change."""

from datetime import datetime, timedelta, timezone

import pytest

from app.db import StaleVersion
from app.meetings import service
from app.meetings.models import MeetingStatus, MeetingType
from tests.conftest import make_person, make_year

T0 = datetime(2027, 4, 20, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def year(db, factory):
    m = factory.municipality()
    return make_year(db, m), m


def test_new_meeting_has_uid_and_sequence_zero(db, factory, year):
    y, m = year
    school = factory.school(m)
    meeting = service.create_meeting(db, school_year=y, school=school, title="Dialog",
                                     meeting_type=MeetingType.DIALOGUE)
    assert meeting.uid.endswith("@sus") and len(meeting.uid) > 30
    assert meeting.sequence == 0 and meeting.status is MeetingStatus.PLANNED
    other = service.create_meeting(db, school_year=y, title="Andet")
    assert other.uid != meeting.uid


def test_moving_keeps_uid_and_raises_sequence(db, year):
    y, _ = year
    meeting = service.create_meeting(db, school_year=y, title="Dialog",
                                     starts_at=T0, ends_at=T0 + timedelta(hours=2))
    uid, seq, changed = meeting.uid, meeting.sequence, meeting.changed_at
    service.reschedule(db, meeting, starts_at=T0 + timedelta(days=1),
                       ends_at=T0 + timedelta(days=1, hours=2))
    assert meeting.uid == uid and meeting.sequence == seq + 1
    assert meeting.changed_at >= changed
    service.reschedule(db, meeting, starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                       location="Bakkeskolen, lokale 12")
    assert meeting.sequence == seq + 2


def test_title_change_moves_change_time_but_not_sequence(db, year):
    y, _ = year
    meeting = service.create_meeting(db, school_year=y, title="Dialog",
                                     starts_at=T0, ends_at=T0 + timedelta(hours=1))
    seq, changed = meeting.sequence, meeting.changed_at
    meeting.title = "Skoleudviklingssamtale"
    db.add(meeting)
    db.commit()
    assert meeting.sequence == seq and meeting.changed_at >= changed


def test_cancelling_raises_sequence_and_records_when(db, year):
    y, _ = year
    meeting = service.create_meeting(db, school_year=y, title="Dialog",
                                     starts_at=T0, ends_at=T0 + timedelta(hours=1))
    service.cancel(db, meeting)
    assert meeting.status is MeetingStatus.CANCELLED and meeting.sequence == 1
    assert meeting.cancelled_at is not None
    # Booking it again brings it back with a still higher sequence.
    service.reschedule(db, meeting, starts_at=T0, ends_at=T0 + timedelta(hours=1))
    assert meeting.status is MeetingStatus.BOOKED and meeting.sequence == 2


def test_stale_version_is_refused(db, year):
    y, _ = year
    meeting = service.create_meeting(db, school_year=y, title="Dialog",
                                     starts_at=T0, ends_at=T0 + timedelta(hours=1))
    opened = meeting.version
    service.reschedule(db, meeting, starts_at=T0 + timedelta(hours=1),
                       ends_at=T0 + timedelta(hours=2), expected_version=opened)
    with pytest.raises(StaleVersion):
        service.reschedule(db, meeting, starts_at=T0, ends_at=T0 + timedelta(hours=1),
                           expected_version=opened)


def test_participants_and_listing_by_person(db, factory, year):
    y, m = year
    chief = make_person(db, m, "Lene Skov", function="chief")
    leader = make_person(db, m, "Susanne Bak", function="school_leader")
    a = service.create_meeting(db, school_year=y, title="A", starts_at=T0,
                               ends_at=T0 + timedelta(hours=1),
                               participants=[(chief.id, "chief", True), (leader.id, None, True)])
    b = service.create_meeting(db, school_year=y, title="B", starts_at=T0 - timedelta(days=1),
                               ends_at=T0 - timedelta(days=1) + timedelta(hours=1),
                               participants=[(chief.id, "chief", True)])
    assert [x.title for x in service.list_meetings(db, person_id=chief.id)] == ["B", "A"]
    assert [x.title for x in service.list_meetings(db, person_id=leader.id)] == ["A"]
    changed = a.changed_at
    service.set_participants(db, a, [(chief.id, "chief", True)])
    assert [p.name for p, _ in service.participants(db, a.id)] == ["Lene Skov"]
    assert a.changed_at >= changed
    assert service.list_meetings(db, person_id=leader.id) == []
    assert b.sequence == 0


def test_database_refuses_end_before_start(db, year):
    from sqlalchemy.exc import IntegrityError

    y, _ = year
    with pytest.raises(IntegrityError):
        service.create_meeting(db, school_year=y, title="X", starts_at=T0,
                               ends_at=T0 - timedelta(hours=1))
    db.rollback()
