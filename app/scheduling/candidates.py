"""Static candidates: for each job, the start minutes on the grid that everything allows
which does not depend on where the other jobs go. Every stage searches among these."""

from __future__ import annotations

from dataclasses import dataclass

from app.scheduling.instance import (
    DAY,
    NOON,
    Fixed,
    Job,
    Person,
    Problem,
    fixed_by_person_day,
    grid_for,
    intersect,
    separation,
    subtract,
)


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
        ranges = subtract(ranges, b0 - end_off, b1 - off)
    if person.cap is not None and len(fixed_pd.get((person.id, day), ())) >= person.cap:
        return []
    for f in fixed_pd.get((person.id, day), ()):
        sep = separation(problem, person, job.place, f.place)
        # Clash unless s+end_off+sep <= f.start or f.end+sep <= s+off.
        ranges = subtract(ranges, f.start - end_off - sep, f.end + sep - off)
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
        ranges = intersect(ranges, job.earliest, 10**9)
    if job.latest_end is not None:
        ranges = intersect(ranges, -10**9, job.latest_end - job.duration)
    for pid in job.persons:
        person = problem.persons[pid]
        own = free_starts(problem, job, day, person, fixed_pd)
        merged = []
        for a, b in own:
            merged += intersect(ranges, a, b)
        ranges = merged
        if not ranges:
            break
    return ranges


def candidates(problem: Problem, grid: int | None = None) -> Candidates:
    grid = grid or grid_for(problem)
    fixed_pd = fixed_by_person_day(problem)
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
