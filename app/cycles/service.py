"""School years, steps, assignments and holidays: the core the other domains build on.

Creating a year from a template (dates from months, weeks and offsets; meetings per school)
and computing the Danish holiday calendar live in this domain too.
"""

from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.cycles.models import HolidayPeriod, SchoolAssignment, SchoolYear, Step
from app.schools.models import Municipality, Person


def school_year_start(day: date) -> int:
    """The start year of the school year a day belongs to (1 August – 31 July)."""
    return day.year if day.month >= 8 else day.year - 1


def get_school_year(session: Session, school_year_id: int) -> SchoolYear | None:
    return session.get(SchoolYear, school_year_id)


def find_school_year(session: Session, municipality_id: int, start_year: int) -> SchoolYear | None:
    return session.exec(
        select(SchoolYear).where(SchoolYear.municipality_id == municipality_id,
                                 SchoolYear.start_year == start_year)
    ).first()


def list_school_years(session: Session, municipality_id: int) -> list[SchoolYear]:
    return list(session.exec(
        select(SchoolYear).where(SchoolYear.municipality_id == municipality_id)
        .order_by(SchoolYear.start_year)
    ))


def create_school_year(session: Session, municipality: Municipality, start_year: int,
                       *, template_id: int | None = None) -> SchoolYear:
    """An empty school year; filling it from a template is `create_from_template`'s job."""
    year = SchoolYear(municipality_id=municipality.id, start_year=start_year,
                      template_id=template_id)
    session.add(year)
    session.commit()
    session.refresh(year)
    return year


def list_steps(session: Session, school_year_id: int) -> list[Step]:
    return list(session.exec(
        select(Step).where(Step.school_year_id == school_year_id).order_by(Step.position)
    ))


def get_step(session: Session, step_id: int) -> Step | None:
    return session.get(Step, step_id)


def step_by_key(session: Session, school_year_id: int, key: str) -> Step | None:
    return session.exec(
        select(Step).where(Step.school_year_id == school_year_id, Step.key == key)
    ).first()


# --- assignments -------------------------------------------------------------------------


def assign(session: Session, school_year_id: int, school_id: int, person_id: int,
           function: str) -> SchoolAssignment:
    existing = session.exec(select(SchoolAssignment).where(
        SchoolAssignment.school_year_id == school_year_id,
        SchoolAssignment.school_id == school_id,
        SchoolAssignment.person_id == person_id,
        SchoolAssignment.function == function,
    )).first()
    if existing:
        return existing
    a = SchoolAssignment(school_year_id=school_year_id, school_id=school_id,
                         person_id=person_id, function=function)
    session.add(a)
    session.commit()
    session.refresh(a)
    return a


def assigned_people(session: Session, school_year_id: int, school_id: int,
                    function: str | None = None) -> list[Person]:
    stmt = (select(Person).join(SchoolAssignment, SchoolAssignment.person_id == Person.id)
            .where(SchoolAssignment.school_year_id == school_year_id,
                   SchoolAssignment.school_id == school_id))
    if function:
        stmt = stmt.where(SchoolAssignment.function == function)
    return list(session.exec(stmt.order_by(Person.name)))


# --- holidays ----------------------------------------------------------------------------


def holidays_between(session: Session, municipality_id: int, start: date,
                     end: date) -> list[HolidayPeriod]:
    """Holiday periods overlapping [start, end], in date order."""
    return list(session.exec(
        select(HolidayPeriod).where(
            HolidayPeriod.municipality_id == municipality_id,
            col(HolidayPeriod.start_date) <= end,
            col(HolidayPeriod.end_date) >= start,
        ).order_by(HolidayPeriod.start_date)
    ))


def holiday_on(session: Session, municipality_id: int, day: date) -> HolidayPeriod | None:
    found = holidays_between(session, municipality_id, day, day)
    return found[0] if found else None


def non_working_days(session: Session, municipality_id: int, start: date,
                     end: date) -> dict[date, str]:
    """Every weekend day and holiday in [start, end] → why (the holiday's name, or "")."""
    days: dict[date, str] = {}
    d = start
    while d <= end:
        if d.weekday() >= 5:
            days[d] = ""
        d += timedelta(days=1)
    for h in holidays_between(session, municipality_id, start, end):
        d = max(h.start_date, start)
        while d <= min(h.end_date, end):
            days[d] = h.name
            d += timedelta(days=1)
    return days
