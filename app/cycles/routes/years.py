"""The year wheel: the school years, a new year from a template, the wheel and the timeline,
copying a year; and the current year's sections on the school page and the municipality
overview.
"""


from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app import confirm
from app.accounts.access import Principal, SignedIn, require
from app.cycles import assumed as cycle_assumed
from app.cycles import catalog as cycle_catalog
from app.cycles import flows, policy, wheel
from app.cycles import from_template as cycle_from_template
from app.cycles import holiday_periods as cycle_holiday_periods
from app.cycles import progress as cycle_progress
from app.cycles import removal as cycle_removal
from app.cycles import years as cycle_years
from app.cycles.models import STEP_STATUS_LABELS, SchoolYear, StepStatus
from app.cycles.routes import common
from app.cycles.routes.common import OpenYear, ViewedMunicipality, year_url
from app.db import SessionDep
from app.forms import FieldError, FormDep, parse_form
from app.i18n import gettext as _
from app.meetings.models import MEETING_STATUS_LABELS
from app.schools import policy as schools_policy
from app.web import is_htmx, redirect, render

router = APIRouter()

def _template_name(session, year: SchoolYear) -> str | None:
    from app.cycles.models import CycleTemplate

    t = session.get(CycleTemplate, year.template_id) if year.template_id else None
    return t.name if t else None


# --- the year wheel ------------------------------------------------------------------------


@router.get("/municipalities/{municipality_id}/years")
def years_home(request: Request, m: ViewedMunicipality, principal: SignedIn, session: SessionDep):
    year = cycle_progress.current_school_year(session, m.id, common.today())
    if year is not None:
        return redirect(request, year_url(year))
    if schools_policy.can_manage_municipality(principal, m.id):
        return redirect(request, f"/municipalities/{m.id}/years/new")
    return render(request, "cycles/no_year.html", {"municipality": m})


class NewYearForm(BaseModel):
    start_year: int = Field(ge=2000, le=2100)
    template_id: int


def _new_year_page(request, session, m, values, errors, status_code=200):
    templates = cycle_catalog.list_templates(session, m.id)
    return render(request, "cycles/year_new.html", {
        "municipality": m,
        "template_options": [(t.id, t.name) for t in templates],
        "previews": [(t.key, t.name) for t in templates if t.municipality_id is None],
        "years": cycle_years.list_school_years(session, m.id),
        "values": values, "errors": errors,
    }, status_code=status_code)


@router.get("/municipalities/{municipality_id}/years/new")
def new_year_form(request: Request, m: ViewedMunicipality, principal: SignedIn,
                  session: SessionDep):
    require(schools_policy.can_manage_municipality(principal, m.id))
    years = cycle_years.list_school_years(session, m.id)
    start = years[-1].start_year + 1 if years else cycle_years.school_year_start(common.today())
    templates = cycle_catalog.list_templates(session, m.id)
    return _new_year_page(request, session, m, {
        "start_year": start, "template_id": templates[0].id if templates else None}, {})


@router.post("/municipalities/{municipality_id}/years/new")
def create_year(request: Request, m: ViewedMunicipality, principal: SignedIn,
                session: SessionDep, form: FormDep):
    require(schools_policy.can_manage_municipality(principal, m.id))
    result = parse_form(NewYearForm, form)
    if result.ok:
        template = next((t for t in cycle_catalog.list_templates(session, m.id)
                         if t.id == result.data.template_id), None)
        if template is None:
            result.errors["template_id"] = _("Choose one of the options.")
        else:
            try:
                year = cycle_from_template.create_from_template(session, m, result.data.start_year, template)
            except FieldError as err:
                result.add(err)
            else:
                return redirect(request, year_url(year), message=_(
                    "The school year %(label)s is created from %(template)s.",
                    label=year.label, template=template.name))
    return _new_year_page(request, session, m, result.values, result.errors, 422)


@router.get("/municipalities/{municipality_id}/years/{start_year}")
def year_wheel(request: Request, opened: OpenYear, principal: SignedIn,
               session: SessionDep):
    m, year = opened
    steps = cycle_years.list_steps(session, year.id)
    holidays = cycle_holiday_periods.list_holidays(session, year)
    days = flows.meetings_per_day(session, year, principal)
    return render(request, "cycles/year.html", {
        "municipality": m, "school_year": year, "steps": steps,
        "assumed": cycle_assumed.year_assumptions(session, year, steps),
        "template_name": _template_name(session, year),
        "wheel": wheel.build(year, steps, holidays, common.today(), days),
        "holidays": holidays,
        "progress": flows.meetings_per_step(session, year, principal),
        "years": cycle_years.list_school_years(session, m.id),
        "done": sum(1 for s in steps if s.status is StepStatus.DONE),
        "status_labels": STEP_STATUS_LABELS,
        "can_manage": policy.can_manage_year(principal, year),
        "has_next": cycle_years.find_school_year(session, m.id, year.start_year + 1) is not None,
        "next_label": f"{year.start_year + 1}/{(year.start_year + 2) % 100:02d}",
        "content": cycle_removal.content(session, year)
        if policy.can_manage_year(principal, year) else [],
        "today": common.today(), "view": "wheel",
    })


@router.get("/municipalities/{municipality_id}/years/{start_year}/timeline")
def year_timeline(request: Request, opened: OpenYear, principal: SignedIn, session: SessionDep):
    m, year = opened
    steps = cycle_years.list_steps(session, year.id)
    holidays = cycle_holiday_periods.list_holidays(session, year)
    days = flows.meeting_days(session, year, principal)
    return render(request, "cycles/timeline.html", {
        "municipality": m, "school_year": year,
        "weeks": wheel.weeks(year, steps, holidays, days, common.today()),
        "years": cycle_years.list_school_years(session, m.id),
        "status_labels": STEP_STATUS_LABELS,
        "can_manage": policy.can_manage_year(principal, year),
        "has_next": True, "view": "timeline",
    })


@router.post("/municipalities/{municipality_id}/years/{start_year}/copy")
def copy_year(request: Request, opened: OpenYear, principal: SignedIn,
              session: SessionDep, form: FormDep):
    m, year = opened
    require(policy.can_manage_year(principal, year))
    label = f"{year.start_year + 1}/{(year.start_year + 2) % 100:02d}"
    if not confirm.confirmed(form):
        return confirm.ask(
            request, form, action=year_url(year, "/copy"),
            title=_("Start the school year %(label)s?", label=label),
            consequences=[
                _("The school year %(label)s is created with this year's steps and your "
                  "changes to them; their dates follow the rules again, and dates you set by "
                  "hand keep their week and weekday.", label=label),
                _("The distribution of schools to consultants is copied, and every school's "
                  "meetings are planned, not yet booked; nobody is invited yet."),
                _("Started by mistake, it can be deleted again as long as nothing is held or "
                  "written in it.")],
            back=year_url(year), button=_("Yes, start %(label)s", label=label), danger=False)
    try:
        nxt = cycle_from_template.copy_to_next_year(session, year)
    except FieldError as err:
        return redirect(request, year_url(year), message=err.message, level="error")
    return redirect(request, year_url(nxt), message=_(
        "The school year %(label)s is created from %(previous)s with your changes.",
        label=nxt.label, previous=year.label))


@router.post("/municipalities/{municipality_id}/years/{start_year}/delete")
def delete_year(request: Request, opened: OpenYear, principal: SignedIn,
                session: SessionDep, form: FormDep):
    """A year started by mistake, by the administration, while nothing is held or written."""
    m, year = opened
    require(policy.can_manage_year(principal, year))
    label = year.label
    try:
        said = cycle_removal.what_deleting_does(session, year)
        if not confirm.confirmed(form):
            return confirm.ask(request, form, action=year_url(year, "/delete"),
                               title=_("Delete the school year %(label)s?", label=label),
                               consequences=said, back=year_url(year),
                               button=_("Yes, delete %(label)s", label=label))
        cycle_removal.delete_school_year(session, year)
    except FieldError as err:
        if is_htmx(request):
            return confirm.refuse(request, title=_("The school year cannot be deleted"),
                                  reason=err.message)
        return redirect(request, year_url(year), message=err.message, level="error")
    return redirect(request, f"/municipalities/{m.id}/years", message=_(
        "The school year %(label)s is deleted.", label=label))


# --- sections on other domains' pages ------------------------------------------------------


def school_meetings(session, principal: Principal, school):
    year = cycle_progress.current_school_year(session, school.municipality_id, common.today())
    if year is None:
        return None
    steps = {s.id: s for s in cycle_years.list_steps(session, year.id)}
    return {"school_year": year,
            "meetings": flows.school_meetings(session, year, school, steps, principal),
            "steps": steps,
            "status_labels": MEETING_STATUS_LABELS}


def municipality_year(session, principal: Principal, municipality):
    year = cycle_progress.current_school_year(session, municipality.id, common.today())
    if year is None:
        return {"school_year": None, "municipality": municipality,
                "can_manage": schools_policy.can_manage_municipality(principal, municipality.id)}
    steps = cycle_years.list_steps(session, year.id)
    now = common.today()
    current = [s for s in steps if s.start_date and s.start_date <= now <= (s.end_date or s.start_date)]
    upcoming = [s for s in steps if s.start_date and s.start_date > now][:3]
    return {"school_year": year, "municipality": municipality, "steps": steps,
            "done": sum(1 for s in steps if s.status is StepStatus.DONE),
            "current": current, "upcoming": upcoming, "status_labels": STEP_STATUS_LABELS,
            "can_manage": schools_policy.can_manage_municipality(principal, municipality.id)}
