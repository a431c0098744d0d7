"""Planning a step: the planning form, the proposal to review, booking or discarding it; and the
planning box on the step page.
"""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, model_validator

from app.accounts.access import Staff, require
from app.cycles import years as cycle_years
from app.cycles.models import SchoolYear, Step, StepScope
from app.db import SessionDep
from app.forms import FormDep, int_or_none, parse_form
from app.i18n import N_
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.meetings import service as meetings
from app.meetings.models import MEETING_TYPE_LABELS, MeetingStatus
from app.scheduling import availability, conflicts, flows, policy, problem, proposals
from app.scheduling.models import PROPOSAL_STATUS_LABELS, Proposal, ProposalStatus
from app.schools import service as schools
from app.schools.models import Municipality
from app.web import redirect, render

router = APIRouter()

def _planning(session, principal, step_id: int) -> tuple[Step, SchoolYear, Municipality]:
    step = found(cycle_years.get_step(session, checked_id(step_id)))
    year = cycle_years.get_school_year(session, step.school_year_id)
    require(policy.can_schedule(principal, year))
    return step, year, schools.get_municipality(session, year.municipality_id)


def load_planning(step_id: int, session: SessionDep,
                  principal: Staff) -> tuple[Step, SchoolYear, Municipality]:
    """The step to plan, its year and municipality, if the principal may schedule it."""
    return _planning(session, principal, step_id)


def load_proposal(proposal_id: int, session: SessionDep,
                  principal: Staff) -> tuple[Proposal, Step, SchoolYear, Municipality]:
    """The proposal with its step, year and municipality, if the principal may schedule it."""
    proposal = found(proposals.get_proposal(session, checked_id(proposal_id)))
    return (proposal, *_planning(session, principal, proposal.step_id))


Planning = Annotated[tuple[Step, SchoolYear, Municipality], Depends(load_planning)]
OpenProposal = Annotated[tuple[Proposal, Step, SchoolYear, Municipality],
                         Depends(load_proposal)]


# --- planning a step -------------------------------------------------------------------------


class PlanForm(BaseModel):
    window_start: date
    window_end: date
    not_before: date | None = None

    @model_validator(mode="after")
    def _window(self):
        if self.window_end < self.window_start:
            raise ValueError(N_("The period must end after it starts."))
        if (self.window_end - self.window_start).days > 366:
            raise ValueError(N_("The period can be at most a year."))
        return self


def _plan_page(request, session, step, year, municipality, *, values=None, errors=None,
               status_code=200):
    others = [s for s in problem.schedulable_steps(session, year) if s.id != step.id]
    planned = {s.id: sum(1 for m in meetings.list_meetings(session, step_id=s.id)
                         if m.status is MeetingStatus.PLANNED) for s in [step] + others}
    values = values or {
        "window_start": step.start_date.isoformat() if step.start_date else "",
        "window_end": step.end_date.isoformat() if step.end_date else "",
        "also": [],
    }
    return render(request, "scheduling/plan.html", {
        "step": step, "school_year": year, "municipality": municipality,
        "others": [s for s in others if planned[s.id]], "planned": planned,
        "values": values, "errors": errors or {},
        "proposals": proposals.list_proposals(session, step.id),
        "followers": problem.followers(session, step),
        "status_labels": {s: _(label) for s, label in PROPOSAL_STATUS_LABELS.items()},
    }, status_code=status_code)


@router.get("/steps/{step_id}/schedule")
def plan_form(request: Request, planning: Planning, principal: Staff, session: SessionDep):
    step, year, municipality = planning
    return _plan_page(request, session, step, year, municipality)


@router.post("/steps/{step_id}/schedule")
def plan(request: Request, planning: Planning, principal: Staff, session: SessionDep, form: FormDep):
    step, year, municipality = planning
    result = parse_form(PlanForm, form)
    also_ids = {i for i in (int_or_none(v) for v in form.getlist("also")) if i}
    result.values["also"] = sorted(also_ids)
    if not result.ok:
        return _plan_page(request, session, step, year, municipality, values=result.values,
                          errors=result.errors, status_code=422)
    also = [s for s in problem.schedulable_steps(session, year) if s.id in also_ids]
    proposal = proposals.run(session, problem.PlanRequest(
        step=step, window_start=result.data.window_start, window_end=result.data.window_end,
        also=also, not_before=result.data.not_before), user_id=principal.user.id)
    return redirect(request, f"/proposals/{proposal.id}")


# --- reviewing a proposal --------------------------------------------------------------------


@router.get("/proposals/{proposal_id}")
def proposal_page(request: Request, opened: OpenProposal, principal: Staff, session: SessionDep):
    proposal, step, year, municipality = opened
    report = proposal.report or {}
    return render(request, "scheduling/proposal.html", {
        "proposal": proposal, "step": step, "school_year": year, "municipality": municipality,
        "shortfalls": [proposals.describe_shortfall(sf) for sf in report.get("shortfalls", [])],
        "unplaced": [(u, [proposals.describe_reason(r) for r in u["reasons"]])
                     for u in report.get("unplaced", [])],
        "draft": proposal.status is ProposalStatus.DRAFT,
        "weekday_labels": [_(availability.WEEKDAY_LABELS[i]) for i in range(5)],
        "type_labels": {t: _(label) for t, label in MEETING_TYPE_LABELS.items()},
        **flows.proposal_review(session, proposal),
    })


@router.post("/proposals/{proposal_id}/commit")
def commit_proposal(request: Request, opened: OpenProposal, principal: Staff,
                    session: SessionDep):
    proposal, step, *_rest = opened
    try:
        count = proposals.commit(session, proposal)
    except proposals.ProposalStale as err:
        message = _("Nothing was booked: some meetings changed after the proposal was made "
                    "(%(titles)s). Make a new proposal.", titles=", ".join(err.titles[:5]))
        return redirect(request, f"/proposals/{proposal.id}", message=message, level="error")
    return redirect(request, f"/steps/{step.id}",
                    message=_("%(count)s meetings are booked. Calendars show them at their "
                              "next refresh.", count=count))


@router.post("/proposals/{proposal_id}/discard")
def discard_proposal(request: Request, opened: OpenProposal, principal: Staff,
                     session: SessionDep):
    proposal, step, *_rest = opened
    proposals.discard(session, proposal)
    return redirect(request, f"/steps/{step.id}/schedule",
                    message=_("The proposal is discarded. Nothing was booked."))


def step_section(session, principal, step: Step):
    if step.scope is not StepScope.PER_SCHOOL and not step.meeting_type:
        return None
    year = cycle_years.get_school_year(session, step.school_year_id)
    found = conflicts.for_reader(session, conflicts.conflicts_for_step(session, step), principal)
    titles = {m.id: m for m in meetings.list_meetings(session, step_id=step.id,
                                                      readable_by=principal)}
    return {"step": step, "can_schedule": policy.can_schedule(principal, year) and not step.follows,
            "conflicts": [(titles[mid], cs) for mid, cs in found.items() if mid in titles],
            "planned": sum(1 for m in titles.values() if m.status is MeetingStatus.PLANNED)}
