"""The pages' conflict answers, kept while the municipality's change counter stands: the same
answer without checking again, and a fresh one after anything the check reads has changed
(a busy time, working hours, a holiday, a meeting), never one from an uncommitted change."""

from datetime import date, time

import pytest

from app.cycles import holiday_periods
from app.meetings import service as meetings
from app.scheduling import availability, conflicts
from app.scheduling.conflicts import MoveForm

DAY = date(2027, 4, 20)  # a Tuesday in the dialogue window, no holiday


@pytest.fixture
def booked(db, svendborg):
    """The first school's dialogue (and its debrief) booked on DAY at 9:00, answers cleared."""
    school = svendborg.schools[0]
    (d,) = meetings.list_meetings(db, step_id=svendborg.dialogue.id, school_id=school.id)
    assert conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0)), d.version) == []
    conflicts.kept.clear()
    yield d
    conflicts.kept.clear()


def _page(db, school):
    return conflicts.conflicts_for_school(db, school)


def test_an_unchanged_municipality_gets_the_kept_answer(db, svendborg, booked, monkeypatch):
    first = _page(db, svendborg.schools[0])
    assert first == {}

    def refuse(*a, **kw):
        raise AssertionError("checked again although nothing changed")

    monkeypatch.setattr(conflicts, "_check", refuse)
    assert _page(db, svendborg.schools[0]) == first


def test_a_new_busy_time_shows_at_once(db, svendborg, booked):
    assert _page(db, svendborg.schools[0]) == {}
    availability.add_busy(db, svendborg.chief, availability.BusyForm(
        day=DAY, start=time(8, 0), end=time(12, 0)))
    found = _page(db, svendborg.schools[0])
    assert [c.kind for c in found[booked.id]] == ["busy"]


def test_working_hours_and_holidays_count_too(db, svendborg, booked):
    assert _page(db, svendborg.schools[0]) == {}
    chief = availability.get_availability(db, svendborg.chief)
    availability.save_availability(db, svendborg.chief, availability.AvailabilityForm(
        weekdays=[0, 2, 3, 4], day_start=chief.day_start, day_end=chief.day_end,
        max_per_day=chief.max_per_day, buffer_minutes=chief.buffer_minutes), chief.version)
    assert _page(db, svendborg.schools[0])  # Tuesday is no longer a working day
    availability.save_availability(db, svendborg.chief, availability.AvailabilityForm(
        weekdays=[0, 1, 2, 3, 4], day_start=chief.day_start, day_end=chief.day_end,
        max_per_day=chief.max_per_day, buffer_minutes=chief.buffer_minutes),
        availability.get_availability(db, svendborg.chief).version)
    assert _page(db, svendborg.schools[0]) == {}
    holiday_periods.add_holiday(db, svendborg.year, holiday_periods.HolidayForm(
        name="Lukkedag", start_date=DAY, end_date=DAY))
    assert _page(db, svendborg.schools[0])


def test_an_uncommitted_change_is_never_kept(db, svendborg, booked):
    assert _page(db, svendborg.schools[0]) == {}
    busy = availability.BusyPeriod(person_id=svendborg.chief.id,
                                   starts_at=booked.starts_at, ends_at=booked.ends_at)
    db.add(busy)
    db.flush()  # raised the counter in this transaction only
    assert _page(db, svendborg.schools[0])
    db.rollback()
    assert _page(db, svendborg.schools[0]) == {}
    # Another change commits the counter value the rolled-back one had read: no trace of it.
    availability.add_busy(db, svendborg.chief, availability.BusyForm(
        day=date(2027, 4, 23), start=time(8, 0), end=time(9, 0)))
    assert _page(db, svendborg.schools[0]) == {}
