"""The step page and its fields edited in place (dates, responsible, status).
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from app import sections
from app.accounts.access import Principal, SignedIn, require
from app.cycles import assumed as cycle_assumed
from app.cycles import policy
from app.cycles import progress as cycle_progress
from app.cycles import steps as cycle_steps
from app.cycles import years as cycle_years
from app.cycles.models import (
    LOCATION_LABELS,
    STEP_STATUS_LABELS,
    SchoolYear,
    Step,
    StepScope,
    StepStatus,
)
from app.db import SessionDep
from app.forms import FormDep, parse_form
from app.i18n import N_
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.meetings import service as meetings
from app.meetings.models import MEETING_STATUS_LABELS, MEETING_TYPE_LABELS
from app.schools import service as schools
from app.schools.models import function_label
from app.versioned import save_versioned
from app.web import is_htmx, redirect, render

router = APIRouter()

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


def load_step(step_id: int, session: SessionDep, principal: SignedIn) -> tuple[Step, SchoolYear]:
    """The step and its school year, if the principal may see the year."""
    step = found(cycle_years.get_step(session, checked_id(step_id)))
    year = cycle_years.get_school_year(session, step.school_year_id)
    require(policy.can_view_year(principal, year))
    return step, year


OpenStep = Annotated[tuple[Step, SchoolYear], Depends(load_step)]


def _step_page(request, session, principal: Principal, step: Step, year: SchoolYear, *,
               partial=None, status_code=200, **extra):
    m = schools.get_municipality(session, year.municipality_id)
    steps = cycle_years.list_steps(session, year.id)
    index = next(i for i, s in enumerate(steps) if s.id == step.id)
    full = partial is None or not is_htmx(request)  # without HTMX the partial is a whole page
    rows, counts = cycle_progress.step_progress(session, step, principal) if full else ([], {})
    staff = [p for p in schools.list_people(session, municipality_id=m.id) if p.school_id is None]
    responsible_person = schools.get_person(session, step.responsible_person_id) \
        if step.responsible_person_id else None
    context = {
        "step": step, "school_year": year, "municipality": m,
        "number": index + 1, "total": len(steps),
        "previous": steps[index - 1] if index > 0 else None,
        "next": steps[index + 1] if index + 1 < len(steps) else None,
        "meetings": meetings.list_meetings(session, step_id=step.id, readable_by=principal)
        if full else [],
        "rows": rows, "counts": counts,
        "providers": list(cycle_progress.school_status_providers),
        "status_labels": STEP_STATUS_LABELS,
        "meeting_status_labels": MEETING_STATUS_LABELS,
        "meeting_type_labels": MEETING_TYPE_LABELS,
        "participants": [(function_label(f.rstrip("?")), not f.endswith("?"))
                         for f in step.participant_functions],
        "per_school": step.scope is StepScope.PER_SCHOOL,
        "staff": staff, "responsible_person": responsible_person,
        "can_manage": policy.can_manage_year(principal, year),
        "fields": STEP_FIELDS, "field_labels": STEP_FIELD_LABELS,
        "location_labels": LOCATION_LABELS,
        "assumed": cycle_assumed.step_assumptions(session, year, step),
        "editing": None, "values": {}, "errors": {}, "saved": None, "conflict": None,
        "sections": sections.collect("step", session, principal, step) if full else [],
        **extra,
    }
    return render(request, "cycles/step.html", context, partial=partial,
                  status_code=status_code)


@router.get("/steps/{step_id}")
def step_page(request: Request, opened: OpenStep, principal: SignedIn, session: SessionDep):
    step, year = opened
    return _step_page(request, session, principal, step, year)


def _field_values(step: Step, name: str) -> dict:
    if name == "dates":
        return {"start_date": step.start_date, "end_date": step.end_date}
    if name == "responsible":
        return {"responsible": step.responsible,
                "responsible_person_id": step.responsible_person_id}
    return {"status": step.status.value}


def _inline_step(principal, opened: tuple[Step, SchoolYear], name: str, *, edit: bool):
    step, year = opened
    if name not in STEP_FIELDS:
        raise HTTPException(404)
    if edit:
        require(policy.can_manage_year(principal, year))
    return step, year


@router.get("/steps/{step_id}/fields/{name}")
def step_field(request: Request, opened: OpenStep, name: str, principal: SignedIn,
               session: SessionDep):
    step, year = _inline_step(principal, opened, name, edit=False)
    return _step_page(request, session, principal, step, year,
                      partial="cycles/_step_field.html", field=name)


@router.get("/steps/{step_id}/fields/{name}/edit")
def edit_step_field(request: Request, opened: OpenStep, name: str, principal: SignedIn,
                    session: SessionDep):
    step, year = _inline_step(principal, opened, name, edit=True)
    return _step_page(request, session, principal, step, year,
                      partial="cycles/_step_field.html", field=name, editing=name,
                      values=_field_values(step, name))


@router.post("/steps/{step_id}/fields/{name}")
def save_step_field(request: Request, opened: OpenStep, name: str, principal: SignedIn,
                    session: SessionDep, form: FormDep):
    step, year = _inline_step(principal, opened, name, edit=True)
    model = {"dates": StepDatesForm, "responsible": StepResponsibleForm,
             "status": StepStatusForm}[name]
    result = parse_form(model, form)

    def apply(d, version):
        if name == "dates":
            return cycle_steps.set_step_dates(session, step, d.start_date, d.end_date,
                                              expected_version=version)
        if name == "responsible":
            return cycle_steps.set_step_responsible(session, step, d.responsible,
                                                    d.responsible_person_id,
                                                    expected_version=version)
        return cycle_steps.set_step_status(session, step, d.status, expected_version=version)

    def done(_saved):
        if not is_htmx(request):
            return redirect(request, f"/steps/{step.id}", message=_("Changes saved."))
        return _step_page(request, session, principal, step, year,
                          partial="cycles/_step_field.html", field=name, saved=name)

    return save_versioned(
        session, form, step, result, apply=apply, done=done,
        again=lambda values, errors, conflict, status_code: _step_page(
            request, session, principal, step, year, partial="cycles/_step_field.html",
            field=name, editing=name, values=values, errors=errors, conflict=conflict,
            status_code=status_code))
