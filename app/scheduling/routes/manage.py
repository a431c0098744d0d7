"""A meeting's life on its page, for those who manage it: its place, its people, its length
to fit the agenda, cancelling it (asking first) — each change conflict-checked like a move.
Booking, moving and booking again go through the move form (moves.py).
"""

from fastapi import APIRouter, Request

from app import confirm
from app.db import SessionDep, StaleVersion
from app.forms import FieldError, FormDep, int_or_none
from app.i18n import TZ
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import MeetingStatus
from app.scheduling import changes, conflicts
from app.scheduling.routes.moves import MovableMeeting, _move_page, participant_form, place_form
from app.schools import service as schools
from app.web import redirect, render

router = APIRouter()

def _stale(request, meeting):
    return redirect(request, f"/meetings/{meeting.id}", level="error", message=_(
        "Someone else changed the meeting in the meantime. Look at it again and repeat "
        "the change."))


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
    # Asked from the agenda page: back to the agenda (the agendas domain answers that address).
    back = f"/meetings/{meeting.id}/agenda" if form.get("back") == "agenda" \
        else f"/meetings/{meeting.id}"
    return redirect(request, back, message=message, level="warning" if accepted else "success")


def _form_again(request, session, meeting, which: str, values: dict, errors: dict,
                status_code: int):
    """The place or participant form again with the user's input and what is wrong: with
    htmx the form alone (swapped in place), without JavaScript as a page of its own."""
    form = place_form(meeting, values, errors) if which == "place" else \
        participant_form(session, meeting, values, errors)
    return render(request, "scheduling/manage.html", {
        "meeting": meeting, "m": meeting, which: form,
        "municipality": schools.get_municipality(session, meeting.municipality_id),
        "heading": _("Change the place") if which == "place" else _("Add a participant"),
    }, partial=f"scheduling/_{which}_form.html", status_code=status_code)


def _refused_text(err: conflicts.MoveConflicts) -> str:
    return _("Nothing was changed: %(conflicts)s Tick \"despite the conflicts\" to do it anyway.",
             conflicts="; ".join(c.text for c in err.conflicts))


def _changed(request, meeting, message: str, accepted: list):
    return redirect(request, f"/meetings/{meeting.id}", message=message,
                    level="warning" if accepted else "success")


@router.post("/meetings/{meeting_id}/place")
def change_place(request: Request, meeting: MovableMeeting, session: SessionDep, form: FormDep):
    values = {k: str(form.get(k) or "") for k in ("kind", "location", "force")}
    try:
        accepted = changes.change_place(
            session, meeting, kind=values["kind"], location=values["location"],
            force=bool(values["force"]), expected_version=int_or_none(form.get("version")))
    except FieldError as err:
        return _form_again(request, session, meeting, "place", values,
                           {err.field: err.message}, 422)
    except StaleVersion:
        session.refresh(meeting)
        return _form_again(request, session, meeting, "place", values, {"__all__": _(
            "Someone else changed the meeting in the meantime. Look at it again and repeat "
            "the change.")}, 409)
    except conflicts.MoveConflicts as err:
        return _form_again(request, session, meeting, "place", values,
                           {"__all__": _refused_text(err)}, 409)
    return _changed(request, meeting, _(
        "The place is changed. Calendars show it at their next refresh.") if not accepted else
        _("The place is changed despite %(count)s conflicts.", count=len(accepted)), accepted)


@router.post("/meetings/{meeting_id}/participants")
def add_participant(request: Request, meeting: MovableMeeting, session: SessionDep,
                    form: FormDep):
    """A person of the municipality, or a guest by name and e-mail; required or optional."""
    values = {k: str(form.get(k) or "")
              for k in ("person_id", "guest_name", "guest_email", "required", "force")}
    try:
        accepted = changes.add_participant(
            session, meeting, person_id=int_or_none(values["person_id"]),
            guest_name=values["guest_name"], guest_email=values["guest_email"],
            required=values["required"] == "1", force=bool(values["force"]))
    except FieldError as err:
        return _form_again(request, session, meeting, "participant", values,
                           {err.field: err.message}, 422)
    except conflicts.MoveConflicts as err:
        return _form_again(request, session, meeting, "participant", values,
                           {"__all__": _refused_text(err)}, 409)
    return _changed(request, meeting, _(
        "The participant is added; where invitations are on, they get one by e-mail.")
        if not accepted else _("The participant is added despite %(count)s conflicts.",
                               count=len(accepted)), accepted)


@router.post("/meetings/{meeting_id}/participants/{person_id}/remove")
def remove_participant(request: Request, meeting: MovableMeeting, person_id: int,
                       session: SessionDep, form: FormDep):
    person = schools.get_person(session, person_id)
    on = {p.person_id for _person, p in meetings.participants(session, meeting.id)}
    if person is None or person.id not in on:
        return redirect(request, f"/meetings/{meeting.id}", message=_(
            "The participant is removed; where invitations are on, they get a cancellation."))
    if not confirm.confirmed(form):
        return confirm.ask(
            request, form, action=f"/meetings/{meeting.id}/participants/{person.id}/remove",
            title=_("Remove %(name)s from the meeting?", name=person.name),
            consequences=changes.removal_consequences(session, meeting, person),
            back=f"/meetings/{meeting.id}", button=_("Yes, remove %(name)s", name=person.name))
    meetings.remove_participant(session, meeting, person.id)
    return redirect(request, f"/meetings/{meeting.id}", message=_(
        "The participant is removed; where invitations are on, they get a cancellation."))
