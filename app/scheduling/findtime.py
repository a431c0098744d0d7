"""Find a time for one meeting: the next few slots where every required participant is free.

The same availability model as a scheduler run (problem.py → solver.py): one job for the
meeting and the debrief that follows it, its participants' working hours, busy times and
other meetings (with buffers, travel and daily caps), the municipality's holidays, the
step's period and the order of prep and dialogue. Every slot offered passes the solver's
exact `violations()` check, so booking it (conflicts.move) finds no conflict unless
something changed in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from app.cycles import years as cycle_years
from app.cycles.models import Step
from app.db import utcnow
from app.i18n import TZ
from app.meetings.models import Meeting
from app.scheduling import candidates, checking, instance
from app.scheduling.availability import get_settings
from app.scheduling.conflicts import chain_after, move_plan
from app.scheduling.problem import (
    Context,
    closed_days,
    fixed_frame,
    order_rules,
    persons_frame,
    place_of,
    ready_at,
    required_participants,
)

HORIZON_DAYS = 56
"""How far ahead to look from the first day: eight weeks."""
GRID = 15
"""Slots start on the quarter hour, as people book."""
NOON = 12 * 60


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    """UTC; the end of the meeting itself (a debrief riding along ends later)."""
    minutes: int

    @property
    def day(self) -> date:
        return self.starts_at.astimezone(TZ).date()

    @property
    def start(self) -> time:
        return self.starts_at.astimezone(TZ).time().replace(tzinfo=None)


@dataclass(frozen=True)
class Search:
    slots: list[Slot]
    first: date
    last: date
    minutes: int
    step_period: tuple[date | None, date | None]
    """The step's period, which bounds the search (None: no bound)."""


def _problem(session: Session, meeting: Meeting, first: date, last: date,
             minutes: int | None, now: datetime) -> tuple[Context, str, int]:
    chain = [meeting] + chain_after(session, meeting)
    plan = move_plan(session, meeting, first, time(8), minutes)
    lengths = [int((plan[m.id][1] - plan[m.id][0]).total_seconds() // 60) for m in chain]
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    ctx = Context(day0=first, problem=instance.Problem(days=days, closed={}, persons={}, jobs=[]),
                  settings=get_settings(session, meeting.municipality_id))
    ctx.problem.travel = ctx.settings.travel_minutes
    required = required_participants(session, [m.id for m in chain])
    person_ids = {pid for ids in required.values() for pid in ids}
    persons_frame(session, ctx, person_ids, first, last)
    fixed_frame(session, ctx, person_ids, {m.id for m in chain}, first, last)
    closed_days(session, ctx, meeting.municipality_id, first, last)
    step = session.get(Step, meeting.step_id) if meeting.step_id else None
    w0 = ctx.day_index(step.start_date) if step and step.start_date else 0
    w1 = ctx.day_index(step.end_date) if step and step.end_date else len(days) - 1
    earliest = ctx.minute(now)
    ready = ready_at(session, meeting)
    if ready is not None:
        earliest = max(earliest, ctx.minute(ready))
    key = f"m{meeting.id}"
    ctx.problem.jobs.append(instance.Job(
        key, meeting.title,
        [instance.Part(m.id, n, tuple(required.get(m.id, ()))) for m, n in zip(chain, lengths)],
        place_of(meeting, step), max(w0, 0), min(w1, len(days) - 1), earliest=earliest,
        school_id=meeting.school_id))
    ctx.job_meetings[key] = chain
    if meeting.school_id:
        # A dialogue after its school's booked prep meeting; a prep meeting before its
        # booked dialogue.
        year = cycle_years.get_school_year(session, meeting.school_year_id)
        order_rules(session, ctx, year, {(meeting.school_id, meeting.meeting_type): key})
    return ctx, key, lengths[0]


def find_slots(session: Session, meeting: Meeting, *, first: date | None = None,
               minutes: int | None = None, count: int = 6,
               now: datetime | None = None) -> Search:
    """The first `count` free slots from `first` (today by default, the step's first day
    if its period has not begun) over the next eight weeks: the earliest free start of each
    morning and each afternoon, so that the choice spreads over days. `minutes` is the
    meeting's new length (default: its own, or the agenda's for one not booked)."""
    now = now or utcnow()
    today = now.astimezone(TZ).date()
    first = max(first or today, today)
    step = session.get(Step, meeting.step_id) if meeting.step_id else None
    if step and step.start_date and step.start_date > first:
        first = step.start_date  # the step's period has not begun: look from its start
    last = first + timedelta(days=HORIZON_DAYS - 1)
    ctx, key, length = _problem(session, meeting, first, last, minutes, now)
    cands = candidates.candidates(ctx.problem, grid=GRID)
    slots: list[Slot] = []
    for day in sorted(cands.starts[key]):
        taken_halves: set[bool] = set()
        for start in cands.starts[key][day]:
            afternoon = start % instance.DAY >= NOON
            if afternoon in taken_halves:
                continue
            if checking.violations(ctx.problem, {key: start}):
                continue
            taken_halves.add(afternoon)
            s = ctx.to_utc(start)
            slots.append(Slot(s, s + timedelta(minutes=length), length))
            if len(slots) >= count:
                break
        if len(slots) >= count:
            break
    return Search(slots, first, last, length,
                  (step.start_date, step.end_date) if step else (None, None))
