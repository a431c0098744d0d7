"""Editing a step: its dates (on working days), who is responsible, its status.
"""

from datetime import date

from sqlmodel import Session

from app.cycles.holiday_periods import non_working_days
from app.cycles.models import SchoolYear, Step, StepStatus
from app.db import check_version
from app.forms import FieldError
from app.i18n import format_date
from app.i18n import gettext as _
from app.schools.models import Person

# --- editing a step ----------------------------------------------------------------------


def _check_working_day(session: Session, year: SchoolYear, field_name: str, d: date) -> None:
    if not year.starts <= d <= year.ends:
        raise FieldError(field_name, _("Must be within the school year (%(start)s–%(end)s).",
                                       start=format_date(year.starts, "numeric"),
                                       end=format_date(year.ends, "numeric")))
    why = non_working_days(session, year.municipality_id, d, d).get(d)
    if why is not None:
        raise FieldError(field_name, _("%(day)s is not a working day (%(why)s).",
                                       day=format_date(d), why=why or _("weekend")))


def set_step_dates(session: Session, step: Step, start: date, end: date | None, *,
                   expected_version: int | None) -> Step:
    check_version(step, expected_version)
    year = session.get(SchoolYear, step.school_year_id)
    end = end or start
    _check_working_day(session, year, "start_date", start)
    _check_working_day(session, year, "end_date", end)
    if end < start:
        raise FieldError("end_date", _("The last day cannot be before the first day."))
    step.start_date, step.end_date, step.dates_by_hand = start, end, True
    session.add(step)
    session.commit()
    session.refresh(step)
    return step


def set_step_responsible(session: Session, step: Step, responsible: str,
                         person_id: int | None, *, expected_version: int | None) -> Step:
    check_version(step, expected_version)
    if person_id is not None:
        year = session.get(SchoolYear, step.school_year_id)
        person = session.get(Person, person_id)
        if person is None or person.municipality_id != year.municipality_id:
            raise FieldError("responsible_person_id", _("Choose one of the options."))
    step.responsible, step.responsible_person_id = responsible, person_id
    session.add(step)
    session.commit()
    session.refresh(step)
    return step


def set_step_status(session: Session, step: Step, status: StepStatus, *,
                    expected_version: int | None) -> Step:
    check_version(step, expected_version)
    step.status = status
    session.add(step)
    session.commit()
    session.refresh(step)
    return step
