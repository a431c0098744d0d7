"""Why a job could not be placed: for every day of its window, the first thing that rules
it out, counted by reason, for the report of a run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.scheduling.candidates import free_starts, job_ranges
from app.scheduling.greedy import Occupancy
from app.scheduling.instance import DAY, Job, Part, Problem, fixed_by_person_day, grid_for, intersect


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
    fixed_pd = fixed_by_person_day(problem)
    others = {k: v for k, v in placement.items() if k != key}
    state = Occupancy(problem)
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
                ranges = intersect(ranges, lo if lo is not None else -10**9,
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
                        single_state = Occupancy(problem)
                        single_state.items = state.items
                        single_state.count = Counter()
                        if not any(single_state.fits(single, s) for s in starts):
                            who = pid
                            break
                blocked = Reason("full", who)
        if blocked is not None:
            reasons[blocked] += 1
    return reasons
