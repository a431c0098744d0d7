"""The Danish holiday calendar of a school year: public holidays and default school holidays.

Public holidays (helligdage) follow from Easter; Store Bededag was abolished from 2024.
School holidays are set by each municipality; the defaults here are the common ones
(efterårsferie week 42, juleferie 23 December–1 January, vinterferie week 7, påskeferie from
the Saturday before Palm Sunday to Easter Monday, the day after Kristi himmelfartsdag,
Grundlovsdag, sommerferie from the last Saturday of June), adjusted by the municipality's
`HolidaySettings`. No database here: `holiday_periods.ensure_holidays` stores the result.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from app.cycles.models import HolidayKind

STORE_BEDEDAG_ABOLISHED = 2024


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@dataclass(frozen=True)
class Holiday:
    key: str
    name: str
    """Danish: holiday names are proper names and stay Danish in every locale."""
    kind: HolidayKind
    start: date
    end: date


def public_holidays(year: int) -> list[Holiday]:
    """The Danish public holidays of a calendar year."""
    e = easter_sunday(year)
    days = [
        ("new_year", "Nytårsdag", date(year, 1, 1)),
        ("maundy_thursday", "Skærtorsdag", e - timedelta(days=3)),
        ("good_friday", "Langfredag", e - timedelta(days=2)),
        ("easter_sunday", "Påskedag", e),
        ("easter_monday", "2. påskedag", e + timedelta(days=1)),
        ("ascension", "Kristi himmelfartsdag", e + timedelta(days=39)),
        ("whit_sunday", "Pinsedag", e + timedelta(days=49)),
        ("whit_monday", "2. pinsedag", e + timedelta(days=50)),
        ("christmas_day", "Juledag", date(year, 12, 25)),
        ("boxing_day", "2. juledag", date(year, 12, 26)),
    ]
    if year < STORE_BEDEDAG_ABOLISHED:
        days.append(("great_prayer_day", "Store bededag", e + timedelta(days=26)))
    return sorted((Holiday(k, n, HolidayKind.PUBLIC, d, d) for k, n, d in days),
                  key=lambda h: h.start)


def _monday_of_week(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


def _last_saturday_of_june(year: int) -> date:
    d = date(year, 6, 30)
    return d - timedelta(days=(d.weekday() - 5) % 7)


def first_school_day(year: int) -> date:
    """The usual first school day after the summer: the second Monday of August."""
    d = date(year, 8, 1)
    first_monday = d + timedelta(days=(7 - d.weekday()) % 7)
    return first_monday + timedelta(days=7)


def school_year_holidays(start_year: int, *, autumn_week: int = 42, winter_week: int = 7,
                         ascension_friday_off: bool = True,
                         constitution_day_off: bool = True) -> list[Holiday]:
    """Every holiday of the school year start_year/start_year+1 (1 August – 31 July)."""
    y0, y1 = start_year, start_year + 1
    start, end = date(y0, 8, 1), date(y1, 7, 31)
    e = easter_sunday(y1)
    school = [
        Holiday("summer_start", "Sommerferie", HolidayKind.SCHOOL, start,
                first_school_day(y0) - timedelta(days=1)),
        Holiday("autumn_break", "Efterårsferie", HolidayKind.SCHOOL,
                _monday_of_week(y0, autumn_week) - timedelta(days=2),
                _monday_of_week(y0, autumn_week) + timedelta(days=6)),
        Holiday("christmas_break", "Juleferie", HolidayKind.SCHOOL, date(y0, 12, 23),
                date(y1, 1, 1)),
        Holiday("winter_break", "Vinterferie", HolidayKind.SCHOOL,
                _monday_of_week(y1, winter_week) - timedelta(days=2),
                _monday_of_week(y1, winter_week) + timedelta(days=6)),
        Holiday("easter_break", "Påskeferie", HolidayKind.SCHOOL, e - timedelta(days=8),
                e + timedelta(days=1)),
        Holiday("summer_end", "Sommerferie", HolidayKind.SCHOOL, _last_saturday_of_june(y1), end),
    ]
    if ascension_friday_off:
        d = e + timedelta(days=40)
        school.append(Holiday("ascension_friday", "Fredag efter Kristi himmelfartsdag",
                              HolidayKind.SCHOOL, d, d))
    if constitution_day_off:
        d = date(y1, 6, 5)
        school.append(Holiday("constitution_day", "Grundlovsdag", HolidayKind.SCHOOL, d, d))
    public = [h for y in (y0, y1) for h in public_holidays(y) if start <= h.start <= end]
    return sorted(public + school, key=lambda h: (h.start, h.kind.value))
