"""Where every step and every school stands; other domains add per-school columns
(school_status_providers).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.cycles.models import SchoolYear, Step, StepScope
from app.cycles.years import find_school_year, list_school_years, school_year_start
from app.registry import Registry
from app.schools.models import School

# --- where every step and every school stands ----------------------------------------------


@dataclass(frozen=True)
class SchoolStatusProvider:
    key: str
    label: str
    """A message id, e.g. N_("Note written")."""
    done: Callable[[Session, Step, list[int]], set[int]]
    """The ids of the schools (of those given) for which this is done for the step."""


school_status_providers: Registry[SchoolStatusProvider] = Registry(
    "cycles.school_status_providers", key=lambda p: p.key)
"""Another domain adds a per-school column to the step page (notes: written, published)."""


@dataclass
class SchoolProgress:
    school: School
    meetings: int = 0
    booked: int = 0
    held: int = 0
    extra: dict[str, bool] = field(default_factory=dict)
    next_meeting: object | None = None
    """The school's next meeting in this step that is not held yet (else its last one)."""


def step_progress(session: Session, step: Step, principal: Principal
                  ) -> tuple[list[SchoolProgress], dict[str, int]]:
    """Per school: its meetings for the step that `principal` may read, booked and held;
    plus the providers' columns.

    Returns the rows and the counts over all schools ("booked" counts schools whose
    meetings are all booked or held).
    """
    from app.meetings.models import Meeting, MeetingStatus
    from app.meetings.policy import readable_meetings

    year = session.get(SchoolYear, step.school_year_id)
    schools = list(session.exec(select(School).where(
        School.municipality_id == year.municipality_id).order_by(School.name)))
    rows = {s.id: SchoolProgress(s) for s in schools}
    for m in session.exec(select(Meeting).where(Meeting.step_id == step.id,
                                                col(Meeting.school_id).is_not(None),
                                                readable_meetings(principal))
                          .order_by(Meeting.series_index, Meeting.id)):
        row = rows.get(m.school_id)
        if row is None or m.status is MeetingStatus.CANCELLED:
            continue
        if row.next_meeting is None or row.next_meeting.status is MeetingStatus.HELD:  # type: ignore[attr-defined]
            row.next_meeting = m
        row.meetings += 1
        if m.status in (MeetingStatus.BOOKED, MeetingStatus.HELD):
            row.booked += 1
        if m.status is MeetingStatus.HELD:
            row.held += 1
    ids = list(rows)
    for provider in school_status_providers:
        done = provider.done(session, step, ids)
        for sid, row in rows.items():
            row.extra[provider.key] = sid in done
    result = [r for r in rows.values() if r.meetings or step.scope is StepScope.PER_SCHOOL]
    counts = {
        "schools": len(result),
        "booked": sum(1 for r in result if r.meetings and r.booked == r.meetings),
        "held": sum(1 for r in result if r.meetings and r.held == r.meetings),
    }
    for provider in school_status_providers:
        counts[provider.key] = sum(1 for r in result if r.extra.get(provider.key))
    return result, counts


def current_school_year(session: Session, municipality_id: int,
                        today: date | None = None) -> SchoolYear | None:
    """The school year today belongs to, or else the latest one."""
    today = today or date.today()
    found = find_school_year(session, municipality_id, school_year_start(today))
    if found is not None:
        return found
    years = list_school_years(session, municipality_id)
    return years[-1] if years else None
