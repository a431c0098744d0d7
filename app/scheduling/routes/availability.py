"""A person's availability: working hours, busy times and calendar imports; and the box on the
person page.
"""

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request

from app.accounts.access import SignedIn, require
from app.db import SessionDep, StaleVersion
from app.forms import FormDep, parse_form
from app.i18n import TZ
from app.i18n import gettext as _
from app.scheduling import availability, ics, policy
from app.scheduling.models import BusyPeriod, BusySource
from app.scheduling.routes.common import MultiValues, int_or_none, weekday_options, weekdays_of
from app.schools import service as schools
from app.schools.models import Person
from app.web import redirect, render

router = APIRouter()

# --- availability --------------------------------------------------------------------------


def _person_or_404(session, principal, person_id: int) -> Person:
    person = schools.get_person(session, person_id)
    if person is None or person.municipality_id is None:
        raise HTTPException(404)
    require(policy.can_edit_availability(principal, person))
    return person


def _availability_page(request, session, principal, person, *, hours_values=None,
                       hours_errors=None, busy_values=None, busy_errors=None, ics_error=None,
                       status_code=200):
    hours = availability.get_availability(session, person)
    busy = availability.list_busy(session, [person.id], start=datetime.now(TZ))
    if hours_values is None:
        hours_values = {"weekdays": hours.weekdays,
                        "day_start": hours.day_start.strftime("%H:%M"),
                        "day_end": hours.day_end.strftime("%H:%M"),
                        "max_per_day": hours.max_per_day,
                        "buffer_minutes": hours.buffer_minutes}
    return render(request, "scheduling/availability.html", {
        "person": person, "availability": hours,
        "municipality": schools.get_municipality(session, person.municipality_id),
        "busy": busy, "manual": [b for b in busy if b.source is BusySource.MANUAL],
        "imported": [b for b in busy if b.source is not BusySource.MANUAL],
        "show_notes": policy.can_see_busy_notes(principal, person),
        "hours_values": hours_values, "hours_errors": hours_errors or {},
        "busy_values": busy_values or {}, "busy_errors": busy_errors or {},
        "ics_error": ics_error, "weekday_options": weekday_options(),
    }, status_code=status_code)


@router.get("/people/{person_id}/availability")
def availability_page(request: Request, person_id: int, principal: SignedIn,
                      session: SessionDep):
    person = _person_or_404(session, principal, person_id)
    return _availability_page(request, session, principal, person)


@router.post("/people/{person_id}/availability")
def save_availability(request: Request, person_id: int, principal: SignedIn,
                      session: SessionDep, form: FormDep):
    person = _person_or_404(session, principal, person_id)
    data = {k: form.get(k) for k in ("day_start", "day_end", "max_per_day", "buffer_minutes")}
    data["weekdays"] = weekdays_of(form)
    result = parse_form(availability.AvailabilityForm, MultiValues(data))
    if result.ok:
        try:
            availability.save_availability(session, person, result.data, int_or_none(form.get("version")))
        except StaleVersion:
            result.errors["__all__"] = _("Someone else saved these working hours meanwhile. "
                                         "Check them and save again.")
        else:
            return redirect(request, f"/people/{person.id}/availability",
                            message=_("Working hours saved."))
    return _availability_page(request, session, principal, person, hours_values=result.values,
                              hours_errors=result.errors, status_code=422)


@router.post("/people/{person_id}/busy")
def add_busy(request: Request, person_id: int, principal: SignedIn, session: SessionDep,
             form: FormDep):
    person = _person_or_404(session, principal, person_id)
    result = parse_form(availability.BusyForm, form)
    if result.ok:
        availability.add_busy(session, person, result.data)
        return redirect(request, f"/people/{person.id}/availability",
                        message=_("Busy time added."))
    return _availability_page(request, session, principal, person, busy_values=result.values,
                              busy_errors=result.errors, status_code=422)


@router.post("/busy/{busy_id}/delete")
def delete_busy(request: Request, busy_id: int, principal: SignedIn, session: SessionDep):
    busy = session.get(BusyPeriod, busy_id)
    if busy is None:
        raise HTTPException(404)
    person = _person_or_404(session, principal, busy.person_id)
    availability.delete_busy(session, busy)
    return redirect(request, f"/people/{person.id}/availability",
                    message=_("Busy time removed."))


@router.post("/people/{person_id}/ics")
async def upload_ics(request: Request, person_id: int, principal: SignedIn,
                     session: SessionDep, form: FormDep):
    from starlette.concurrency import run_in_threadpool

    upload = form.get("file")
    data = await upload.read() if upload is not None and hasattr(upload, "read") else b""
    return await run_in_threadpool(_import_upload, request, person_id, principal, session, data)


def _import_upload(request, person_id, principal, session, data: bytes):
    person = _person_or_404(session, principal, person_id)
    if not data:
        return _availability_page(request, session, principal, person,
                                  ics_error=_("Choose a calendar file (.ics)."), status_code=422)
    try:
        count = availability.import_ics(session, person, data, BusySource.ICS_FILE)
    except ics.CalendarError as err:
        session.rollback()
        return _availability_page(request, session, principal, person, ics_error=_(str(err)),
                                  status_code=422)
    return redirect(request, f"/people/{person.id}/availability",
                    message=_("%(count)s busy times read from the calendar file.", count=count))


@router.post("/people/{person_id}/ics-url")
def save_ics_url(request: Request, person_id: int, principal: SignedIn, session: SessionDep,
                 form: FormDep):
    person = _person_or_404(session, principal, person_id)
    url = (form.get("ics_url") or "").strip()
    try:
        availability.set_ics_url(session, person, url or None)
        if url:
            count = availability.refresh_ics(session, person)
        else:
            return redirect(request, f"/people/{person.id}/availability",
                            message=_("The calendar address is removed."))
    except ics.CalendarError as err:
        session.rollback()
        return _availability_page(request, session, principal, person, ics_error=_(str(err)),
                                  status_code=422)
    return redirect(request, f"/people/{person.id}/availability",
                    message=_("%(count)s busy times read from your calendar.", count=count))


@router.post("/people/{person_id}/ics-url/refresh")
def refresh_ics(request: Request, person_id: int, principal: SignedIn, session: SessionDep):
    person = _person_or_404(session, principal, person_id)
    try:
        count = availability.refresh_ics(session, person)
    except ics.CalendarError as err:
        return _availability_page(request, session, principal, person, ics_error=_(str(err)),
                                  status_code=422)
    return redirect(request, f"/people/{person.id}/availability",
                    message=_("%(count)s busy times read from your calendar.", count=count))


def person_section(session, principal, person: Person):
    if not policy.can_edit_availability(principal, person):
        return None
    hours = availability.get_availability(session, person)
    upcoming = availability.list_busy(session, [person.id], start=datetime.now(TZ))
    return {"person": person, "availability": hours, "busy_count": len(upcoming)}
