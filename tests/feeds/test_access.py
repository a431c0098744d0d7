"""Feeds as each role and as anonymous show exactly what that role may see.

The expected sets come from the meetings domain's own policy (`can_view_meeting`, the rule of
the meeting pages), so the feeds' SQL filter is checked against it, not against itself."""

import icalendar
import pytest

from app.feeds import service
from app.feeds.models import FeedKind, FeedLink
from app.feeds.policy import principal_for_person
from app.meetings import policy as meetings_policy
from app.meetings.models import Meeting, MeetingStatus, MeetingType
from tests.feeds.conftest import enable_public, spec_for


def _uids(db, spec) -> set[str]:
    cal = icalendar.Calendar.from_ical(service.render(db, spec))
    return {str(e["UID"]) for e in cal.walk("VEVENT")}


def _booked(world) -> list[Meeting]:
    return [m for m in world.meetings.values() if m.starts_at is not None]


ROLES = {"admin": "admin", "consultant": "consultant", "leader": "leader",
         "leader2": "leader2", "participant": "chief"}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_sees_what_the_meeting_pages_let_it_see(db, world, role):
    person = world.people[ROLES[role]]
    principal = principal_for_person(db, person)
    assert principal.user.id == world.users[role].id
    expected = {m.uid for m in _booked(world)
                if meetings_policy.can_view_meeting(db, principal, m)}
    spec = spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id,
                    person=ROLES[role], full_history=True)
    got = _uids(db, spec)
    assert {u for u in got if not u.startswith("step-")} == expected
    # Everyone with a role in the municipality sees its year wheel.
    assert {u for u in got if u.startswith("step-")} == {
        f"step-{world.municipality.kommunekode}-{y}-{k}@sus"
        for y, k in ((2026, "opstart"), (2026, "dialoger"), (2026, "lus"), (2022, "dialoger"))}


def test_the_roles_differ_as_they_should(db, world):
    mt = world.meetings

    def seen(who):
        return _uids(db, spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id,
                                  person=who, full_history=True))

    consultant, leader, leader2, chief = (seen(p) for p in
                                          ("consultant", "leader", "leader2", "chief"))
    assert mt["lus"].uid in consultant and mt["lus"].uid in leader2  # the LUS's own people
    assert mt["lus"].uid not in leader and mt["lus"].uid not in chief
    assert mt["spring_before"].uid not in leader  # another school's dialogue
    assert mt["dialogue"].uid in leader and mt["sunday"].uid not in leader
    assert mt["sunday"].uid in chief  # participants see the municipality's open meetings


def test_a_person_without_login_sees_only_their_own_meetings(db, world):
    psych = world.people["psych"]
    got = _uids(db, spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id,
                             person="psych", full_history=True))
    assert got == {world.meetings["autumn_before"].uid}  # no steps: no login, no year wheel
    own = _uids(db, spec_for(db, world, FeedKind.PERSON, psych.id, person="psych"))
    assert own == {world.meetings["autumn_before"].uid}


def test_anonymous_sees_only_public_events_and_only_when_the_municipality_allows(db, world):
    kinds = {FeedKind.MUNICIPALITY: world.municipality.id, FeedKind.YEAR: world.years[2026].id,
             FeedKind.STEP: world.steps["dialogues"].id,
             FeedKind.SCHOOL: world.schools["sonder"].id}
    for kind, tid in kinds.items():
        assert spec_for(db, world, kind, tid, public=True) is None  # off by default
    enable_public(db, world)
    got = _uids(db, spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id,
                             public=True, full_history=True))
    expected = {m.uid for m in _booked(world)
                if m.meeting_type is MeetingType.DIALOGUE and not m.confidential}
    assert {u for u in got if not u.startswith("step-")} == expected
    code = world.municipality.kommunekode
    assert {u for u in got if u.startswith("step-")} == {
        f"step-{code}-2026-opstart@sus", f"step-{code}-2026-dialoger@sus",
        f"step-{code}-2022-dialoger@sus"}  # not the confidential LUS step
    assert spec_for(db, world, FeedKind.STEP, world.steps["lus"].id, public=True) is None
    for kind in (FeedKind.PERSON, FeedKind.CONSULTANT):
        assert spec_for(db, world, kind, world.people["consultant"].id, public=True) is None


def test_links_open_nothing_outside_their_owners_reach(db, world, factory):
    other = factory.municipality(name="Anden Kommune")
    school = factory.school(other, name="Fremmed Skole")
    # Another municipality's school, another person's personal feed: nothing.
    assert spec_for(db, world, FeedKind.SCHOOL, school.id, person="consultant") is None
    assert spec_for(db, world, FeedKind.MUNICIPALITY, other.id, person="admin") is None
    assert spec_for(db, world, FeedKind.PERSON, world.people["chief"].id,
                    person="consultant") is None
    # A deactivated login ends its links.
    user = world.users["consultant"]
    user.is_active = False
    db.add(user)
    db.commit()
    assert spec_for(db, world, FeedKind.SCHOOL, world.schools["bakke"].id,
                    person="consultant") is None


def test_a_deleted_target_ends_the_link(db, world):
    link = FeedLink(person_id=world.people["consultant"].id, kind=FeedKind.STEP,
                    target_id=999999, token_hash="y")
    assert service.private_spec(db, link) is None


def test_cancelled_meetings_follow_the_same_visibility(db, world):
    from app.meetings import service as meetings

    meetings.cancel(db, world.meetings["lus"])
    assert world.meetings["lus"].status is MeetingStatus.CANCELLED
    chief = _uids(db, spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id,
                               person="chief"))
    assert world.meetings["lus"].uid not in chief
