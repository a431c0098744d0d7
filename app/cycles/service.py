"""School years, steps, assignments and holidays: the core the other domains build on.

Creating a year from a template (dates from months, weeks and offsets; meetings per school)
and computing the Danish holiday calendar live in this domain too.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from pydantic import BaseModel
from pydantic import Field as PField
from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.cycles import holidays
from app.cycles.models import (
    CycleTemplate,
    HolidayKind,
    HolidayPeriod,
    HolidaySettings,
    SchoolAssignment,
    SchoolYear,
    Step,
    StepScope,
    StepStatus,
    TemplateStep,
)
from app.db import check_version, utcnow
from app.forms import FieldError
from app.i18n import format_date
from app.i18n import gettext as _
from app.meetings.models import MeetingType
from app.registry import Registry
from app.schools.models import Municipality, Person, PersonFunction, School


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


# --- holiday calendar --------------------------------------------------------------------


def holiday_settings(session: Session, municipality_id: int) -> HolidaySettings:
    """The municipality's holiday plan (the Danish defaults until it changes them)."""
    found = session.exec(select(HolidaySettings).where(
        HolidaySettings.municipality_id == municipality_id)).first()
    return found or HolidaySettings(municipality_id=municipality_id)


def ensure_holidays(session: Session, year: SchoolYear) -> int:
    """Store the computed holidays of a school year that are missing; returns how many.

    Rows carry the computed holiday's key, so running it again adds nothing and a period the
    municipality edited by hand is left as it is.
    """
    s = holiday_settings(session, year.municipality_id)
    have = set(session.exec(select(HolidayPeriod.key).where(
        HolidayPeriod.school_year_id == year.id, col(HolidayPeriod.key).is_not(None))))
    added = 0
    for h in holidays.school_year_holidays(
            year.start_year, autumn_week=s.autumn_week, winter_week=s.winter_week,
            ascension_friday_off=s.ascension_friday_off,
            constitution_day_off=s.constitution_day_off):
        if h.key in have:
            continue
        session.add(HolidayPeriod(municipality_id=year.municipality_id, school_year_id=year.id,
                                  name=h.name, kind=h.kind, start_date=h.start,
                                  end_date=h.end, key=h.key))
        added += 1
    session.flush()
    return added


def list_holidays(session: Session, year: SchoolYear) -> list[HolidayPeriod]:
    return list(session.exec(
        select(HolidayPeriod).where(HolidayPeriod.school_year_id == year.id)
        .order_by(HolidayPeriod.start_date, HolidayPeriod.kind)))


class HolidayForm(BaseModel):
    name: str = PField(min_length=1, max_length=120)
    start_date: date
    end_date: date | None = None


def add_holiday(session: Session, year: SchoolYear, data: HolidayForm) -> HolidayPeriod:
    end = data.end_date or data.start_date
    if end < data.start_date:
        raise FieldError("end_date", _("The last day cannot be before the first day."))
    for name, d in (("start_date", data.start_date), ("end_date", end)):
        if not year.starts <= d <= year.ends:
            raise FieldError(name, _("Must be within the school year (%(start)s–%(end)s).",
                                     start=format_date(year.starts, "numeric"),
                                     end=format_date(year.ends, "numeric")))
    h = HolidayPeriod(municipality_id=year.municipality_id, school_year_id=year.id,
                      name=data.name, kind=HolidayKind.SCHOOL, start_date=data.start_date,
                      end_date=end)
    session.add(h)
    session.commit()
    session.refresh(h)
    return h


def delete_holiday(session: Session, holiday: HolidayPeriod) -> None:
    if holiday.kind is HolidayKind.PUBLIC:
        raise FieldError("holiday", _("Public holidays cannot be removed."))
    session.delete(holiday)
    session.commit()


class HolidaySettingsForm(BaseModel):
    autumn_week: int = PField(ge=1, le=53)
    winter_week: int = PField(ge=1, le=53)
    ascension_friday_off: bool = False
    constitution_day_off: bool = False


def update_holiday_settings(session: Session, municipality_id: int, data: HolidaySettingsForm,
                            *, from_start_year: int) -> HolidaySettings:
    """Save the plan and re-date the computed school holidays of this and later years.

    Periods added by hand stay; computed ones (by key) are replaced by the new plan.
    """
    s = holiday_settings(session, municipality_id)
    for name, value in data.model_dump().items():
        setattr(s, name, value)
    session.add(s)
    session.flush()
    years = [y for y in list_school_years(session, municipality_id)
             if y.start_year >= from_start_year]
    for y in years:
        for h in session.exec(select(HolidayPeriod).where(
                HolidayPeriod.school_year_id == y.id, HolidayPeriod.kind == HolidayKind.SCHOOL,
                col(HolidayPeriod.key).is_not(None))):
            session.delete(h)
        session.flush()
        ensure_holidays(session, y)
    session.commit()
    session.refresh(s)
    return s


# --- the cycle catalogue ------------------------------------------------------------------

_STEP_FIELDS = ("title", "description", "attention_points", "responsible", "month", "month_end",
                "iso_week", "offset_from", "offset_days", "meeting_type", "duration_minutes",
                "duration_minutes_max", "occurrences", "location_kind", "confidential", "follows")


def _template_steps(entry) -> list[dict]:
    """The steps of a catalogue file, checked: a broken file is refused whole."""
    from app.catalog import CatalogError

    functions = {f.value for f in PersonFunction}
    types = {t.value for t in MeetingType}
    steps = entry.data.get("steps") or []
    keys = [s.get("key") for s in steps]
    if not steps or None in keys or len(keys) != len(set(keys)):
        raise CatalogError(f"cycles/{entry.key}: every step needs a unique key")
    out = []
    for s in steps:
        where = f"cycles/{entry.key}, step {s['key']}"
        rules = [s.get("month") is not None, s.get("iso_week") is not None,
                 s.get("offset_from") is not None]
        if sum(rules) != 1:
            raise CatalogError(f"{where}: give exactly one of month, iso_week, offset_from")
        if s.get("offset_from") and s["offset_from"] not in keys:
            raise CatalogError(f"{where}: offset_from names no step")
        if s.get("follows") and s["follows"] not in keys:
            raise CatalogError(f"{where}: follows names no step")
        if s.get("meeting_type") and s["meeting_type"] not in types:
            raise CatalogError(f"{where}: unknown meeting_type {s['meeting_type']}")
        for p in s.get("participants", []):
            if p.rstrip("?") not in functions:
                raise CatalogError(f"{where}: unknown participant function {p}")
        try:
            scope = StepScope(s.get("scope", "municipal"))
        except ValueError as exc:
            raise CatalogError(f"{where}: {exc}") from exc
        row = {name: s.get(name) for name in _STEP_FIELDS}
        row.update(key=s["key"], scope=scope, participant_functions=list(s.get("participants", [])),
                   description=s.get("description", ""), responsible=s.get("responsible", ""),
                   attention_points=s.get("attention_points", ""),
                   occurrences=s.get("occurrences", 1), confidential=s.get("confidential", False))
        out.append(row)
    return out


def load_catalog(session: Session, entries) -> Iterator[str]:
    """Catalogue loader for cycle templates: by key, skipped when the file is unchanged."""
    for entry in entries:
        template = session.exec(select(CycleTemplate).where(
            col(CycleTemplate.municipality_id).is_(None), CycleTemplate.key == entry.key)).first()
        if template is not None and template.digest == entry.digest:
            continue
        steps = _template_steps(entry)
        created = template is None
        if created:
            template = CycleTemplate(key=entry.key, name="")
        template.name = entry.data.get("name", entry.key)
        template.description = entry.data.get("description", "")
        template.source = entry.data.get("source", "")
        template.digest = entry.digest
        session.add(template)
        session.flush()
        existing = {s.key: s for s in session.exec(
            select(TemplateStep).where(TemplateStep.template_id == template.id))}
        for position, data in enumerate(steps, start=1):
            row = existing.pop(data["key"], None) or TemplateStep(
                template_id=template.id, key=data["key"], position=position, title="")
            for name, value in data.items():
                setattr(row, name, value)
            row.position = position
            session.add(row)
        for gone in existing.values():
            session.delete(gone)
        session.commit()
        yield f"Cycle template {entry.key}: {'created' if created else 'updated'}."


def list_templates(session: Session, municipality_id: int | None = None) -> list[CycleTemplate]:
    """The catalogue's templates and the municipality's own."""
    stmt = select(CycleTemplate).where(or_(col(CycleTemplate.municipality_id).is_(None),
                                           CycleTemplate.municipality_id == municipality_id))
    return list(session.exec(stmt.order_by(CycleTemplate.name)))


def template_by_key(session: Session, key: str) -> CycleTemplate | None:
    return session.exec(select(CycleTemplate).where(
        col(CycleTemplate.municipality_id).is_(None), CycleTemplate.key == key)).first()


def template_steps(session: Session, template_id: int) -> list[TemplateStep]:
    return list(session.exec(select(TemplateStep).where(TemplateStep.template_id == template_id)
                             .order_by(TemplateStep.position)))


# --- dates from a step's rule -------------------------------------------------------------


def _month_start(start_year: int, month: int) -> date:
    return date(start_year if month >= 8 else start_year + 1, month, 1)


def _month_end(start_year: int, month: int) -> date:
    first = _month_start(start_year, month)
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _forward(d: date, off: dict[date, str]) -> date:
    while d in off:
        d += timedelta(days=1)
    return d


def _backward(d: date, off: dict[date, str]) -> date:
    while d in off:
        d -= timedelta(days=1)
    return d


def _window(first: date, last: date, off: dict[date, str]) -> tuple[date, date]:
    """The first and last working day in [first, last] (or the next working day)."""
    start = _forward(first, off)
    if start > last:
        return start, start
    return start, _backward(last, off)


def rule_dates(start_year: int, rule, off: dict[date, str],
               resolved: dict[str, tuple[date | None, date | None]]) -> tuple[date | None, date | None]:
    """A step's window from its rule: a month (or months), an ISO week, or an offset.

    `rule` has month/month_end/iso_week/offset_from/offset_days/follows (a TemplateStep or a
    Step). The window starts and ends on working days: never a weekend or a holiday in `off`.
    An offset counts from the other step's last day (positive) or first day (negative); a
    step that `follows` another shares its window (the debrief after each dialogue).
    """
    if rule.month is not None:
        end_month = rule.month_end or rule.month
        first = _month_start(start_year, rule.month)
        last = _month_end(start_year, end_month)
        if last < first:  # a window "to" an earlier month in school-year order makes no sense
            last = _month_end(start_year, rule.month)
        return _window(first, last, off)
    if rule.iso_week is not None:
        y = start_year if rule.iso_week >= 31 else start_year + 1
        week = min(rule.iso_week, date(y, 12, 28).isocalendar().week)
        monday = date.fromisocalendar(y, week, 1)
        return _window(monday, monday + timedelta(days=4), off)
    if rule.offset_from:
        ref_start, ref_end = resolved.get(rule.offset_from, (None, None))
        if ref_start is None or ref_end is None:
            return None, None
        if rule.follows == rule.offset_from and not rule.offset_days:
            return ref_start, ref_end
        days = rule.offset_days or 0
        if days >= 0:
            d = _forward(ref_end + timedelta(days=days), off)
        else:
            d = _backward(ref_start + timedelta(days=days), off)
        return d, d
    return None, None


def _date_all(start_year: int, rules: list, off: dict[date, str],
              fixed: dict[str, tuple[date | None, date | None]]) -> dict[str, tuple]:
    """Dates for every rule; offsets may point at steps later in the list."""
    resolved = dict(fixed)
    pending = [r for r in rules if r.key not in resolved]
    while pending:
        progress = False
        for r in list(pending):
            if r.offset_from and r.offset_from not in resolved and any(
                    p.key == r.offset_from for p in pending):
                continue
            resolved[r.key] = rule_dates(start_year, r, off, resolved)
            pending.remove(r)
            progress = True
        if not progress:  # a cycle of offsets: leave them undated for the consultant
            for r in pending:
                resolved[r.key] = (None, None)
            break
    return resolved


def year_off_days(session: Session, year: SchoolYear) -> dict[date, str]:
    # A little past the year's end, so an offset rolled forward still finds its holidays.
    return non_working_days(session, year.municipality_id, year.starts,
                            year.ends + timedelta(days=14))


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
    dates = _date_all(start_year, tsteps, year_off_days(session, year), {})
    for t in tsteps:
        start, end = dates[t.key]
        session.add(Step(
            school_year_id=year.id, position=t.position, key=t.key, title=t.title,
            description=t.description, attention_points=t.attention_points,
            responsible=t.responsible, scope=t.scope, start_date=start, end_date=end,
            meeting_type=t.meeting_type, duration_minutes=t.duration_minutes,
            duration_minutes_max=t.duration_minutes_max, occurrences=t.occurrences,
            location_kind=t.location_kind, participant_functions=list(t.participant_functions),
            confidential=t.confidential, follows=t.follows, month=t.month,
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
            start = _forward(_same_week_next_year(s.start_date), off)
            end = _backward(_same_week_next_year(s.end_date or s.start_date), off)
            fixed[s.key] = (start, max(start, end))
    dates = _date_all(nxt_start, old_steps, off, fixed)
    copied = ("position", "key", "title", "description", "attention_points", "responsible",
              "responsible_person_id", "scope", "meeting_type", "duration_minutes",
              "duration_minutes_max", "occurrences", "location_kind", "confidential", "follows",
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


# --- meetings of a year's steps -----------------------------------------------------------

ASSIGNED_FUNCTIONS = {PersonFunction.CONSULTANT.value, PersonFunction.PSYCHOLOGIST.value,
                      PersonFunction.PEDAGOGICAL_CONSULTANT.value}
"""Per school these come from the year's assignments ("fordeling af skoler")."""
SCHOOL_FUNCTIONS = {PersonFunction.SCHOOL_LEADER.value, PersonFunction.LEADERSHIP_TEAM.value,
                    PersonFunction.BOARD_REPRESENTATIVE.value}
"""These are the people of the school itself."""


def resolve_participants(session: Session, year: SchoolYear, step: Step,
                         school: School | None) -> list[tuple[int, str, bool]]:
    """(person_id, function, required) for a meeting of `step` at `school` (None: internal).

    The school's own leadership by the school; consultants, psychologists and pedagogical
    consultants by the year's assignments; the chief, the director, the head of PPR … by
    their function in the municipality. An internal meeting invites everyone in the
    municipality with the function.
    """
    people = list(session.exec(select(Person).where(
        Person.municipality_id == year.municipality_id).order_by(Person.name)))
    assigned: dict[str, list[int]] = {}
    if school is not None:
        for a in session.exec(select(SchoolAssignment).where(
                SchoolAssignment.school_year_id == year.id,
                SchoolAssignment.school_id == school.id)):
            assigned.setdefault(a.function, []).append(a.person_id)
    found: dict[int, tuple[int, str, bool]] = {}
    for spec in step.participant_functions:
        function, required = spec.rstrip("?"), not spec.endswith("?")
        if school is not None and function in ASSIGNED_FUNCTIONS:
            ids = assigned.get(function, [])
        elif school is not None and function in SCHOOL_FUNCTIONS:
            ids = [p.id for p in people if p.school_id == school.id and p.function == function]
        elif function in SCHOOL_FUNCTIONS:
            ids = []
        else:
            ids = [p.id for p in people if p.function == function and p.school_id is None]
        for pid in ids:
            found.setdefault(pid, (pid, function, required))
    return list(found.values())


def meeting_title(step: Step, school: School | None, index: int | None = None) -> str:
    title = step.title if school is None else f"{step.title}: {school.name}"
    if index is not None and step.occurrences > 1:
        title += f" ({index}/{step.occurrences})"
    return title


def plan_meetings(session: Session, year: SchoolYear) -> int:
    """Create the missing meetings of the year's steps (PLANNED: no time yet); idempotent.

    Per-school steps make one meeting per school (or a series of `occurrences`); municipal
    steps with a meeting type make one internal meeting. A school added during the year gets
    its meetings by running this again.
    """
    from app.meetings import service as meetings
    from app.meetings.models import Meeting

    schools = list(session.exec(select(School).where(
        School.municipality_id == year.municipality_id).order_by(School.name)))
    have = {(m.step_id, m.school_id, m.series_index or 1) for m in session.exec(
        select(Meeting).where(Meeting.school_year_id == year.id))}
    created = 0
    for step in list_steps(session, year.id):
        if not step.meeting_type:
            continue
        targets = schools if step.scope is StepScope.PER_SCHOOL else [None]
        for school in targets:
            for index in range(1, step.occurrences + 1):
                if (step.id, school.id if school else None, index) in have:
                    continue
                meetings.create_meeting(
                    session, school_year=year, step=step, school=school,
                    title=meeting_title(step, school, index),
                    meeting_type=MeetingType(step.meeting_type),
                    location_kind=step.location_kind,
                    location=(school.address or school.name) if school is not None
                    and step.location_kind == "school" else None,
                    confidential=step.confidential,
                    series_key=step.key if step.occurrences > 1 else None,
                    series_index=index if step.occurrences > 1 else None,
                    participants=resolve_participants(session, year, step, school),
                    commit=False)
                created += 1
    session.flush()
    return created


def sync_school_participants(session: Session, year: SchoolYear, school_id: int) -> None:
    """After the school's assignments changed: re-invite by assignment on open meetings.

    Only the assigned functions (consultant, psychologist, pedagogical consultant) change;
    anyone invited by hand stays. Held and cancelled meetings keep who was there.
    """
    from app.meetings.models import Meeting, MeetingParticipant, MeetingStatus

    school = session.get(School, school_id)
    for m in session.exec(select(Meeting).where(
            Meeting.school_year_id == year.id, Meeting.school_id == school_id,
            col(Meeting.status).in_([MeetingStatus.PLANNED, MeetingStatus.BOOKED]))):
        step = session.get(Step, m.step_id) if m.step_id else None
        if step is None:
            continue
        wanted = {pid: (f, r) for pid, f, r in resolve_participants(session, year, step, school)
                  if f in ASSIGNED_FUNCTIONS}
        rows = list(session.exec(select(MeetingParticipant).where(
            MeetingParticipant.meeting_id == m.id)))
        changed = False
        for row in rows:
            if row.function in ASSIGNED_FUNCTIONS and row.person_id not in wanted:
                session.delete(row)
                changed = True
        present = {row.person_id for row in rows}
        for pid, (function, required) in wanted.items():
            if pid not in present:
                session.add(MeetingParticipant(meeting_id=m.id, person_id=pid,
                                               function=function, required=required))
                changed = True
        if changed:
            m.changed_at = max(utcnow(), m.changed_at)
            session.add(m)
    session.flush()


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


# --- where every step and every school stands ----------------------------------------------


@dataclass(frozen=True)
class SchoolStatusProvider:
    key: str
    label: str
    """A message id, e.g. N_("Note written")."""
    done: Callable[[Session, Step, list[int]], set[int]]
    """The ids of the schools (of those given) for which this is done for the step."""


school_status_providers: Registry[SchoolStatusProvider] = Registry(
    "cycles.school_status_providers", key=lambda p: p.key)
"""Another domain adds a per-school column to the step page (notes: written, published)."""


@dataclass
class SchoolProgress:
    school: School
    meetings: int = 0
    booked: int = 0
    held: int = 0
    extra: dict[str, bool] = field(default_factory=dict)
    next_meeting: object | None = None
    """The school's next meeting in this step that is not held yet (else its last one)."""


def step_progress(session: Session, step: Step, principal: Principal
                  ) -> tuple[list[SchoolProgress], dict[str, int]]:
    """Per school: its meetings for the step that `principal` may read, booked and held;
    plus the providers' columns.

    Returns the rows and the counts over all schools ("booked" counts schools whose
    meetings are all booked or held).
    """
    from app.meetings.models import Meeting, MeetingStatus
    from app.meetings.policy import readable_meetings

    year = session.get(SchoolYear, step.school_year_id)
    schools = list(session.exec(select(School).where(
        School.municipality_id == year.municipality_id).order_by(School.name)))
    rows = {s.id: SchoolProgress(s) for s in schools}
    for m in session.exec(select(Meeting).where(Meeting.step_id == step.id,
                                                col(Meeting.school_id).is_not(None),
                                                readable_meetings(principal))
                          .order_by(Meeting.series_index, Meeting.id)):
        row = rows.get(m.school_id)
        if row is None or m.status is MeetingStatus.CANCELLED:
            continue
        if row.next_meeting is None or row.next_meeting.status is MeetingStatus.HELD:
            row.next_meeting = m
        row.meetings += 1
        if m.status in (MeetingStatus.BOOKED, MeetingStatus.HELD):
            row.booked += 1
        if m.status is MeetingStatus.HELD:
            row.held += 1
    ids = list(rows)
    for provider in school_status_providers:
        done = provider.done(session, step, ids)
        for sid, row in rows.items():
            row.extra[provider.key] = sid in done
    result = [r for r in rows.values() if r.meetings or step.scope is StepScope.PER_SCHOOL]
    counts = {
        "schools": len(result),
        "booked": sum(1 for r in result if r.meetings and r.booked == r.meetings),
        "held": sum(1 for r in result if r.meetings and r.held == r.meetings),
    }
    for provider in school_status_providers:
        counts[provider.key] = sum(1 for r in result if r.extra.get(provider.key))
    return result, counts


def current_school_year(session: Session, municipality_id: int,
                        today: date | None = None) -> SchoolYear | None:
    """The school year today belongs to, or else the latest one."""
    today = today or date.today()
    found = find_school_year(session, municipality_id, school_year_start(today))
    if found is not None:
        return found
    years = list_school_years(session, municipality_id)
    return years[-1] if years else None
