"""Demo: the demo municipalities' 2026/27 meetings, placed by the scheduler.

Runs after the cycles demo has made the school year and its PLANNED meetings; with none
it does nothing. It gives the people shared by many meetings a few realistic busy periods
(the chief's weekly management meeting, the PPR team meeting, a consultant's course) and
a daily cap, then plans each per-school step in the order of the year and books the
result. Idempotent: a second run finds nothing PLANNED and no busy period missing, and
it never touches a meeting someone has booked or moved.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import date, time, timedelta

from sqlmodel import Session, col, select

from app.cycles import years as cycle_years
from app.cycles.demo import RINGSTED, RINGSTED_OFFICE
from app.meetings import service as meetings
from app.meetings.models import MeetingParticipant, MeetingStatus
from app.scheduling import availability, problem, proposals
from app.scheduling.models import Availability, BusyPeriod, BusySource, SchedulingSettings
from app.schools.models import Municipality, Person, PersonFunction

YEAR = 2026
TIME_LIMIT = 2.0
"""Seconds per step: the demo should load quickly; the greedy start is already good."""

# function → (weekday, from, until, note): one weekly busy period, typed in by the person.
WEEKLY = {
    PersonFunction.CHIEF: (1, time(9, 0), time(11, 0), "Direktionsmøde"),
    PersonFunction.PPR_LEADER: (3, time(12, 0), time(15, 30), "Teammøde i PPR"),
    PersonFunction.DIRECTOR: (0, time(8, 0), time(10, 0), "Direktionsmøde"),
}
CAPS = {PersonFunction.CHIEF: 4, PersonFunction.CONSULTANT: 5}


def _shared_people(session: Session, year_id: int) -> list[Person]:
    """People required at more than one meeting of the year that is not booked yet."""
    rows = session.exec(
        select(MeetingParticipant.person_id)
        .join(meetings.Meeting, meetings.Meeting.id == MeetingParticipant.meeting_id)
        .where(meetings.Meeting.school_year_id == year_id,
               meetings.Meeting.status == MeetingStatus.PLANNED,
               MeetingParticipant.required == True)  # noqa: E712
    ).all()
    counts = Counter(rows)
    ids = [pid for pid, n in counts.items() if n > 1]
    if not ids:
        return []
    return list(session.exec(select(Person).where(col(Person.id).in_(ids)).order_by(Person.id)))


def _add_busy(session: Session, person: Person, day: date, start: time, end: time,
              note: str) -> bool:
    starts = availability.local_to_utc(day, start)
    exists = session.exec(select(BusyPeriod.id).where(
        BusyPeriod.person_id == person.id, BusyPeriod.starts_at == starts)).first()
    if exists:
        return False
    session.add(BusyPeriod(person_id=person.id, starts_at=starts,
                           ends_at=availability.local_to_utc(day, end), note=note,
                           source=BusySource.MANUAL))
    return True


def _busy_periods(session: Session, people: list[Person], first: date, last: date) -> int:
    added = 0
    consultants = [p for p in people if p.function is PersonFunction.CONSULTANT]
    for person in people:
        weekly = WEEKLY.get(person.function)
        if weekly:
            weekday, start, end, note = weekly
            day = first + timedelta(days=(weekday - first.weekday()) % 7)
            while day <= last:
                added += _add_busy(session, person, day, start, end, note)
                day += timedelta(days=7)
        if person.function in CAPS and session.exec(select(Availability).where(
                Availability.person_id == person.id)).first() is None:
            session.add(Availability(person_id=person.id, max_per_day=CAPS[person.function]))
    if consultants:
        # One consultant is on a course for three days in late April.
        course = date(YEAR + 1, 4, 26)
        for i in range(3):
            added += _add_busy(session, consultants[0], course + timedelta(days=i), time(8),
                               time(16), "Kursus")
    session.commit()
    return added


def _administration_place(session: Session, municipality: Municipality) -> None:
    """Ringsted's talks "foregår hos skolecenterchefen": the place the scheduler gives
    meetings at the administration (the LUS), set once (the municipality may change it)."""
    if municipality.kommunekode != RINGSTED["kommunekode"]:
        return
    row = session.exec(select(SchedulingSettings).where(
        SchedulingSettings.municipality_id == municipality.id)).first()
    if row is None:
        row = SchedulingSettings(municipality_id=municipality.id, administration_place=RINGSTED_OFFICE)
        session.add(row)
        session.commit()


def load(session: Session) -> Iterator[str]:
    for municipality in session.exec(select(Municipality).where(Municipality.is_demo == True)):  # noqa: E712
        year = cycle_years.find_school_year(session, municipality.id, YEAR)
        if year is None:
            continue
        people = _shared_people(session, year.id)
        if not people:
            continue
        _administration_place(session, municipality)
        added = _busy_periods(session, people, year.starts, year.ends)
        if added:
            yield f"Added {added} busy periods for {len(people)} people in {municipality.name}."
        booked = 0
        for step in problem.schedulable_steps(session, year):
            planned = [m for m in meetings.list_meetings(session, step_id=step.id)
                       if m.status is MeetingStatus.PLANNED]
            if not planned:
                continue
            proposal = proposals.run(session, problem.PlanRequest(
                step=step, window_start=step.start_date or year.starts,
                window_end=step.end_date or year.ends), time_limit=TIME_LIMIT)
            for left in proposal.report.get("unplaced", []):
                # Say what could not be placed, as the consultant would be told.
                why = "; ".join(f"{r['kind']} {r['person'] or r['detail']}".strip()
                                for r in left.get("reasons", []))
                yield f"Could not place {left['title']} ({why})."
            if proposal.placed:
                booked += proposals.commit(session, proposal)
            else:
                proposals.discard(session, proposal)
        if booked:
            yield f"Booked {booked} meetings of {year.label} in {municipality.name}."
