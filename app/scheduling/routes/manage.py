"""A meeting's life on its page, for those who manage it: its place, its people, its length
to fit the agenda, cancelling it (asking first) — each change conflict-checked like a move.
Booking, moving and booking again go through the move form (moves.py).
"""

from fastapi import APIRouter, Request

from app import confirm
from app.db import SessionDep, StaleVersion, check_version
from app.forms import FormDep, int_or_none
from app.i18n import TZ
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import MeetingStatus
from app.scheduling import conflicts, flows
from app.scheduling.routes.moves import MovableMeeting, _move_page
from app.schools import service as schools
from app.web import redirect

router = APIRouter()

PLACE_KINDS = ("school", "administration", "online", "other")


def _stale(request, meeting):
    return redirect(request, f"/meetings/{meeting.id}", level="error", message=_(
        "Someone else changed the meeting in the meantime. Look at it again and repeat "
        "the change."))


def _refused(request, meeting, err: conflicts.MoveConflicts):
    text = "; ".join(c.text for c in err.conflicts)
    return redirect(request, f"/meetings/{meeting.id}#manage", level="error", message=_(
        "Nothing was changed: %(conflicts)s Tick \"despite the conflicts\" to do it anyway.",
        conflicts=text))


@router.post("/meetings/{meeting_id}/cancel")
def cancel_meeting(request: Request, meeting: MovableMeeting, session: SessionDep,
                   form: FormDep):
    if meeting.status is MeetingStatus.CANCELLED:
        return redirect(request, f"/meetings/{meeting.id}", message=_("The meeting is cancelled."))
    chain = [m for m in conflicts.chain_after(session, meeting)
             if m.status in (MeetingStatus.BOOKED, MeetingStatus.PLANNED)]
    if not confirm.confirmed(form):
        said = [_("Every participant's calendar shows it as cancelled; where invitations "
                  "are on they get a cancellation by e-mail.")]
        said += [_("\"%(title)s\", which follows it, is cancelled with it.", title=m.title)
                 for m in chain]
        said.append(_("You can book it again afterwards."))
        return confirm.ask(request, form, action=f"/meetings/{meeting.id}/cancel",
                           title=_("Cancel \"%(title)s\"?", title=meeting.title),
                           consequences=said, back=f"/meetings/{meeting.id}",
                           button=_("Yes, cancel the meeting"))
    try:
        done = conflicts.cancel(session, meeting, reason=form.get("reason"),
                                expected_version=int_or_none(form.get("version")))
    except StaleVersion:
        return _stale(request, meeting)
    message = _("The meeting is cancelled.")
    if len(done) > 1:
        message = _("The meeting is cancelled, and %(count)s meetings that follow it.",
                    count=len(done) - 1)
    return redirect(request, f"/meetings/{meeting.id}", message=message)


@router.post("/meetings/{meeting_id}/lengthen")
def lengthen_meeting(request: Request, meeting: MovableMeeting, session: SessionDep,
                     form: FormDep):
    """"Forlæng mødet til N minutter": the same start, the agenda's length."""
    minutes = int_or_none(form.get("minutes"))
    if meeting.starts_at is None or not minutes or not 5 <= minutes <= 600:
        return redirect(request, f"/meetings/{meeting.id}", level="error",
                        message=_("The meeting cannot be lengthened like that."))
    try:
        accepted = conflicts.lengthen(session, meeting, minutes, force=bool(form.get("force")),
                                      expected_version=int_or_none(form.get("version")))
    except conflicts.MoveConflicts as err:
        local = meeting.starts_at.astimezone(TZ)
        return _move_page(request, session, meeting, values={
            "day": local.date().isoformat(), "start": local.strftime("%H:%M"),
            "minutes": str(minutes)}, conflicts=err.conflicts, status_code=409, checked=True)
    except StaleVersion:
        return _stale(request, meeting)
    message = _("The meeting now lasts %(minutes)s minutes.", minutes=minutes)
    if accepted:
        message = _("The meeting now lasts %(minutes)s minutes, despite %(count)s conflicts.",
                    minutes=minutes, count=len(accepted))
    return redirect(request, f"/meetings/{meeting.id}", message=message,
                    level="warning" if accepted else "success")


@router.post("/meetings/{meeting_id}/place")
def change_place(request: Request, meeting: MovableMeeting, session: SessionDep, form: FormDep):
    kind = form.get("kind") or ""
    location = (form.get("location") or "").strip()
    if kind not in PLACE_KINDS or (kind == "school" and not meeting.school_id):
        return redirect(request, f"/meetings/{meeting.id}#manage", level="error",
                        message=_("Choose where the meeting is held."))
    if kind in ("online", "other") and not location:
        return redirect(request, f"/meetings/{meeting.id}#manage", level="error", message=_(
            "Give the link of an online meeting, or the address of another place."))
    if kind == "school" and not location:
        school = schools.get_school(session, meeting.school_id)
        location = school.address and f"{school.name}, {school.address}" or school.name
    try:
        check_version(meeting, int_or_none(form.get("version")))
        accepted = conflicts.checked_change(
            session, meeting,
            lambda s: meetings.set_place(s, meeting, kind=kind, location=location, commit=False),
            force=bool(form.get("force")))
    except StaleVersion:
        return _stale(request, meeting)
    except conflicts.MoveConflicts as err:
        return _refused(request, meeting, err)
    return redirect(request, f"/meetings/{meeting.id}", message=_(
        "The place is changed. Calendars show it at their next refresh.") if not accepted else
        _("The place is changed despite %(count)s conflicts.", count=len(accepted)),
        level="warning" if accepted else "success")


@router.post("/meetings/{meeting_id}/participants")
def add_participant(request: Request, meeting: MovableMeeting, session: SessionDep,
                    form: FormDep):
    """A person of the municipality, or a guest by name and e-mail; required or optional."""
    required = form.get("required") == "1"
    person_id = int_or_none(form.get("person_id"))
    name, email = (form.get("guest_name") or "").strip(), (form.get("guest_email") or "").strip()
    if person_id is None and not (name and "@" in email and "." in email.rsplit("@", 1)[-1]):
        return redirect(request, f"/meetings/{meeting.id}#manage", level="error", message=_(
            "Choose a person, or give a guest's name and e-mail address."))
    if person_id is not None:
        person = schools.get_person(session, person_id)
        if person is None or person.municipality_id != meeting.municipality_id:
            return redirect(request, f"/meetings/{meeting.id}#manage", level="error",
                            message=_("Choose a person, or give a guest's name and e-mail address."))

    def change(s):
        if person_id is not None:
            meetings.add_participant(s, meeting, person_id, required=required, commit=False)
        else:
            flows.invite_guest(s, meeting, name=name, email=email, required=required)

    try:
        accepted = conflicts.checked_change(session, meeting, change,
                                            force=bool(form.get("force")))
    except conflicts.MoveConflicts as err:
        return _refused(request, meeting, err)
    return redirect(request, f"/meetings/{meeting.id}", message=_(
        "The participant is added; where invitations are on, they get one by e-mail.")
        if not accepted else _("The participant is added despite %(count)s conflicts.",
                               count=len(accepted)),
        level="warning" if accepted else "success")


@router.post("/meetings/{meeting_id}/participants/{person_id}/remove")
def remove_participant(request: Request, meeting: MovableMeeting, person_id: int,
                       session: SessionDep):
    meetings.remove_participant(session, meeting, person_id)
    return redirect(request, f"/meetings/{meeting.id}", message=_(
        "The participant is removed; where invitations are on, they get a cancellation."))
