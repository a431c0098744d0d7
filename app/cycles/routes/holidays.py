"""A school year's holidays: the calendar, holidays added and removed, the holiday plan.
"""

from fastapi import APIRouter, HTTPException, Request

from app.accounts.access import SignedIn, require
from app.cycles import holiday_periods as cycle_holiday_periods
from app.cycles import policy
from app.cycles import years as cycle_years
from app.cycles.models import HolidayKind, HolidayPeriod
from app.cycles.routes.common import OpenYear, year_url
from app.db import SessionDep
from app.forms import FieldError, FormDep, parse_form
from app.i18n import gettext as _
from app.web import redirect, render

router = APIRouter()

# --- holidays ------------------------------------------------------------------------------


def _holidays_page(request, session, principal, m, year, *, values=None, errors=None,
                   settings_values=None, settings_errors=None, status_code=200):
    settings = cycle_holiday_periods.holiday_settings(session, m.id)
    return render(request, "cycles/holidays.html", {
        "municipality": m, "school_year": year,
        "holidays": cycle_holiday_periods.list_holidays(session, year),
        "years": cycle_years.list_school_years(session, m.id),
        "can_manage": policy.can_manage_year(principal, year),
        "values": values or {}, "errors": errors or {},
        "settings_values": settings_values or settings.model_dump(),
        "settings_errors": settings_errors or {},
        "public": HolidayKind.PUBLIC, "view": "holidays", "has_next": True,
    }, status_code=status_code)


@router.get("/municipalities/{municipality_id}/years/{start_year}/holidays")
def holidays_page(request: Request, opened: OpenYear, principal: SignedIn,
                  session: SessionDep):
    m, year = opened
    return _holidays_page(request, session, principal, m, year)


@router.post("/municipalities/{municipality_id}/years/{start_year}/holidays")
def add_holiday(request: Request, opened: OpenYear, principal: SignedIn,
                session: SessionDep, form: FormDep):
    m, year = opened
    require(policy.can_manage_year(principal, year))
    result = parse_form(cycle_holiday_periods.HolidayForm, form)
    if result.ok:
        try:
            h = cycle_holiday_periods.add_holiday(session, year, result.data)
        except FieldError as err:
            result.add(err)
        else:
            return redirect(request, year_url(year, "/holidays"),
                            message=_("%(name)s is added.", name=h.name))
    return _holidays_page(request, session, principal, m, year, values=result.values,
                          errors=result.errors, status_code=422)


@router.post("/municipalities/{municipality_id}/years/{start_year}/holidays/{holiday_id}/delete")
def delete_holiday(request: Request, opened: OpenYear, holiday_id: int,
                   principal: SignedIn, session: SessionDep):
    m, year = opened
    require(policy.can_manage_year(principal, year))
    h = session.get(HolidayPeriod, holiday_id)
    if h is None or h.school_year_id != year.id:
        raise HTTPException(404)
    try:
        cycle_holiday_periods.delete_holiday(session, h)
    except FieldError as err:
        return redirect(request, year_url(year, "/holidays"), message=err.message, level="error")
    return redirect(request, year_url(year, "/holidays"),
                    message=_("%(name)s is removed.", name=h.name))


@router.post("/municipalities/{municipality_id}/years/{start_year}/holiday-plan")
def save_holiday_plan(request: Request, opened: OpenYear, principal: SignedIn,
                      session: SessionDep, form: FormDep):
    m, year = opened
    require(policy.can_manage_year(principal, year))
    result = parse_form(cycle_holiday_periods.HolidaySettingsForm, form)
    if result.ok:
        cycle_holiday_periods.update_holiday_settings(session, m.id, result.data,
                                        from_start_year=year.start_year)
        return redirect(request, year_url(year, "/holidays"), message=_(
            "The holiday plan is saved and applied from %(label)s.", label=year.label))
    return _holidays_page(request, session, principal, m, year, settings_values=result.values,
                          settings_errors=result.errors, status_code=422)
