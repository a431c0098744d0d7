"""Who can meet when: the municipality's scheduling settings, a person's working hours and
busy times (typed in or read from a calendar), and a school's preferred days and hours.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlmodel import Session, col, select

from app.db import check_version, utcnow
from app.i18n import N_, NO_SUCH_TIME, TZ, local_time_exists
from app.scheduling import ics
from app.scheduling.models import (
    Availability,
    BusyPeriod,
    BusySource,
    SchedulingSettings,
    SchoolPreference,
)
from app.schools.models import Person, School

WEEKDAY_LABELS = [N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
                  N_("Saturday"), N_("Sunday")]

# --- settings and availability --------------------------------------------------------------


def get_settings(session: Session, municipality_id: int) -> SchedulingSettings:
    """The municipality's settings; defaults (not yet saved) if it has none."""
    row = session.exec(select(SchedulingSettings).where(
        SchedulingSettings.municipality_id == municipality_id)).first()
    return row or SchedulingSettings(municipality_id=municipality_id)


class SettingsForm(BaseModel):
    travel_minutes: int = Field(ge=0, le=240)
    administration_place: str = Field(default="", max_length=300)
    day_start: time
    day_end: time
    buffer_minutes: int = Field(default=15, ge=0, le=120)

    @model_validator(mode="after")
    def _day(self):
        if self.day_end <= self.day_start:
            raise ValueError(N_("The working day must end after it starts."))
        return self


def save_settings(session: Session, municipality_id: int, data: SettingsForm,
                  expected_version: int | None) -> SchedulingSettings:
    row = get_settings(session, municipality_id)
    if row.id is not None:
        check_version(row, expected_version)
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def get_availability(session: Session, person: Person) -> Availability:
    row = session.exec(select(Availability).where(Availability.person_id == person.id)).first()
    if row is not None:
        return row
    defaults = get_settings(session, person.municipality_id) if person.municipality_id else \
        SchedulingSettings(municipality_id=0)
    return default_availability(person, defaults)


def default_availability(person: Person, defaults: SchedulingSettings) -> Availability:
    """A person who saved no availability works the municipality's day (`defaults`)."""
    return Availability(person_id=person.id, day_start=defaults.day_start,
                        day_end=defaults.day_end, buffer_minutes=defaults.buffer_minutes)


class AvailabilityForm(BaseModel):
    weekdays: list[int] = Field(default_factory=list)
    day_start: time
    day_end: time
    max_per_day: int | None = Field(default=None, ge=1, le=20)
    buffer_minutes: int = Field(default=0, ge=0, le=120)

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, v: list[int]) -> list[int]:
        if not v:
            raise ValueError(N_("Choose at least one working day."))
        return sorted({d for d in v if 0 <= d <= 6})

    @model_validator(mode="after")
    def _day(self):
        if self.day_end <= self.day_start:
            raise ValueError(N_("The working day must end after it starts."))
        return self


def save_availability(session: Session, person: Person, data: AvailabilityForm,
                      expected_version: int | None) -> Availability:
    row = get_availability(session, person)
    if row.id is not None:
        check_version(row, expected_version)
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


class BusyForm(BaseModel):
    day: date
    start: time
    end: time
    note: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _times(self):
        if self.end <= self.start:
            raise ValueError(N_("The end must be after the start."))
        if not (local_time_exists(self.day, self.start) and local_time_exists(self.day, self.end)):
            raise ValueError(NO_SUCH_TIME)
        return self


def local_to_utc(day: date, t: time) -> datetime:
    return datetime.combine(day, t, TZ).astimezone(timezone.utc)


def add_busy(session: Session, person: Person, data: BusyForm) -> BusyPeriod:
    busy = BusyPeriod(person_id=person.id, starts_at=local_to_utc(data.day, data.start),
                      ends_at=local_to_utc(data.day, data.end), note=data.note,
                      source=BusySource.MANUAL)
    session.add(busy)
    session.commit()
    session.refresh(busy)
    return busy


def delete_busy(session: Session, busy: BusyPeriod) -> None:
    session.delete(busy)
    session.commit()


def list_busy(session: Session, person_ids, start: datetime | None = None,
              end: datetime | None = None) -> list[BusyPeriod]:
    stmt = select(BusyPeriod).where(col(BusyPeriod.person_id).in_(list(person_ids)))
    if start is not None:
        stmt = stmt.where(BusyPeriod.ends_at > start)
    if end is not None:
        stmt = stmt.where(BusyPeriod.starts_at < end)
    return list(session.exec(stmt.order_by(BusyPeriod.starts_at)))


IMPORT_PAST = timedelta(days=31)
IMPORT_FUTURE = timedelta(days=550)


def import_ics(session: Session, person: Person, data: bytes, source: BusySource,
               *, now: datetime | None = None) -> int:
    """Replace the person's busy times from this kind of source, all or nothing."""
    now = now or utcnow()
    times = ics.busy_times(data, now - IMPORT_PAST, now + IMPORT_FUTURE)
    for old in session.exec(select(BusyPeriod).where(BusyPeriod.person_id == person.id,
                                                     BusyPeriod.source == source)):
        session.delete(old)
    for a, b in times:
        session.add(BusyPeriod(person_id=person.id, starts_at=a, ends_at=b, source=source))
    session.commit()
    return len(times)


def set_ics_url(session: Session, person: Person, url: str | None) -> Availability:
    row = get_availability(session, person)
    row.ics_url = ics.normalise_url(url) if url else None
    row.ics_error = None
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def refresh_ics(session: Session, person: Person) -> int:
    """Read the person's calendar address again (on demand: when they press the button)."""
    row = get_availability(session, person)
    if not row.ics_url:
        raise ics.CalendarError(N_("No calendar address is saved."))
    try:
        count = import_ics(session, person, ics.fetch(row.ics_url), BusySource.ICS_URL)
    except ics.CalendarError as err:
        session.rollback()
        row = get_availability(session, person)
        row.ics_error = str(err)
        session.add(row)
        session.commit()
        raise
    row = get_availability(session, person)
    row.ics_refreshed_at, row.ics_error = utcnow(), None
    session.add(row)
    session.commit()
    return count


def get_preference(session: Session, school_id: int) -> SchoolPreference:
    row = session.exec(select(SchoolPreference).where(
        SchoolPreference.school_id == school_id)).first()
    return row or SchoolPreference(school_id=school_id)


class PreferenceForm(BaseModel):
    weekdays: list[int] = Field(default_factory=list)
    preferred_from: time | None = None
    preferred_until: time | None = None

    @model_validator(mode="after")
    def _times(self):
        if (self.preferred_from is None) != (self.preferred_until is None):
            raise ValueError(N_("Give both a from and an until time, or neither."))
        if self.preferred_from and self.preferred_until <= self.preferred_from:
            raise ValueError(N_("The end must be after the start."))
        return self


def save_preference(session: Session, school: School, data: PreferenceForm) -> SchoolPreference:
    row = get_preference(session, school.id)
    row.weekdays = sorted({d for d in data.weekdays if 0 <= d <= 4})
    row.preferred_from, row.preferred_until = data.preferred_from, data.preferred_until
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
