"""School years, assignments and holiday look-ups."""

from datetime import date

from app.cycles import assignments as cycle_assignments
from app.cycles import holiday_periods as cycle_holiday_periods
from app.cycles import years as cycle_years
from app.cycles.models import HolidayKind, HolidayPeriod
from tests.conftest import make_person, make_year


def test_school_year_runs_august_to_july(db, factory):
    y = make_year(db, factory.municipality(), 2026)
    assert y.label == "2026/27" and y.starts == date(2026, 8, 1) and y.ends == date(2027, 7, 31)
    assert cycle_years.school_year_start(date(2027, 7, 31)) == 2026
    assert cycle_years.school_year_start(date(2027, 8, 1)) == 2027


def test_non_working_days_are_weekends_and_holidays(db, factory):
    m = factory.municipality()
    y = make_year(db, m, 2026)
    db.add(HolidayPeriod(municipality_id=m.id, school_year_id=y.id, name="Efterårsferie",
                         kind=HolidayKind.SCHOOL, start_date=date(2026, 10, 12),
                         end_date=date(2026, 10, 16)))
    db.commit()
    days = cycle_holiday_periods.non_working_days(db, m.id, date(2026, 10, 10), date(2026, 10, 19))
    assert days[date(2026, 10, 10)] == "" and days[date(2026, 10, 11)] == ""  # weekend
    assert days[date(2026, 10, 14)] == "Efterårsferie"
    assert date(2026, 10, 19) not in days
    assert cycle_holiday_periods.holiday_on(db, m.id, date(2026, 10, 16)).name == "Efterårsferie"
    assert cycle_holiday_periods.holiday_on(db, m.id, date(2026, 10, 19)) is None


def test_assignments_are_idempotent(db, factory):
    m = factory.municipality()
    y = make_year(db, m)
    school = factory.school(m)
    consultant = make_person(db, m, "Mette Holm", function="consultant")
    cycle_assignments.assign(db, y.id, school.id, consultant.id, "consultant")
    cycle_assignments.assign(db, y.id, school.id, consultant.id, "consultant")
    assert [p.name for p in cycle_assignments.assigned_people(db, y.id, school.id, "consultant")] == [
        "Mette Holm"]
