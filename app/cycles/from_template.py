"""School years from a template (dates from the steps' rules, holidays, last year's
assignments, the meetings per school), and the next year from this one.
"""

from datetime import date

from sqlmodel import Session, select

from app.cycles.catalog import template_steps
from app.cycles.dates import date_all, first_working_day_from, last_working_day_until, year_off_days
from app.cycles.holiday_periods import ensure_holidays
from app.cycles.models import CycleTemplate, SchoolAssignment, SchoolYear, Step
from app.cycles.planning import plan_meetings
from app.cycles.years import find_school_year, list_steps
from app.forms import FieldError
from app.i18n import gettext as _
from app.schools.models import Municipality

# --- school years from a template, and the next year from this one -----------------------


def create_from_template(session: Session, municipality: Municipality, start_year: int,
                         template: CycleTemplate) -> SchoolYear:
    """A school year with the template's steps, dated, and its meetings planned (no times).

    Assignments of schools to consultants are carried over from the previous year where
    there is one, so that meetings invite the right people from the start.
    """
    if find_school_year(session, municipality.id, start_year) is not None:
        raise FieldError("start_year", _("The school year %(label)s already exists.",
                                         label=f"{start_year}/{(start_year + 1) % 100:02d}"))
    year = SchoolYear(municipality_id=municipality.id, start_year=start_year,
                      template_id=template.id)
    session.add(year)
    session.flush()
    ensure_holidays(session, year)
    previous = find_school_year(session, municipality.id, start_year - 1)
    if previous is not None:
        _copy_assignments(session, previous, year)
    tsteps = template_steps(session, template.id)
    dates = date_all(start_year, tsteps, year_off_days(session, year), {})
    for t in tsteps:
        start, end = dates[t.key]
        session.add(Step(
            school_year_id=year.id, position=t.position, key=t.key, title=t.title,
            description=t.description, attention_points=t.attention_points,
            responsible=t.responsible, scope=t.scope, start_date=start, end_date=end,
            meeting_type=t.meeting_type, duration_minutes=t.duration_minutes,
            duration_minutes_max=t.duration_minutes_max, occurrences=t.occurrences,
            location_kind=t.location_kind, participant_functions=list(t.participant_functions),
            confidential=t.confidential, follows=t.follows, blocks=t.blocks, month=t.month,
            month_end=t.month_end, iso_week=t.iso_week, offset_from=t.offset_from,
            offset_days=t.offset_days))
    session.flush()
    plan_meetings(session, year)
    session.commit()
    session.refresh(year)
    return year


def _same_week_next_year(d: date) -> date:
    """The same weekday of the same ISO week a year later ("uge 17, tirsdag")."""
    iso = d.isocalendar()
    weeks = date(iso.year + 1, 12, 28).isocalendar().week
    return date.fromisocalendar(iso.year + 1, min(iso.week, weeks), iso.weekday)


def copy_to_next_year(session: Session, year: SchoolYear) -> SchoolYear:
    """Start next school year from this one, keeping the municipality's own changes.

    Steps are copied as the municipality left them (titles, texts, responsibles, people,
    durations; steps it added or removed); their dates follow the rule again, except dates
    set by hand, which keep their week and weekday. Assignments are copied; statuses start
    over; holidays follow the municipality's holiday plan.
    """
    municipality = session.get(Municipality, year.municipality_id)
    nxt_start = year.start_year + 1
    if find_school_year(session, municipality.id, nxt_start) is not None:
        raise FieldError("start_year", _("The school year %(label)s already exists.",
                                         label=f"{nxt_start}/{(nxt_start + 1) % 100:02d}"))
    nxt = SchoolYear(municipality_id=municipality.id, start_year=nxt_start,
                     template_id=year.template_id)
    session.add(nxt)
    session.flush()
    ensure_holidays(session, nxt)
    _copy_assignments(session, year, nxt)
    off = year_off_days(session, nxt)
    old_steps = list_steps(session, year.id)
    fixed: dict[str, tuple] = {}
    for s in old_steps:
        if s.dates_by_hand or (s.month is None and s.iso_week is None and not s.offset_from):
            if s.start_date is None:
                fixed[s.key] = (None, None)
                continue
            start = first_working_day_from(_same_week_next_year(s.start_date), off)
            end = last_working_day_until(_same_week_next_year(s.end_date or s.start_date), off)
            fixed[s.key] = (start, max(start, end))
    dates = date_all(nxt_start, old_steps, off, fixed)
    copied = ("position", "key", "title", "description", "attention_points", "responsible",
              "responsible_person_id", "scope", "meeting_type", "duration_minutes",
              "duration_minutes_max", "occurrences", "location_kind", "confidential", "follows",
              "blocks",
              "month", "month_end", "iso_week", "offset_from", "offset_days", "dates_by_hand")
    for s in old_steps:
        start, end = dates[s.key]
        new = Step(school_year_id=nxt.id, start_date=start, end_date=end,
                   participant_functions=list(s.participant_functions),
                   **{name: getattr(s, name) for name in copied})
        session.add(new)
    session.flush()
    plan_meetings(session, nxt)
    session.commit()
    session.refresh(nxt)
    return nxt


def _copy_assignments(session: Session, source: SchoolYear, target: SchoolYear) -> None:
    for a in session.exec(select(SchoolAssignment).where(
            SchoolAssignment.school_year_id == source.id)):
        session.add(SchoolAssignment(school_year_id=target.id, school_id=a.school_id,
                                     person_id=a.person_id, function=a.function))
    session.flush()
