"""The scheduler's entry point, `solve()`: plain data in (instance.py), placements out. No
database, no HTTP, no language.

Three stages, all returning placements the same `violations()` check (checking.py) accepts:
1. `capacity()` (capacity.py): an upper bound per person (usable days × daily cap, and what
   fits in their free time) and per group of people who all attend the same jobs
   (`groups()`: what fits in their days together), so an impossible request is explained
   before any search.
2. `greedy()` (greedy.py): most constrained job first, each to its best day by the same
   scores the objective (objective.py) uses; when it leaves something out, `slot_greedy()`
   fills the bottleneck group's slots by a matching first.
3. CP-SAT (cpsat.py) on a grid no finer than the gcd of durations, buffers and boundaries,
   meetings optional (maximise how many are placed, then the soft preferences), with the
   greedy result as hint and a time limit. The better of the two is returned (after
   `polish()`), and both are checked by `violations()`, which is exact.
Why a job could not be placed: `explain()` (explain.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.scheduling.candidates import candidates
from app.scheduling.capacity import Shortfall, capacity, groups
from app.scheduling.checking import violations
from app.scheduling.cpsat import cpsat
from app.scheduling.greedy import greedy, polish, slot_greedy
from app.scheduling.instance import Problem
from app.scheduling.objective import Score, evaluate

POLISH = 0.05
"""Share of the time limit (at most half a second) kept for `polish` after CP-SAT."""


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
        cp_placement, status, bound = cpsat(problem, cands, greedy_placement,
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
