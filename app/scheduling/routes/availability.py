"""A person's availability: working hours, busy times and calendar imports; and the box on the
person page.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from app import confirm
from app.accounts.access import SignedIn, require
from app.db import SessionDep
from app.forms import FormDep, int_or_none, parse_form
from app.i18n import N_, TZ, format_datetime, format_time, local
from app.i18n import gettext as _
from app.loading import checked_id, found, get_or_404
from app.scheduling import availability, ics, policy
from app.scheduling.models import BusyPeriod, BusySource
from app.scheduling.routes.common import MultiValues, weekday_options, weekdays_of
from app.schools import service as schools
from app.schools.models import Person
from app.versioned import save_versioned
from app.web import redirect, render

router = APIRouter()

# --- availability --------------------------------------------------------------------------


def load_person(person_id: int, session: SessionDep, principal: SignedIn) -> Person:
    """The person whose availability this is (one of a municipality), if the principal may edit
    it."""
    person = found(schools.get_person(session, checked_id(person_id)))
    if person.municipality_id is None:
        raise HTTPException(404)
    require(policy.can_edit_availability(principal, person))
    return person


AvailabilityPerson = Annotated[Person, Depends(load_person)]


def load_busy(busy_id: int, session: SessionDep, principal: SignedIn) -> BusyPeriod:
    busy = get_or_404(session, BusyPeriod, busy_id)
    load_person(busy.person_id, session, principal)
    return busy


HOURS_FIELDS = [("weekdays", N_("Working days")), ("day_start", N_("From")),
                ("day_end", N_("Until")), ("max_per_day", N_("At most meetings a day")),
                ("buffer_minutes", N_("Minutes free between two meetings"))]


def _hours_changes(saved: dict, mine: dict) -> list[tuple[str, str, str]]:
    """The working hours that differ between what is saved now and what the user sent."""
    def shown(name, value) -> str:
        if name == "weekdays":
            days = (int_or_none(v) for v in (value or []))
            return ", ".join(_(availability.WEEKDAY_LABELS[d]) for d in days if d is not None)
        return "" if value is None else str(value)

    rows = [(_(label), shown(name, saved.get(name)), shown(name, mine.get(name)))
            for name, label in HOURS_FIELDS]
    return [row for row in rows if row[1] != row[2]]


def _hours_values(row) -> dict:
    return {"weekdays": row.weekdays, "day_start": row.day_start.strftime("%H:%M"),
            "day_end": row.day_end.strftime("%H:%M"), "max_per_day": row.max_per_day,
            "buffer_minutes": row.buffer_minutes}


def _availability_page(request, session, principal, person, *, hours_values=None,
                       hours_errors=None, hours_conflict=None, busy_values=None,
                       busy_errors=None, ics_error=None, status_code=200):
    hours = availability.get_availability(session, person)
    busy = availability.list_busy(session, [person.id], start=datetime.now(TZ))
    if hours_values is None:
        hours_values = _hours_values(hours)
    return render(request, "scheduling/availability.html", {
        "person": person, "availability": hours,
        "municipality": schools.get_municipality(session, person.municipality_id),
        "busy": busy, "manual": [b for b in busy if b.source is BusySource.MANUAL],
        "imported": [b for b in busy if b.source is not BusySource.MANUAL],
        "show_notes": policy.can_see_busy_notes(principal, person),
        "hours_values": hours_values, "hours_errors": hours_errors or {},
        "hours_conflict": _hours_changes(hours_conflict, hours_values) if hours_conflict else None,
        "busy_values": busy_values or {}, "busy_errors": busy_errors or {},
        "ics_error": ics_error, "weekday_options": weekday_options(),
    }, status_code=status_code)


@router.get("/people/{person_id}/availability")
def availability_page(request: Request, person: AvailabilityPerson, principal: SignedIn,
                      session: SessionDep):
    return _availability_page(request, session, principal, person)


@router.post("/people/{person_id}/availability")
def save_availability(request: Request, person: AvailabilityPerson, principal: SignedIn,
                      session: SessionDep, form: FormDep):
    data = {k: form.get(k) for k in ("day_start", "day_end", "max_per_day", "buffer_minutes")}
    data["weekdays"] = weekdays_of(form)
    result = parse_form(availability.AvailabilityForm, MultiValues(data))
    return save_versioned(
        session, form, availability.get_availability(session, person), result,
        apply=lambda data, version: availability.save_availability(session, person, data,
                                                                   version),
        done=lambda _saved: redirect(request, f"/people/{person.id}/availability",
                                     message=_("Working hours saved.")),
        again=lambda values, errors, conflict, status_code: _availability_page(
            request, session, principal, person, hours_values=values, hours_errors=errors,
            hours_conflict=conflict, status_code=status_code),
        theirs=_hours_values)


@router.post("/people/{person_id}/busy")
def add_busy(request: Request, person: AvailabilityPerson, principal: SignedIn,
             session: SessionDep, form: FormDep):
    result = parse_form(availability.BusyForm, form)
    if result.ok:
        availability.add_busy(session, person, result.data)
        return redirect(request, f"/people/{person.id}/availability",
                        message=_("Busy time added."))
    return _availability_page(request, session, principal, person, busy_values=result.values,
                              busy_errors=result.errors, status_code=422)


@router.post("/busy/{busy_id}/delete")
def delete_busy(request: Request, busy: Annotated[BusyPeriod, Depends(load_busy)],
                session: SessionDep, form: FormDep):
    person_id = busy.person_id
    if not confirm.confirmed(form):
        person = schools.get_person(session, person_id)
        when = f"{format_datetime(busy.starts_at, 'long')}–" + (
            format_time(busy.ends_at) if local(busy.ends_at).date() == local(busy.starts_at).date()
            else format_datetime(busy.ends_at, "long"))
        return confirm.ask(
            request, form, action=f"/busy/{busy.id}/delete",
            title=_("Remove the busy time %(when)s?", when=when),
            consequences=[_("The busy time is deleted; it cannot be brought back, only added "
                            "again."),
                            _("From then on %(name)s counts as free at that time when meetings "
                              "are booked and checked for conflicts.", name=person.name)],
            back=f"/people/{person_id}/availability", button=_("Yes, remove the busy time"))
    availability.delete_busy(session, busy)
    return redirect(request, f"/people/{person_id}/availability",
                    message=_("Busy time removed."))


@router.post("/people/{person_id}/ics")
async def upload_ics(request: Request, person: AvailabilityPerson, principal: SignedIn,
                     session: SessionDep, form: FormDep):
    from starlette.concurrency import run_in_threadpool

    upload = form.get("file")
    data = await upload.read() if upload is not None and hasattr(upload, "read") else b""
    return await run_in_threadpool(_import_upload, request, person, principal, session, data)


def _import_upload(request, person, principal, session, data: bytes):
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
def save_ics_url(request: Request, person: AvailabilityPerson, principal: SignedIn,
                 session: SessionDep, form: FormDep):
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
def refresh_ics(request: Request, person: AvailabilityPerson, principal: SignedIn,
                session: SessionDep):
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
