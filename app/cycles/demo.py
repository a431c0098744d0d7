"""Demo school years: Skanderborg on the Svendborg template, Ringsted on its own.

Skanderborg gets the finished school year 2025/26 (every step done, every meeting held at a
time placed by the simple rule below: this is demo data, not the scheduler) and the current
2026/27, with the steps up to today done and its per-school meetings left without a time
for the scheduler. Ringsted Kommune is a second demo municipality on the Ringsted template
(6 development talks, a GRUS and a LUS per school). Names of people, institution numbers and
figures are invented; both municipalities are flagged as demo data. Loading again changes
nothing: a school year that exists is left as it is.
"""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone

from sqlmodel import Session

from app import catalog
from app.cycles import assignments as cycle_assignments
from app.cycles import catalog as cycle_catalog
from app.cycles import dates as cycle_dates
from app.cycles import from_template as cycle_from_template
from app.cycles import planning as cycle_planning
from app.cycles import years as cycle_years
from app.cycles.models import SchoolYear, StepScope, StepStatus
from app.i18n import TZ
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus
from app.schools import service as schools
from app.schools.demo import SKANDERBORG
from app.schools.models import Person, PersonFunction, School, SchoolKind
from app.schools.service import SchoolForm

RINGSTED = {"name": "Ringsted Kommune", "kommunekode": "329"}

# name, institution number, kind, pupils, address (invented figures)
RINGSTED_SCHOOLS = [
    ("Byskovskolen", "329011", SchoolKind.ORDINARY, 690, "Ahornvej 1, 4100 Ringsted"),
    ("Dagmarskolen", "329012", SchoolKind.ORDINARY, 540, "Dagmarsgade 9, 4100 Ringsted"),
    ("Kildeskolen", "329013", SchoolKind.ORDINARY, 410, "Kildevej 3, 4100 Ringsted"),
    ("Benløse Skole", "329014", SchoolKind.ORDINARY, 480, "Skolevej 5, 4100 Ringsted"),
    ("Vigersted Skole", "329015", SchoolKind.VILLAGE, 180, "Vigersted Bygade 2, 4100 Ringsted"),
]

# name, e-mail, title, organisation, function, school (None: the administration)
RINGSTED_PEOPLE = [
    ("Birgitte Mølgaard", "chef@ringsted.demo", "Skolecenterchef", "Skolecenteret",
     PersonFunction.CHIEF, None),
    ("Hans Ravn", "direktor@ringsted.demo", "Direktør", "Børn og Unge", PersonFunction.DIRECTOR,
     None),
    ("Sofie Krogh", "konsulent@ringsted.demo", "Ledelseskonsulent", "Skolecenteret",
     PersonFunction.CONSULTANT, None),
    ("Mads Lind", "konsulent2@ringsted.demo", "Ledelseskonsulent", "Skolecenteret",
     PersonFunction.CONSULTANT, None),
    ("Pia Holt", "leder@byskovskolen.demo", "Skoleleder", "Byskovskolen",
     PersonFunction.SCHOOL_LEADER, "Byskovskolen"),
    ("Rasmus Friis", "viceleder@byskovskolen.demo", "Viceskoleleder", "Byskovskolen",
     PersonFunction.LEADERSHIP_TEAM, "Byskovskolen"),
    ("Louise Berg", "leder@dagmarskolen.demo", "Skoleleder", "Dagmarskolen",
     PersonFunction.SCHOOL_LEADER, "Dagmarskolen"),
    ("Anders Kjær", "leder@kildeskolen.demo", "Skoleleder", "Kildeskolen",
     PersonFunction.SCHOOL_LEADER, "Kildeskolen"),
    ("Helle Nørgaard", "leder@benloese.demo", "Skoleleder", "Benløse Skole",
     PersonFunction.SCHOOL_LEADER, "Benløse Skole"),
    ("Jesper Toft", "leder@vigersted.demo", "Skoleleder", "Vigersted Skole",
     PersonFunction.SCHOOL_LEADER, "Vigersted Skole"),
]


def _templates(session: Session) -> Iterator[str]:
    if cycle_catalog.template_by_key(session, "svendborg") is None:
        yield from cycle_catalog.load_catalog(session, catalog.read("cycles"))


def _working_days(session: Session, year: SchoolYear, first: date, last: date) -> list[date]:
    off = cycle_dates.year_off_days(session, year)
    days, d = [], first
    while d <= last:
        if d not in off:
            days.append(d)
        d += timedelta(days=1)
    return days


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(timezone.utc)


def _place(session: Session, meeting: Meeting, starts: datetime, minutes: int,
           now: datetime) -> None:
    """Book the meeting at a time; one that is over is recorded as held."""
    ends = starts + timedelta(minutes=minutes)
    meetings.reschedule(session, meeting, starts_at=starts, ends_at=ends, commit=False)
    if ends < now:
        meeting.status = MeetingStatus.HELD
        session.add(meeting)


def _assign(session: Session, year: SchoolYear, people: list[Person]) -> None:
    """Schools shared out in turn among the people of each assigned function."""
    by_function: dict[str, list[Person]] = {}
    for p in people:
        if p.school_id is None and p.function is not None \
                and p.function.value in cycle_planning.ASSIGNED_FUNCTIONS:
            by_function.setdefault(p.function.value, []).append(p)
    wanted = {}
    for i, school in enumerate(schools.list_schools(session, year.municipality_id)):
        for function, candidates in by_function.items():
            wanted[(school.id, function)] = [candidates[i % len(candidates)].id]
    cycle_assignments.set_assignments(session, year, wanted)


def _place_svendborg_year(session: Session, year: SchoolYear, now: datetime) -> None:
    """Times for every meeting of a Svendborg year, by a fixed rule (demo only)."""
    by_step: dict[int, list[Meeting]] = {}
    for m in meetings.list_meetings(session, school_year_id=year.id):
        by_step.setdefault(m.step_id, []).append(m)
    steps = {s.key: s for s in cycle_years.list_steps(session, year.id)}
    dialogue_end: dict[int, datetime] = {}
    for key, step in steps.items():
        items = sorted(by_step.get(step.id, []), key=lambda m: m.title)
        if not items or key == "debrief":
            continue
        days = _working_days(session, year, step.start_date, step.end_date)
        minutes = step.duration_minutes or 60
        for i, m in enumerate(items):
            # As long as the meeting needs (a dialogue: its agenda's length).
            length = meetings.planned_duration(session, m) if m.school_id else minutes
            if step.scope is StepScope.MUNICIPAL:
                starts = _at(days[min(2, len(days) - 1)], 10)
            elif key == "prep_round1":  # two mornings, six schools each, back to back
                starts = _at(days[i // 6], 8, 30) + timedelta(minutes=30 * (i % 6))
            elif key == "dialogue":  # one school a day, every other working day
                starts = _at(days[(2 * i) % len(days)], 9)
                dialogue_end[m.school_id] = starts + timedelta(minutes=length)
            else:
                starts = _at(days[i % len(days)], 13)
            _place(session, m, starts, length, now)
    debrief = steps.get("debrief")
    for m in by_step.get(debrief.id if debrief else -1, []):
        if m.school_id in dialogue_end:  # right after the school's dialogue
            _place(session, m, dialogue_end[m.school_id], debrief.duration_minutes or 15, now)
    session.commit()


def _set_statuses(session: Session, year: SchoolYear, today: date) -> None:
    """Steps whose window is over are done; a started one is in progress (a meeting step only
    once one of its meetings has a time)."""
    for step in cycle_years.list_steps(session, year.id):
        end = step.end_date or step.start_date
        booked = any(mt.starts_at for mt in meetings.list_meetings(session, step_id=step.id))
        if end and end < today:
            step.status = StepStatus.DONE
        elif step.start_date and step.start_date <= today and (booked or not step.meeting_type):
            step.status = StepStatus.IN_PROGRESS
        session.add(step)
    session.commit()


def _skanderborg(session: Session, today: date, now: datetime) -> Iterator[str]:
    m = schools.get_municipality_by_code(session, SKANDERBORG["kommunekode"])
    if m is None:
        return
    template = cycle_catalog.template_by_key(session, "svendborg")
    people = schools.list_people(session, municipality_id=m.id)
    if cycle_years.find_school_year(session, m.id, 2025) is None:
        year = cycle_from_template.create_from_template(session, m, 2025, template)
        _assign(session, year, people)
        _place_svendborg_year(session, year, now)
        for step in cycle_years.list_steps(session, year.id):
            step.status = StepStatus.DONE
            session.add(step)
        session.commit()
        yield f"Created the school year 2025/26 in {m.name}, held."
    if cycle_years.find_school_year(session, m.id, 2026) is None:
        # Assignments carry over from 2025/26.
        year = cycle_from_template.create_from_template(session, m, 2026, template)
        kickoff = cycle_years.step_by_key(session, year.id, "kickoff")
        if kickoff is not None:
            # The start-up meeting has been booked (and held, once it is over); the rest of
            # the year's meetings are left for the scheduler.
            days = _working_days(session, year, kickoff.start_date, kickoff.end_date)
            for mt in meetings.list_meetings(session, step_id=kickoff.id):
                _place(session, mt, _at(days[2], 10), kickoff.duration_minutes or 90, now)
            session.commit()
        _set_statuses(session, year, today)
        if kickoff is not None and all(mt.status is MeetingStatus.HELD for mt in
                                       meetings.list_meetings(session, step_id=kickoff.id)):
            kickoff.status = StepStatus.DONE
            session.add(kickoff)
            session.commit()
        # Skanderborg invites the school board's representative to its dialogues.
        if not m.invites_board_representative:
            cycle_planning.set_board_representative_invitations(
                session, m, True, expected_version=m.version)
        yield f"Created the school year 2026/27 in {m.name}."


RINGSTED_OFFICE = "Skolecenterchefens kontor, Skolecenteret, Rådhuset, Sct. Bendtsgade 1, 4100 Ringsted"
"""Where Ringsted's development talks and LUS are held ("Foregår hos skolecenterchefen")."""


def _place_ringsted_talks(session: Session, year: SchoolYear, by_name: dict[str, School],
                          now: datetime) -> None:
    """Each school's six development talks spread over the school year, talk k in the k-th
    sixth of the step's window, so that their numbers follow their dates; at the chief's
    office; the schools a working day or two apart (the chief attends every talk). Those
    before today are held; the GRUS (at the school) and the LUS are left to the scheduler."""
    talks = cycle_years.step_by_key(session, year.id, "development_talks")
    if talks is None:
        return
    first, last = talks.start_date or year.starts, talks.end_date or year.ends
    length = (last - first).days + 1
    order = sorted(by_name)
    for mt in meetings.list_meetings(session, step_id=talks.id):
        if mt.starts_at is not None or not mt.series_index:
            continue
        k = mt.series_index - 1
        part = _working_days(session, year, first + timedelta(days=length * k // 6),
                             first + timedelta(days=length * (k + 1) // 6 - 1))
        part = [d for d in part if d.weekday() < 5] or [first]
        i = order.index(next(n for n, sc in by_name.items() if sc.id == mt.school_id))
        _place(session, mt, _at(part[min(2 * i + 3, len(part) - 1)], 13),
               talks.duration_minutes or 90, now)
        mt.location, mt.location_kind = RINGSTED_OFFICE, "administration"
        session.add(mt)
    session.commit()


def _ringsted(session: Session, today: date, now: datetime) -> Iterator[str]:
    from app.accounts import service as accounts
    from app.accounts.demo import PASSWORD
    from app.accounts.models import Role

    m = schools.get_municipality_by_code(session, RINGSTED["kommunekode"])
    if m is None:
        m = schools.create_municipality(session, **RINGSTED, is_demo=True)
        yield f"Created {m.name}."
    for name, number, kind, pupils, address in RINGSTED_SCHOOLS:
        if schools.get_school_by_institution_number(session, number) is None:
            schools.create_school(session, m.id, SchoolForm(
                name=name, institution_number=number, kind=kind, student_count=pupils,
                address=address, website=f"https://{number}.ringsted.demo"))
    by_name = {s.name: s for s in schools.list_schools(session, m.id)}
    for name, email, title, organisation, function, school in RINGSTED_PEOPLE:
        if schools.get_person_by_email(session, email) is None:
            session.add(Person(municipality_id=m.id, name=name, email=email, title=title,
                               organisation=organisation, function=function,
                               school_id=by_name[school].id if school else None))
    session.commit()
    logins = [("konsulent@ringsted.demo", Role.CONSULTANT, {"municipality_id": m.id}),
              ("chef@ringsted.demo", Role.PARTICIPANT, {"municipality_id": m.id}),
              ("leder@byskovskolen.demo", Role.SCHOOL_LEADER,
               {"school_id": by_name["Byskovskolen"].id})]
    for email, role, scope in logins:
        user = accounts.get_user_by_email(session, email)
        if user is None:
            person = schools.get_person_by_email(session, email)
            user = accounts.create_user(session, email=email, name=person.name,
                                        password=PASSWORD, person=person)
            yield f"Created the demo login {email} (password: {PASSWORD})."
        accounts.grant(session, user, role, **scope)
    if cycle_years.find_school_year(session, m.id, 2026) is None:
        year = cycle_from_template.create_from_template(session, m, 2026,
                                            cycle_catalog.template_by_key(session, "ringsted"))
        _assign(session, year, schools.list_people(session, municipality_id=m.id))
        _place_ringsted_talks(session, year, by_name, now)
        _set_statuses(session, year, today)
        yield f"Created the school year 2026/27 in {m.name} from the Ringsted template."


def load(session: Session) -> Iterator[str]:
    yield from _templates(session)
    today = date.today()
    now = datetime.now(timezone.utc)
    yield from _skanderborg(session, today, now)
    yield from _ringsted(session, today, now)
