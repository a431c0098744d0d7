"""Checking meetings that are booked: conflicts that arise later (a new busy period, a changed
holiday) and moving one meeting (with the debrief that follows it) unless that makes a
conflict nobody accepted.

The school, step and meeting pages show the conflicts of their booked meetings, and checking
builds a frame of everything their people have booked (a dozen queries and the solver's
check). A page's answer is kept in the process with the municipality's change counter
(app/feeds/counter.py) and used while the counter stands: every row the check reads raises
it, the meetings, people and steps already and the busy times, working hours, settings and
holidays through CHANGE_SOURCES below (wired in app.wiring.bootstrap()).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.cycles.models import HolidayPeriod, HolidaySettings, Step
from app.db import check_version, utcnow
from app.feeds import counter
from app.feeds.registry import ChangeSource
from app.i18n import N_, NO_SUCH_TIME, TZ, local_time_exists
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus, MeetingType
from app.meetings.policy import readable_meetings
from app.recent import Recent
from app.scheduling import checking, instance
from app.scheduling.availability import get_settings, local_to_utc
from app.scheduling.models import Availability, BusyPeriod, SchedulingSettings
from app.scheduling.problem import (
    Context,
    closed_days,
    fixed_frame,
    followers,
    persons_frame,
    place_of,
    required_participants,
)
from app.schools.models import Person, School

# --- checking meetings that are booked: moves and later conflicts ---------------------------


@dataclass(frozen=True)
class Conflict:
    meeting_id: int
    kind: str
    person: str = ""
    other: str = ""
    detail: str = ""
    other_id: int | None = None
    """The other meeting `other` names, so a reader who may not read it sees no title."""

    @property
    def text(self) -> str:
        return describe(self.kind, person=self.person, other=self.other, detail=self.detail)


def describe(kind: str, *, person: str = "", other: str = "", detail: str = "",
             days: int | None = None) -> str:
    """One conflict or blocking reason in the reader's language."""
    texts = {
        "closed": N_("%(detail)s: no meetings that day."),
        "weekend": N_("It is a weekend."),
        "window": N_("Outside the step's period."),
        "halfday": N_("The meetings held back to back must fit in one morning or one "
                      "afternoon."),
        "earliest": N_("Before the meeting can be held (the data package or the prep meeting "
                       "is not ready)."),
        "latest": N_("Too late: a meeting that must come after it is already booked."),
        "hours": N_("Outside %(person)s's working hours."),
        "busy": N_("%(person)s is busy then."),
        "cap": N_("%(person)s would have more than %(detail)s meetings that day."),
        "overlap": N_("%(person)s is already in \"%(other)s\" then."),
        "gap": N_("%(person)s needs %(detail)s minutes between this and \"%(other)s\"."),
        "order": N_("It must come after \"%(other)s\"."),
        "follow": N_("It must follow \"%(other)s\" directly."),
    }
    if kind == "closed" and not detail:
        kind = "weekend"
    return _(texts[kind], person=person, other=other, detail=detail)


def _check_context(session: Session, targets: list[Meeting],
                   overrides: dict[int, tuple[datetime, datetime]]) -> tuple[Context, dict]:
    """A problem in which every target meeting (and its prep/dialogue counterpart) is a
    placed job, and everything else its participants have booked is fixed."""
    year_ids = {m.school_year_id for m in targets}
    municipality_id = targets[0].municipality_id

    def when(m: Meeting) -> tuple[datetime, datetime]:
        return overrides.get(m.id, (m.starts_at, m.ends_at))

    # Counterparts for the order rules, and directly-following meetings for chains.
    extra: dict[int, Meeting] = {}
    school_ids = {m.school_id for m in targets if m.school_id}
    if school_ids:
        for m in session.exec(select(Meeting).where(
                col(Meeting.school_id).in_(school_ids), col(Meeting.school_year_id).in_(year_ids),
                Meeting.status == MeetingStatus.BOOKED)):
            extra[m.id] = m
    for m in targets:
        extra[m.id] = m
    steps = {s.id: s for s in session.exec(select(Step).where(
        col(Step.id).in_([m.step_id for m in extra.values() if m.step_id])))}
    # Meetings of a block step (held back to back) are checked as the block they sit in.
    block_steps = {m.step_id for m in targets if m.step_id in steps and steps[m.step_id].blocks}
    if block_steps:
        for m in session.exec(select(Meeting).where(col(Meeting.step_id).in_(block_steps),
                                                    Meeting.status == MeetingStatus.BOOKED)):
            extra.setdefault(m.id, m)
    relevant = [m for m in extra.values()
                if m.meeting_type in (MeetingType.PREP, MeetingType.DIALOGUE, MeetingType.DEBRIEF)
                or m.id in {t.id for t in targets}]
    times = [when(m) for m in relevant if when(m)[0] is not None]
    first = min(a.astimezone(TZ).date() for a, _ in times)
    last = max(b.astimezone(TZ).date() for _, b in times)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    ctx = Context(day0=first, problem=instance.Problem(days=days, closed={}, persons={}, jobs=[]),
                  settings=get_settings(session, municipality_id))
    ctx.problem.travel = ctx.settings.travel_minutes
    required = required_participants(session, [m.id for m in relevant])
    person_ids = {pid for ids in required.values() for pid in ids}
    persons_frame(session, ctx, person_ids, first, last)
    fixed_frame(session, ctx, person_ids, {m.id for m in relevant}, first, last)
    closed_days(session, ctx, municipality_id, first, last)
    # A debrief that starts when its dialogue ends rides with it as one job (as when it was
    # planned: no buffer between them, one meeting towards the daily cap); one that doesn't
    # is a conflict of its own ("must follow directly").
    timed = {m.id: m for m in relevant if when(m)[0] is not None and not m.all_day}
    follows: list[tuple[int, int]] = []
    broken: list[tuple[int, int]] = []
    by_school: dict[int, list[Meeting]] = defaultdict(list)
    for m in timed.values():
        if m.school_id:
            by_school[m.school_id].append(m)
    for ms in by_school.values():
        for a in ms:
            for b in ms:
                sa, sb = steps.get(a.step_id), steps.get(b.step_id)
                if sa and sb and sb.follows == sa.key and a.school_year_id == b.school_year_id:
                    (follows if when(b)[0] == when(a)[1] else broken).append((a.id, b.id))
    # A block's meetings that start when the one before ends ride with it, like a debrief.
    by_start = {(m.step_id, when(m)[0]): m for m in timed.values()
                if steps.get(m.step_id) and steps[m.step_id].blocks}
    for m in timed.values():
        nxt = by_start.get((m.step_id, when(m)[1])) if steps.get(m.step_id) and \
            steps[m.step_id].blocks else None
        if nxt is not None and nxt.id != m.id:
            follows.append((m.id, nxt.id))
    rides = {b: a for a, b in follows}
    after = dict(follows)
    chains: dict[int, list[Meeting]] = {}
    for mid, m in timed.items():
        if mid in rides:
            continue
        chain, cur = [m], mid
        while cur in after and after[cur] not in {c.id for c in chain}:
            cur = after[cur]
            chain.append(timed[cur])
        chains[mid] = chain
    placement = {}
    for mid, chain in chains.items():
        lead = chain[0]
        s, _e = when(lead)
        step = steps.get(lead.step_id)
        key = f"m{mid}"
        w0 = ctx.day_index(step.start_date) if step and step.start_date else -10**6
        w1 = ctx.day_index(step.end_date) if step and step.end_date else 10**6
        parts = []
        half_day = bool(step and step.blocks)
        for m in chain:
            m_start, m_end = when(m)
            parts.append(instance.Part(m.id, ctx.minute(m_end) - ctx.minute(m_start),
                                     tuple(required.get(m.id, ()))))
        ctx.problem.jobs.append(instance.Job(key, lead.title, parts, place_of(lead, step), w0, w1,
                                           school_id=lead.school_id, half_day=half_day))
        ctx.job_meetings[key] = chain
        placement[key] = ctx.minute(s)
    # Prep before dialogue, for the same school.
    for ms in by_school.values():
        for a in ms:
            for b in ms:
                if a.meeting_type is MeetingType.PREP and b.meeting_type is MeetingType.DIALOGUE \
                        and a.school_year_id == b.school_year_id \
                        and f"m{a.id}" in placement and f"m{b.id}" in placement:
                    ctx.problem.precedences.append((f"m{a.id}", f"m{b.id}"))
    return ctx, {"placement": placement, "broken": broken}


def _person_municipality(session: Session, person_id: int | None) -> int | None:
    person = session.get(Person, person_id) if person_id else None
    return person.municipality_id if person else None


def _no_event(_session, _obj) -> int:
    return counter.NO_EVENT


CHANGE_SOURCES = (
    ChangeSource(BusyPeriod, lambda s, o: _person_municipality(s, o.person_id), _no_event),
    ChangeSource(Availability, lambda s, o: _person_municipality(s, o.person_id), _no_event),
    ChangeSource(SchedulingSettings, lambda s, o: o.municipality_id, _no_event),
    ChangeSource(HolidayPeriod, lambda s, o: o.municipality_id, _no_event),
    ChangeSource(HolidaySettings, lambda s, o: o.municipality_id, _no_event),
)
"""What the conflict check reads beyond meetings, people and steps: their changes raise the
municipality's counter (no calendar event changes), so that kept answers are dropped."""


kept: Recent[tuple, dict[int, list[Conflict]]] = Recent(2000)
"""Recent pages' answers by (municipality, counter, meetings and their times)."""


def check(session: Session, targets: list[Meeting],
          overrides: dict[int, tuple[datetime, datetime]] | None = None, *,
          reuse: bool = False) -> dict[int, list[Conflict]]:
    """Conflicts of booked meetings (at their own time, or at the time in `overrides`).
    `reuse`: a page that only reads may get the answer kept since the municipality last
    changed (never with overrides, nor in a transaction that has written: its uncommitted
    counter could be another transaction's next one)."""
    overrides = overrides or {}
    targets = [m for m in targets if (overrides.get(m.id) or (m.starts_at,))[0] is not None
               and not m.all_day]
    if not targets:
        return {}
    municipality_id = targets[0].municipality_id
    if not reuse or overrides or session.new or session.dirty or session.deleted \
            or counter.raised_here(session, municipality_id):
        return _check(session, targets, overrides)
    key = (municipality_id, counter.current(session, municipality_id),
           tuple(sorted((m.id, m.starts_at, m.ends_at) for m in targets)))
    found = kept.get(key)
    if found is None:
        found = _check(session, targets, overrides)
        kept.put(key, found)
    return {mid: list(cs) for mid, cs in found.items()}


def _check(session: Session, targets: list[Meeting],
           overrides: dict[int, tuple[datetime, datetime]]) -> dict[int, list[Conflict]]:
    ctx, extra = _check_context(session, targets, overrides)
    placement = extra["placement"]
    found: dict[int, list[Conflict]] = defaultdict(list)
    titles = {m.id: m.title for chain in ctx.job_meetings.values() for m in chain}
    for lead, follower in extra["broken"]:
        found[follower].append(Conflict(follower, "follow", other=titles.get(lead, ""),
                                        other_id=lead))

    def add(mid: int, conflict: Conflict) -> None:
        if conflict not in found[mid]:
            found[mid].append(conflict)

    for v in checking.violations(ctx.problem, placement):
        other = ctx.label(v.other) if v.other else ""
        other_id = ctx.meeting_id(v.other) if v.other else None
        for m in ctx.job_meetings[v.job]:
            add(m.id, Conflict(m.id, v.kind, ctx.person_label(v.person), other, v.detail,
                               other_id))
        # A clash is the other meeting's problem too, if we were asked about it.
        if v.other in ctx.job_meetings and v.kind in ("overlap", "gap"):
            for m in ctx.job_meetings[v.other]:
                add(m.id, Conflict(m.id, v.kind, ctx.person_label(v.person), ctx.label(v.job),
                                   v.detail, ctx.meeting_id(v.job)))
    wanted = {m.id for m in targets}
    return {mid: cs for mid, cs in found.items() if mid in wanted and cs}


def conflicts_for_step(session: Session, step: Step) -> dict[int, list[Conflict]]:
    booked = [m for m in meetings.list_meetings(session, step_id=step.id)
              if m.status is MeetingStatus.BOOKED]
    return check(session, booked, reuse=True)


def conflicts_for_school(session: Session, school: School) -> dict[int, list[Conflict]]:
    booked = [m for m in meetings.list_meetings(session, school_id=school.id,
                                                start=utcnow() - timedelta(days=1))
              if m.status is MeetingStatus.BOOKED]
    return check(session, booked, reuse=True)


class MoveForm(BaseModel):
    day: date
    start: time
    minutes: int | None = Field(default=None, ge=5, le=600)
    """A new length; without it the meeting keeps its own (or its planned one)."""
    force: bool = False

    @model_validator(mode="after")
    def _exists(self):
        # 02:30 on the last Sunday of March would silently become 03:30.
        if not local_time_exists(self.day, self.start):
            raise ValueError(NO_SUCH_TIME)
        return self


class MoveConflicts(Exception):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__("conflicts")
        self.conflicts = conflicts


def chain_after(session: Session, meeting: Meeting) -> list[Meeting]:
    """Meetings that follow this one directly (its debrief), which move with it: booked ones
    that start when it ends; for a meeting not booked (planned, or cancelled and being
    booked again) the followers of the same school in the same state."""
    if not meeting.step_id or not meeting.school_id:
        return []
    step = session.get(Step, meeting.step_id)
    out = []
    for fs in followers(session, step):
        for m in meetings.list_meetings(session, step_id=fs.id, school_id=meeting.school_id):
            if meeting.status is MeetingStatus.BOOKED:
                if m.status is MeetingStatus.BOOKED and meeting.ends_at is not None \
                        and m.starts_at == meeting.ends_at:
                    out.append(m)
            elif m.status is meeting.status:
                out.append(m)
    return out


def move_plan(session: Session, meeting: Meeting, day: date, start: time,
              minutes: int | None = None) -> dict[int, tuple[datetime, datetime]]:
    """New times for the meeting and the meetings that follow it directly."""
    new_start = local_to_utc(day, start)
    if minutes:
        length = timedelta(minutes=minutes)
    elif meeting.status is MeetingStatus.BOOKED and meeting.starts_at and meeting.ends_at:
        length = meeting.ends_at - meeting.starts_at
    else:
        length = timedelta(minutes=meetings.planned_duration(session, meeting))
    plan: dict[int, tuple[datetime, datetime]] = {meeting.id: (new_start, new_start + length)}
    shift_end = new_start + length
    for f in chain_after(session, meeting):
        f_length = (f.ends_at - f.starts_at) if f.starts_at and f.ends_at \
            else timedelta(minutes=meetings.planned_duration(session, f))
        plan[f.id] = (shift_end, shift_end + f_length)
        shift_end = plan[f.id][1]
    return plan


def _unique(found: dict[int, list[Conflict]]) -> list[Conflict]:
    # The debrief riding along shares its dialogue's conflicts: say each thing once.
    unique: dict[tuple, Conflict] = {}
    for c in (c for cs in found.values() for c in cs):
        unique.setdefault((c.kind, c.person, c.other, c.detail), c)
    return list(unique.values())


def check_move(session: Session, meeting: Meeting, day: date, start: time,
               minutes: int | None = None) -> list[Conflict]:
    plan = move_plan(session, meeting, day, start, minutes)
    targets = [meeting] + list(chain_after(session, meeting))
    return _unique(check(session, targets, plan))


def move(session: Session, meeting: Meeting, data: MoveForm,
         expected_version: int | None) -> list[Conflict]:
    """Book, move or lengthen a meeting (and its debrief) unless that makes a conflict
    nobody accepted. A planned or cancelled meeting is booked from then on."""
    if expected_version is not None:
        check_version(meeting, expected_version)
    conflicts = check_move(session, meeting, data.day, data.start, data.minutes)
    if conflicts and not data.force:
        raise MoveConflicts(conflicts)
    plan = move_plan(session, meeting, data.day, data.start, data.minutes)
    chain = chain_after(session, meeting)
    for m in [meeting] + chain:
        s, e = plan[m.id]
        meetings.reschedule(session, m, starts_at=s, ends_at=e, commit=False)
    session.commit()
    session.refresh(meeting)
    return conflicts


def lengthen(session: Session, meeting: Meeting, minutes: int, *, force: bool = False,
             expected_version: int | None = None) -> list[Conflict]:
    """The same start, a new length (the agenda's): its debrief moves to the new end."""
    if meeting.starts_at is None:
        raise ValueError("not booked")
    local = meeting.starts_at.astimezone(TZ)
    return move(session, meeting, MoveForm(day=local.date(), start=local.time(),
                                           minutes=minutes, force=force), expected_version)


def current(session: Session, meeting: Meeting) -> list[Conflict]:
    """The conflicts of a booked meeting (and its debrief) as it stands in the session."""
    if meeting.status is not MeetingStatus.BOOKED or meeting.starts_at is None:
        return []
    return _unique(check(session, [meeting] + chain_after(session, meeting)))


def cancel(session: Session, meeting: Meeting, *, reason: str | None,
           expected_version: int | None = None) -> list[Meeting]:
    """Cancel the meeting and the meetings chained to it (a dialogue's debrief). Returns
    every meeting cancelled; each gets its CANCEL where invitations are on."""
    if expected_version is not None:
        check_version(meeting, expected_version)
    chain = [m for m in chain_after(session, meeting)
             if m.status in (MeetingStatus.BOOKED, MeetingStatus.PLANNED)]
    for m in [meeting] + chain:
        meetings.cancel(session, m, reason=reason, commit=False)
    session.commit()
    session.refresh(meeting)
    return [meeting] + chain


class ChangeConflicts(MoveConflicts):
    """A change of place or people would make conflicts; nothing was saved."""


def checked_change(session: Session, meeting: Meeting, change, *, force: bool = False
                   ) -> list[Conflict]:
    """Apply `change(session)` (which must not commit), check the booked meeting as it then
    stands, and commit unless that made a conflict not there before and not `force`d; else
    roll back and raise ChangeConflicts. Conflicts it already had don't block."""
    before = {(c.kind, c.person, c.other, c.detail) for c in current(session, meeting)}
    change(session)
    session.flush()
    found = [c for c in current(session, meeting)
             if (c.kind, c.person, c.other, c.detail) not in before]
    if found and not force:
        session.rollback()
        raise ChangeConflicts(found)
    session.commit()
    session.refresh(meeting)
    return found


def for_reader(session: Session, found: dict[int, list[Conflict]], principal: Principal
               ) -> dict[int, list[Conflict]]:
    """The conflicts as `principal` may read them: another meeting they may not read (a LUS
    talk of another school) is named only as "another meeting"."""
    other_ids = {c.other_id for cs in found.values() for c in cs if c.other_id is not None}
    readable = set(session.exec(select(Meeting.id).where(
        col(Meeting.id).in_(other_ids), readable_meetings(principal)))) if other_ids else set()
    hidden = _("another meeting")
    return {mid: [replace(c, other=hidden) if c.other_id is not None
                  and c.other_id not in readable else c for c in cs]
            for mid, cs in found.items()}
