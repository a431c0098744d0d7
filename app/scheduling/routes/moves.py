"""Moving one booked meeting, with a live check of the conflicts; and the move box on the meeting
page.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from app.accounts.access import Staff, require
from app.db import SessionDep, StaleVersion
from app.forms import FormDep, int_or_none, parse_form
from app.i18n import TZ
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus
from app.scheduling import conflicts, policy
from app.schools import service as schools
from app.web import redirect, render

router = APIRouter()

# --- moving one meeting --------------------------------------------------------------------


def load_movable_meeting(meeting_id: int, session: SessionDep, principal: Staff) -> Meeting:
    """The meeting, if the principal may move it."""
    meeting = found(meetings.get_meeting(session, checked_id(meeting_id)))
    require(policy.can_move(principal, meeting))
    return meeting


MovableMeeting = Annotated[Meeting, Depends(load_movable_meeting)]


def _local(dt: datetime) -> datetime:
    return dt.astimezone(TZ)


def _move_values(meeting: Meeting) -> dict:
    if meeting.starts_at is None or meeting.ends_at is None:
        return {"day": "", "start": "", "minutes": ""}
    local = _local(meeting.starts_at)
    minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return {"day": local.date().isoformat(), "start": local.strftime("%H:%M"),
            "minutes": str(minutes)}


def _move_page(request, session, meeting, *, values=None, errors=None, conflicts=None,
               status_code=200, checked=False):
    return render(request, "scheduling/move.html", {
        "meeting": meeting,
        "municipality": schools.get_municipality(session, meeting.municipality_id),
        "move": {"meeting": meeting, "fields": values or _move_values(meeting),
                 "errors": errors or {}, "conflicts": conflicts or [], "checked": checked},
    }, status_code=status_code)


@router.get("/meetings/{meeting_id}/move")
def move_form(request: Request, meeting: MovableMeeting, session: SessionDep):
    return _move_page(request, session, meeting)


@router.get("/meetings/{meeting_id}/move/check")
def move_check(request: Request, meeting: MovableMeeting, session: SessionDep):
    """The live check as the consultant picks a day and time (HTMX swaps the answer in)."""
    result = parse_form(conflicts.MoveForm, request.query_params)
    found = []
    if result.ok:
        found = conflicts.check_move(session, meeting, result.data.day, result.data.start,
                                     result.data.minutes)
    return render(request, "scheduling/_move_check.html", {
        "move": {"meeting": meeting, "fields": result.values, "errors": result.errors,
                 "conflicts": found, "checked": result.ok}})


@router.post("/meetings/{meeting_id}/move")
def move_meeting(request: Request, meeting: MovableMeeting, session: SessionDep,
                 form: FormDep):
    result = parse_form(conflicts.MoveForm, form)
    booking = meeting.status is not MeetingStatus.BOOKED
    if result.ok:
        try:
            accepted = conflicts.move(session, meeting, result.data, int_or_none(form.get("version")))
        except conflicts.MoveConflicts as err:
            return _move_page(request, session, meeting, values=result.values,
                              conflicts=err.conflicts, status_code=409, checked=True)
        except StaleVersion:
            session.refresh(meeting)
            return _move_page(request, session, meeting, values=result.values, errors={
                "__all__": _("Someone else changed the meeting while you were moving it. "
                             "It is now at the time shown; choose again.")},
                status_code=409)
        if booking:
            message = _("The meeting is booked. Calendars show it at their next refresh.")
            if accepted:
                message = _("The meeting is booked despite %(count)s conflicts.",
                            count=len(accepted))
        else:
            message = _("The meeting is moved. Calendars show the new time at their next "
                        "refresh.")
            if accepted:
                message = _("The meeting is moved despite %(count)s conflicts.",
                            count=len(accepted))
        return redirect(request, f"/meetings/{meeting.id}", message=message,
                        level="warning" if accepted else "success")
    return _move_page(request, session, meeting, values=result.values, errors=result.errors,
                      status_code=422)


def meeting_section(session, principal, meeting: Meeting):
    """The managing box on the meeting page: book or move (with the length), place, people,
    cancel; a cancelled meeting offers to book it again."""
    if not policy.can_move(principal, meeting) or meeting.status is MeetingStatus.HELD:
        return None
    found = conflicts.check(session, [meeting], reuse=True).get(meeting.id, []) \
        if meeting.starts_at and meeting.status is MeetingStatus.BOOKED else []
    values = _move_values(meeting)
    if not values["minutes"] or meeting.status is not MeetingStatus.BOOKED:
        values["minutes"] = str(meetings.planned_duration(session, meeting))
    return {"move": {"meeting": meeting, "fields": values, "errors": {},
                     "conflicts": found, "checked": False},
            "find": {"meeting": meeting, "fields": {"first": "", "minutes": ""}, "errors": {},
                     "search": None, "problem": None},
            "current_conflicts": found,
            "booked": meeting.status is MeetingStatus.BOOKED,
            "cancelled": meeting.status is MeetingStatus.CANCELLED,
            "place": place_form(meeting),
            "participant": participant_form(session, meeting)}


def place_form(meeting: Meeting, values: dict | None = None,
               errors: dict | None = None) -> dict:
    """The place form: the meeting's place, or what the user gave and what is wrong."""
    kinds = [("school", _("At the school"))] if meeting.school_id else []
    kinds += [("administration", _("At the administration (give the room)")),
              ("online", _("Online (give the link)")),
              ("other", _("Another address"))]
    return {"kinds": kinds, "errors": errors or {},
            "values": values if values is not None else {
                "kind": meeting.location_kind or "administration",
                "location": meeting.location or ""}}


def participant_form(session, meeting: Meeting, values: dict | None = None,
                     errors: dict | None = None) -> dict:
    """The form adding a participant: the municipality's people not on the meeting yet."""
    on = {p.person_id for _person, p in meetings.participants(session, meeting.id)}
    people = [p for p in schools.list_people(session, municipality_id=meeting.municipality_id)
              if p.id not in on]
    return {"people": people, "errors": errors or {},
            "values": values if values is not None else {"required": "1"}}
