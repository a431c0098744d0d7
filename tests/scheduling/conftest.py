"""A Svendborg-like school year to schedule: prep meetings, dialogues and their debriefs.

Built through the services as the cycles domain would leave it: per-school steps with
windows, one PLANNED meeting per school and step with participants by function, and the
Easter, Ascension and Whitsun holidays of 2027.
"""

from dataclasses import dataclass, field
from datetime import date

import pytest

from app.cycles.models import HolidayKind, HolidayPeriod, Step, StepScope
from app.meetings import service as meetings
from app.meetings.models import MeetingType
from app.schools.models import PersonFunction
from tests.conftest import make_person, make_year

HOLIDAYS_2027 = [
    ("Påskeferie", date(2027, 3, 22), date(2027, 3, 29)),
    ("Kristi himmelfartsdag", date(2027, 5, 6), date(2027, 5, 7)),
    ("2. pinsedag", date(2027, 5, 17), date(2027, 5, 17)),
]


@dataclass
class Year:
    municipality: object
    year: object
    prep: Step
    dialogue: Step
    debrief: Step
    schools: list = field(default_factory=list)
    chief: object = None
    consultants: list = field(default_factory=list)
    ppr: object = None
    psychologists: list = field(default_factory=list)
    leaders: dict = field(default_factory=dict)


def _step(db, year, position, key, title, mtype, start, end, minutes, functions, **kw):
    step = Step(school_year_id=year.id, position=position, key=key, title=title,
                scope=StepScope.PER_SCHOOL, meeting_type=mtype, start_date=start, end_date=end,
                duration_minutes=minutes, participant_functions=functions, **kw)
    db.add(step)
    db.commit()
    db.refresh(step)
    return step


def build_year(db, factory, *, schools: int = 6, municipality=None,
               dialogue_window=(date(2027, 4, 12), date(2027, 5, 28)),
               prep_window=(date(2027, 3, 1), date(2027, 4, 9)), location="administration"):
    m = municipality or factory.municipality()
    year = make_year(db, m, 2026)
    for name, a, b in HOLIDAYS_2027:
        db.add(HolidayPeriod(municipality_id=m.id, school_year_id=year.id, name=name,
                             kind=HolidayKind.SCHOOL, start_date=a, end_date=b))
    db.commit()
    prep = _step(db, year, 6, "formoder-1", "Formøder runde 1", "prep", *prep_window, 30,
                 ["consultant", "psychologist"], location_kind="administration")
    dialogue = _step(db, year, 9, "samtaler", "Skoleudviklingssamtaler", "dialogue",
                     *dialogue_window, 90, ["chief", "consultant", "ppr_leader",
                                            "school_leader"], location_kind=location)
    debrief = _step(db, year, 10, "opsamling-kort", "Kort opsamling efter mødet", "debrief",
                    *dialogue_window, 15, ["consultant"], follows="samtaler",
                    location_kind=location)
    y = Year(m, year, prep, dialogue, debrief)
    y.chief = make_person(db, m, "Lene Skov", PersonFunction.CHIEF)
    y.chief.title = "Skolechef"
    y.consultants = [make_person(db, m, "Mette Holm", PersonFunction.CONSULTANT),
                     make_person(db, m, "Jens Kirk", PersonFunction.CONSULTANT)]
    y.ppr = make_person(db, m, "Thomas Brandt", PersonFunction.PPR_LEADER)
    y.psychologists = [make_person(db, m, "Anne Lund", PersonFunction.PSYCHOLOGIST),
                       make_person(db, m, "Peter Vinther", PersonFunction.PSYCHOLOGIST)]
    for i in range(schools):
        school = factory.school(m, name=f"Skole {chr(65 + i)}",
                                address=f"Skolevej {i + 1}, 5700 Svendborg")
        leader = make_person(db, m, f"Leder {chr(65 + i)}", PersonFunction.SCHOOL_LEADER,
                             school=school)
        y.schools.append(school)
        y.leaders[school.id] = leader
        consultant = y.consultants[i % 2]
        psychologist = y.psychologists[i % 2]
        meetings.create_meeting(
            db, school_year=year, step=prep, school=school, meeting_type=MeetingType.PREP,
            title=f"Formøde: {school.name}",
            participants=[(consultant.id, "consultant", True),
                          (psychologist.id, "psychologist", True)])
        meetings.create_meeting(
            db, school_year=year, step=dialogue, school=school,
            meeting_type=MeetingType.DIALOGUE, title=f"Skoleudviklingssamtale: {school.name}",
            participants=[(y.chief.id, "chief", True), (consultant.id, "consultant", True),
                          (y.ppr.id, "ppr_leader", False), (leader.id, "school_leader", True)])
        meetings.create_meeting(
            db, school_year=year, step=debrief, school=school,
            meeting_type=MeetingType.DEBRIEF, title=f"Kort opsamling: {school.name}",
            participants=[(consultant.id, "consultant", True)])
    db.commit()
    return y


@pytest.fixture
def svendborg(db, factory):
    return build_year(db, factory)


# --- a live server with the demo data and a school year to plan, for the browser test -------


def build_browser_year(session) -> dict:
    """Skanderborg (the demo municipality) gets 2027/28 with six dialogues to plan in April
    2028, Easter in the middle, and the chief's weekly management meeting as busy time."""
    from datetime import time as dtime
    from datetime import timedelta

    from app.cycles import years as cycle_years
    from app.scheduling import availability
    from app.schools import service as schools
    from app.schools.models import Person

    m = schools.get_municipality_by_code(session, "740")
    year = cycle_years.find_school_year(session, m.id, 2027) or cycle_years.create_school_year(
        session, m, 2027)
    session.add(HolidayPeriod(municipality_id=m.id, school_year_id=year.id, name="Påskeferie",
                              kind=HolidayKind.SCHOOL, start_date=date(2028, 4, 10),
                              end_date=date(2028, 4, 17)))
    window = (date(2028, 4, 3), date(2028, 4, 28))
    dialogue = _step(session, year, 9, "samtaler", "Skoleudviklingssamtaler", "dialogue",
                     *window, 90, ["chief", "consultant", "school_leader"],
                     location_kind="administration")
    _step(session, year, 10, "opsamling-kort", "Kort opsamling efter mødet", "debrief",
          *window, 15, ["consultant"], follows="samtaler", location_kind="administration")
    debrief = cycle_years.step_by_key(session, year.id, "opsamling-kort")

    def person(email):
        return session.exec(__import__("sqlmodel").select(Person).where(
            Person.email == email)).first()

    chief, consultant = person("chef@skanderborg.demo"), person("konsulent@skanderborg.demo")
    # The demo may already have given the chief an availability row: adjust that one.
    hours = availability.get_availability(session, chief)
    hours.max_per_day = 3
    session.add(hours)
    day = window[0] + timedelta(days=1)  # Tuesday 4 April 2028
    while day <= window[1]:
        availability.add_busy(session, chief, availability.BusyForm(
            day=day, start=dtime(9), end=dtime(11), note="Direktionsmøde"))
        day += timedelta(days=7)
    for school in schools.list_schools(session, m.id)[:6]:
        leader = session.exec(__import__("sqlmodel").select(Person).where(
            Person.school_id == school.id)).first()
        people = [(chief.id, "chief", True), (consultant.id, "consultant", True)]
        if leader:
            people.append((leader.id, "school_leader", True))
        meetings.create_meeting(session, school_year=year, step=dialogue, school=school,
                                meeting_type=MeetingType.DIALOGUE,
                                title=f"Skoleudviklingssamtale: {school.name}",
                                participants=people)
        meetings.create_meeting(session, school_year=year, step=debrief, school=school,
                                meeting_type=MeetingType.DEBRIEF,
                                title=f"Kort opsamling: {school.name}",
                                participants=[(consultant.id, "consultant", True)])
    session.commit()
    # The demo's booked 2026/27 dialogue of Bakkeskolen, for the consultant to cancel, find a
    # new time for, lengthen to its agenda and add a guest to.
    from app.cycles.models import Step as StepRow
    from app.schools.models import School

    bakke = session.exec(__import__("sqlmodel").select(School).where(
        School.name == "Bakkeskolen")).first()
    this_year = cycle_years.find_school_year(session, m.id, 2026)
    demo_dialogue = next(
        mt for mt in meetings.list_meetings(session, school_id=bakke.id,
                                            school_year_id=this_year.id)
        if mt.meeting_type is MeetingType.DIALOGUE and session.get(StepRow, mt.step_id))
    return {"step": dialogue.id, "dialogue": demo_dialogue.id}


@pytest.fixture(scope="session")
def scheduling_server():
    """`sus serve` on its own copy of the demo data plus `build_browser_year`: a server of its
    own, as the new 2027/28 year and the chief's changed availability show on every Skanderborg
    page the other browser tests read."""
    from sqlmodel import Session

    from app.db import make_engine
    from tests.conftest import demo_server

    def prepare(url):
        engine = make_engine(url)
        with Session(engine) as session:
            ids = build_browser_year(session)
        engine.dispose()
        return ids

    with demo_server("sched", prepare) as (base, _url, ids):
        yield base, ids
