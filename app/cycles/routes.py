"""Pages of the annual cycle: the year wheel, the timeline, the step pages, holidays and the
distribution of schools; sections on the school page and the municipality overview."""

from datetime import date, datetime

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from app import sections
from app.accounts.access import Principal, SignedIn, require
from app.cycles import policy, service, wheel
from app.cycles.models import (
    STEP_STATUS_LABELS,
    HolidayKind,
    HolidayPeriod,
    SchoolYear,
    Step,
    StepScope,
    StepStatus,
)
from app.db import SessionDep, StaleVersion
from app.forms import FieldError, FormDep, parse_form
from app.i18n import N_, TZ, local
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import MEETING_STATUS_LABELS, MEETING_TYPE_LABELS, MeetingStatus
from app.schools import policy as schools_policy
from app.schools import service as schools
from app.schools.models import Person, PersonFunction, function_label
from app.web import is_htmx, redirect, render

router = APIRouter()


def today() -> date:
    """Today in Denmark (the server may run in UTC); tests replace it."""
    return datetime.now(TZ).date()




# --- helpers -----------------------------------------------------------------------------


def _municipality(session, principal, municipality_id: int):
    m = schools.get_municipality(session, municipality_id)
    if m is None:
        raise HTTPException(404)
    require(schools_policy.can_view_municipality(principal, m.id))
    return m


def _year(session, principal, municipality_id: int, start_year: int):
    m = _municipality(session, principal, municipality_id)
    year = service.find_school_year(session, m.id, start_year)
    if year is None:
        raise HTTPException(404)
    return m, year


def _year_url(year: SchoolYear, tail: str = "") -> str:
    return f"/municipalities/{year.municipality_id}/years/{year.start_year}{tail}"


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _template_name(session, year: SchoolYear) -> str | None:
    from app.cycles.models import CycleTemplate

    t = session.get(CycleTemplate, year.template_id) if year.template_id else None
    return t.name if t else None


def _progress_by_step(session, year: SchoolYear) -> dict[int, dict]:
    """Per step: its meetings, booked and held (for the list beside the wheel)."""
    out: dict[int, dict] = {}
    for m in meetings.list_meetings(session, school_year_id=year.id):
        if m.step_id is None or m.status is MeetingStatus.CANCELLED:
            continue
        row = out.setdefault(m.step_id, {"meetings": 0, "booked": 0, "held": 0})
        row["meetings"] += 1
        row["booked"] += m.status in (MeetingStatus.BOOKED, MeetingStatus.HELD)
        row["held"] += m.status is MeetingStatus.HELD
    return out


# --- the year wheel ------------------------------------------------------------------------


@router.get("/municipalities/{municipality_id}/years")
def years_home(request: Request, municipality_id: int, principal: SignedIn, session: SessionDep):
    m = _municipality(session, principal, municipality_id)
    year = service.current_school_year(session, m.id, today())
    if year is not None:
        return redirect(request, _year_url(year))
    if schools_policy.can_manage_municipality(principal, m.id):
        return redirect(request, f"/municipalities/{m.id}/years/new")
    return render(request, "cycles/no_year.html", {"municipality": m})


class NewYearForm(BaseModel):
    start_year: int = Field(ge=2000, le=2100)
    template_id: int


def _new_year_page(request, session, m, values, errors, status_code=200):
    return render(request, "cycles/year_new.html", {
        "municipality": m,
        "template_options": [(t.id, t.name) for t in service.list_templates(session, m.id)],
        "years": service.list_school_years(session, m.id),
        "values": values, "errors": errors,
    }, status_code=status_code)


@router.get("/municipalities/{municipality_id}/years/new")
def new_year_form(request: Request, municipality_id: int, principal: SignedIn,
                  session: SessionDep):
    m = _municipality(session, principal, municipality_id)
    require(schools_policy.can_manage_municipality(principal, m.id))
    years = service.list_school_years(session, m.id)
    start = years[-1].start_year + 1 if years else service.school_year_start(today())
    templates = service.list_templates(session, m.id)
    return _new_year_page(request, session, m, {
        "start_year": start, "template_id": templates[0].id if templates else None}, {})


@router.post("/municipalities/{municipality_id}/years/new")
def create_year(request: Request, municipality_id: int, principal: SignedIn,
                session: SessionDep, form: FormDep):
    m = _municipality(session, principal, municipality_id)
    require(schools_policy.can_manage_municipality(principal, m.id))
    result = parse_form(NewYearForm, form)
    if result.ok:
        template = next((t for t in service.list_templates(session, m.id)
                         if t.id == result.data.template_id), None)
        if template is None:
            result.errors["template_id"] = _("Choose one of the options.")
        else:
            try:
                year = service.create_from_template(session, m, result.data.start_year, template)
            except FieldError as err:
                result.add(err)
            else:
                return redirect(request, _year_url(year), message=_(
                    "The school year %(label)s is created from %(template)s.",
                    label=year.label, template=template.name))
    return _new_year_page(request, session, m, result.values, result.errors, 422)


@router.get("/municipalities/{municipality_id}/years/{start_year}")
def year_wheel(request: Request, municipality_id: int, start_year: int, principal: SignedIn,
               session: SessionDep):
    m, year = _year(session, principal, municipality_id, start_year)
    steps = service.list_steps(session, year.id)
    holidays = service.list_holidays(session, year)
    days: dict[date, tuple[int, int]] = {}
    for mt in meetings.list_meetings(session, school_year_id=year.id, include_cancelled=False):
        if mt.starts_at:
            d = local(mt.starts_at).date()
            count, held = days.get(d, (0, 0))
            days[d] = (count + 1, held + (mt.status is MeetingStatus.HELD))
    return render(request, "cycles/year.html", {
        "municipality": m, "school_year": year, "steps": steps,
        "template_name": _template_name(session, year),
        "wheel": wheel.build(year, steps, holidays, today(), days),
        "holidays": holidays,
        "progress": _progress_by_step(session, year),
        "years": service.list_school_years(session, m.id),
        "done": sum(1 for s in steps if s.status is StepStatus.DONE),
        "status_labels": STEP_STATUS_LABELS,
        "can_manage": policy.can_manage_year(principal, year),
        "has_next": service.find_school_year(session, m.id, year.start_year + 1) is not None,
        "next_label": f"{year.start_year + 1}/{(year.start_year + 2) % 100:02d}",
        "today": today(), "view": "wheel",
    })


@router.get("/municipalities/{municipality_id}/years/{start_year}/timeline")
def year_timeline(request: Request, municipality_id: int, start_year: int,
                  principal: SignedIn, session: SessionDep):
    m, year = _year(session, principal, municipality_id, start_year)
    steps = service.list_steps(session, year.id)
    holidays = service.list_holidays(session, year)
    days = [local(mt.starts_at).date() for mt in meetings.list_meetings(
        session, school_year_id=year.id, include_cancelled=False) if mt.starts_at]
    return render(request, "cycles/timeline.html", {
        "municipality": m, "school_year": year,
        "weeks": wheel.weeks(year, steps, holidays, days, today()),
        "years": service.list_school_years(session, m.id),
        "status_labels": STEP_STATUS_LABELS,
        "can_manage": policy.can_manage_year(principal, year),
        "has_next": True, "view": "timeline",
    })


@router.post("/municipalities/{municipality_id}/years/{start_year}/copy")
def copy_year(request: Request, municipality_id: int, start_year: int, principal: SignedIn,
              session: SessionDep):
    m, year = _year(session, principal, municipality_id, start_year)
    require(policy.can_manage_year(principal, year))
    try:
        nxt = service.copy_to_next_year(session, year)
    except FieldError as err:
        return redirect(request, _year_url(year), message=err.message, level="error")
    return redirect(request, _year_url(nxt), message=_(
        "The school year %(label)s is created from %(previous)s with your changes.",
        label=nxt.label, previous=year.label))


# --- holidays ------------------------------------------------------------------------------


def _holidays_page(request, session, principal, m, year, *, values=None, errors=None,
                   settings_values=None, settings_errors=None, status_code=200):
    settings = service.holiday_settings(session, m.id)
    return render(request, "cycles/holidays.html", {
        "municipality": m, "school_year": year,
        "holidays": service.list_holidays(session, year),
        "years": service.list_school_years(session, m.id),
        "can_manage": policy.can_manage_year(principal, year),
        "values": values or {}, "errors": errors or {},
        "settings_values": settings_values or settings.model_dump(),
        "settings_errors": settings_errors or {},
        "public": HolidayKind.PUBLIC, "view": "holidays", "has_next": True,
    }, status_code=status_code)


@router.get("/municipalities/{municipality_id}/years/{start_year}/holidays")
def holidays_page(request: Request, municipality_id: int, start_year: int, principal: SignedIn,
                  session: SessionDep):
    m, year = _year(session, principal, municipality_id, start_year)
    return _holidays_page(request, session, principal, m, year)


@router.post("/municipalities/{municipality_id}/years/{start_year}/holidays")
def add_holiday(request: Request, municipality_id: int, start_year: int, principal: SignedIn,
                session: SessionDep, form: FormDep):
    m, year = _year(session, principal, municipality_id, start_year)
    require(policy.can_manage_year(principal, year))
    result = parse_form(service.HolidayForm, form)
    if result.ok:
        try:
            h = service.add_holiday(session, year, result.data)
        except FieldError as err:
            result.add(err)
        else:
            return redirect(request, _year_url(year, "/holidays"),
                            message=_("%(name)s is added.", name=h.name))
    return _holidays_page(request, session, principal, m, year, values=result.values,
                          errors=result.errors, status_code=422)


@router.post("/municipalities/{municipality_id}/years/{start_year}/holidays/{holiday_id}/delete")
def delete_holiday(request: Request, municipality_id: int, start_year: int, holiday_id: int,
                   principal: SignedIn, session: SessionDep):
    m, year = _year(session, principal, municipality_id, start_year)
    require(policy.can_manage_year(principal, year))
    h = session.get(HolidayPeriod, holiday_id)
    if h is None or h.school_year_id != year.id:
        raise HTTPException(404)
    try:
        service.delete_holiday(session, h)
    except FieldError as err:
        return redirect(request, _year_url(year, "/holidays"), message=err.message, level="error")
    return redirect(request, _year_url(year, "/holidays"),
                    message=_("%(name)s is removed.", name=h.name))


@router.post("/municipalities/{municipality_id}/years/{start_year}/holiday-plan")
def save_holiday_plan(request: Request, municipality_id: int, start_year: int,
                      principal: SignedIn, session: SessionDep, form: FormDep):
    m, year = _year(session, principal, municipality_id, start_year)
    require(policy.can_manage_year(principal, year))
    result = parse_form(service.HolidaySettingsForm, form)
    if result.ok:
        service.update_holiday_settings(session, m.id, result.data,
                                        from_start_year=year.start_year)
        return redirect(request, _year_url(year, "/holidays"), message=_(
            "The holiday plan is saved and applied from %(label)s.", label=year.label))
    return _holidays_page(request, session, principal, m, year, settings_values=result.values,
                          settings_errors=result.errors, status_code=422)


# --- distribution of schools ------------------------------------------------------------

ASSIGNABLE = [PersonFunction.CONSULTANT, PersonFunction.PSYCHOLOGIST,
              PersonFunction.PEDAGOGICAL_CONSULTANT]


def _assignment_page(request, session, principal, m, year):
    people = schools.list_people(session, municipality_id=m.id)
    options = {f.value: [p for p in people if p.function is f] for f in ASSIGNABLE}
    return render(request, "cycles/assignments.html", {
        "municipality": m, "school_year": year,
        "schools": schools.list_schools(session, m.id),
        "functions": [(f.value, function_label(f.value)) for f in ASSIGNABLE
                      if options[f.value]],
        "options": options,
        "current": service.assignments(session, year),
        "years": service.list_school_years(session, m.id),
        "can_manage": policy.can_manage_year(principal, year),
        "view": "assignments", "has_next": True,
    })


@router.get("/municipalities/{municipality_id}/years/{start_year}/assignments")
def assignments_page(request: Request, municipality_id: int, start_year: int,
                     principal: SignedIn, session: SessionDep):
    m, year = _year(session, principal, municipality_id, start_year)
    return _assignment_page(request, session, principal, m, year)


@router.post("/municipalities/{municipality_id}/years/{start_year}/assignments")
def save_assignments(request: Request, municipality_id: int, start_year: int,
                     principal: SignedIn, session: SessionDep, form: FormDep):
    m, year = _year(session, principal, municipality_id, start_year)
    require(policy.can_manage_year(principal, year))
    allowed = {p.id: p.function.value for p in schools.list_people(session, municipality_id=m.id)
               if p.function in ASSIGNABLE}
    wanted: dict[tuple[int, str], list[int]] = {}
    for school in schools.list_schools(session, m.id):
        for f in ASSIGNABLE:
            name = f"s{school.id}-{f.value}"
            ids = [_int(v) for v in form.getlist(name) if v]
            wanted[(school.id, f.value)] = [i for i in ids if allowed.get(i) == f.value]
    changed = service.set_assignments(session, year, wanted)
    return redirect(request, _year_url(year, "/assignments"), message=_(
        "The distribution of schools is saved (%(count)s schools changed).", count=changed))


# --- the step page ---------------------------------------------------------------------------

STEP_FIELDS = ("dates", "responsible", "status")
STEP_FIELD_LABELS = {"dates": N_("When"), "responsible": N_("Responsible"),
                     "status": N_("Status")}


class StepDatesForm(BaseModel):
    start_date: date
    end_date: date | None = None


class StepResponsibleForm(BaseModel):
    responsible: str = Field(default="", max_length=300)
    responsible_person_id: int | None = None


class StepStatusForm(BaseModel):
    status: StepStatus


def _step_or_404(session, principal, step_id: int) -> tuple[Step, SchoolYear]:
    step = service.get_step(session, step_id)
    if step is None:
        raise HTTPException(404)
    year = service.get_school_year(session, step.school_year_id)
    require(policy.can_view_year(principal, year))
    return step, year


def _step_page(request, session, principal: Principal, step: Step, year: SchoolYear, *,
               partial=None, status_code=200, **extra):
    m = schools.get_municipality(session, year.municipality_id)
    steps = service.list_steps(session, year.id)
    index = next(i for i, s in enumerate(steps) if s.id == step.id)
    full = partial is None or not is_htmx(request)  # without HTMX the partial is a whole page
    rows, counts = service.step_progress(session, step, principal) if full else ([], {})
    staff = [p for p in schools.list_people(session, municipality_id=m.id) if p.school_id is None]
    responsible_person = session.get(Person, step.responsible_person_id) \
        if step.responsible_person_id else None
    context = {
        "step": step, "school_year": year, "municipality": m,
        "number": index + 1, "total": len(steps),
        "previous": steps[index - 1] if index > 0 else None,
        "next": steps[index + 1] if index + 1 < len(steps) else None,
        "meetings": meetings.list_meetings(session, step_id=step.id, readable_by=principal)
        if full else [],
        "rows": rows, "counts": counts,
        "providers": list(service.school_status_providers),
        "status_labels": STEP_STATUS_LABELS,
        "meeting_status_labels": MEETING_STATUS_LABELS,
        "meeting_type_labels": MEETING_TYPE_LABELS,
        "participants": [(function_label(f.rstrip("?")), not f.endswith("?"))
                         for f in step.participant_functions],
        "per_school": step.scope is StepScope.PER_SCHOOL,
        "staff": staff, "responsible_person": responsible_person,
        "can_manage": policy.can_manage_year(principal, year),
        "fields": STEP_FIELDS, "field_labels": STEP_FIELD_LABELS,
        "editing": None, "values": {}, "errors": {}, "saved": None, "conflict": None,
        "sections": sections.collect("step", session, principal, step) if full else [],
        **extra,
    }
    return render(request, "cycles/step.html", context, partial=partial,
                  status_code=status_code)


@router.get("/steps/{step_id}")
def step_page(request: Request, step_id: int, principal: SignedIn, session: SessionDep):
    step, year = _step_or_404(session, principal, step_id)
    return _step_page(request, session, principal, step, year)


def _field_values(step: Step, name: str) -> dict:
    if name == "dates":
        return {"start_date": step.start_date, "end_date": step.end_date}
    if name == "responsible":
        return {"responsible": step.responsible,
                "responsible_person_id": step.responsible_person_id}
    return {"status": step.status.value}


def _inline_step(session, principal, step_id: int, name: str, *, edit: bool):
    step, year = _step_or_404(session, principal, step_id)
    if name not in STEP_FIELDS:
        raise HTTPException(404)
    if edit:
        require(policy.can_manage_year(principal, year))
    return step, year


@router.get("/steps/{step_id}/fields/{name}")
def step_field(request: Request, step_id: int, name: str, principal: SignedIn,
               session: SessionDep):
    step, year = _inline_step(session, principal, step_id, name, edit=False)
    return _step_page(request, session, principal, step, year,
                      partial="cycles/_step_field.html", field=name)


@router.get("/steps/{step_id}/fields/{name}/edit")
def edit_step_field(request: Request, step_id: int, name: str, principal: SignedIn,
                    session: SessionDep):
    step, year = _inline_step(session, principal, step_id, name, edit=True)
    return _step_page(request, session, principal, step, year,
                      partial="cycles/_step_field.html", field=name, editing=name,
                      values=_field_values(step, name))


@router.post("/steps/{step_id}/fields/{name}")
def save_step_field(request: Request, step_id: int, name: str, principal: SignedIn,
                    session: SessionDep, form: FormDep):
    step, year = _inline_step(session, principal, step_id, name, edit=True)
    model = {"dates": StepDatesForm, "responsible": StepResponsibleForm,
             "status": StepStatusForm}[name]
    result = parse_form(model, form)
    version = _int(form.get("version"))
    conflict = None
    if result.ok:
        d = result.data
        try:
            if name == "dates":
                service.set_step_dates(session, step, d.start_date, d.end_date,
                                       expected_version=version)
            elif name == "responsible":
                service.set_step_responsible(session, step, d.responsible,
                                             d.responsible_person_id, expected_version=version)
            else:
                service.set_step_status(session, step, d.status, expected_version=version)
        except FieldError as err:
            result.add(err)
        except StaleVersion:
            session.refresh(step)
            conflict = step
        else:
            if not is_htmx(request):
                return redirect(request, f"/steps/{step.id}", message=_("Changes saved."))
            return _step_page(request, session, principal, step, year,
                              partial="cycles/_step_field.html", field=name, saved=name)
    return _step_page(request, session, principal, step, year,
                      partial="cycles/_step_field.html", field=name, editing=name,
                      values=result.values, errors=result.errors, conflict=conflict,
                      status_code=409 if conflict else 422)


# --- sections on other domains' pages ------------------------------------------------------


def school_meetings(session, principal: Principal, school):
    year = service.current_school_year(session, school.municipality_id, today())
    if year is None:
        return None
    items = meetings.list_meetings(session, school_year_id=year.id, school_id=school.id,
                                   readable_by=principal)
    steps = {s.id: s for s in service.list_steps(session, year.id)}

    # In the order of the year: by time where booked, else by the step's window.
    def order(m):
        step = steps.get(m.step_id)
        when = m.starts_at.date() if m.starts_at else (step.start_date if step else None)
        return (when or year.ends, step.position if step else 0, m.series_index or 0)

    return {"school_year": year, "meetings": sorted(items, key=order), "steps": steps,
            "status_labels": MEETING_STATUS_LABELS}


def municipality_year(session, principal: Principal, municipality):
    year = service.current_school_year(session, municipality.id, today())
    if year is None:
        return {"school_year": None, "municipality": municipality,
                "can_manage": schools_policy.can_manage_municipality(principal, municipality.id)}
    steps = service.list_steps(session, year.id)
    now = today()
    current = [s for s in steps if s.start_date and s.start_date <= now <= (s.end_date or s.start_date)]
    upcoming = [s for s in steps if s.start_date and s.start_date > now][:3]
    return {"school_year": year, "municipality": municipality, "steps": steps,
            "done": sum(1 for s in steps if s.status is StepStatus.DONE),
            "current": current, "upcoming": upcoming, "status_labels": STEP_STATUS_LABELS,
            "can_manage": schools_policy.can_manage_municipality(principal, municipality.id)}
