"""The scheduler's core: plain data in, placements out. No database, no HTTP, no language.

Time axis: minutes of local wall-clock time (Europe/Copenhagen) since midnight of the
horizon's first day, i.e. day index × 1440 + minute of the day. Working hours are local, so
this keeps 08:00 at 08:00 across the change to summer time (which falls in the Easter
weeks); the service converts to and from UTC at the edges.

A *job* is what gets one start time: a meeting, or a chain of meetings held back to back
(a dialogue and the debrief that follows it directly). A *fixed* meeting is one already
booked outside this run: it occupies its participants and counts towards their daily cap.

Three stages, all returning placements the same `violations()` check accepts:
1. `capacity()`: an upper bound per person (usable days × daily cap, and what fits in their
   free time) and per group of people who all attend the same jobs (`groups()`: what fits
   in their days together), so an impossible request is explained before any search.
2. `greedy()`: most constrained job first, each to its best day by the same scores the
   objective uses; when it leaves something out, `slot_greedy()` fills the bottleneck
   group's slots by a matching first.
3. `solve()`: CP-SAT on a grid no finer than the gcd of durations, buffers and boundaries,
   meetings optional (maximise how many are placed, then the soft preferences), with the
   greedy result as hint and a time limit. The better of the two is returned (after
   `polish()`), and both are checked by `violations()`, which is exact.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

DAY = 1440
NOON = 12 * 60
"""Where a morning ends and an afternoon begins (minute of the day)."""

# Objective weights. Placing one more meeting must outweigh every soft term it could cost
# (see `_place_weight`), so the solver never drops a school to make days prettier.
W_DAY = 10
"""A meeting on one of its school's preferred weekdays."""
W_TIME = 10
"""A meeting inside its school's preferred hours."""
W_USED = 4
"""Each day a shared participant has to come in (fewer days = compact days)."""
W_SPREAD = 3
"""The busiest week's number of meetings (lower = even spread over the window)."""

POLISH = 0.05
"""Share of the time limit (at most half a second) kept for `polish` after CP-SAT."""

PAIR_LIMIT = 5000
"""Most pairs of meetings at different places modelled exactly for travel, per person."""


@dataclass
class Person:
    id: int
    name: str
    hours: dict[int, tuple[int, int]]
    """Day index → (from, until) minutes of the day they work; a missing day: not working."""
    busy: list[tuple[int, int]] = field(default_factory=list)
    """Absolute (start, end) intervals when they are busy (typed in or imported)."""
    cap: int | None = None
    """At most this many meetings a day (None: no cap)."""
    buffer: int = 0
    """Minutes they need free between two meetings."""


@dataclass
class Part:
    meeting_id: int
    duration: int
    persons: tuple[int, ...]
    """Required participants (optional ones never block a placement)."""


@dataclass
class Job:
    key: str
    label: str
    """What people call it: usually the school's name."""
    parts: list[Part]
    place: str
    """"admin", "school:<id>" or "online": travel time applies between two different
    places, never to or from an online meeting."""
    first_day: int
    last_day: int
    earliest: int | None = None
    """Absolute minute before which it may not start (a data package ready, a prep held)."""
    latest_end: int | None = None
    """Absolute minute by which it must have ended (a later meeting already booked)."""
    preferred_weekdays: frozenset[int] = frozenset()
    preferred_from: int | None = None
    preferred_until: int | None = None
    school_id: int | None = None
    half_day: bool = False
    """It must lie within one morning (before noon) or one afternoon: a block of meetings
    held back to back ("2 sammenhængende formiddage eller eftermiddage")."""

    @property
    def duration(self) -> int:
        return sum(p.duration for p in self.parts)

    @property
    def persons(self) -> set[int]:
        return {pid for part in self.parts for pid in part.persons}

    def span(self, person_id: int) -> tuple[int, int]:
        """(offset, end offset) of the stretch this person is in, from the job's start."""
        offset, first, last = 0, None, None
        for part in self.parts:
            if person_id in part.persons:
                first = offset if first is None else first
                last = offset + part.duration
            offset += part.duration
        assert first is not None and last is not None
        return first, last

    @property
    def has_time_preference(self) -> bool:
        return self.preferred_from is not None and self.preferred_until is not None


@dataclass
class Fixed:
    key: str
    label: str
    start: int
    end: int
    persons: tuple[int, ...]
    place: str


@dataclass
class Problem:
    days: list[date]
    """Day index → date, for the whole horizon."""
    closed: dict[int, str]
    """Day index → why no meeting can be held: "" for a weekend, else the holiday's name."""
    persons: dict[int, Person]
    jobs: list[Job]
    fixed: list[Fixed] = field(default_factory=list)
    travel: int = 0
    """Minutes needed between two meetings at different places."""
    precedences: list[tuple[str, str]] = field(default_factory=list)
    """(job that must end first, job that starts after it): prep before dialogue."""

    def job(self, key: str) -> Job:
        return self._jobs_by_key()[key]

    def _jobs_by_key(self) -> dict[str, Job]:
        cache = getattr(self, "_by_key", None)
        if cache is None or len(cache) != len(self.jobs):
            cache = {j.key: j for j in self.jobs}
            self._by_key = cache
        return cache


# --- small helpers ---------------------------------------------------------------------------


def travel_needed(a: str, b: str) -> bool:
    return a != b and a != "online" and b != "online"


def separation(problem: Problem, person: Person, place_a: str, place_b: str) -> int:
    """Minutes this person needs between a meeting at place_a and the next at place_b."""
    travel = problem.travel if travel_needed(place_a, place_b) else 0
    return max(person.buffer, travel)


def _subtract(ranges: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """Remove the open interval (lo, hi) from inclusive ranges [a, b]."""
    out = []
    for a, b in ranges:
        if hi <= a or lo >= b:
            out.append((a, b))
            continue
        if a <= lo:
            out.append((a, lo))
        if hi <= b:
            out.append((hi, b))
    return [(a, b) for a, b in out if a <= b]


def _intersect(ranges: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    return [(max(a, lo), min(b, hi)) for a, b in ranges if max(a, lo) <= min(b, hi)]


def weekday(problem: Problem, day: int) -> int:
    return problem.days[day].weekday()


def week_of(problem: Problem, day: int) -> tuple[int, int]:
    iso = problem.days[day].isocalendar()
    return iso.year, iso.week


def grid_for(problem: Problem) -> int:
    """The coarsest grid that loses nothing: the gcd of every duration, buffer, travel time,
    and every boundary of working hours, busy times, booked meetings and preferred times.
    Never finer than 5 minutes: a busy time ending at 9:07 lets a meeting start at 9:10."""
    values = [problem.travel]
    for f in problem.fixed:
        values += [f.start % DAY, f.end % DAY]
    for job in problem.jobs:
        values += [p.duration for p in job.parts]
        if job.has_time_preference:
            values += [job.preferred_from, job.preferred_until]
    for person in problem.persons.values():
        values.append(person.buffer)
        for a, b in person.hours.values():
            values += [a, b]
        for a, b in person.busy:
            values += [a % DAY, b % DAY]
    g = 0
    for v in values:
        if v:
            g = math.gcd(g, int(v))
    return max(g or 60, 5)


def _fixed_by_person_day(problem: Problem) -> dict[tuple[int, int], list[Fixed]]:
    out: dict[tuple[int, int], list[Fixed]] = defaultdict(list)
    for f in problem.fixed:
        for pid in f.persons:
            if pid in problem.persons:
                out[(pid, f.start // DAY)].append(f)
    return out


# --- static candidates ---------------------------------------------------------------------------


@dataclass
class Candidates:
    """For each job: day → sorted start minutes (on the grid) allowed by everything that
    does not depend on where other jobs go: closed days, windows, working hours, busy
    times, fixed meetings (with buffers and travel) and a full daily cap."""

    grid: int
    starts: dict[str, dict[int, list[int]]]

    def count(self, key: str) -> int:
        return sum(len(v) for v in self.starts[key].values())


def free_starts(problem: Problem, job: Job, day: int, person: Person,
                fixed_pd: dict[tuple[int, int], list[Fixed]]) -> list[tuple[int, int]]:
    """Ranges of start minutes on `day` that this one person allows for `job`."""
    hours = person.hours.get(day)
    if hours is None:
        return []
    off, end_off = job.span(person.id)
    base = day * DAY
    ranges = [(base + hours[0] - off, base + hours[1] - end_off)]
    ranges = [(a, b) for a, b in ranges if a <= b]
    for b0, b1 in person.busy:
        if b1 <= base or b0 >= base + DAY:
            continue
        # Starting at s overlaps the busy time when s+off < b1 and s+end_off > b0.
        ranges = _subtract(ranges, b0 - end_off, b1 - off)
    if person.cap is not None and len(fixed_pd.get((person.id, day), ())) >= person.cap:
        return []
    for f in fixed_pd.get((person.id, day), ()):
        sep = separation(problem, person, job.place, f.place)
        # Clash unless s+end_off+sep <= f.start or f.end+sep <= s+off.
        ranges = _subtract(ranges, f.start - end_off - sep, f.end + sep - off)
    return ranges


def job_ranges(problem: Problem, job: Job, day: int,
               fixed_pd: dict[tuple[int, int], list[Fixed]]) -> list[tuple[int, int]]:
    if day in problem.closed or not (job.first_day <= day <= job.last_day):
        return []
    base = day * DAY
    ranges = [(base, base + DAY - job.duration)]
    if job.half_day:
        ranges = [(base, base + NOON - job.duration), (base + NOON, base + DAY - job.duration)]
        ranges = [(a, b) for a, b in ranges if a <= b]
    if job.earliest is not None:
        ranges = _intersect(ranges, job.earliest, 10**9)
    if job.latest_end is not None:
        ranges = _intersect(ranges, -10**9, job.latest_end - job.duration)
    for pid in job.persons:
        person = problem.persons[pid]
        own = free_starts(problem, job, day, person, fixed_pd)
        merged = []
        for a, b in own:
            merged += _intersect(ranges, a, b)
        ranges = merged
        if not ranges:
            break
    return ranges


def candidates(problem: Problem, grid: int | None = None) -> Candidates:
    grid = grid or grid_for(problem)
    fixed_pd = _fixed_by_person_day(problem)
    starts: dict[str, dict[int, list[int]]] = {}
    for job in problem.jobs:
        per_day: dict[int, list[int]] = {}
        for day in range(max(job.first_day, 0), min(job.last_day, len(problem.days) - 1) + 1):
            values: list[int] = []
            for a, b in job_ranges(problem, job, day, fixed_pd):
                first = -(-a // grid) * grid
                values.extend(range(first, b + 1, grid))
            if values:
                per_day[day] = sorted(set(values))
        starts[job.key] = per_day
    return Candidates(grid, starts)


# --- checking a placement ----------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    kind: str
    """closed · window · halfday · earliest · latest · hours · busy · cap · overlap · gap ·
    order"""
    job: str
    person: int | None = None
    other: str | None = None
    """The other job's or fixed meeting's key (overlap, gap, order)."""
    detail: str = ""
    """The holiday's name (closed), the needed minutes (gap), the cap (cap)."""


def _person_intervals(problem: Problem, placement: dict[str, int]):
    """(person, day) → [(start, end, place, key, is_job)] for placed jobs and fixed meetings."""
    out: dict[tuple[int, int], list[tuple[int, int, str, str, bool]]] = defaultdict(list)
    for job in problem.jobs:
        start = placement.get(job.key)
        if start is None:
            continue
        for pid in job.persons:
            off, end_off = job.span(pid)
            out[(pid, start // DAY)].append((start + off, start + end_off, job.place, job.key, True))
    for f in problem.fixed:
        for pid in f.persons:
            if pid in problem.persons:
                out[(pid, f.start // DAY)].append((f.start, f.end, f.place, f.key, False))
    return out


def violations(problem: Problem, placement: dict[str, int]) -> list[Violation]:
    """Every hard rule a placement breaks; [] means conflict-free. Exact, not gridded."""
    found: list[Violation] = []
    for job in problem.jobs:
        start = placement.get(job.key)
        if start is None:
            continue
        day = start // DAY
        end = start + job.duration
        if day in problem.closed:
            found.append(Violation("closed", job.key, detail=problem.closed[day]))
        if not (job.first_day <= day <= job.last_day) or end > (day + 1) * DAY:
            found.append(Violation("window", job.key))
        if job.half_day and start - day * DAY < NOON < end - day * DAY:
            found.append(Violation("halfday", job.key))
        if job.earliest is not None and start < job.earliest:
            found.append(Violation("earliest", job.key))
        if job.latest_end is not None and end > job.latest_end:
            found.append(Violation("latest", job.key))
        offset = 0
        for part in job.parts:
            a, b = start + offset, start + offset + part.duration
            offset += part.duration
            for pid in part.persons:
                person = problem.persons[pid]
                hours = person.hours.get(day)
                if hours is None or a < day * DAY + hours[0] or b > day * DAY + hours[1]:
                    found.append(Violation("hours", job.key, pid))
                if any(b0 < b and a < b1 for b0, b1 in person.busy):
                    found.append(Violation("busy", job.key, pid))
    for (pid, _day), items in _person_intervals(problem, placement).items():
        person = problem.persons[pid]
        items.sort()
        if not any(is_job for *_, is_job in items):
            continue
        if person.cap is not None and len(items) > person.cap:
            for _, _, _, key, is_job in items:
                if is_job:
                    found.append(Violation("cap", key, pid, detail=str(person.cap)))
        for (_s1, e1, p1, k1, j1), (s2, _e2, p2, k2, j2) in zip(items, items[1:]):
            if not (j1 or j2):
                continue
            need = separation(problem, person, p1, p2)
            if s2 < e1:
                found.append(Violation("overlap", k2 if j2 else k1, pid, k1 if j2 else k2))
            elif s2 - e1 < need:
                found.append(Violation("gap", k2 if j2 else k1, pid, k1 if j2 else k2,
                                       detail=str(need)))
    for before, after in problem.precedences:
        if (before in placement and after in placement
                and placement[before] + problem.job(before).duration > placement[after]):
            found.append(Violation("order", after, other=before))
    return found


# --- the objective -------------------------------------------------------------------------------


def shared_persons(problem: Problem) -> set[int]:
    counts = Counter(pid for job in problem.jobs for pid in job.persons)
    return {pid for pid, n in counts.items() if n >= 2}


def _place_weight(problem: Problem) -> int:
    shared = shared_persons(problem)
    most = max((len(job.persons & shared) for job in problem.jobs), default=0)
    return W_DAY + W_TIME + W_USED * most + W_SPREAD + 1


def in_preferred_time(job: Job, start: int) -> bool:
    if not job.has_time_preference:
        return False
    tod = start % DAY
    return job.preferred_from <= tod and tod + job.duration <= job.preferred_until


@dataclass
class Score:
    placed: int
    preferred_days: int
    preferred_times: int
    days_used: int
    busiest_week: int
    value: int


def evaluate(problem: Problem, placement: dict[str, int]) -> Score:
    """The objective both the greedy and CP-SAT maximise, computed the same way for both."""
    return scorer(problem)(placement)


def scorer(problem: Problem) -> Callable[[dict[str, int]], Score]:
    """`evaluate` for many placements of one problem: what does not depend on the placement
    (who is shared, the weight of a placement, booked meetings' days) worked out once."""
    shared = shared_persons(problem)
    weight = _place_weight(problem)
    jobs = [(j, tuple(j.persons & shared)) for j in problem.jobs]
    fixed_used = {(pid, f.start // DAY) for f in problem.fixed for pid in f.persons
                  if pid in shared and (f.start // DAY) < len(problem.days)}
    weekdays = [d.weekday() for d in problem.days]
    weeks_of = [week_of(problem, i) for i in range(len(problem.days))]

    def score(placement: dict[str, int]) -> Score:
        placed = pref_days = pref_times = 0
        used = set(fixed_used)
        weeks: Counter[tuple[int, int]] = Counter()
        for j, people in jobs:
            start = placement.get(j.key)
            if start is None:
                continue
            day = start // DAY
            placed += 1
            pref_days += weekdays[day] in j.preferred_weekdays
            pref_times += in_preferred_time(j, start)
            for pid in people:
                used.add((pid, day))
            weeks[weeks_of[day]] += 1
        busiest = max(weeks.values(), default=0)
        value = (weight * placed + W_DAY * pref_days + W_TIME * pref_times
                 - W_USED * len(used) - W_SPREAD * busiest)
        return Score(placed, pref_days, pref_times, len(used), busiest, value)
    return score


# --- 1. capacity -----------------------------------------------------------------------------------


@dataclass
class Shortfall:
    """A person who must attend more meetings than the window can possibly hold for them;
    with `together`, the people who must attend every one of those meetings with them, so
    that the room is what fits in all their days at once."""

    person: int
    demand: int
    capacity: int
    usable_days: int
    cap: int | None
    closed: dict[str, int]
    """Holiday name → weekdays of the window it closes ("" is left out: weekends)."""
    together: tuple[int, ...] = ()
    """The others who attend every one of these meetings ((): the person's own room)."""
    before: int = 0
    """How many of these meetings must have another job of the run held before them (prep
    before dialogue); the room counts that job's earliest possible end."""


@dataclass(frozen=True)
class Group:
    """Jobs that the same people all attend, each the same stretch: at most `room[day]` of
    them fit on a day, whatever else happens (they follow one another for all of them)."""

    persons: tuple[int, ...]
    jobs: tuple[str, ...]
    spacing: int
    """Minutes from one of these jobs' start to the next's (the longest stretch + break)."""
    room: dict[int, int]
    """Day → most of these jobs that fit in it."""


def _earliest_after_preds(problem: Problem, cands: Candidates) -> dict[str, dict[int, int]]:
    """Job → day → its earliest start on that day if its predecessors are held before it
    (a day without an entry: no predecessor fits before it; a job without predecessors is
    left out). The predecessor's earliest end on the first day it can be held, plus the
    break or travel for the people in both."""
    preds: dict[str, list[str]] = defaultdict(list)
    for before, after in problem.precedences:
        preds[after].append(before)
    out: dict[str, dict[int, int]] = {}
    for key, before in preds.items():
        job = problem.job(key)
        lo_by_day: dict[int, int] = {}
        for day in cands.starts.get(key, {}):
            lo = -10**9
            for p in before:
                pred = problem.job(p)
                days = [d for d in cands.starts.get(p, {}) if d <= day]
                if not days:
                    lo = 10**9
                    break
                if min(days) < day:
                    continue
                sep = max((separation(problem, problem.persons[q], pred.place, job.place)
                           for q in pred.persons & job.persons), default=0)
                lo = max(lo, cands.starts[p][day][0] + pred.duration + sep)
            lo_by_day[day] = lo
        out[key] = lo_by_day
    return out


def groups(problem: Problem, cands: Candidates, with_order: bool = False) -> list[Group]:
    """For every set of jobs attended by the same two or more people (the six who are in
    every dialogue), how many fit on each day: their starts (the union of every such job's
    candidate starts, so an upper bound) taken earliest first, one `spacing` apart, and no
    more than the smallest daily cap leaves. With `with_order`, a job with a predecessor
    starts no earlier than that predecessor can end (no dialogue at 8:00 on the first day:
    its prep meeting comes first)."""
    fixed_pd = _fixed_by_person_day(problem)
    after = _earliest_after_preds(problem, cands) if with_order else {}
    by_person: dict[int, list[Job]] = defaultdict(list)
    for job in problem.jobs:
        if cands.starts.get(job.key):
            for pid in job.persons:
                by_person[pid].append(job)
    out, seen = [], set()
    for pid in sorted(by_person):
        jobs = by_person[pid]
        keys = tuple(sorted(j.key for j in jobs))
        if len(jobs) < 2 or keys in seen:
            continue
        seen.add(keys)
        common = sorted(set.intersection(*(j.persons for j in jobs)))
        if len(common) < 2 or any(j.span(q) != jobs[0].span(q) for j in jobs for q in common):
            continue
        spacing = max(jobs[0].span(q)[1] - jobs[0].span(q)[0] + problem.persons[q].buffer
                      for q in common)
        starts: dict[int, set[int]] = defaultdict(set)
        for j in jobs:
            for day, values in cands.starts[j.key].items():
                if j.key in after:
                    lo = after[j.key].get(day, 10**9)
                    values = [v for v in values if v >= lo]
                starts[day].update(values)
        room = {}
        for day, values in starts.items():
            n, last = 0, None
            for v in sorted(values):
                if last is None or v >= last + spacing:
                    n, last = n + 1, v
            for q in common:
                person = problem.persons[q]
                if person.cap is not None:
                    n = min(n, max(person.cap - len(fixed_pd.get((q, day), ())), 0))
            room[day] = n
        out.append(Group(tuple(common), keys, spacing, room))
    return out


def day_room(problem: Problem, cands: Candidates,
             group_list: list[Group] | None = None) -> dict[tuple[int, int], int]:
    """(person, day) → most of their jobs that fit in the day: their stretches taken
    earliest first (the shortest stretch and their break apart), their cap, and for
    someone whose jobs are exactly a group's, the group's room. An upper bound, valid for
    every placement; the CP-SAT model uses it to bound each day from above."""
    fixed_pd = _fixed_by_person_day(problem)
    by_person: dict[int, list[Job]] = defaultdict(list)
    for job in problem.jobs:
        if cands.starts.get(job.key):
            for pid in job.persons:
                by_person[pid].append(job)
    group_of = {g.jobs: g for g in (group_list or [])}
    out: dict[tuple[int, int], int] = {}
    for pid, jobs in by_person.items():
        person = problem.persons[pid]
        spacing = min(j.span(pid)[1] - j.span(pid)[0] for j in jobs) + person.buffer
        starts: dict[int, set[int]] = defaultdict(set)
        for j in jobs:
            off = j.span(pid)[0]
            for day, values in cands.starts[j.key].items():
                starts[day].update(v + off for v in values)
        group = group_of.get(tuple(sorted(j.key for j in jobs)))
        for day, values in starts.items():
            n, last = 0, None
            for v in sorted(values):
                if last is None or v >= last + max(spacing, 1):
                    n, last = n + 1, v
            if person.cap is not None:
                n = min(n, max(person.cap - len(fixed_pd.get((pid, day), ())), 0))
            if group is not None:
                n = min(n, group.room.get(day, 0))
            out[(pid, day)] = n
    return out


def capacity(problem: Problem, cands: Candidates | None = None) -> list[Shortfall]:
    """Usable days × daily cap (and what fits in each day's free time) ≥ meetings, per person;
    and for people who must all attend the same meetings (the six in every dialogue), what
    fits in all their days at once (`groups`, with each prep meeting before its dialogue).

    A necessary condition only, but it catches the common impossible request (too many
    schools for the weeks given) at once and names the people and the numbers.
    """
    shortfalls = _person_capacity(problem)
    cands = cands or candidates(problem)
    has_pred = {after for _, after in problem.precedences}
    short = [g for g in groups(problem, cands, with_order=True)
             if len(g.jobs) > sum(g.room.values())]
    deficit = {g.jobs: len(g.jobs) - sum(g.room.values()) for g in short}
    for group in short:
        total = sum(group.room.values())
        # One consultant's dialogues are short with the same people as all dialogues are:
        # only the larger shortfall is named, it says all the smaller one says.
        if any(set(group.jobs) < set(other.jobs) and deficit[other.jobs] >= deficit[group.jobs]
               for other in short):
            continue
        # Named after the one with the least room of their own, the others alongside.
        own = {sf.person: sf.capacity for sf in shortfalls if not sf.together}
        lead = min(group.persons, key=lambda q: (own.get(q, 10**9), q))
        caps = [problem.persons[q].cap for q in group.persons
                if problem.persons[q].cap is not None]
        first = min(problem.job(k).first_day for k in group.jobs)
        last = min(max(problem.job(k).last_day for k in group.jobs), len(problem.days) - 1)
        closed: Counter[str] = Counter(
            problem.closed[d] for d in range(max(first, 0), last + 1)
            if problem.closed.get(d) and weekday(problem, d) < 5)
        shortfalls.append(Shortfall(
            lead, len(group.jobs), total, sum(1 for n in group.room.values() if n > 0),
            min(caps) if caps else None, dict(closed),
            together=tuple(q for q in group.persons if q != lead),
            before=sum(1 for k in group.jobs if k in has_pred)))
    return shortfalls


def _person_capacity(problem: Problem) -> list[Shortfall]:
    fixed_pd = _fixed_by_person_day(problem)
    by_person: dict[int, list[Job]] = defaultdict(list)
    for job in problem.jobs:
        for pid in job.persons:
            by_person[pid].append(job)
    shortfalls = []
    for pid, jobs in by_person.items():
        person = problem.persons[pid]
        first = min(j.first_day for j in jobs)
        last = min(max(j.last_day for j in jobs), len(problem.days) - 1)
        shortest = min(j.span(pid)[1] - j.span(pid)[0] for j in jobs)
        total, usable = 0, 0
        closed: Counter[str] = Counter()
        for day in range(max(first, 0), last + 1):
            if day in problem.closed:
                if problem.closed[day] and weekday(problem, day) < 5:
                    closed[problem.closed[day]] += 1
                continue
            hours = person.hours.get(day)
            if hours is None:
                continue
            free = [(day * DAY + hours[0], day * DAY + hours[1])]
            for b0, b1 in person.busy:
                free = _subtract(free, b0, b1)
            for f in fixed_pd.get((pid, day), ()):
                free = _subtract(free, f.start, f.end)
            fits = sum((b - a + person.buffer) // (shortest + person.buffer)
                       for a, b in free if b - a >= shortest)
            if person.cap is not None:
                fits = min(fits, max(person.cap - len(fixed_pd.get((pid, day), ())), 0))
            if fits > 0:
                usable += 1
                total += fits
        if len(jobs) > total:
            shortfalls.append(Shortfall(pid, len(jobs), total, usable, person.cap, dict(closed)))
    return shortfalls


# --- 2. greedy -------------------------------------------------------------------------------------


class _State:
    """Where placed jobs sit, per person and day, for the greedy's incremental checks."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.items: dict[tuple[int, int], list[tuple[int, int, str]]] = defaultdict(list)
        self.count: Counter[tuple[int, int]] = Counter()
        for f in problem.fixed:
            for pid in f.persons:
                if pid in problem.persons:
                    self.count[(pid, f.start // DAY)] += 1
        self.week_load: Counter[tuple[int, int]] = Counter()
        self.placement: dict[str, int] = {}

    def fits(self, job: Job, start: int) -> bool:
        day = start // DAY
        for pid in job.persons:
            person = self.problem.persons[pid]
            if person.cap is not None and self.count[(pid, day)] >= person.cap:
                return False
            off, end_off = job.span(pid)
            a, b = start + off, start + end_off
            for s, e, place in self.items[(pid, day)]:
                sep = separation(self.problem, person, job.place, place)
                if not (b + sep <= s or e + sep <= a):
                    return False
        return True

    def add(self, job: Job, start: int) -> None:
        day = start // DAY
        for pid in job.persons:
            off, end_off = job.span(pid)
            self.items[(pid, day)].append((start + off, start + end_off, job.place))
            self.count[(pid, day)] += 1
        self.week_load[week_of(self.problem, day)] += 1
        self.placement[job.key] = start

    def remove(self, job: Job) -> None:
        start = self.placement.pop(job.key)
        day = start // DAY
        for pid in job.persons:
            off, end_off = job.span(pid)
            self.items[(pid, day)].remove((start + off, start + end_off, job.place))
            self.count[(pid, day)] -= 1
        self.week_load[week_of(self.problem, day)] -= 1


def greedy(problem: Problem, cands: Candidates | None = None,
           seed: dict[str, int] | None = None) -> dict[str, int]:
    """Most constrained job first; each to the day that scores best, at its earliest fit.

    A job with predecessors (a dialogue with its prep meeting) is placed together with
    them: a day only counts if every unplaced predecessor still fits before it. `seed`:
    placements taken as they are first (those that fit); then predecessors of seeded jobs,
    the earliest successor first, then everything else as usual.
    """
    cands = cands or candidates(problem)
    state = _State(problem)
    for key, start in sorted((seed or {}).items(), key=lambda kv: kv[1]):
        job = problem.job(key)
        if state.fits(job, start):
            state.add(job, start)
    shared = shared_persons(problem)
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for before, after in problem.precedences:
        preds[after].append(before)
        succs[before].append(after)

    def options(job: Job, lo: int, hi: int, last_day: int | None = None):
        """(score key, start) of the best fit on every day, best first."""
        found = []
        max_week = max(state.week_load.values(), default=0)
        for day, starts in cands.starts[job.key].items():
            if last_day is not None and day > last_day:
                continue
            fit = fit_pref = None
            for s in starts:
                if s < lo or s > hi:
                    continue
                if state.fits(job, s):
                    if fit is None:
                        fit = s
                    if in_preferred_time(job, s):
                        fit_pref = s
                        break
                    if not job.has_time_preference:
                        break
            if fit is None:
                continue
            start = fit_pref if fit_pref is not None else fit
            week = week_of(problem, day)
            score = (W_DAY * (weekday(problem, day) in job.preferred_weekdays)
                     + W_TIME * in_preferred_time(job, start)
                     - W_USED * sum(1 for pid in job.persons & shared
                                    if state.count[(pid, day)] == 0)
                     - W_SPREAD * (state.week_load[week] + 1 > max_week))
            found.append(((score, -state.week_load[week], -day), start))
        found.sort(key=lambda f: f[0], reverse=True)
        return found

    def bounds(job: Job) -> tuple[int, int]:
        lo, hi = -10**9, 10**9
        for p in preds[job.key]:
            if p in state.placement:
                lo = max(lo, state.placement[p] + problem.job(p).duration)
        for s in succs[job.key]:
            if s in state.placement:
                hi = min(hi, state.placement[s] - job.duration)
        return lo, hi

    def place_with_preds(job: Job) -> bool:
        lo, hi = bounds(job)
        waiting = [problem.job(p) for p in preds[job.key] if p not in state.placement]
        for _, start in options(job, lo, hi):
            if not waiting:
                state.add(job, start)
                return True
            state.add(job, start)
            placed = []
            for pred in waiting:
                p_lo, p_hi = bounds(pred)
                best = options(pred, p_lo, min(p_hi, start - pred.duration), start // DAY)
                if not best:
                    break
                state.add(pred, best[0][1])
                placed.append(pred)
            if len(placed) == len(waiting):
                return True
            for pred in placed:
                state.remove(pred)
            state.remove(job)
        return False

    # Fewest possible starts first; jobs that others must follow go with those others.
    order = sorted(problem.jobs, key=lambda j: (cands.count(j.key), -len(j.persons), j.key))
    if seed:
        def successor_start(job: Job) -> int:
            return min((state.placement[s] for s in succs[job.key] if s in state.placement),
                       default=10**9)
        for job in sorted(order, key=successor_start):
            if (job.key not in state.placement and succs[job.key]
                    and all(s in state.placement for s in succs[job.key])):
                place_with_preds(job)
    for job in order:
        if job.key in state.placement or any(s not in state.placement for s in succs[job.key]):
            continue
        place_with_preds(job)
    # Predecessors whose successor could not be placed: place them on their own.
    for job in order:
        if job.key not in state.placement:
            place_with_preds(job)
    return state.placement


def slot_greedy(problem: Problem, cands: Candidates, group: Group) -> dict[str, int]:
    """For a group whose days are the bottleneck (the six in every dialogue): the day's
    slots as `groups` counts them (earliest first, one `spacing` apart, each after a
    predecessor can end), each job matched to a slot it can start in: first the best slot
    by the greedy's scores, then augmenting paths (Kuhn) so that as many jobs as the
    matching allows get one. Then `greedy` seeded with it places the rest (the preps
    before their dialogues)."""
    after = _earliest_after_preds(problem, cands)
    jobs = [problem.job(k) for k in group.jobs]
    slots: list[int] = []
    for day in sorted({d for j in jobs for d in cands.starts[j.key]}):
        values: set[int] = set()
        for j in jobs:
            lo = after[j.key].get(day, 10**9) if j.key in after else -10**9
            values.update(v for v in cands.starts[j.key].get(day, ()) if v >= lo)
        taken = []
        for v in sorted(values):
            if not taken or v >= taken[-1] + group.spacing:
                taken.append(v)
        slots += taken[:group.room.get(day, 0)]
    feasible: dict[str, list[int]] = {}
    for j in jobs:
        allowed = {v for vs in cands.starts[j.key].values() for v in vs}
        lo_by_day = after.get(j.key)
        feasible[j.key] = [t for t in slots if t in allowed
                           and (lo_by_day is None or t >= lo_by_day.get(t // DAY, 10**9))]
    # As many jobs as possible get a slot, and among those matchings the one that meets the
    # most schools' wishes (weekday, hours): a max flow of least cost.
    from ortools.graph.python import min_cost_flow

    flow = min_cost_flow.SimpleMinCostFlow()
    index = {t: len(jobs) + 1 + i for i, t in enumerate(slots)}
    sink = len(jobs) + len(slots) + 1
    arcs = []
    for i, j in enumerate(jobs, start=1):
        flow.add_arc_with_capacity_and_unit_cost(0, i, 1, 0)
        for t in feasible[j.key]:
            wish = (W_DAY * (weekday(problem, t // DAY) in j.preferred_weekdays)
                    + W_TIME * in_preferred_time(j, t))
            arcs.append((flow.add_arc_with_capacity_and_unit_cost(i, index[t], 1, -wish),
                         j.key, t))
    for t in slots:
        flow.add_arc_with_capacity_and_unit_cost(index[t], sink, 1, 0)
    flow.set_node_supply(0, len(jobs))
    flow.set_node_supply(sink, -len(jobs))
    owner: dict[int, str] = {}
    if flow.solve_max_flow_with_min_cost() == flow.OPTIMAL:
        owner = {t: key for arc, key, t in arcs if flow.flow(arc)}
    slot_of = {k: t for t, k in owner.items()}

    def augment(key: str, seen: set[int]) -> bool:
        for t in feasible[key]:
            if t in seen:
                continue
            seen.add(t)
            if t not in owner or augment(owner[t], seen):
                owner[t] = key
                slot_of[key] = t
                return True
        return False

    preds: dict[str, list[str]] = defaultdict(list)
    for before, later in problem.precedences:
        preds[later].append(before)
    best: dict[str, int] = {}
    best_value = None
    for _ in range(4):
        for j in jobs:
            if j.key not in slot_of:
                augment(j.key, set())
        placement = greedy(problem, cands, seed=slot_of)
        value = evaluate(problem, placement).value
        if best_value is None or value > best_value:
            best, best_value = placement, value
        # A job whose predecessor found no room before it (three dialogues of one
        # consultant's schools on the first morning, and room for one prep before them):
        # it swaps slots with a job on another day whose predecessors need other people,
        # or gives its slot to an unmatched such job.
        stuck = [j.key for j in jobs if j.key in placement
                 and any(p not in placement for p in preds[j.key])]
        if not stuck:
            break
        for key in stuck:
            t = slot_of[key]
            needed = {q for p in preds[key] if p not in placement
                      for q in problem.job(p).persons}

            def other_people(k: str, needed: set[int] = needed) -> bool:
                return not any(problem.job(p).persons & needed for p in preds[k])
            swap = next((k for k, t2 in sorted(slot_of.items(), key=lambda kv: -kv[1])
                         if t2 // DAY != t // DAY and other_people(k)
                         and t in feasible[k] and t2 in feasible[key]), None)
            if swap is not None:
                t2 = slot_of[swap]
                slot_of[key], slot_of[swap], owner[t], owner[t2] = t2, t, swap, key
                continue
            spare = next((j.key for j in jobs if j.key not in slot_of
                          and other_people(j.key) and t in feasible[j.key]), None)
            if spare is not None:
                del slot_of[key]
                slot_of[spare], owner[t] = t, spare
    return best


def polish(problem: Problem, cands: Candidates, placement: dict[str, int],
           deadline: float) -> dict[str, int]:
    """A last look at the schools whose wishes (weekday, hours) are not met: each such job
    moved to another of its starts, or swapped with the job that starts there, its prep
    meeting moved along when it would no longer come first, whenever that raises the
    objective and makes none of its terms worse. Stops at `deadline`."""
    state = _State(problem)
    for key, start in placement.items():
        state.add(problem.job(key), start)
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for before, later in problem.precedences:
        preds[later].append(before)
        succs[before].append(later)

    def place(job: Job, start: int, moved: list[tuple[str, int | None]]) -> bool:
        """Put `job` (not placed) at `start`, moving predecessors that would end after it to
        the latest day before it where they fit; every change goes on `moved` to undo."""
        if not state.fits(job, start) or any(
                start + job.duration > state.placement[s] for s in succs[job.key]
                if s in state.placement):
            return False
        state.add(job, start)
        moved.append((job.key, None))
        for p in preds[job.key]:
            if p not in state.placement:
                continue
            pred = problem.job(p)
            if state.placement[p] + pred.duration <= start:
                continue
            old = state.placement[p]
            state.remove(pred)
            moved.append((p, old))
            spot = next((v for d in sorted(cands.starts[p], reverse=True) if d <= start // DAY
                         for v in cands.starts[p][d]
                         if v + pred.duration <= start and state.fits(pred, v)
                         and all(state.placement[q] + problem.job(q).duration <= v
                                 for q in preds[p] if q in state.placement)), None)
            if spot is None:
                return False
            state.add(pred, spot)
            moved.append((p, None))
        return True

    def undo(moved: list[tuple[str, int | None]]) -> None:
        for key, old in reversed(moved):
            if old is None:
                state.remove(problem.job(key))
            else:
                state.add(problem.job(key), old)

    score = scorer(problem)
    current = score(state.placement)
    unmet = [j for j in problem.jobs if j.key in state.placement
             and (j.preferred_weekdays or j.has_time_preference)
             and not (weekday(problem, state.placement[j.key] // DAY) in j.preferred_weekdays
                      and (not j.has_time_preference
                           or in_preferred_time(j, state.placement[j.key])))]
    for job in unmet:
        home = state.placement[job.key]
        wished = [t for d, ts in cands.starts[job.key].items()
                  if not job.preferred_weekdays or weekday(problem, d) in job.preferred_weekdays
                  for t in ts if not job.has_time_preference or in_preferred_time(job, t)]
        for t in wished:
            if time.perf_counter() > deadline:
                return dict(state.placement)
            moved: list[tuple[str, int | None]] = [(job.key, home)]
            state.remove(job)
            # Whoever starts there (same length) goes to `home` instead, if it can.
            other = next((problem.job(k) for k, v in state.placement.items()
                          if v == t and problem.job(k).duration == job.duration
                          and home in cands.starts[k].get(home // DAY, ())), None)
            ok = True
            if other is not None:
                state.remove(other)
                moved.append((other.key, t))
            if not place(job, t, moved) or (other is not None
                                            and not place(other, home, moved)):
                ok = False
            if ok:
                new = score(state.placement)
                # Only a change that costs nothing elsewhere: CP-SAT has weighed the
                # trade-offs between the terms already.
                if new.value > current.value and new.busiest_week <= current.busiest_week \
                        and new.days_used <= current.days_used \
                        and new.preferred_days >= current.preferred_days \
                        and new.preferred_times >= current.preferred_times:
                    current = new
                    break
            undo(moved)
    return dict(state.placement)


# --- 3. CP-SAT -------------------------------------------------------------------------------------


@dataclass
class Result:
    placement: dict[str, int]
    score: Score
    method: str
    """"cp-sat" or "greedy": whichever found the better schedule ("+polish": then improved
    by `polish`)."""
    status: str
    """CP-SAT's status name (OPTIMAL, FEASIBLE, …) or "SKIPPED"."""
    bound: int | None
    """CP-SAT's proven upper bound on the objective."""
    greedy_placement: dict[str, int]
    greedy_score: Score
    shortfalls: list[Shortfall]
    grid: int
    seconds: float
    greedy_seconds: float
    cpsat_seconds: float
    capacity_seconds: float
    unplaced: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        if self.bound is None:
            return None
        return (self.bound - self.score.value) / max(abs(self.bound), 1)


def _cpsat(problem: Problem, cands: Candidates, hint: dict[str, int], deadline: float,
           workers: int):
    from ortools.sat.python import cp_model

    g = cands.grid
    model = cp_model.CpModel()
    shared = shared_persons(problem)
    fixed_pd = _fixed_by_person_day(problem)
    presence, start, day_vars, pref_time = {}, {}, {}, {}
    per_person_day: dict[tuple[int, int], list] = defaultdict(list)
    week_vars: dict[tuple[int, int], list] = defaultdict(list)
    objective = []
    place_weight = _place_weight(problem)
    hint_days = {k: v // DAY for k, v in hint.items()}

    # Each person's intervals are padded at the end by their buffer. Travel time applies
    # only between two different places: for a person whose meetings here are at several
    # places, each such pair gets its own either-or constraint, up to PAIR_LIMIT pairs;
    # beyond that the padding includes the travel time for every meeting (safe, but it
    # may leave a little room unused; `violations()` and the greedy are always exact).
    by_person: dict[int, list[Job]] = defaultdict(list)
    for job in problem.jobs:
        if cands.starts[job.key]:
            for pid in job.persons:
                by_person[pid].append(job)
    pad: dict[int, int] = {}
    pairs: list[tuple[int, Job, Job]] = []
    for pid, person in problem.persons.items():
        jobs_p = by_person.get(pid, [])
        pad[pid] = person.buffer
        if problem.travel <= person.buffer:
            continue
        mixed = [(a, b) for i, a in enumerate(jobs_p) for b in jobs_p[i + 1:]
                 if travel_needed(a.place, b.place)]
        if len(mixed) <= PAIR_LIMIT:
            pairs += [(pid, a, b) for a, b in mixed]
        else:
            pad[pid] = problem.travel
    intervals: dict[int, list] = defaultdict(list)

    for job in problem.jobs:
        days = cands.starts[job.key]
        if not days:
            continue
        x = model.NewBoolVar(f"x_{job.key}")
        values = sorted(v // g for vs in days.values() for v in vs)
        s = model.NewIntVarFromDomain(cp_model.Domain.FromValues(values), f"s_{job.key}")
        presence[job.key], start[job.key] = x, s
        objective.append(place_weight * x)
        bs = []
        for day, vs in days.items():
            b = model.NewBoolVar(f"b_{job.key}_{day}")
            model.AddLinearExpressionInDomain(
                s, cp_model.Domain.FromValues([v // g for v in vs])).OnlyEnforceIf(b)
            day_vars[(job.key, day)] = b
            bs.append(b)
            if weekday(problem, day) in job.preferred_weekdays:
                objective.append(W_DAY * b)
            for pid in job.persons:
                per_person_day[(pid, day)].append(b)
            week_vars[week_of(problem, day)].append(b)
            model.AddHint(b, hint_days.get(job.key) == day)
        model.Add(sum(bs) == x)
        if job.has_time_preference:
            pt = model.NewBoolVar(f"pt_{job.key}")
            model.AddImplication(pt, x)
            for day, b in ((d, day_vars[(job.key, d)]) for d in days):
                lo = (day * DAY + job.preferred_from) // g
                hi = (day * DAY + job.preferred_until - job.duration) // g
                if lo > hi:
                    model.Add(b == 0).OnlyEnforceIf(pt)
                else:
                    model.AddLinearConstraint(s, lo, hi).OnlyEnforceIf([b, pt])
            pref_time[job.key] = pt
            objective.append(W_TIME * pt)
            model.AddHint(pt, job.key in hint and in_preferred_time(job, hint[job.key]))
        model.AddHint(x, job.key in hint)
        if job.key in hint:
            model.AddHint(s, hint[job.key] // g)
        for pid in job.persons:
            off, end_off = job.span(pid)
            size = (end_off - off + pad[pid]) // g
            iv = model.NewOptionalFixedSizeIntervalVar(s + off // g, size, x,
                                                       f"i_{job.key}_{pid}")
            intervals[pid].append(iv)

    for ivs in intervals.values():
        if len(ivs) > 1:
            model.AddNoOverlap(ivs)
    for pid, a, b in pairs:
        # a before b with the travel time between them, or b before a.
        (a_off, a_end), (b_off, b_end) = a.span(pid), b.span(pid)
        first = model.NewBoolVar(f"o_{pid}_{a.key}_{b.key}")
        both = [presence[a.key], presence[b.key]]
        model.Add(start[a.key] * g + a_end + problem.travel <= start[b.key] * g + b_off
                  ).OnlyEnforceIf(both + [first])
        model.Add(start[b.key] * g + b_end + problem.travel <= start[a.key] * g + a_off
                  ).OnlyEnforceIf(both + [first.Not()])
        if a.key in hint and b.key in hint:
            model.AddHint(first, hint[a.key] < hint[b.key])

    # What fits in a day, for each person and for each group of people who attend the same
    # jobs: implied by the intervals, but stated, so the LP bound knows a shared person's
    # day holds four dialogues, not all of them (the bound on compact days was loose).
    group_list = groups(problem, cands)
    room = day_room(problem, cands, group_list)
    for group in group_list:
        for day, n in group.room.items():
            bs = [day_vars[(k, day)] for k in group.jobs if (k, day) in day_vars]
            if n < len(bs):
                model.Add(sum(bs) <= n)
    used_vars = []
    const_used = 0
    for (pid, day), bs in per_person_day.items():
        person = problem.persons[pid]
        n_fixed = len(fixed_pd.get((pid, day), ()))
        limit = (person.cap - n_fixed) if person.cap is not None else len(bs)
        limit = min(limit, room.get((pid, day), limit))
        if pid in shared and n_fixed == 0:
            u = model.NewBoolVar(f"u_{pid}_{day}")
            model.Add(sum(bs) <= limit * u)
            used_vars.append(u)
            model.AddHint(u, any(hint_days.get(j.key) == day for j in problem.jobs
                                 if pid in j.persons and j.key in hint))
        elif len(bs) > limit:
            model.Add(sum(bs) <= limit)
    if shared:
        seen = set()
        for f in problem.fixed:
            for pid in f.persons:
                if pid in shared and (f.start // DAY) < len(problem.days):
                    seen.add((pid, f.start // DAY))
        const_used = len(seen)
    for u in used_vars:
        objective.append(-W_USED * u)

    busiest = model.NewIntVar(0, len(problem.jobs), "busiest_week")
    for bs in week_vars.values():
        model.Add(sum(bs) <= busiest)
    objective.append(-W_SPREAD * busiest)
    if hint:
        model.AddHint(busiest, max(Counter(week_of(problem, d) for d in hint_days.values()).values()))
    else:
        model.AddHint(busiest, 0)

    for before, after in problem.precedences:
        if before in start and after in start:
            dur = problem.job(before).duration // g
            model.Add(start[before] + dur <= start[after]).OnlyEnforceIf(
                [presence[before], presence[after]])

    model.Maximize(sum(objective) - W_USED * const_used)
    solver = cp_model.CpSolver()
    # What is left of the whole run's budget after building the model.
    solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), 0.2)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    # Full presolve (probing above all) spent 4 of 6 seconds on the benchmark on this
    # 2-core machine before any search; one light pass leaves the time to the search.
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.cp_model_probing_level = 0
    status = solver.Solve(model)
    name = solver.StatusName(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, name, None
    placement = {key: solver.Value(start[key]) * g
                 for key, x in presence.items() if solver.BooleanValue(x)}
    return placement, name, int(math.floor(solver.BestObjectiveBound() + 1e-6))


def solve(problem: Problem, *, time_limit: float = 8.0, workers: int = 2,
          use_cpsat: bool = True) -> Result:
    """Capacity check, greedy, then CP-SAT seeded with the greedy result; `time_limit` is
    the budget of the whole run (CP-SAT gets what the rest leaves of it)."""
    t0 = time.perf_counter()
    cands = candidates(problem)
    shortfalls = capacity(problem, cands)
    t1 = time.perf_counter()
    greedy_placement = greedy(problem, cands)
    greedy_score = evaluate(problem, greedy_placement)
    if len(greedy_placement) < len(problem.jobs):
        # Something left out: where a group's days are the bottleneck, fill their slots
        # first (a maximum matching) and keep that if it places more.
        for group in groups(problem, cands, with_order=True):
            if not any(k not in greedy_placement for k in group.jobs):
                continue
            other = slot_greedy(problem, cands, group)
            other_score = evaluate(problem, other)
            if other_score.value > greedy_score.value:
                greedy_placement, greedy_score = other, other_score
    t2 = time.perf_counter()
    placement, score, method, status, bound = (greedy_placement, greedy_score, "greedy",
                                               "SKIPPED", None)
    if use_cpsat and problem.jobs:
        # The last POLISH of the budget goes to `polish` when schools have wishes to meet.
        wishes = any(j.preferred_weekdays or j.has_time_preference for j in problem.jobs)
        reserve = min(POLISH * time_limit, 0.5) if wishes else 0.0
        cp_placement, status, bound = _cpsat(problem, cands, greedy_placement,
                                             t0 + time_limit - reserve, workers)
        if cp_placement is not None and not violations(problem, cp_placement):
            cp_score = evaluate(problem, cp_placement)
            if cp_score.value >= score.value:
                placement, score, method = cp_placement, cp_score, "cp-sat"
        if wishes:
            polished = polish(problem, cands, placement, t0 + time_limit)
            if not violations(problem, polished):
                polished_score = evaluate(problem, polished)
                if polished_score.value > score.value:
                    placement, score = polished, polished_score
                    method += "+polish"
    t3 = time.perf_counter()
    return Result(
        placement=placement, score=score, method=method, status=status, bound=bound,
        greedy_placement=greedy_placement, greedy_score=greedy_score, shortfalls=shortfalls,
        grid=cands.grid, seconds=t3 - t0, greedy_seconds=t2 - t1, cpsat_seconds=t3 - t2,
        capacity_seconds=t1 - t0,
        unplaced=[j.key for j in problem.jobs if j.key not in placement],
    )


# --- why a job could not be placed -----------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    kind: str
    """closed · window · order · hours · busy · cap · full · together"""
    person: int | None = None
    detail: str = ""
    """The holiday's name (closed) or the cap (cap)."""


def explain(problem: Problem, placement: dict[str, int], key: str) -> Counter[Reason]:
    """For an unplaced job: for every day of its window, the first thing that rules it out,
    counted by reason ("Lene Skov has 3 meetings, her cap, on 28 days")."""
    job = problem.job(key)
    fixed_pd = _fixed_by_person_day(problem)
    others = {k: v for k, v in placement.items() if k != key}
    state = _State(problem)
    for k, v in others.items():
        state.add(problem.job(k), v)
    lo, hi = job.earliest, job.latest_end
    for before, after in problem.precedences:
        if after == key and before in others:
            end = others[before] + problem.job(before).duration
            lo = end if lo is None else max(lo, end)
        if before == key and after in others:
            hi = others[after] if hi is None else min(hi, others[after])
    reasons: Counter[Reason] = Counter()
    grid = grid_for(problem)
    for day in range(max(job.first_day, 0), min(job.last_day, len(problem.days) - 1) + 1):
        if day in problem.closed:
            name = problem.closed[day]
            if name:
                reasons[Reason("closed", detail=name)] += 1
            continue
        if (lo is not None and lo >= (day + 1) * DAY) or (hi is not None and hi <= day * DAY):
            reasons[Reason("order")] += 1
            continue
        blocked = None
        for pid in sorted(job.persons):
            person = problem.persons[pid]
            if person.hours.get(day) is None:
                blocked = Reason("hours", pid)
                break
            if person.cap is not None and state.count[(pid, day)] >= person.cap:
                blocked = Reason("cap", pid, str(person.cap))
                break
            if not free_starts(problem, job, day, person, fixed_pd):
                blocked = Reason("busy", pid)
                break
        if blocked is None:
            ranges = job_ranges(problem, job, day, fixed_pd)
            if lo is not None or hi is not None:
                ranges = _intersect(ranges, lo if lo is not None else -10**9,
                                    (hi - job.duration) if hi is not None else 10**9)
            starts = [s for a, b in ranges for s in range(-(-a // grid) * grid, b + 1, grid)]
            if not starts:
                blocked = Reason("together") if not (lo or hi) else Reason("order")
            elif not any(state.fits(job, s) for s in starts):
                # Free, but the day is already full of other meetings for someone.
                who = None
                for pid in sorted(job.persons):
                    if state.items[(pid, day)]:
                        single = Job(job.key, job.label, [Part(0, job.duration, (pid,))],
                                     job.place, day, day)
                        single_state = _State(problem)
                        single_state.items = state.items
                        single_state.count = Counter()
                        if not any(single_state.fits(single, s) for s in starts):
                            who = pid
                            break
                blocked = Reason("full", who)
        if blocked is not None:
            reasons[blocked] += 1
    return reasons
