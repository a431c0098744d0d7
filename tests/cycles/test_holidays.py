"""The Danish holiday calendar: Easter, the public holidays and the default school holidays."""

from datetime import date

import pytest

from app.cycles import holiday_periods as cycle_holiday_periods
from app.cycles import holidays
from app.cycles.models import HolidayKind
from app.forms import FieldError
from tests.conftest import make_year

# Easter Sunday, as published by the Danish church calendar.
EASTER = {
    2019: date(2019, 4, 21), 2020: date(2020, 4, 12), 2021: date(2021, 4, 4),
    2022: date(2022, 4, 17), 2023: date(2023, 4, 9), 2024: date(2024, 3, 31),
    2025: date(2025, 4, 20), 2026: date(2026, 4, 5), 2027: date(2027, 3, 28),
    2028: date(2028, 4, 16), 2029: date(2029, 4, 1), 2030: date(2030, 4, 21),
    2038: date(2038, 4, 25),
}


@pytest.mark.parametrize("year,easter", sorted(EASTER.items()))
def test_easter_sunday(year, easter):
    assert holidays.easter_sunday(year) == easter


def test_public_holidays_2027():
    days = {h.name: h.start for h in holidays.public_holidays(2027)}
    assert days == {
        "Nytårsdag": date(2027, 1, 1), "Skærtorsdag": date(2027, 3, 25),
        "Langfredag": date(2027, 3, 26), "Påskedag": date(2027, 3, 28),
        "2. påskedag": date(2027, 3, 29), "Kristi himmelfartsdag": date(2027, 5, 6),
        "Pinsedag": date(2027, 5, 16), "2. pinsedag": date(2027, 5, 17),
        "Juledag": date(2027, 12, 25), "2. juledag": date(2027, 12, 26),
    }


def test_store_bededag_only_until_2023():
    assert "Store bededag" in {h.name for h in holidays.public_holidays(2023)}
    assert {h.start for h in holidays.public_holidays(2023) if h.name == "Store bededag"} == {
        date(2023, 5, 5)}
    for year in (2024, 2025, 2026, 2030):
        assert "Store bededag" not in {h.name for h in holidays.public_holidays(year)}


def test_default_school_holidays_2026_27():
    found = {h.key: (h.start, h.end) for h in holidays.school_year_holidays(2026)}
    assert found["summer_start"] == (date(2026, 8, 1), date(2026, 8, 9))
    assert found["autumn_break"] == (date(2026, 10, 10), date(2026, 10, 18))  # week 42
    assert found["christmas_break"] == (date(2026, 12, 23), date(2027, 1, 1))
    assert found["winter_break"] == (date(2027, 2, 13), date(2027, 2, 21))  # week 7
    assert found["easter_break"] == (date(2027, 3, 20), date(2027, 3, 29))
    assert found["ascension_friday"] == (date(2027, 5, 7), date(2027, 5, 7))
    assert found["constitution_day"] == (date(2027, 6, 5), date(2027, 6, 5))
    assert found["summer_end"] == (date(2027, 6, 26), date(2027, 7, 31))  # last Saturday of June
    # Public holidays of both calendar years, only inside the school year.
    public = {h.name for h in holidays.school_year_holidays(2026) if h.kind is HolidayKind.PUBLIC}
    assert {"Juledag", "Nytårsdag", "Påskedag", "2. pinsedag"} <= public
    assert all(date(2026, 8, 1) <= h.start <= date(2027, 7, 31)
               for h in holidays.school_year_holidays(2026))


def test_municipality_changes_its_holiday_plan(db, factory):
    m = factory.municipality()
    y = make_year(db, m, 2026)
    cycle_holiday_periods.ensure_holidays(db, y)
    # Week 8 instead of 7, and no day off after Ascension.
    cycle_holiday_periods.update_holiday_settings(db, m.id, cycle_holiday_periods.HolidaySettingsForm(
        autumn_week=42, winter_week=8, ascension_friday_off=False, constitution_day_off=True),
        from_start_year=2026)
    rows = {h.key: h for h in cycle_holiday_periods.list_holidays(db, y)}
    assert (rows["winter_break"].start_date, rows["winter_break"].end_date) == (
        date(2027, 2, 20), date(2027, 2, 28))
    assert "ascension_friday" not in rows
    assert cycle_holiday_periods.holiday_on(db, m.id, date(2027, 2, 15)) is None
    # A day off added by hand, and kept when the plan changes again.
    cycle_holiday_periods.add_holiday(db, y, cycle_holiday_periods.HolidayForm(name="Pædagogisk dag",
                                                   start_date=date(2026, 11, 20)))
    cycle_holiday_periods.update_holiday_settings(db, m.id, cycle_holiday_periods.HolidaySettingsForm(
        autumn_week=42, winter_week=7), from_start_year=2026)
    assert cycle_holiday_periods.holiday_on(db, m.id, date(2026, 11, 20)).name == "Pædagogisk dag"
    with pytest.raises(FieldError):
        cycle_holiday_periods.add_holiday(
            db, y, cycle_holiday_periods.HolidayForm(name="Udenfor", start_date=date(2028, 1, 3)))
    public = next(h for h in cycle_holiday_periods.list_holidays(db, y) if h.kind is HolidayKind.PUBLIC)
    with pytest.raises(FieldError):
        cycle_holiday_periods.delete_holiday(db, public)
    # New years use the plan.
    y2 = make_year(db, m, 2027)
    cycle_holiday_periods.ensure_holidays(db, y2)
    assert cycle_holiday_periods.holiday_on(db, m.id, date(2028, 2, 14)).name == "Vinterferie"
