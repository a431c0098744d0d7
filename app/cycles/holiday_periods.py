"""A municipality's holidays as stored: the days without meetings, the holiday calendar of a
year (from app.cycles.holidays) and its settings, and holidays added or removed by hand.
"""

from datetime import date, timedelta

from pydantic import BaseModel
from pydantic import Field as PField
from sqlmodel import Session, col, select

from app.cycles import holidays
from app.cycles.models import HolidayKind, HolidayPeriod, HolidaySettings, SchoolYear
from app.cycles.years import list_school_years
from app.forms import FieldError
from app.i18n import format_date
from app.i18n import gettext as _

# --- holidays ----------------------------------------------------------------------------


def holidays_between(session: Session, municipality_id: int, start: date,
                     end: date) -> list[HolidayPeriod]:
    """Holiday periods overlapping [start, end], in date order."""
    return list(session.exec(
        select(HolidayPeriod).where(
            HolidayPeriod.municipality_id == municipality_id,
            col(HolidayPeriod.start_date) <= end,
            col(HolidayPeriod.end_date) >= start,
        ).order_by(HolidayPeriod.start_date)
    ))


def holiday_on(session: Session, municipality_id: int, day: date) -> HolidayPeriod | None:
    found = holidays_between(session, municipality_id, day, day)
    return found[0] if found else None


def non_working_days(session: Session, municipality_id: int, start: date,
                     end: date) -> dict[date, str]:
    """Every weekend day and holiday in [start, end] → why (the holiday's name, or "")."""
    days: dict[date, str] = {}
    d = start
    while d <= end:
        if d.weekday() >= 5:
            days[d] = ""
        d += timedelta(days=1)
    for h in holidays_between(session, municipality_id, start, end):
        d = max(h.start_date, start)
        while d <= min(h.end_date, end):
            days[d] = h.name
            d += timedelta(days=1)
    return days


# --- holiday calendar --------------------------------------------------------------------


def holiday_settings(session: Session, municipality_id: int) -> HolidaySettings:
    """The municipality's holiday plan (the Danish defaults until it changes them)."""
    found = session.exec(select(HolidaySettings).where(
        HolidaySettings.municipality_id == municipality_id)).first()
    return found or HolidaySettings(municipality_id=municipality_id)


def ensure_holidays(session: Session, year: SchoolYear) -> int:
    """Store the computed holidays of a school year that are missing; returns how many.

    Rows carry the computed holiday's key, so running it again adds nothing and a period the
    municipality edited by hand is left as it is.
    """
    s = holiday_settings(session, year.municipality_id)
    have = set(session.exec(select(HolidayPeriod.key).where(
        HolidayPeriod.school_year_id == year.id, col(HolidayPeriod.key).is_not(None))))
    added = 0
    for h in holidays.school_year_holidays(
            year.start_year, autumn_week=s.autumn_week, winter_week=s.winter_week,
            ascension_friday_off=s.ascension_friday_off,
            constitution_day_off=s.constitution_day_off):
        if h.key in have:
            continue
        session.add(HolidayPeriod(municipality_id=year.municipality_id, school_year_id=year.id,
                                  name=h.name, kind=h.kind, start_date=h.start,
                                  end_date=h.end, key=h.key))
        added += 1
    session.flush()
    return added


def list_holidays(session: Session, year: SchoolYear) -> list[HolidayPeriod]:
    return list(session.exec(
        select(HolidayPeriod).where(HolidayPeriod.school_year_id == year.id)
        .order_by(HolidayPeriod.start_date, HolidayPeriod.kind)))


class HolidayForm(BaseModel):
    name: str = PField(min_length=1, max_length=120)
    start_date: date
    end_date: date | None = None


def add_holiday(session: Session, year: SchoolYear, data: HolidayForm) -> HolidayPeriod:
    end = data.end_date or data.start_date
    if end < data.start_date:
        raise FieldError("end_date", _("The last day cannot be before the first day."))
    for name, d in (("start_date", data.start_date), ("end_date", end)):
        if not year.starts <= d <= year.ends:
            raise FieldError(name, _("Must be within the school year (%(start)s–%(end)s).",
                                     start=format_date(year.starts, "numeric"),
                                     end=format_date(year.ends, "numeric")))
    h = HolidayPeriod(municipality_id=year.municipality_id, school_year_id=year.id,
                      name=data.name, kind=HolidayKind.SCHOOL, start_date=data.start_date,
                      end_date=end)
    session.add(h)
    session.commit()
    session.refresh(h)
    return h


def delete_holiday(session: Session, holiday: HolidayPeriod) -> None:
    if holiday.kind is HolidayKind.PUBLIC:
        raise FieldError("holiday", _("Public holidays cannot be removed."))
    session.delete(holiday)
    session.commit()


class HolidaySettingsForm(BaseModel):
    autumn_week: int = PField(ge=1, le=53)
    winter_week: int = PField(ge=1, le=53)
    ascension_friday_off: bool = False
    constitution_day_off: bool = False


def update_holiday_settings(session: Session, municipality_id: int, data: HolidaySettingsForm,
                            *, from_start_year: int) -> HolidaySettings:
    """Save the plan and re-date the computed school holidays of this and later years.

    Periods added by hand stay; computed ones (by key) are replaced by the new plan.
    """
    s = holiday_settings(session, municipality_id)
    for name, value in data.model_dump().items():
        setattr(s, name, value)
    session.add(s)
    session.flush()
    years = [y for y in list_school_years(session, municipality_id)
             if y.start_year >= from_start_year]
    for y in years:
        for h in session.exec(select(HolidayPeriod).where(
                HolidayPeriod.school_year_id == y.id, HolidayPeriod.kind == HolidayKind.SCHOOL,
                col(HolidayPeriod.key).is_not(None))):
            session.delete(h)
        session.flush()
        ensure_holidays(session, y)
    session.commit()
    session.refresh(s)
    return s
