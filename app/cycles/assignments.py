"""Who works with which school in a school year: one person, and the distribution of schools
among the consultants ("fordeling af skoler mellem konsulenterne").
"""

from sqlmodel import Session, select

from app.cycles.models import SchoolAssignment, SchoolYear
from app.cycles.planning import sync_school_participants
from app.schools.models import Person

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


# --- assignments: "fordeling af skoler mellem konsulenterne" ------------------------------


def assignments(session: Session, year: SchoolYear) -> dict[tuple[int, str], list[int]]:
    """(school_id, function) → person ids."""
    out: dict[tuple[int, str], list[int]] = {}
    for a in session.exec(select(SchoolAssignment).where(
            SchoolAssignment.school_year_id == year.id).order_by(SchoolAssignment.id)):
        out.setdefault((a.school_id, a.function), []).append(a.person_id)
    return out


def set_assignments(session: Session, year: SchoolYear,
                    wanted: dict[tuple[int, str], list[int]]) -> int:
    """Replace the year's assignments for the given (school, function) pairs; returns changes.

    Open meetings of the schools that changed invite the newly assigned people.
    """
    current = assignments(session, year)
    changed_schools: set[int] = set()
    for (school_id, function), person_ids in wanted.items():
        before = set(current.get((school_id, function), []))
        after = set(person_ids)
        if before == after:
            continue
        changed_schools.add(school_id)
        for a in session.exec(select(SchoolAssignment).where(
                SchoolAssignment.school_year_id == year.id,
                SchoolAssignment.school_id == school_id,
                SchoolAssignment.function == function)):
            if a.person_id not in after:
                session.delete(a)
        for pid in after - before:
            session.add(SchoolAssignment(school_year_id=year.id, school_id=school_id,
                                         person_id=pid, function=function))
    session.flush()
    for school_id in changed_schools:
        sync_school_participants(session, year, school_id)
    session.commit()
    return len(changed_schools)
