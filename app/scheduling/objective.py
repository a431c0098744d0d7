"""The objective both the greedy and CP-SAT maximise: meetings placed first, then preferred
weekdays and hours, fewer days for the people shared by many meetings, a low busiest week;
its weights, and `evaluate()`/`scorer()` to compute it the same way for both."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from app.scheduling.instance import DAY, Job, Problem, week_of

# Objective weights. Placing one more meeting must outweigh every soft term it could cost
# (see `placing_weight`), so the solver never drops a school to make days prettier.
W_DAY = 10
"""A meeting on one of its school's preferred weekdays."""
W_TIME = 10
"""A meeting inside its school's preferred hours."""
W_USED = 4
"""Each day a shared participant has to come in (fewer days = compact days)."""
W_SPREAD = 3
"""The busiest week's number of meetings (lower = even spread over the window)."""


def shared_persons(problem: Problem) -> set[int]:
    counts = Counter(pid for job in problem.jobs for pid in job.persons)
    return {pid for pid, n in counts.items() if n >= 2}


def placing_weight(problem: Problem) -> int:
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
    weight = placing_weight(problem)
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
