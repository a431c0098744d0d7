"""Stage 3, CP-SAT: the model on a grid no finer than the gcd of durations, buffers and
boundaries, meetings optional (maximise how many are placed, then the soft preferences),
with the greedy result as hint, solved within a deadline."""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict

from app.scheduling.candidates import Candidates
from app.scheduling.capacity import day_room, groups
from app.scheduling.instance import (
    DAY,
    Job,
    Problem,
    fixed_by_person_day,
    travel_needed,
    week_of,
    weekday,
)
from app.scheduling.objective import (
    W_DAY,
    W_SPREAD,
    W_TIME,
    W_USED,
    in_preferred_time,
    placing_weight,
    shared_persons,
)

PAIR_LIMIT = 5000
"""Most pairs of meetings at different places modelled exactly for travel, per person."""


def cpsat(problem: Problem, cands: Candidates, hint: dict[str, int], deadline: float,
           workers: int):
    from ortools.sat.python import cp_model

    g = cands.grid
    model = cp_model.CpModel()
    shared = shared_persons(problem)
    fixed_pd = fixed_by_person_day(problem)
    presence, start, day_vars, pref_time = {}, {}, {}, {}
    per_person_day: dict[tuple[int, int], list] = defaultdict(list)
    week_vars: dict[tuple[int, int], list] = defaultdict(list)
    objective = []
    place_weight = placing_weight(problem)
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
