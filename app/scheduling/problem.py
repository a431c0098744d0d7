"""From the database to a solver `Problem`: a step's planned meetings, their participants'
availability and the municipality's holidays, with a `Context` to turn the solver's minutes
and keys back into meetings. Other domains may say when a meeting is ready (ready_providers).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.cycles import holiday_periods as cycle_holiday_periods
from app.cycles import years as cycle_years
from app.cycles.models import SchoolYear, Step, StepScope
from app.i18n import TZ
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingParticipant, MeetingStatus, MeetingType
from app.registry import Registry
from app.scheduling import instance
from app.scheduling.availability import (
    default_availability,
    get_availability,
    get_settings,
    list_busy,
    local_to_utc,
)
from app.scheduling.models import Availability, SchedulingSettings, SchoolPreference
from app.schools.models import Person, School, function_label

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
    """What the scheduler needs to turn the solver's minutes and keys back into meetings."""

    day0: date
    problem: instance.Problem
    job_meetings: dict[str, list[Meeting]] = field(default_factory=dict)
    persons: dict[int, Person] = field(default_factory=dict)
    schools: dict[int, School] = field(default_factory=dict)
    fixed_meetings: dict[str, Meeting] = field(default_factory=dict)
    settings: SchedulingSettings | None = None

    def minute(self, dt: datetime) -> int:
        loc = dt.astimezone(TZ)
        return (loc.date() - self.day0).days * instance.DAY + loc.hour * 60 + loc.minute

    def to_utc(self, minute: int) -> datetime:
        day = self.day0 + timedelta(days=minute // instance.DAY)
        m = minute % instance.DAY
        return local_to_utc(day, time(m // 60, m % 60))

    def day_index(self, d: date) -> int:
        return (d - self.day0).days

    def label(self, key: str) -> str:
        if key in self.job_meetings:
            return self.job_meetings[key][0].title
        if key in self.fixed_meetings:
            return self.fixed_meetings[key].title
        return key

    def meeting_id(self, key: str) -> int | None:
        """The meeting behind a job or fixed key (the lead of a chain)."""
        if key in self.job_meetings:
            return self.job_meetings[key][0].id
        if key in self.fixed_meetings:
            return self.fixed_meetings[key].id
        return None

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


def required_participants(session: Session, meeting_ids: list[int]) -> dict[int, list[int]]:
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
    """Steps that lead their meetings (not the followers riding along): per-school steps,
    and the year's internal meetings (a municipal step with a meeting, such as Svendborg's
    opsamlingsmøde)."""
    return [s for s in cycle_years.list_steps(session, year.id)
            if (s.scope is StepScope.PER_SCHOOL or s.meeting_type) and not s.follows]


def persons_frame(session: Session, ctx: Context, person_ids: set[int], first: date,
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
        a = avail.get(pid) or (
            default_availability(person, ctx.settings)
            if ctx.settings is not None
            and person.municipality_id == ctx.settings.municipality_id
            else get_availability(session, person))
        hours = {}
        for i in range(len(problem.days)):
            if problem.days[i].weekday() in (a.weekdays or []):
                hours[i] = (_minutes(a.day_start), _minutes(a.day_end))
        problem.persons[pid] = instance.Person(pid, person.name, hours, sorted(busy[pid]),
                                             a.max_per_day, a.buffer_minutes)


def fixed_frame(session: Session, ctx: Context, person_ids: set[int], exclude: set[int],
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
        ctx.problem.fixed.append(instance.Fixed(key, m.title, ctx.minute(m.starts_at),
                                              ctx.minute(m.ends_at), tuple(pids), place_of(m)))


def closed_days(session: Session, ctx: Context, municipality_id: int, first: date,
            last: date) -> None:
    for d, why in cycle_holiday_periods.non_working_days(session, municipality_id, first, last).items():
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
    year = cycle_years.get_school_year(session, step.school_year_id)
    steps = [step] + [s for s in req.also if s.id != step.id]
    windows = {step.id: (req.window_start, req.window_end)}
    for s in steps[1:]:
        windows[s.id] = (s.start_date or req.window_start, s.end_date or req.window_end)
    first = min(a for a, _ in windows.values())
    last = max(b for _, b in windows.values())
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    ctx = Context(day0=first, problem=instance.Problem(days=days, closed={}, persons={}, jobs=[]),
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
        if s.blocks:
            for i, chain in enumerate(blocks_of(session, s, step_meetings)):
                key = f"b{s.id}-{i + 1}"
                jobs_meetings[key] = chain
                job_step[key] = s
            continue
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
    required = required_participants(session, all_ids)
    person_ids = {pid for ids in required.values() for pid in ids}
    persons_frame(session, ctx, person_ids, first, last)
    fixed_frame(session, ctx, person_ids, set(all_ids), first, last)
    closed_days(session, ctx, year.municipality_id, first, last)

    school_ids = {m.school_id for chain in jobs_meetings.values() for m in chain if m.school_id}
    ctx.schools = {s.id: s for s in session.exec(select(School).where(
        col(School.id).in_(list(school_ids))))} if school_ids else {}
    prefs = _preferences(session, school_ids)
    by_school_type: dict[tuple[int | None, MeetingType], str] = {}
    for key, chain in jobs_meetings.items():
        lead = chain[0]
        s = job_step[key]
        w0, w1 = windows[s.id]
        if s.blocks:
            # Block i of n in the i-th of n equal parts of the period: each on a day of its own.
            i, n = int(key.rsplit("-", 1)[1]) - 1, s.blocks
            length = (w1 - w0).days + 1
            b0, b1 = (w0 + timedelta(days=length * i // n),
                      w0 + timedelta(days=length * (i + 1) // n - 1))
            ctx.problem.jobs.append(_block_job(session, ctx, key, s, chain, required,
                                               ctx.day_index(b0), ctx.day_index(b1)))
            ctx.job_meetings[key] = chain
            for m in chain:
                by_school_type[(m.school_id, m.meeting_type)] = key
            continue
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
            earliest = max(earliest or 0, ctx.day_index(req.not_before) * instance.DAY)
        pref = prefs.get(lead.school_id)
        job = instance.Job(
            key=key,
            label=ctx.schools[lead.school_id].name if lead.school_id in ctx.schools else lead.title,
            parts=[instance.Part(m.id, meetings.planned_duration(session, m),
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
    order_rules(session, ctx, year, by_school_type)
    return ctx


def blocks_of(session: Session, step: Step, step_meetings: list[Meeting]) -> list[list[Meeting]]:
    """A block step's planned meetings in `step.blocks` runs held back to back, as even in
    size as they go. Within the runs, meetings that share their people sit together, so the
    psychologists and pedagogical consultants take turns: each comes for one stretch."""
    planned = [m for m in step_meetings if m.status is MeetingStatus.PLANNED]
    if not planned:
        return []
    required = required_participants(session, [m.id for m in planned])
    everyone = set.intersection(*(set(required.get(m.id, ())) for m in planned))
    planned.sort(key=lambda m: (sorted(set(required.get(m.id, ())) - everyone), m.title))
    n = min(step.blocks or 1, len(planned))
    size, extra = divmod(len(planned), n)
    out, at = [], 0
    for i in range(n):
        take = size + (1 if i < extra else 0)
        out.append(planned[at:at + take])
        at += take
    return out


def _block_job(session: Session, ctx: Context, key: str, step: Step, chain: list[Meeting],
               required: dict[int, list[int]], first_day: int, last_day: int) -> instance.Job:
    earliest = None
    for m in chain:
        ready = ready_at(session, m)
        if ready is not None:
            earliest = max(earliest or 0, ctx.minute(ready))
    return instance.Job(
        key=key, label=", ".join(ctx.schools[m.school_id].name if m.school_id in ctx.schools
                                 else m.title for m in chain),
        parts=[instance.Part(m.id, meetings.planned_duration(session, m),
                           tuple(required.get(m.id, ()))) for m in chain],
        place=place_of(chain[0], step), first_day=first_day, last_day=last_day,
        earliest=earliest, half_day=True)


def order_rules(session: Session, ctx: Context, year: SchoolYear,
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
