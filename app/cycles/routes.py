"""Pages of the annual cycle: the step page (more: the year wheel, the school year)."""

from fastapi import APIRouter, HTTPException, Request

from app import sections
from app.accounts.access import SignedIn, require
from app.cycles import policy, service
from app.cycles.models import STEP_STATUS_LABELS
from app.db import SessionDep
from app.meetings import service as meetings
from app.meetings.models import MEETING_STATUS_LABELS
from app.schools import service as schools
from app.web import render

router = APIRouter()


@router.get("/steps/{step_id}")
def step_page(request: Request, step_id: int, principal: SignedIn, session: SessionDep):
    step = service.get_step(session, step_id)
    if step is None:
        raise HTTPException(404)
    year = service.get_school_year(session, step.school_year_id)
    require(policy.can_view_year(principal, year))
    return render(request, "cycles/step.html", {
        "step": step,
        "school_year": year,
        "municipality": schools.get_municipality(session, year.municipality_id),
        "meetings": meetings.list_meetings(session, step_id=step.id),
        "status_labels": STEP_STATUS_LABELS,
        "meeting_status_labels": MEETING_STATUS_LABELS,
        "can_manage": policy.can_manage_year(principal, year),
        "sections": sections.collect("step", session, principal, step),
    })
