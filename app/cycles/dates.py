"""Dates from a step's rule: months, weeks and offsets, moved off holidays and weekends.
"""

from datetime import date, timedelta

from sqlmodel import Session

from app.cycles.holiday_periods import non_working_days
from app.cycles.models import SchoolYear

# --- dates from a step's rule -------------------------------------------------------------


def _month_start(start_year: int, month: int) -> date:
    return date(start_year if month >= 8 else start_year + 1, month, 1)


def _month_end(start_year: int, month: int) -> date:
    first = _month_start(start_year, month)
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def first_working_day_from(d: date, off: dict[date, str]) -> date:
    while d in off:
        d += timedelta(days=1)
    return d


def last_working_day_until(d: date, off: dict[date, str]) -> date:
    while d in off:
        d -= timedelta(days=1)
    return d


def _window(first: date, last: date, off: dict[date, str]) -> tuple[date, date]:
    """The first and last working day in [first, last] (or the next working day)."""
    start = first_working_day_from(first, off)
    if start > last:
        return start, start
    return start, last_working_day_until(last, off)


def rule_dates(start_year: int, rule, off: dict[date, str],
               resolved: dict[str, tuple[date | None, date | None]]) -> tuple[date | None, date | None]:
    """A step's window from its rule: a month (or months), an ISO week, or an offset.

    `rule` has month/month_end/iso_week/offset_from/offset_days/follows (a TemplateStep or a
    Step). The window starts and ends on working days: never a weekend or a holiday in `off`.
    An offset counts from the other step's last day (positive) or first day (negative); a
    step that `follows` another shares its window (the debrief after each dialogue).
    """
    if rule.month is not None:
        end_month = rule.month_end or rule.month
        first = _month_start(start_year, rule.month)
        last = _month_end(start_year, end_month)
        if last < first:  # a window "to" an earlier month in school-year order makes no sense
            last = _month_end(start_year, rule.month)
        return _window(first, last, off)
    if rule.iso_week is not None:
        y = start_year if rule.iso_week >= 31 else start_year + 1
        week = min(rule.iso_week, date(y, 12, 28).isocalendar().week)
        monday = date.fromisocalendar(y, week, 1)
        return _window(monday, monday + timedelta(days=4), off)
    if rule.offset_from:
        ref_start, ref_end = resolved.get(rule.offset_from, (None, None))
        if ref_start is None or ref_end is None:
            return None, None
        if rule.follows == rule.offset_from and not rule.offset_days:
            return ref_start, ref_end
        days = rule.offset_days or 0
        if days >= 0:
            d = first_working_day_from(ref_end + timedelta(days=days), off)
        else:
            d = last_working_day_until(ref_start + timedelta(days=days), off)
        return d, d
    return None, None


def date_all(start_year: int, rules: list, off: dict[date, str],
              fixed: dict[str, tuple[date | None, date | None]]) -> dict[str, tuple]:
    """Dates for every rule; offsets may point at steps later in the list."""
    resolved = dict(fixed)
    pending = [r for r in rules if r.key not in resolved]
    while pending:
        progress = False
        for r in list(pending):
            if r.offset_from and r.offset_from not in resolved and any(
                    p.key == r.offset_from for p in pending):
                continue
            resolved[r.key] = rule_dates(start_year, r, off, resolved)
            pending.remove(r)
            progress = True
        if not progress:  # a cycle of offsets: leave them undated for the consultant
            for r in pending:
                resolved[r.key] = (None, None)
            break
    return resolved


def year_off_days(session: Session, year: SchoolYear) -> dict[date, str]:
    # A little past the year's end, so an offset rolled forward still finds its holidays.
    return non_working_days(session, year.municipality_id, year.starts,
                            year.ends + timedelta(days=14))
