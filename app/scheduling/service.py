"""Scheduling: availability, the auto-scheduler for a step, proposals, moves and conflicts.

The solver (solver.py) knows nothing of the database; this module turns a step's planned
meetings, their participants' availability and the municipality's holidays into a
`Problem`, stores what comes back as a `Proposal` to review, and books it in one
transaction through app.meetings.service (so every calendar entry keeps its UID and gets a
higher SEQUENCE). The same problem builder checks a single move and flags conflicts that
arise later (a new busy period, a changed holiday).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlmodel import Session, col, select

from app.cycles import service as cycles
from app.cycles.models import SchoolYear, Step, StepScope
from app.db import check_version, utcnow
from app.i18n import N_, TZ
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingParticipant, MeetingStatus, MeetingType
from app.registry import Registry
from app.scheduling import ics, solver
from app.scheduling.models import (
    Availability,
    BusyPeriod,
    BusySource,
    Proposal,
    ProposalItem,
    ProposalStatus,
    SchedulingSettings,
    SchoolPreference,
)
from app.schools.models import Person, School, function_label

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


# --- "ready" dates: another domain (data packages) may say when a meeting can be held ------

ready_providers: Registry[Callable[[Session, Meeting], datetime | None]] = Registry(
    "scheduling.ready_providers")
"""provider(session, meeting) -> aware datetime | None: the meeting may not start before it
(e.g. the school's data package is ready). The latest answer counts."""


def ready_at(session: Session, meeting: Meeting) -> datetime | None:
    found = [t for t in (p(session, meeting) for p in ready_providers) if t is not None]
    return max(found) if found else None


# --- from the database to a Problem ---------------------------------------------------------


@dataclass
class Context:
    """What the service needs to turn the solver's minutes and keys back into meetings."""

    day0: date
    problem: solver.Problem
    job_meetings: dict[str, list[Meeting]] = field(default_factory=dict)
    persons: dict[int, Person] = field(default_factory=dict)
    schools: dict[int, School] = field(default_factory=dict)
    fixed_meetings: dict[str, Meeting] = field(default_factory=dict)
    settings: SchedulingSettings | None = None

    def minute(self, dt: datetime) -> int:
        loc = dt.astimezone(TZ)
        return (loc.date() - self.day0).days * solver.DAY + loc.hour * 60 + loc.minute

    def to_utc(self, minute: int) -> datetime:
        day = self.day0 + timedelta(days=minute // solver.DAY)
        m = minute % solver.DAY
        return local_to_utc(day, time(m // 60, m % 60))

    def day_index(self, d: date) -> int:
        return (d - self.day0).days

    def label(self, key: str) -> str:
        if key in self.job_meetings:
            return self.job_meetings[key][0].title
        if key in self.fixed_meetings:
            return self.fixed_meetings[key].title
        return key

    def person_label(self, pid: int | None) -> str:
        person = self.persons.get(pid)
        if person is None:
            return ""
        role = person.title or function_label(person.function)
        return f"{person.name} ({role})" if role else person.name


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def place_of(meeting: Meeting, step: Step | None = None) -> str:
    kind = meeting.location_kind or (step.location_kind if step else None) or "administration"
    if kind == "school" and meeting.school_id:
        return f"school:{meeting.school_id}"
    if kind == "online":
        return "online"
    return "admin"


def location_text(kind: str, school: School | None, settings: SchedulingSettings) -> str:
    if kind.startswith("school") and school is not None:
        return school.address and f"{school.name}, {school.address}" or school.name
    if kind == "online":
        return _("Online")
    return settings.administration_place or _("At the administration")


def _required(session: Session, meeting_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    if not meeting_ids:
        return out
    for mp in session.exec(select(MeetingParticipant).where(
            col(MeetingParticipant.meeting_id).in_(meeting_ids),
            MeetingParticipant.required == True)):  # noqa: E712
        out[mp.meeting_id].append(mp.person_id)
    return out


def followers(session: Session, step: Step) -> list[Step]:
    """Steps whose meetings follow this one's directly (the 15-minute debrief)."""
    return list(session.exec(select(Step).where(Step.school_year_id == step.school_year_id,
                                                Step.follows == step.key)))


def schedulable_steps(session: Session, year: SchoolYear) -> list[Step]:
    """Per-school steps that lead their meetings (not the followers riding along)."""
    return [s for s in cycles.list_steps(session, year.id)
            if s.scope is StepScope.PER_SCHOOL and not s.follows]


def _persons_frame(session: Session, ctx: Context, person_ids: set[int], first: date,
                   last: date) -> None:
    """Working hours and busy times of these people over [first, last] into ctx.problem."""
    problem = ctx.problem
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids)))}
    ctx.persons.update(people)
    avail = {a.person_id: a for a in session.exec(select(Availability).where(
        col(Availability.person_id).in_(person_ids)))}
    start_utc = local_to_utc(first, time(0))
    end_utc = local_to_utc(last + timedelta(days=1), time(0))
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for b in list_busy(session, person_ids, start_utc, end_utc):
        busy[b.person_id].append((ctx.minute(b.starts_at), ctx.minute(b.ends_at)))
    for pid, person in people.items():
        a = avail.get(pid) or get_availability(session, person)
        hours = {}
        for i in range(len(problem.days)):
            if problem.days[i].weekday() in (a.weekdays or []):
                hours[i] = (_minutes(a.day_start), _minutes(a.day_end))
        problem.persons[pid] = solver.Person(pid, person.name, hours, sorted(busy[pid]),
                                             a.max_per_day, a.buffer_minutes)


def _fixed_frame(session: Session, ctx: Context, person_ids: set[int], exclude: set[int],
                 first: date, last: date) -> None:
    """Other booked meetings of these people: they occupy time and count for the cap."""
    start_utc = local_to_utc(first, time(0))
    end_utc = local_to_utc(last + timedelta(days=1), time(0))
    rows = session.exec(
        select(Meeting, MeetingParticipant.person_id)
        .join(MeetingParticipant, MeetingParticipant.meeting_id == Meeting.id)
        .where(col(MeetingParticipant.person_id).in_(person_ids),
               col(Meeting.status).in_([MeetingStatus.BOOKED, MeetingStatus.HELD]),
               col(Meeting.starts_at) < end_utc, col(Meeting.ends_at) > start_utc)
    ).all()
    by_meeting: dict[int, tuple[Meeting, list[int]]] = {}
    for m, pid in rows:
        if m.id in exclude:
            continue
        by_meeting.setdefault(m.id, (m, []))[1].append(pid)
    for mid, (m, pids) in by_meeting.items():
        key = f"f{mid}"
        ctx.fixed_meetings[key] = m
        if m.all_day:
            for pid in pids:
                s = ctx.minute(m.starts_at)
                ctx.problem.persons[pid].busy.append((s, ctx.minute(m.ends_at)))
            continue
        ctx.problem.fixed.append(solver.Fixed(key, m.title, ctx.minute(m.starts_at),
                                              ctx.minute(m.ends_at), tuple(pids), place_of(m)))


def _closed(session: Session, ctx: Context, municipality_id: int, first: date,
            last: date) -> None:
    for d, why in cycles.non_working_days(session, municipality_id, first, last).items():
        ctx.problem.closed[ctx.day_index(d)] = why


def _preferences(session: Session, school_ids) -> dict[int, SchoolPreference]:
    if not school_ids:
        return {}
    return {p.school_id: p for p in session.exec(select(SchoolPreference).where(
        col(SchoolPreference.school_id).in_(list(school_ids))))}


@dataclass
class PlanRequest:
    """What the consultant asked for on the step's planning form."""

    step: Step
    window_start: date
    window_end: date
    also: list[Step] = field(default_factory=list)
    """Further steps planned in the same run (the prep meetings before the dialogues)."""
    not_before: date | None = None
    """E.g. the day the data packages are ready: no dialogue before it."""


def build_problem(session: Session, req: PlanRequest) -> Context:
    step = req.step
    year = cycles.get_school_year(session, step.school_year_id)
    steps = [step] + [s for s in req.also if s.id != step.id]
    windows = {step.id: (req.window_start, req.window_end)}
    for s in steps[1:]:
        windows[s.id] = (s.start_date or req.window_start, s.end_date or req.window_end)
    first = min(a for a, _ in windows.values())
    last = max(b for _, b in windows.values())
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    ctx = Context(day0=first, problem=solver.Problem(days=days, closed={}, persons={}, jobs=[]),
                  settings=get_settings(session, year.municipality_id))
    ctx.problem.travel = ctx.settings.travel_minutes

    # Jobs: every planned meeting of the chosen steps, with its followers' meetings attached.
    jobs_meetings: dict[str, list[Meeting]] = {}
    job_step: dict[str, Step] = {}
    series_size: Counter[tuple[int, str]] = Counter()
    for s in steps:
        follow_steps = followers(session, s)
        follow_meetings: dict[int | None, list[Meeting]] = defaultdict(list)
        for fs in follow_steps:
            for fm in meetings.list_meetings(session, step_id=fs.id):
                if fm.status is MeetingStatus.PLANNED:
                    follow_meetings[fm.school_id].append(fm)
        step_meetings = meetings.list_meetings(session, step_id=s.id)
        series_size.update((s.id, m.series_key) for m in step_meetings if m.series_key)
        for m in step_meetings:
            if m.status is not MeetingStatus.PLANNED:
                continue
            chain = [m]
            if m.school_id in follow_meetings and follow_meetings[m.school_id]:
                chain.append(follow_meetings[m.school_id].pop(0))
            key = f"m{m.id}"
            jobs_meetings[key] = chain
            job_step[key] = s
    all_ids = [m.id for chain in jobs_meetings.values() for m in chain]
    required = _required(session, all_ids)
    person_ids = {pid for ids in required.values() for pid in ids}
    _persons_frame(session, ctx, person_ids, first, last)
    _fixed_frame(session, ctx, person_ids, set(all_ids), first, last)
    _closed(session, ctx, year.municipality_id, first, last)

    school_ids = {chain[0].school_id for chain in jobs_meetings.values() if chain[0].school_id}
    ctx.schools = {s.id: s for s in session.exec(select(School).where(
        col(School.id).in_(list(school_ids))))} if school_ids else {}
    prefs = _preferences(session, school_ids)
    by_school_type: dict[tuple[int | None, MeetingType], str] = {}
    for key, chain in jobs_meetings.items():
        lead = chain[0]
        s = job_step[key]
        w0, w1 = windows[s.id]
        n = series_size.get((s.id, lead.series_key), 0) if lead.series_key else 0
        if n > 1 and lead.series_index:
            # A recurring series (Ringsted's six development talks) is spread: talk i of n
            # goes in the i-th of n equal parts of the period.
            length = (w1 - w0).days + 1
            i = min(max(lead.series_index, 1), n) - 1
            w0, w1 = (w0 + timedelta(days=length * i // n),
                      w0 + timedelta(days=length * (i + 1) // n - 1))
        earliest = None
        ready = ready_at(session, lead)
        if ready is not None:
            earliest = ctx.minute(ready)
        if req.not_before and lead.meeting_type is not MeetingType.PREP:
            earliest = max(earliest or 0, ctx.day_index(req.not_before) * solver.DAY)
        pref = prefs.get(lead.school_id)
        job = solver.Job(
            key=key,
            label=ctx.schools[lead.school_id].name if lead.school_id in ctx.schools else lead.title,
            parts=[solver.Part(m.id, meetings.planned_duration(session, m),
                               tuple(required.get(m.id, ()))) for m in chain],
            place=place_of(lead, s),
            first_day=ctx.day_index(w0), last_day=ctx.day_index(w1),
            earliest=earliest,
            preferred_weekdays=frozenset(pref.weekdays) if pref else frozenset(),
            preferred_from=_minutes(pref.preferred_from) if pref and pref.preferred_from else None,
            preferred_until=_minutes(pref.preferred_until) if pref and pref.preferred_until else None,
            school_id=lead.school_id,
        )
        # A job nobody is required at still needs a time; it occupies no one.
        ctx.problem.jobs.append(job)
        ctx.job_meetings[key] = chain
        by_school_type[(lead.school_id, lead.meeting_type)] = key
    _order(session, ctx, year, by_school_type)
    return ctx


def _order(session: Session, ctx: Context, year: SchoolYear,
           by_school_type: dict[tuple[int | None, MeetingType], str]) -> None:
    """Prep meeting before the dialogue, for the same school: between two jobs, or against
    one already booked."""
    problem = ctx.problem
    for (school_id, mtype), key in by_school_type.items():
        if school_id is None:
            continue
        job = problem.job(key)
        if mtype is MeetingType.DIALOGUE:
            prep_key = by_school_type.get((school_id, MeetingType.PREP))
            if prep_key:
                problem.precedences.append((prep_key, key))
                continue
            for prep in meetings.list_meetings(session, school_year_id=year.id,
                                               school_id=school_id):
                if prep.meeting_type is MeetingType.PREP and prep.status is MeetingStatus.BOOKED:
                    end = ctx.minute(prep.ends_at)
                    job.earliest = max(job.earliest or end, end)
        elif mtype is MeetingType.PREP and (school_id, MeetingType.DIALOGUE) not in by_school_type:
            for dialogue in meetings.list_meetings(session, school_year_id=year.id,
                                                   school_id=school_id):
                if dialogue.meeting_type is MeetingType.DIALOGUE and \
                        dialogue.status is MeetingStatus.BOOKED:
                    start = ctx.minute(dialogue.starts_at)
                    job.latest_end = min(job.latest_end or start, start)


# --- running the scheduler and keeping the proposal -----------------------------------------

TIME_LIMIT = 8.0
"""Seconds CP-SAT may use to improve on the greedy schedule (the page waits for it)."""


def _reason_data(ctx: Context, reason: solver.Reason, days: int) -> dict:
    return {"kind": reason.kind, "person": ctx.person_label(reason.person),
            "detail": reason.detail, "days": days}


def run(session: Session, req: PlanRequest, *, user_id: int | None = None,
        time_limit: float | None = None) -> Proposal:
    """Solve and store a proposal to review. Nothing is booked yet."""
    ctx = build_problem(session, req)
    result = solver.solve(ctx.problem, time_limit=time_limit or TIME_LIMIT)
    report: dict = {"grid": result.grid, "status": result.status,
                    "capacity_ms": round(result.capacity_seconds * 1000, 1),
                    "shortfalls": [], "unplaced": []}
    for sf in result.shortfalls:
        report["shortfalls"].append({
            "person": ctx.person_label(sf.person), "demand": sf.demand,
            "capacity": sf.capacity, "usable_days": sf.usable_days, "cap": sf.cap,
            "closed": sf.closed})
    for key in result.unplaced:
        reasons = solver.explain(ctx.problem, result.placement, key)
        report["unplaced"].append({
            "label": ctx.problem.job(key).label, "title": ctx.label(key),
            "meeting_id": ctx.job_meetings[key][0].id,
            "reasons": [_reason_data(ctx, r, n) for r, n in reasons.most_common()]})
    proposal = Proposal(
        step_id=req.step.id, municipality_id=ctx.settings.municipality_id,
        created_by_id=user_id,
        window_start=local_to_utc(req.window_start, time(0)),
        window_end=local_to_utc(req.window_end, time(0)),
        total=len(ctx.problem.jobs), placed=result.score.placed,
        objective=result.score.value, bound=result.bound,
        greedy_placed=result.greedy_score.placed, greedy_objective=result.greedy_score.value,
        method=result.method, seconds=round(result.seconds, 2), report=report)
    session.add(proposal)
    session.flush()
    for key, start in result.placement.items():
        job = ctx.problem.job(key)
        chain = ctx.job_meetings[key]
        offset = start
        kind = "school" if job.place.startswith("school") else (
            "online" if job.place == "online" else "administration")
        where = location_text(kind, ctx.schools.get(job.school_id), ctx.settings)
        for part, m in zip(job.parts, chain):
            session.add(ProposalItem(proposal_id=proposal.id, meeting_id=m.id,
                                     starts_at=ctx.to_utc(offset),
                                     ends_at=ctx.to_utc(offset + part.duration),
                                     location=where, meeting_version=m.version))
            offset += part.duration
    session.commit()
    session.refresh(proposal)
    return proposal


def get_proposal(session: Session, proposal_id: int) -> Proposal | None:
    return session.get(Proposal, proposal_id)


def list_proposals(session: Session, step_id: int) -> list[Proposal]:
    return list(session.exec(select(Proposal).where(Proposal.step_id == step_id)
                             .order_by(col(Proposal.created_at).desc())))


def proposal_items(session: Session, proposal: Proposal) -> list[tuple[ProposalItem, Meeting]]:
    return list(session.exec(
        select(ProposalItem, Meeting).join(Meeting, Meeting.id == ProposalItem.meeting_id)
        .where(ProposalItem.proposal_id == proposal.id).order_by(ProposalItem.starts_at)).all())


class ProposalStale(Exception):
    """Meetings changed since the proposal was made; nothing was booked."""

    def __init__(self, titles: list[str]):
        super().__init__("stale proposal")
        self.titles = titles


def commit(session: Session, proposal: Proposal) -> int:
    """Book every meeting of the proposal in one transaction, or none."""
    if proposal.status is not ProposalStatus.DRAFT:
        raise ProposalStale([])
    items = proposal_items(session, proposal)
    stale = [m.title for item, m in items
             if m.version != item.meeting_version or m.status is not MeetingStatus.PLANNED]
    if stale:
        raise ProposalStale(stale)
    try:
        for item, m in items:
            meetings.reschedule(session, m, starts_at=item.starts_at, ends_at=item.ends_at,
                                location=item.location or None,
                                location_kind=m.location_kind or _kind_of_step(session, m),
                                commit=False)
        proposal.status = ProposalStatus.COMMITTED
        session.add(proposal)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return len(items)


def _kind_of_step(session: Session, m: Meeting) -> str | None:
    step = session.get(Step, m.step_id) if m.step_id else None
    return step.location_kind if step else None


def discard(session: Session, proposal: Proposal) -> None:
    if proposal.status is ProposalStatus.DRAFT:
        proposal.status = ProposalStatus.DISCARDED
        session.add(proposal)
        session.commit()


# --- checking meetings that are booked: moves and later conflicts ---------------------------


@dataclass(frozen=True)
class Conflict:
    meeting_id: int
    kind: str
    person: str = ""
    other: str = ""
    detail: str = ""

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


def describe_reason(reason: dict) -> str:
    """Why a school could not be placed, on how many days: for the proposal's report."""
    kind, person, detail, days = (reason["kind"], reason["person"], reason["detail"],
                                  reason["days"])
    texts = {
        "closed": N_("%(detail)s (%(days)s days)"),
        "order": N_("the order of meetings: it must come after its prep meeting and before "
                    "meetings already booked (%(days)s days)"),
        "hours": N_("%(person)s does not work that weekday (%(days)s days)"),
        "busy": N_("%(person)s is busy or outside working hours (%(days)s days)"),
        "cap": N_("%(person)s already has %(detail)s meetings, the most a day "
                  "(%(days)s days)"),
        "full": N_("%(person)s has no free time left between other meetings (%(days)s days)"),
        "together": N_("no time when all participants are free at once (%(days)s days)"),
    }
    if kind == "full" and not person:
        kind = "together"
    return _(texts[kind], person=person, detail=detail, days=days)


def describe_shortfall(sf: dict) -> str:
    closed = ", ".join(f"{name} ({n})" for name, n in sf["closed"].items())
    if sf["cap"]:
        text = _("%(person)s must attend %(demand)s meetings, but the period has room for at "
                 "most %(capacity)s: %(days)s usable days with at most %(cap)s meetings a day.",
                 person=sf["person"], demand=sf["demand"], capacity=sf["capacity"],
                 days=sf["usable_days"], cap=sf["cap"])
    else:
        text = _("%(person)s must attend %(demand)s meetings, but the period has room for at "
                 "most %(capacity)s in %(days)s usable days.", person=sf["person"],
                 demand=sf["demand"], capacity=sf["capacity"], days=sf["usable_days"])
    if closed:
        text += " " + _("Closed days: %(closed)s.", closed=closed)
    return text


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
    relevant = [m for m in extra.values()
                if m.meeting_type in (MeetingType.PREP, MeetingType.DIALOGUE, MeetingType.DEBRIEF)
                or m.id in {t.id for t in targets}]
    times = [when(m) for m in relevant if when(m)[0] is not None]
    first = min(a.astimezone(TZ).date() for a, _ in times)
    last = max(b.astimezone(TZ).date() for _, b in times)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    ctx = Context(day0=first, problem=solver.Problem(days=days, closed={}, persons={}, jobs=[]),
                  settings=get_settings(session, municipality_id))
    ctx.problem.travel = ctx.settings.travel_minutes
    required = _required(session, [m.id for m in relevant])
    person_ids = {pid for ids in required.values() for pid in ids}
    _persons_frame(session, ctx, person_ids, first, last)
    _fixed_frame(session, ctx, person_ids, {m.id for m in relevant}, first, last)
    _closed(session, ctx, municipality_id, first, last)
    steps = {s.id: s for s in session.exec(select(Step).where(
        col(Step.id).in_([m.step_id for m in relevant if m.step_id])))}
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
    rides = {b: a for a, b in follows}
    chains: dict[int, list[Meeting]] = {mid: [m] for mid, m in timed.items() if mid not in rides}
    for a, b in follows:
        if a in chains:
            chains[a].append(timed[b])
    placement = {}
    for mid, chain in chains.items():
        lead = chain[0]
        s, _e = when(lead)
        step = steps.get(lead.step_id)
        key = f"m{mid}"
        w0 = ctx.day_index(step.start_date) if step and step.start_date else -10**6
        w1 = ctx.day_index(step.end_date) if step and step.end_date else 10**6
        parts = []
        for m in chain:
            ms, me = when(m)
            parts.append(solver.Part(m.id, ctx.minute(me) - ctx.minute(ms),
                                     tuple(required.get(m.id, ()))))
        ctx.problem.jobs.append(solver.Job(key, lead.title, parts, place_of(lead, step), w0, w1,
                                           school_id=lead.school_id))
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


def check(session: Session, targets: list[Meeting],
          overrides: dict[int, tuple[datetime, datetime]] | None = None
          ) -> dict[int, list[Conflict]]:
    """Conflicts of booked meetings (at their own time, or at the time in `overrides`)."""
    overrides = overrides or {}
    targets = [m for m in targets if (overrides.get(m.id) or (m.starts_at,))[0] is not None
               and not m.all_day]
    if not targets:
        return {}
    ctx, extra = _check_context(session, targets, overrides)
    placement = extra["placement"]
    found: dict[int, list[Conflict]] = defaultdict(list)
    titles = {m.id: m.title for chain in ctx.job_meetings.values() for m in chain}
    for lead, follower in extra["broken"]:
        found[follower].append(Conflict(follower, "follow", other=titles.get(lead, "")))

    def add(mid: int, conflict: Conflict) -> None:
        if conflict not in found[mid]:
            found[mid].append(conflict)

    for v in solver.violations(ctx.problem, placement):
        other = ctx.label(v.other) if v.other else ""
        for m in ctx.job_meetings[v.job]:
            add(m.id, Conflict(m.id, v.kind, ctx.person_label(v.person), other, v.detail))
        # A clash is the other meeting's problem too, if we were asked about it.
        if v.other in ctx.job_meetings and v.kind in ("overlap", "gap"):
            for m in ctx.job_meetings[v.other]:
                add(m.id, Conflict(m.id, v.kind, ctx.person_label(v.person), ctx.label(v.job),
                                   v.detail))
    wanted = {m.id for m in targets}
    return {mid: cs for mid, cs in found.items() if mid in wanted and cs}


def conflicts_for_step(session: Session, step: Step) -> dict[int, list[Conflict]]:
    booked = [m for m in meetings.list_meetings(session, step_id=step.id)
              if m.status is MeetingStatus.BOOKED]
    return check(session, booked)


def conflicts_for_school(session: Session, school: School) -> dict[int, list[Conflict]]:
    booked = [m for m in meetings.list_meetings(session, school_id=school.id,
                                                start=utcnow() - timedelta(days=1))
              if m.status is MeetingStatus.BOOKED]
    return check(session, booked)


class MoveForm(BaseModel):
    day: date
    start: time
    force: bool = False


class MoveConflicts(Exception):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__("conflicts")
        self.conflicts = conflicts


def _chain_after(session: Session, meeting: Meeting) -> list[Meeting]:
    """Booked meetings that follow this one directly (its debrief), which move with it."""
    if not meeting.step_id or not meeting.school_id or meeting.ends_at is None:
        return []
    step = session.get(Step, meeting.step_id)
    out = []
    for fs in followers(session, step):
        for m in meetings.list_meetings(session, step_id=fs.id, school_id=meeting.school_id):
            if m.status is MeetingStatus.BOOKED and m.starts_at == meeting.ends_at:
                out.append(m)
    return out


def move_plan(session: Session, meeting: Meeting, day: date, start: time
              ) -> dict[int, tuple[datetime, datetime]]:
    """New times for the meeting and the meetings that follow it directly."""
    new_start = local_to_utc(day, start)
    length = (meeting.ends_at - meeting.starts_at) if meeting.starts_at and meeting.ends_at \
        else timedelta(minutes=meetings.planned_duration(session, meeting))
    plan = {meeting.id: (new_start, new_start + length)}
    shift_end = new_start + length
    for f in _chain_after(session, meeting):
        plan[f.id] = (shift_end, shift_end + (f.ends_at - f.starts_at))
        shift_end = plan[f.id][1]
    return plan


def check_move(session: Session, meeting: Meeting, day: date, start: time) -> list[Conflict]:
    plan = move_plan(session, meeting, day, start)
    targets = [meeting] + [m for m in _chain_after(session, meeting)]
    found = check(session, targets, plan)
    # The debrief riding along shares its dialogue's conflicts: say each thing once.
    unique: dict[tuple, Conflict] = {}
    for c in (c for cs in found.values() for c in cs):
        unique.setdefault((c.kind, c.person, c.other, c.detail), c)
    return list(unique.values())


def move(session: Session, meeting: Meeting, data: MoveForm,
         expected_version: int | None) -> list[Conflict]:
    """Move a meeting (and its debrief) unless that makes a conflict nobody accepted."""
    if expected_version is not None:
        check_version(meeting, expected_version)
    conflicts = check_move(session, meeting, data.day, data.start)
    if conflicts and not data.force:
        raise MoveConflicts(conflicts)
    plan = move_plan(session, meeting, data.day, data.start)
    chain = _chain_after(session, meeting)
    for m in [meeting] + chain:
        s, e = plan[m.id]
        meetings.reschedule(session, m, starts_at=s, ends_at=e, commit=False)
    session.commit()
    session.refresh(meeting)
    return conflicts

