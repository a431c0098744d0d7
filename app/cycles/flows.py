"""The annual cycle's work across domains, kept out of the routes: what the year wheel, the
timeline and the school page read from meetings.
"""

from datetime import date

from sqlmodel import Session

from app.accounts.access import Principal
from app.cycles.models import SchoolYear, Step
from app.i18n import local
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus
from app.schools.models import School


def meetings_per_step(session: Session, year: SchoolYear, principal: Principal
                      ) -> dict[int, dict]:
    """Per step: the meetings `principal` may read, booked and held (beside the wheel)."""
    out: dict[int, dict] = {}
    for m in meetings.list_meetings(session, school_year_id=year.id, readable_by=principal):
        if m.step_id is None or m.status is MeetingStatus.CANCELLED:
            continue
        row = out.setdefault(m.step_id, {"meetings": 0, "booked": 0, "held": 0})
        row["meetings"] += 1
        row["booked"] += m.status in (MeetingStatus.BOOKED, MeetingStatus.HELD)
        row["held"] += m.status is MeetingStatus.HELD
    return out


def meetings_per_day(session: Session, year: SchoolYear, principal: Principal
                     ) -> dict[date, tuple[int, int]]:
    """Per day: the year's meetings `principal` may read and how many are held (the wheel)."""
    days: dict[date, tuple[int, int]] = {}
    for mt in meetings.list_meetings(session, school_year_id=year.id, include_cancelled=False,
                                     readable_by=principal):
        if mt.starts_at:
            d = local(mt.starts_at).date()
            count, held = days.get(d, (0, 0))
            days[d] = (count + 1, held + (mt.status is MeetingStatus.HELD))
    return days


def meeting_days(session: Session, year: SchoolYear, principal: Principal) -> list[date]:
    """The day of each meeting of the year with a time that `principal` may read (timeline)."""
    return [local(mt.starts_at).date() for mt in meetings.list_meetings(
        session, school_year_id=year.id, include_cancelled=False, readable_by=principal)
        if mt.starts_at]


def school_meetings(session: Session, year: SchoolYear, school: School,
                    steps: dict[int, Step], principal: Principal) -> list[Meeting]:
    """The school's meetings of the year that `principal` may read, in the order of the year:
    by time where booked, else by the step's window."""
    items = meetings.list_meetings(session, school_year_id=year.id, school_id=school.id,
                                   readable_by=principal)

    def order(m):
        step = steps.get(m.step_id)
        when = m.starts_at.date() if m.starts_at else (step.start_date if step else None)
        return (when or year.ends, step.position if step else 0, m.series_index or 0)

    return sorted(items, key=order)
