"""School years and their steps, looked up and created.
"""

from datetime import date

from sqlmodel import Session, select

from app.cycles.models import SchoolYear, Step
from app.schools.models import Municipality


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
