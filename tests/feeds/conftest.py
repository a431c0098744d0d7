"""A small municipality with everything a feed can show: steps, dialogues on both sides of the
clock changes in 2026, 2027 and 2028, a confidential LUS, internal meetings, a series, a
whole-day meeting, people with and without logins, and users in every role."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.cycles import assignments as cycle_assignments
from app.cycles.models import Step, StepScope
from app.feeds import polls
from app.feeds import service as feeds
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingType
from tests.conftest import make_person, make_year

CPH = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 11, 23)
"""The window is last, this and next school year: 2025/26, 2026/27 and 2027/28."""


def local(y, mo, d, h=10, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=CPH).astimezone(timezone.utc)


@dataclass
class World:
    municipality: object
    schools: dict
    years: dict
    steps: dict
    people: dict
    users: dict
    meetings: dict[str, Meeting] = field(default_factory=dict)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(feeds, "today", lambda: TODAY)
    feeds.cache.clear()
    polls.decisions.clear()
    yield
    feeds.cache.clear()
    polls.decisions.clear()


@pytest.fixture
def world(db, factory) -> World:
    m = factory.municipality(name="Æblerød Kommune")
    schools = {
        "bakke": factory.school(m, name="Bakkeskolen", address="Bakkevej 2, 8362 Hørning"),
        "sonder": factory.school(m, name="Søndervangskolen", address="Søndervang 1, 8660 Skå"),
        "veng": factory.school(m, name="Veng Skole & Børnehus"),
    }
    years = {y: make_year(db, m, y) for y in (2022, 2025, 2026, 2027, 2028)}
    people = {
        "chief": make_person(db, m, "Lene Skov", function="chief", email="lene@aeblerod.dk"),
        "consultant": make_person(db, m, "Mette Holm", function="consultant",
                                  email="mette@aeblerod.dk"),
        "psych": make_person(db, m, "Anne Lund", function="psychologist",
                             email="anne@aeblerod.dk"),
        "leader": make_person(db, m, "Susanne Bak", function="school_leader",
                              school=schools["bakke"], email="susanne@bakke.dk"),
        "leader2": make_person(db, m, "Søren Ørsted", function="school_leader",
                               school=schools["sonder"], email="soren@sonder.dk"),
        "admin": make_person(db, m, "Ada Admin", email="ada@sus.test"),
    }
    users = {
        "admin": factory.user("admin"),
        "consultant": factory.user("consultant", municipality=m),
        "leader": factory.user("school_leader", school=schools["bakke"]),
        "leader2": factory.user("school_leader", school=schools["sonder"]),
        "participant": factory.user("participant", municipality=m),
    }
    for role, person in (("admin", "admin"), ("consultant", "consultant"), ("leader", "leader"),
                         ("leader2", "leader2"), ("participant", "chief")):
        users[role].person_id = people[person].id
        db.add(users[role])
    db.commit()
    y = years[2026]
    steps = {
        "start": Step(school_year_id=y.id, position=1, key="opstart", title="Opstartsmøde",
                      start_date=date(2026, 11, 10), end_date=date(2026, 11, 10),
                      responsible="Skolechefen", responsible_person_id=people["chief"].id),
        "dialogues": Step(school_year_id=y.id, position=2, key="dialoger",
                          title="Skoleudviklingssamtaler", scope=StepScope.PER_SCHOOL,
                          start_date=date(2027, 4, 5), end_date=date(2027, 5, 28),
                          responsible="Konsulenterne"),
        "lus": Step(school_year_id=y.id, position=3, key="lus", title="LUS",
                    scope=StepScope.PER_SCHOOL, confidential=True,
                    start_date=date(2026, 12, 1), end_date=date(2026, 12, 18)),
        "old": Step(school_year_id=years[2022].id, position=1, key="dialoger",
                    title="Skoleudviklingssamtaler 2022/23",
                    start_date=date(2023, 4, 1), end_date=date(2023, 4, 30)),
    }
    for s in steps.values():
        db.add(s)
    db.commit()
    for year, person in ((2026, "consultant"),):
        for school in ("bakke", "sonder"):
            cycle_assignments.assign(db, years[year].id, schools[school].id, people[person].id, "consultant")
    w = World(m, schools, years, steps, people, users)
    p = people

    def add(name, *, year=2026, school=None, title, start, minutes=120, kind=MeetingType.DIALOGUE,
            who=(), step=None, **kw):
        end = start + timedelta(minutes=minutes) if start is not None else None
        w.meetings[name] = meetings.create_meeting(
            db, school_year=years[year], title=title, meeting_type=kind,
            school=schools[school] if school else None, step=steps.get(step),
            starts_at=start, ends_at=end,
            participants=[(p[x].id, p[x].function.value if p[x].function else None, True)
                          for x in who], **kw)

    add("dialogue", school="bakke", title="Skoleudviklingssamtale", step="dialogues",
        start=local(2027, 4, 20, 8), location="Bakkeskolen, mødelokale 2",
        who=("chief", "consultant", "leader"))
    add("spring_before", school="sonder", title="Skoleudviklingssamtale", step="dialogues",
        start=local(2027, 3, 26), who=("chief", "consultant", "leader2"),
        location_kind="school")
    add("spring_after", school="veng", title="Skoleudviklingssamtale", step="dialogues",
        start=local(2027, 3, 29), who=("chief",))
    add("autumn_before", school="bakke", title="Formøde", kind=MeetingType.PREP,
        start=local(2026, 10, 23), minutes=30, who=("consultant", "psych"))
    add("autumn_after", school="bakke", title="Opsamling", kind=MeetingType.DEBRIEF,
        start=local(2026, 10, 26), minutes=15, who=("chief", "consultant"))
    add("lus", school="sonder", title="LUS", kind=MeetingType.LUS, confidential=True,
        step="lus", start=local(2026, 12, 2, 13), minutes=90, who=("consultant", "leader2"))
    add("sunday", title="Opsamlingsmøde i forvaltningen", kind=MeetingType.INTERNAL,
        start=local(2027, 3, 28, 12), minutes=60, who=("chief", "consultant"))
    add("allday", title="Temadag for skoleledere", kind=MeetingType.INTERNAL,
        start=local(2027, 1, 15, 0), minutes=24 * 60, all_day=True, who=("chief",))
    add("unbooked", school="veng", title="Skoleudviklingssamtale (ikke booket)", start=None,
        who=("chief",))
    for i, day in enumerate((date(2026, 9, 8), date(2026, 11, 3), date(2027, 1, 12)), 1):
        add(f"talk{i}", school="veng", title="Udviklingssamtale", kind=MeetingType.DEVELOPMENT_TALK,
            start=local(day.year, day.month, day.day, 14), minutes=90, who=("consultant",),
            series_key="veng-udv-2026", series_index=i)
    # Other school years: both DST changes of 2026 (2025/26) and 2028 (2027/28 and 2028/29).
    add("y25_before", year=2025, school="bakke", title="Skoleudviklingssamtale",
        start=local(2026, 3, 27), who=("chief",))
    add("y25_after", year=2025, school="bakke", title="Skoleudviklingssamtale",
        start=local(2026, 3, 30), who=("chief",))
    add("y27_before", year=2027, school="bakke", title="Skoleudviklingssamtale",
        start=local(2028, 3, 24), who=("chief",))
    add("y27_after", year=2027, school="bakke", title="Skoleudviklingssamtale",
        start=local(2028, 3, 27), who=("chief",))
    add("y28_before", year=2028, school="bakke", title="Skoleudviklingssamtale",
        start=local(2028, 10, 27), who=("chief",))
    add("y28_after", year=2028, school="bakke", title="Skoleudviklingssamtale",
        start=local(2028, 10, 30), who=("chief",))
    # 02:30 after the clocks went back on 31 October 2027 (the second 02:30, CET): 01:30 UTC.
    add("repeated", year=2027, title="Natlig driftsmøde", kind=MeetingType.INTERNAL,
        start=datetime(2027, 10, 31, 1, 30, tzinfo=timezone.utc), minutes=20, who=("chief",))
    add("y22", year=2022, school="bakke", title="Skoleudviklingssamtale",
        start=local(2023, 4, 18), who=("chief",))
    return w


def spec_for(db, w: World, kind, target_id, *, person=None, full_history=False, public=False):
    """The FeedSpec a link of `person` (or the public) would open."""
    from app.feeds.models import FeedLink

    if public:
        return feeds.public_spec(db, kind, target_id, full_history=full_history, today=TODAY)
    link = FeedLink(person_id=w.people[person].id, kind=kind, target_id=target_id,
                    token_hash="x")
    return feeds.private_spec(db, link, full_history=full_history, today=TODAY)


def enable_public(db, w: World, organizer: bool = True) -> None:
    feeds.save_settings(db, w.municipality.id, public_feeds=True,
                        organizer_name="Skole og Uddannelse" if organizer else None,
                        organizer_email="skoleudvikling@aeblerod.dk" if organizer else None)


def every_feed(db, w: World) -> list[tuple[str, bytes]]:
    """Every kind of feed, for several viewers and the public, windowed and full, and one
    meeting's .ics: what the parser tests run over."""
    from app.feeds.models import FeedKind

    enable_public(db, w)
    targets = {
        FeedKind.MUNICIPALITY: w.municipality.id,
        FeedKind.YEAR: w.years[2026].id,
        FeedKind.STEP: w.steps["dialogues"].id,
        FeedKind.SCHOOL: w.schools["bakke"].id,
        FeedKind.PERSON: None,
        FeedKind.CONSULTANT: w.people["consultant"].id,
    }
    found = []
    for kind, target in targets.items():
        for who in ("consultant", "chief", "leader2", "psych", None):
            if kind is FeedKind.PERSON and who is None:
                continue
            tid = w.people[who].id if kind is FeedKind.PERSON else target
            for full in (False, True):
                spec = spec_for(db, w, kind, tid, person=who, public=who is None,
                                full_history=full)
                if spec is None:
                    continue
                found.append((f"{kind.value}/{who or 'public'}/{'all' if full else 'window'}",
                              feeds.render(db, spec)))
    found.append(("meeting", feeds.render_meeting(db, w.meetings["dialogue"], with_people=True)))
    return found
