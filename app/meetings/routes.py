"""The meeting page: one meeting, its time, place and people; other domains add sections."""

from fastapi import APIRouter, Request

from app import sections
from app.accounts.access import SignedIn
from app.cycles import years as cycle_years
from app.db import SessionDep
from app.meetings import policy, service
from app.meetings.loaders import MeetingDep
from app.meetings.models import MEETING_STATUS_LABELS, MEETING_TYPE_LABELS
from app.schools import service as schools
from app.schools.models import function_label
from app.web import render

router = APIRouter()


@router.get("/meetings/{meeting_id}")
def meeting_page(request: Request, meeting: MeetingDep, principal: SignedIn, session: SessionDep):
    return render(request, "meetings/meeting.html", {
        "meeting": meeting,
        "municipality": schools.get_municipality(session, meeting.municipality_id),
        "school": schools.get_school(session, meeting.school_id) if meeting.school_id else None,
        "school_year": cycle_years.get_school_year(session, meeting.school_year_id),
        "step": cycle_years.get_step(session, meeting.step_id) if meeting.step_id else None,
        "participants": [
            (person, p, function_label(p.function)) for person, p in service.participants(session, meeting.id)
        ],
        "type_labels": MEETING_TYPE_LABELS,
        "status_labels": MEETING_STATUS_LABELS,
        "minutes": service.planned_duration(session, meeting),
        "can_manage": policy.can_manage_meeting(principal, meeting),
        "sections": sections.collect("meeting", session, principal, meeting),
    })
