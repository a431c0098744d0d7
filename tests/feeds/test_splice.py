"""A stored feed brought up to date by re-rendering only the changed meetings: after every kind
of change its bytes are exactly those of a full render, and a change of anything but meetings
(a school's name, a step) renders it in full."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.agendas import build as agenda_build
from app.agendas import items as agenda_items
from app.cycles.models import Step
from app.feeds import counter, service
from app.feeds.models import FeedChange, FeedKind
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingType
from tests.feeds.conftest import local, spec_for

FEEDS = {
    "municipality, full history": (FeedKind.MUNICIPALITY, "municipality", "consultant", True),
    "the chief's own meetings": (FeedKind.PERSON, "chief", "chief", False),
    "one school": (FeedKind.SCHOOL, "bakke", "consultant", False),
}


def _spec(db, world, name):
    kind, target, person, full = FEEDS[name]
    target_id = {"municipality": world.municipality.id, "chief": world.people["chief"].id,
                 "bakke": world.schools["bakke"].id}[target]
    return spec_for(db, world, kind, target_id, person=person, full_history=full)


@pytest.fixture
def renders(monkeypatch):
    """How many full renders the feeds made."""
    count = {"full": 0}
    full = service.render_full

    def counted(*args, **kwargs):
        count["full"] += 1
        return full(*args, **kwargs)

    monkeypatch.setattr(service, "render_full", counted)
    return count


def _meeting_changes(db, world):
    m, other = world.meetings["dialogue"], world.meetings["autumn_before"]
    agenda = agenda_build.ensure_agenda(db, m)
    db.commit()
    item = agenda_items.list_items(db, agenda.id)[1]
    return {
        "moved": lambda: meetings.reschedule(db, m, starts_at=m.starts_at + timedelta(days=9),
                                             ends_at=m.ends_at + timedelta(days=9)),
        "moved before every other": lambda: meetings.reschedule(
            db, other, starts_at=local(2022, 9, 1, 9), ends_at=local(2022, 9, 1, 10)),
        "participant added": lambda: meetings.add_participant(db, m, world.people["psych"].id),
        "participant removed": lambda: meetings.remove_participant(db, m,
                                                                   world.people["chief"].id),
        "chief now comes": lambda: meetings.add_participant(db, other, world.people["chief"].id),
        "place changed": lambda: meetings.set_place(db, m, kind="online",
                                                    location="https://møde.example/abc"),
        "agenda item edited": lambda: agenda_items.update_item(
            db, item, agenda_items.ItemForm(title="Trivsel, fravær og læring", minutes=40),
            expected_version=item.version),
        "unbooked meeting booked": lambda: meetings.reschedule(
            db, world.meetings["unbooked"], starts_at=local(2027, 4, 22, 9),
            ends_at=local(2027, 4, 22, 11)),
        "new meeting": lambda: meetings.create_meeting(
            db, school_year=world.years[2026], title="Ekstra møde", school=world.schools["bakke"],
            meeting_type=MeetingType.INTERNAL, starts_at=local(2027, 2, 2, 10),
            ends_at=local(2027, 2, 2, 11),
            participants=[(world.people["chief"].id, "chief", True)]),
        "cancelled": lambda: meetings.cancel(db, m, reason="Sygdom"),
        "deleted": lambda: (db.delete(db.get(Meeting, other.id)), db.commit()),
    }


@pytest.mark.parametrize("feed", FEEDS)
def test_after_each_change_of_a_meeting_the_spliced_feed_is_the_full_render(
        db, world, feed, renders):
    spec = _spec(db, world, feed)
    service.snapshot(db, spec)
    changes = _meeting_changes(db, world)
    for k, (name, change) in enumerate(changes.items(), 1):
        change()
        db.expire_all()
        if k % 2:  # another process: the stored bytes and layout come from the database
            service.cache.clear()
        spliced = service.snapshot(db, spec).body()
        assert spliced == service.render(db, spec), f"{feed}: {name}"
        # The first snapshot and each comparison's render(): the snapshots spliced.
        assert renders["full"] == 1 + k, f"{feed}: {name} was rendered in full"


def _stored_then_moved(db, world, feed):
    """The feed stored, then its dialogue moved a day."""
    spec = _spec(db, world, feed)
    service.snapshot(db, spec)
    m = world.meetings["dialogue"]
    meetings.reschedule(db, m, starts_at=m.starts_at + timedelta(days=1),
                        ends_at=m.ends_at + timedelta(days=1))
    return spec, m


def test_changes_of_meetings_render_only_those_meetings(db, world, renders):
    spec, m = _stored_then_moved(db, world, "municipality, full history")
    meetings.add_participant(db, m, world.people["psych"].id)
    body = service.snapshot(db, spec).body()
    assert renders["full"] == 1  # the first snapshot only: the change was spliced in
    assert m.uid in body.decode()


@pytest.mark.parametrize("change", ["school renamed", "step renamed", "series grows"])
def test_a_change_beyond_one_meeting_renders_the_feed_in_full(db, world, renders, change):
    spec = _spec(db, world, "municipality, full history")
    service.snapshot(db, spec)
    if change == "school renamed":
        school = world.schools["bakke"]
        school.name = "Bakkeskolen Nord"
        db.add(school)
        db.commit()
    elif change == "step renamed":
        step = db.get(Step, world.steps["dialogues"].id)
        step.title = "Dialogerne"
        db.add(step)
        db.commit()
    else:  # "Møde 1 af 3" becomes "af 4" in every talk of the series
        talk = world.meetings["talk1"]
        meetings.create_meeting(
            db, school_year=world.years[2026], title="Udviklingssamtale", school=world.schools["veng"],
            meeting_type=MeetingType.DEVELOPMENT_TALK, starts_at=local(2027, 3, 2, 14),
            ends_at=local(2027, 3, 2, 15), series_key=talk.series_key, series_index=4)
    db.expire_all()
    body = service.snapshot(db, spec).body()
    assert renders["full"] == 2
    assert body == service.render(db, spec)


def test_a_feed_older_than_the_kept_changes_is_rendered_in_full(db, world, renders):
    spec, _m = _stored_then_moved(db, world, "one school")
    for row in db.exec(select(FeedChange).where(
            FeedChange.municipality_id == world.municipality.id)).all():
        db.delete(row)  # pruned, as counter.KEEP does to old changes
    db.commit()
    assert counter.since(db, world.municipality.id, 0, counter.current(
        db, world.municipality.id)) is None
    db.expire_all()
    body = service.snapshot(db, spec).body()
    assert renders["full"] == 2
    assert body == service.render(db, spec)
