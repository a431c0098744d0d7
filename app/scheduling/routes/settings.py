"""The municipality's scheduling settings and a school's meeting preferences; and the box on the
school page.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from app.accounts.access import SignedIn, Staff, require
from app.db import SessionDep
from app.forms import FormDep, parse_form
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.meetings import service as meetings
from app.scheduling import availability, conflicts, policy
from app.scheduling.routes.common import MultiValues, weekday_options, weekdays_of
from app.schools import service as schools
from app.schools.models import Municipality, School
from app.versioned import save_versioned, stale_settings
from app.web import redirect, render

router = APIRouter()

# --- municipality settings and school preferences ------------------------------------------


def _settings_page(request, session, municipality, *, values=None, errors=None,
                   status_code=200):
    settings = availability.get_settings(session, municipality.id)
    values = values or {"travel_minutes": settings.travel_minutes,
                        "administration_place": settings.administration_place,
                        "day_start": settings.day_start.strftime("%H:%M"),
                        "day_end": settings.day_end.strftime("%H:%M"),
                        "buffer_minutes": settings.buffer_minutes}
    return render(request, "scheduling/settings.html", {
        "municipality": municipality, "settings": settings, "values": values,
        "errors": errors or {}}, status_code=status_code)


def load_settings_municipality(municipality_id: int, session: SessionDep,
                               principal: Staff) -> Municipality:
    """The municipality, if the principal may manage its scheduling settings."""
    municipality = found(schools.get_municipality(session, checked_id(municipality_id)))
    require(policy.can_manage_settings(principal, municipality.id))
    return municipality


SettingsMunicipality = Annotated[Municipality, Depends(load_settings_municipality)]


@router.get("/municipalities/{municipality_id}/scheduling")
def settings_page(request: Request, municipality: SettingsMunicipality,
                  session: SessionDep):
    return _settings_page(request, session, municipality)


@router.post("/municipalities/{municipality_id}/scheduling")
def save_settings(request: Request, municipality: SettingsMunicipality,
                  session: SessionDep, form: FormDep):
    return save_versioned(
        session, form, availability.get_settings(session, municipality.id),
        parse_form(availability.SettingsForm, form),
        apply=lambda data, version: availability.save_settings(session, municipality.id, data,
                                                               version),
        done=lambda _saved: redirect(request, f"/municipalities/{municipality.id}/scheduling",
                                     message=_("Changes saved.")),
        again=lambda values, errors, conflict, status_code: _settings_page(
            request, session, municipality, values=values,
            errors=stale_settings(errors, conflict, "__all__"), status_code=status_code))


def load_preference_school(school_id: int, session: SessionDep, principal: SignedIn) -> School:
    """The school, if the principal may set its meeting preferences."""
    school = found(schools.get_school(session, checked_id(school_id)))
    require(policy.can_edit_preference(principal, school))
    return school


@router.post("/schools/{school_id}/meeting-preference")
def save_preference(request: Request, school: Annotated[School, Depends(load_preference_school)],
                    session: SessionDep, form: FormDep):
    data = {k: form.get(k) for k in ("preferred_from", "preferred_until")}
    data["weekdays"] = weekdays_of(form)
    result = parse_form(availability.PreferenceForm, MultiValues(data))
    if not result.ok:
        message = next(iter(result.errors.values()))
        return redirect(request, f"/schools/{school.id}#meeting-preference",
                        message=message, level="error")
    availability.save_preference(session, school, result.data)
    return redirect(request, f"/schools/{school.id}#meeting-preference",
                    message=_("Meeting preferences saved."))


def school_section(session, principal, school: School):
    found = conflicts.for_reader(session, conflicts.conflicts_for_school(session, school),
                                 principal)
    titles = {m.id: m for m in meetings.list_meetings(session, ids=list(found),
                                                      readable_by=principal)} if found else {}
    preference = availability.get_preference(session, school.id)
    shown = [(titles[mid], cs) for mid, cs in found.items() if mid in titles]
    can_edit = policy.can_edit_preference(principal, school)
    if not (shown or can_edit or preference.weekdays or preference.preferred_from):
        return None  # nothing to show this reader: no empty box
    return {"school": school, "conflicts": shown,
            "preference": preference, "weekday_options": weekday_options()[:5],
            "can_edit_preference": can_edit}
