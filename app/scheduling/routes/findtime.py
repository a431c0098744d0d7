""""Find en tid" for one meeting: the next free slots of its required participants, and
booking the one chosen (conflict-checked like a move). Works as a page without JavaScript;
with HTMX the search and its answer swap into the meeting page.
"""

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.db import SessionDep, StaleVersion
from app.forms import FormDep, int_or_none, parse_form
from app.i18n import format_datetime
from app.i18n import gettext as _
from app.meetings.models import Meeting, MeetingStatus
from app.scheduling import conflicts, findtime
from app.scheduling.routes.moves import MovableMeeting
from app.schools import service as schools
from app.web import redirect, render

router = APIRouter()


class FindForm(BaseModel):
    first: date | None = None
    """From this day (today by default)."""
    minutes: int | None = Field(default=None, ge=5, le=600)


def _page(request, session, meeting: Meeting, *, values: dict, errors=None, search=None,
          problem: str | None = None, status_code: int = 200):
    return render(request, "scheduling/find_time.html", {
        "meeting": meeting,
        "municipality": schools.get_municipality(session, meeting.municipality_id),
        "find": {"meeting": meeting, "fields": values, "errors": errors or {},
                 "search": search, "problem": problem},
    }, partial="scheduling/_find_time.html", status_code=status_code)


@router.get("/meetings/{meeting_id}/find-time")
def find_time(request: Request, meeting: MovableMeeting, session: SessionDep):
    """The next free slots (with ?first= and ?minutes=, from that day and for that long)."""
    result = parse_form(FindForm, request.query_params)
    if not result.ok:
        return _page(request, session, meeting, values=result.values, errors=result.errors,
                     status_code=422)
    search = findtime.find_slots(session, meeting, first=result.data.first,
                                 minutes=result.data.minutes)
    return _page(request, session, meeting, values=result.values, search=search)


@router.post("/meetings/{meeting_id}/find-time")
def book_slot(request: Request, meeting: MovableMeeting, session: SessionDep, form: FormDep):
    """Book the slot chosen: the same check as a move, so a slot taken in the meantime is
    refused and the search shown again."""
    result = parse_form(conflicts.MoveForm, {k: form.get(k) for k in ("day", "start", "minutes")
                                              if form.get(k)})
    values = {"first": form.get("first") or "", "minutes": form.get("minutes") or ""}
    if not result.ok:
        return _page(request, session, meeting, values=values, errors=result.errors,
                     problem=_("Choose one of the times offered."), status_code=422)
    booking = meeting.status is not MeetingStatus.BOOKED
    try:
        conflicts.move(session, meeting, result.data, int_or_none(form.get("version")))
    except (conflicts.MoveConflicts, StaleVersion) as err:
        session.rollback()
        session.refresh(meeting)
        text = "; ".join(c.text for c in err.conflicts) if isinstance(
            err, conflicts.MoveConflicts) else _("someone else changed the meeting.")
        search = findtime.find_slots(session, meeting, minutes=result.data.minutes)
        return _page(request, session, meeting, values=values, search=search, status_code=409,
                     problem=_("That time is no longer free: %(why)s Choose another.",
                               why=text))
    local = format_datetime(meeting.starts_at)
    return redirect(request, f"/meetings/{meeting.id}", message=(
        _("The meeting is booked for %(when)s. Calendars show it at their next refresh.",
          when=local) if booking else
        _("The meeting is moved to %(when)s. Calendars show the new time at their next "
          "refresh.", when=local)))
