"""Stage 1, capacity: an upper bound per person (usable days × daily cap, and what fits in
their free time) and per group of people who all attend the same jobs (`groups()`: what fits
in their days together), so an impossible request is explained before any search; and
`day_room()`, the same bound per person and day for the CP-SAT model."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from app.scheduling.candidates import Candidates, candidates
from app.scheduling.instance import (
    DAY,
    Job,
    Problem,
    fixed_by_person_day,
    separation,
    subtract,
    weekday,
)


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


def earliest_after_preds(problem: Problem, cands: Candidates) -> dict[str, dict[int, int]]:
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
    fixed_pd = fixed_by_person_day(problem)
    after = earliest_after_preds(problem, cands) if with_order else {}
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
    fixed_pd = fixed_by_person_day(problem)
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
    fixed_pd = fixed_by_person_day(problem)
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
                free = subtract(free, b0, b1)
            for f in fixed_pd.get((pid, day), ()):
                free = subtract(free, f.start, f.end)
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
