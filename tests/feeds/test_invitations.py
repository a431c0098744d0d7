"""E-mailed iTIP invitations, sent to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from datetime import timedelta

import icalendar
import pytest
from sqlmodel import select

from app.feeds import outbox, service
from app.feeds.config import get_env
from app.feeds.models import OutboxMessage
from app.meetings import service as meetings
from app.meetings.models import MeetingType
from tests.feeds.conftest import enable_public, local
from tests.smtp import smtp_server


@pytest.fixture
def smtp(monkeypatch, db):
    with smtp_server(monkeypatch, "SUS Æblerød <sus@aeblerod.dk>",
                     SUS_INVITATIONS="true") as sink:
        sink.session = db
        yield sink


def _calendar_part(msg):
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0], icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))


def _sent(sink, n):
    # The test's session holds the outbox rows in its own transaction: deliver from it.
    outbox.deliver(sink.session)
    assert len(sink.messages) == n, [m["To"] for m in sink.messages]
    found = list(sink.messages)
    sink.messages.clear()
    return found


def test_off_by_default_nothing_is_sent(db, world):
    assert not get_env().invitations_on
    meetings.cancel(db, world.meetings["dialogue"])
    assert db.exec(select(OutboxMessage)).all() == []


def test_booking_moving_and_cancelling_send_request_and_cancel(db, world, smtp):
    enable_public(db, world)
    p = world.people
    m = meetings.create_meeting(
        db, school_year=world.years[2026], school=world.schools["sonder"],
        title="Skoleudviklingssamtale", meeting_type=MeetingType.DIALOGUE,
        starts_at=local(2027, 5, 4, 9), ends_at=local(2027, 5, 4, 11), location="Søndervang",
        participants=[(p["chief"].id, "chief", True), (p["consultant"].id, "consultant", True),
                      (p["leader2"].id, "school_leader", True)])
    # Only the chief asked (by default: the chief sits in most meetings).
    (msg,) = _sent(smtp, 1)
    assert msg["To"] == "Lene Skov <lene@aeblerod.dk>"
    assert msg["Subject"].startswith("Invitation: Skoleudviklingssamtale, tirsdag 4. maj 2027")
    part, cal = _calendar_part(msg)
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST" and str(cal["METHOD"]) == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    (ev,) = cal.walk("VEVENT")
    assert str(ev["UID"]) == m.uid and ev["SEQUENCE"] == m.sequence
    assert str(ev["ORGANIZER"]) == "mailto:skoleudvikling@aeblerod.dk"
    attendees = {str(a): a.params for a in ev["ATTENDEE"]}
    assert set(attendees) == {"mailto:lene@aeblerod.dk", "mailto:mette@aeblerod.dk",
                              "mailto:soren@sonder.dk"}
    assert all(a["RSVP"] == "TRUE" and a["PARTSTAT"] == "NEEDS-ACTION"
               for a in attendees.values())
    assert "NAME" not in cal and "REFRESH-INTERVAL" not in cal

    # The feed shows the same identity.
    feed = service.render(db, service.FeedSpec(
        service.resolve_target(db, service.FeedKind.PERSON, p["chief"].id),
        service.viewer_for(db, p["chief"])))
    assert m.uid.encode() in feed and f"SEQUENCE:{m.sequence}".encode() in feed

    first_seq = m.sequence
    meetings.reschedule(db, m, starts_at=m.starts_at + timedelta(days=1),
                        ends_at=m.ends_at + timedelta(days=1))
    (moved,) = _sent(smtp, 1)
    assert moved["Subject"].startswith("Ændret: ")
    _, cal = _calendar_part(moved)
    (ev,) = cal.walk("VEVENT")
    assert str(ev["UID"]) == m.uid and ev["SEQUENCE"] == m.sequence > first_seq
    assert str(cal["METHOD"]) == "REQUEST"

    meetings.cancel(db, m)
    (cancelled,) = _sent(smtp, 1)
    part, cal = _calendar_part(cancelled)
    assert part.get_param("method") == "CANCEL" and str(cal["METHOD"]) == "CANCEL"
    (ev,) = cal.walk("VEVENT")
    assert str(ev["STATUS"]) == "CANCELLED" and ev["SEQUENCE"] == m.sequence
    assert cancelled["Subject"].startswith("Aflyst: ")


def test_own_choice_overrides_the_default_and_removed_people_get_a_cancel(db, world, smtp):
    enable_public(db, world)
    p = world.people
    service.set_invitation_preference(db, p["chief"], False)
    service.set_invitation_preference(db, p["consultant"], True)
    m = world.meetings["dialogue"]
    meetings.reschedule(db, m, starts_at=m.starts_at + timedelta(hours=1),
                        ends_at=m.ends_at + timedelta(hours=1))
    (msg,) = _sent(smtp, 1)
    assert msg["To"] == "Mette Holm <mette@aeblerod.dk>"
    meetings.set_participants(db, m, [(p["chief"].id, "chief", True)])
    (removed,) = _sent(smtp, 1)
    assert removed["To"] == "Mette Holm <mette@aeblerod.dk>"
    _, cal = _calendar_part(removed)
    assert str(cal["METHOD"]) == "CANCEL"


def test_a_rolled_back_change_sends_nothing(db, world, smtp):
    enable_public(db, world)
    m = world.meetings["dialogue"]
    m.starts_at = m.starts_at + timedelta(days=2)
    m.ends_at = m.ends_at + timedelta(days=2)
    db.add(m)
    db.flush()
    db.rollback()
    assert db.exec(select(OutboxMessage)).all() == []
    assert outbox.deliver(db).sent == 0
    assert smtp.messages == []


def test_no_organizer_mailbox_means_no_invitation(db, world, smtp, monkeypatch):
    monkeypatch.setenv("SUS_INVITE_ORGANIZER", "")
    monkeypatch.setenv("SUS_SMTP_FROM", "noreply")
    get_env.cache_clear()
    m = world.meetings["dialogue"]
    meetings.cancel(db, m)
    assert db.exec(select(OutboxMessage)).all() == []
    assert smtp.messages == []
