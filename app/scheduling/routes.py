"""Pages for scheduling: plan a step, review a proposal, move a meeting, availability."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, model_validator
from sqlmodel import select

from app import sections
from app.accounts.access import SignedIn, Staff, require
from app.cycles import service as cycles
from app.cycles.models import Step, StepScope
from app.db import SessionDep, StaleVersion
from app.forms import FormDep, parse_form
from app.i18n import N_, TZ
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import (
    MEETING_TYPE_LABELS,
    Meeting,
    MeetingParticipant,
    MeetingStatus,
)
from app.scheduling import ics, policy, service
from app.scheduling.models import (
    PROPOSAL_STATUS_LABELS,
    BusyPeriod,
    BusySource,
    ProposalStatus,
)
from app.schools import service as schools
from app.schools.models import Person, School
from app.web import is_htmx, redirect, render

router = APIRouter()


def _step_context(session, principal, step_id: int):
    step = cycles.get_step(session, step_id)
    if step is None:
        raise HTTPException(404)
    year = cycles.get_school_year(session, step.school_year_id)
    require(policy.can_schedule(principal, year))
    return step, year, schools.get_municipality(session, year.municipality_id)


def _weekday_options():
    return [(i, _(service.WEEKDAY_LABELS[i])) for i in range(7)]


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _weekdays(form) -> list[int]:
    return [d for d in (_int(v) for v in form.getlist("weekdays")) if d is not None]


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
    others = [s for s in service.schedulable_steps(session, year) if s.id != step.id]
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
        "proposals": service.list_proposals(session, step.id),
        "followers": service.followers(session, step),
        "status_labels": {s: _(label) for s, label in PROPOSAL_STATUS_LABELS.items()},
    }, status_code=status_code)


@router.get("/steps/{step_id}/schedule")
def plan_form(request: Request, step_id: int, principal: Staff, session: SessionDep):
    step, year, municipality = _step_context(session, principal, step_id)
    return _plan_page(request, session, step, year, municipality)


@router.post("/steps/{step_id}/schedule")
def plan(request: Request, step_id: int, principal: Staff, session: SessionDep, form: FormDep):
    step, year, municipality = _step_context(session, principal, step_id)
    result = parse_form(PlanForm, form)
    also_ids = {i for i in (_int(v) for v in form.getlist("also")) if i}
    result.values["also"] = sorted(also_ids)
    if not result.ok:
        return _plan_page(request, session, step, year, municipality, values=result.values,
                          errors=result.errors, status_code=422)
    also = [s for s in service.schedulable_steps(session, year) if s.id in also_ids]
    proposal = service.run(session, service.PlanRequest(
        step=step, window_start=result.data.window_start, window_end=result.data.window_end,
        also=also, not_before=result.data.not_before), user_id=principal.user.id)
    return redirect(request, f"/proposals/{proposal.id}")


# --- reviewing a proposal --------------------------------------------------------------------


def _proposal_context(session, principal, proposal_id: int):
    proposal = service.get_proposal(session, proposal_id)
    if proposal is None:
        raise HTTPException(404)
    step, year, municipality = _step_context(session, principal, proposal.step_id)
    return proposal, step, year, municipality


def _local(dt: datetime) -> datetime:
    return dt.astimezone(TZ)


def _review(session, proposal):
    items = service.proposal_items(session, proposal)
    meeting_ids = [m.id for _item, m in items]
    people: dict[int, Person] = {}
    attending: dict[int, list[int]] = defaultdict(list)
    if meeting_ids:
        rows = session.exec(select(MeetingParticipant, Person)
                            .join(Person, Person.id == MeetingParticipant.person_id)
                            .where(MeetingParticipant.meeting_id.in_(meeting_ids))).all()
        for mp, person in rows:
            people[person.id] = person
            attending[person.id].append(mp.meeting_id)
    school_ids = {m.school_id for _item, m in items if m.school_id}
    school_names = {s.id: s.name for s in session.exec(
        select(School).where(School.id.in_(school_ids)))} if school_ids else {}
    # Every week of the window, also empty ones, with holidays named in their days.
    first = _local(proposal.window_start).date()
    last = _local(proposal.window_end).date()
    closed = cycles.non_working_days(session, proposal.municipality_id, first, last)
    weeks: dict[tuple[int, int], dict[int, list]] = {}
    d = first
    while d <= last:
        iso = d.isocalendar()
        weeks.setdefault((iso.year, iso.week), {i: [] for i in range(5)})
        d += timedelta(days=1)
    for item, m in items:
        d = _local(item.starts_at).date()
        iso = d.isocalendar()
        week = weeks.setdefault((iso.year, iso.week), {i: [] for i in range(5)})
        if d.weekday() < 5:
            week[d.weekday()].append((item, m, school_names.get(m.school_id, "")))
    week_rows = []
    for (y, w), days in sorted(weeks.items()):
        monday = date.fromisocalendar(y, w, 1)
        cells = []
        for i in range(5):
            day = date.fromisocalendar(y, w, i + 1)
            outside = not (first <= day <= last)
            cells.append((day, days[i], closed.get(day) or None, outside))
        week_rows.append({"week": w, "monday": monday, "days": cells})
    by_meeting = {m.id: (item, m) for item, m in items}
    per_person = []
    for pid, mids in attending.items():
        entries = sorted((by_meeting[mid] for mid in mids), key=lambda e: e[0].starts_at)
        days: dict[date, list] = defaultdict(list)
        for item, m in entries:
            days[_local(item.starts_at).date()].append((item, m, school_names.get(m.school_id, "")))
        per_person.append((people[pid], sorted(days.items()), len(entries)))
    per_person.sort(key=lambda e: (-e[2], e[0].name))
    return {"items": items, "weeks": week_rows, "per_person": per_person}


@router.get("/proposals/{proposal_id}")
def proposal_page(request: Request, proposal_id: int, principal: Staff, session: SessionDep):
    proposal, step, year, municipality = _proposal_context(session, principal, proposal_id)
    report = proposal.report or {}
    return render(request, "scheduling/proposal.html", {
        "proposal": proposal, "step": step, "school_year": year, "municipality": municipality,
        "shortfalls": [service.describe_shortfall(sf) for sf in report.get("shortfalls", [])],
        "unplaced": [(u, [service.describe_reason(r) for r in u["reasons"]])
                     for u in report.get("unplaced", [])],
        "draft": proposal.status is ProposalStatus.DRAFT,
        "weekday_labels": [_(service.WEEKDAY_LABELS[i]) for i in range(5)],
        "type_labels": {t: _(label) for t, label in MEETING_TYPE_LABELS.items()},
        **_review(session, proposal),
    })


@router.post("/proposals/{proposal_id}/commit")
def commit_proposal(request: Request, proposal_id: int, principal: Staff,
                    session: SessionDep):
    proposal, step, *_rest = _proposal_context(session, principal, proposal_id)
    try:
        count = service.commit(session, proposal)
    except service.ProposalStale as err:
        message = _("Nothing was booked: some meetings changed after the proposal was made "
                    "(%(titles)s). Make a new proposal.", titles=", ".join(err.titles[:5]))
        return redirect(request, f"/proposals/{proposal.id}", message=message, level="error")
    return redirect(request, f"/steps/{step.id}",
                    message=_("%(count)s meetings are booked. Calendars show them at their "
                              "next refresh.", count=count))


@router.post("/proposals/{proposal_id}/discard")
def discard_proposal(request: Request, proposal_id: int, principal: Staff,
                     session: SessionDep):
    proposal, step, *_rest = _proposal_context(session, principal, proposal_id)
    service.discard(session, proposal)
    return redirect(request, f"/steps/{step.id}/schedule",
                    message=_("The proposal is discarded. Nothing was booked."))


# --- moving one meeting --------------------------------------------------------------------


def _meeting_or_404(session, principal, meeting_id: int) -> Meeting:
    meeting = meetings.get_meeting(session, meeting_id)
    if meeting is None:
        raise HTTPException(404)
    require(policy.can_move(principal, meeting))
    return meeting


def _move_values(meeting: Meeting) -> dict:
    if meeting.starts_at is None:
        return {"day": "", "start": ""}
    local = _local(meeting.starts_at)
    return {"day": local.date().isoformat(), "start": local.strftime("%H:%M")}


def _move_page(request, session, meeting, *, values=None, errors=None, conflicts=None,
               status_code=200, checked=False):
    return render(request, "scheduling/move.html", {
        "meeting": meeting,
        "municipality": schools.get_municipality(session, meeting.municipality_id),
        "move": {"meeting": meeting, "fields": values or _move_values(meeting),
                 "errors": errors or {}, "conflicts": conflicts or [], "checked": checked},
    }, status_code=status_code)


@router.get("/meetings/{meeting_id}/move")
def move_form(request: Request, meeting_id: int, principal: Staff, session: SessionDep):
    meeting = _meeting_or_404(session, principal, meeting_id)
    return _move_page(request, session, meeting)


@router.get("/meetings/{meeting_id}/move/check")
def move_check(request: Request, meeting_id: int, principal: Staff, session: SessionDep):
    """The live check as the consultant picks a day and time (HTMX swaps the answer in)."""
    meeting = _meeting_or_404(session, principal, meeting_id)
    result = parse_form(service.MoveForm, request.query_params)
    conflicts = []
    if result.ok:
        conflicts = service.check_move(session, meeting, result.data.day, result.data.start)
    return render(request, "scheduling/_move_check.html", {
        "move": {"meeting": meeting, "fields": result.values, "errors": result.errors,
                 "conflicts": conflicts, "checked": result.ok}})


@router.post("/meetings/{meeting_id}/move")
def move_meeting(request: Request, meeting_id: int, principal: Staff, session: SessionDep,
                 form: FormDep):
    meeting = _meeting_or_404(session, principal, meeting_id)
    result = parse_form(service.MoveForm, form)
    if result.ok:
        try:
            accepted = service.move(session, meeting, result.data, _int(form.get("version")))
        except service.MoveConflicts as err:
            return _move_page(request, session, meeting, values=result.values,
                              conflicts=err.conflicts, status_code=409, checked=True)
        except StaleVersion:
            session.refresh(meeting)
            return _move_page(request, session, meeting, values=result.values, errors={
                "__all__": _("Someone else changed the meeting while you were moving it. "
                             "It is now at the time shown; choose again.")},
                status_code=409)
        message = _("The meeting is moved. Calendars show the new time at their next refresh.")
        if accepted:
            message = _("The meeting is moved despite %(count)s conflicts.", count=len(accepted))
        return redirect(request, f"/meetings/{meeting.id}", message=message,
                        level="warning" if accepted else "success")
    return _move_page(request, session, meeting, values=result.values, errors=result.errors,
                      status_code=422)


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
    availability = service.get_availability(session, person)
    busy = service.list_busy(session, [person.id], start=datetime.now(TZ))
    if hours_values is None:
        hours_values = {"weekdays": availability.weekdays,
                        "day_start": availability.day_start.strftime("%H:%M"),
                        "day_end": availability.day_end.strftime("%H:%M"),
                        "max_per_day": availability.max_per_day,
                        "buffer_minutes": availability.buffer_minutes}
    return render(request, "scheduling/availability.html", {
        "person": person, "availability": availability,
        "municipality": schools.get_municipality(session, person.municipality_id),
        "busy": busy, "manual": [b for b in busy if b.source is BusySource.MANUAL],
        "imported": [b for b in busy if b.source is not BusySource.MANUAL],
        "show_notes": policy.can_see_busy_notes(principal, person),
        "hours_values": hours_values, "hours_errors": hours_errors or {},
        "busy_values": busy_values or {}, "busy_errors": busy_errors or {},
        "ics_error": ics_error, "weekday_options": _weekday_options(),
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
    data["weekdays"] = _weekdays(form)
    result = parse_form(service.AvailabilityForm, _Multi(data))
    if result.ok:
        try:
            service.save_availability(session, person, result.data, _int(form.get("version")))
        except StaleVersion:
            result.errors["__all__"] = _("Someone else saved these working hours meanwhile. "
                                         "Check them and save again.")
        else:
            return redirect(request, f"/people/{person.id}/availability",
                            message=_("Working hours saved."))
    return _availability_page(request, session, principal, person, hours_values=result.values,
                              hours_errors=result.errors, status_code=422)


class _Multi(dict):
    """A dict that answers parse_form like a submitted form (lists stay lists)."""

    def getlist(self, key):
        value = self.get(key)
        return value if isinstance(value, list) else [value]


@router.post("/people/{person_id}/busy")
def add_busy(request: Request, person_id: int, principal: SignedIn, session: SessionDep,
             form: FormDep):
    person = _person_or_404(session, principal, person_id)
    result = parse_form(service.BusyForm, form)
    if result.ok:
        service.add_busy(session, person, result.data)
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
    service.delete_busy(session, busy)
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
        count = service.import_ics(session, person, data, BusySource.ICS_FILE)
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
        service.set_ics_url(session, person, url or None)
        if url:
            count = service.refresh_ics(session, person)
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
        count = service.refresh_ics(session, person)
    except ics.CalendarError as err:
        return _availability_page(request, session, principal, person, ics_error=_(str(err)),
                                  status_code=422)
    return redirect(request, f"/people/{person.id}/availability",
                    message=_("%(count)s busy times read from your calendar.", count=count))


# --- municipality settings and school preferences ------------------------------------------


def _settings_page(request, session, municipality, *, values=None, errors=None,
                   status_code=200):
    settings = service.get_settings(session, municipality.id)
    values = values or {"travel_minutes": settings.travel_minutes,
                        "administration_place": settings.administration_place,
                        "day_start": settings.day_start.strftime("%H:%M"),
                        "day_end": settings.day_end.strftime("%H:%M"),
                        "buffer_minutes": settings.buffer_minutes}
    return render(request, "scheduling/settings.html", {
        "municipality": municipality, "settings": settings, "values": values,
        "errors": errors or {}}, status_code=status_code)


def _municipality_for_settings(session, principal, municipality_id: int):
    municipality = schools.get_municipality(session, municipality_id)
    if municipality is None:
        raise HTTPException(404)
    require(policy.can_manage_settings(principal, municipality.id))
    return municipality


@router.get("/municipalities/{municipality_id}/scheduling")
def settings_page(request: Request, municipality_id: int, principal: Staff,
                  session: SessionDep):
    municipality = _municipality_for_settings(session, principal, municipality_id)
    return _settings_page(request, session, municipality)


@router.post("/municipalities/{municipality_id}/scheduling")
def save_settings(request: Request, municipality_id: int, principal: Staff,
                  session: SessionDep, form: FormDep):
    municipality = _municipality_for_settings(session, principal, municipality_id)
    result = parse_form(service.SettingsForm, form)
    if result.ok:
        try:
            service.save_settings(session, municipality.id, result.data,
                                  _int(form.get("version")))
        except StaleVersion:
            result.errors["__all__"] = _("Someone else saved the settings meanwhile. Check "
                                         "them and save again.")
        else:
            return redirect(request, f"/municipalities/{municipality.id}/scheduling",
                            message=_("Changes saved."))
    return _settings_page(request, session, municipality, values=result.values,
                          errors=result.errors, status_code=422)


@router.post("/schools/{school_id}/meeting-preference")
def save_preference(request: Request, school_id: int, principal: SignedIn,
                    session: SessionDep, form: FormDep):
    school = schools.get_school(session, school_id)
    if school is None:
        raise HTTPException(404)
    require(policy.can_edit_preference(principal, school))
    data = {k: form.get(k) for k in ("preferred_from", "preferred_until")}
    data["weekdays"] = _weekdays(form)
    result = parse_form(service.PreferenceForm, _Multi(data))
    if not result.ok:
        message = next(iter(result.errors.values()))
        return redirect(request, f"/schools/{school.id}#meeting-preference",
                        message=message, level="error")
    service.save_preference(session, school, result.data)
    return redirect(request, f"/schools/{school.id}#meeting-preference",
                    message=_("Meeting preferences saved."))


# --- sections on other domains' pages -----------------------------------------------------


def step_section(session, principal, step: Step):
    if step.scope is not StepScope.PER_SCHOOL:
        return None
    year = cycles.get_school_year(session, step.school_year_id)
    conflicts = service.conflicts_for_step(session, step)
    titles = {m.id: m for m in meetings.list_meetings(session, step_id=step.id,
                                                      readable_by=principal)}
    return {"step": step, "can_schedule": policy.can_schedule(principal, year) and not step.follows,
            "conflicts": [(titles[mid], cs) for mid, cs in conflicts.items() if mid in titles],
            "planned": sum(1 for m in titles.values() if m.status is MeetingStatus.PLANNED)}


def school_section(session, principal, school: School):
    conflicts = service.conflicts_for_school(session, school)
    titles = {m.id: m for m in meetings.list_meetings(session, school_id=school.id,
                                                      readable_by=principal)}
    preference = service.get_preference(session, school.id)
    return {"school": school, "conflicts": [(titles[mid], cs) for mid, cs in conflicts.items()
                                            if mid in titles],
            "preference": preference, "weekday_options": _weekday_options()[:5],
            "can_edit_preference": policy.can_edit_preference(principal, school)}


def meeting_section(session, principal, meeting: Meeting):
    if not policy.can_move(principal, meeting) or meeting.status is MeetingStatus.CANCELLED:
        return None
    conflicts = service.check(session, [meeting]).get(meeting.id, []) \
        if meeting.starts_at else []
    return {"move": {"meeting": meeting, "fields": _move_values(meeting), "errors": {},
                     "conflicts": conflicts, "checked": False},
            "current_conflicts": conflicts}


def person_section(session, principal, person: Person):
    if not policy.can_edit_availability(principal, person):
        return None
    availability = service.get_availability(session, person)
    upcoming = service.list_busy(session, [person.id], start=datetime.now(TZ))
    return {"person": person, "availability": availability, "busy_count": len(upcoming)}


