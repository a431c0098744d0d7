"""Stage 2, greedy: most constrained job first, each to its best day by the same scores the
objective uses (`greedy()`); when it leaves something out, `slot_greedy()` fills the
bottleneck group's slots by a matching first. And `polish()`, the last look after CP-SAT at
the schools whose wishes are not met."""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from app.scheduling.candidates import Candidates, candidates
from app.scheduling.capacity import Group, earliest_after_preds
from app.scheduling.instance import DAY, Job, Problem, separation, week_of, weekday
from app.scheduling.objective import (
    W_DAY,
    W_SPREAD,
    W_TIME,
    W_USED,
    evaluate,
    in_preferred_time,
    scorer,
    shared_persons,
)


class Occupancy:
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
    state = Occupancy(problem)
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
    after = earliest_after_preds(problem, cands)
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
    state = Occupancy(problem)
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
