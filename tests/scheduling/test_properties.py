"""Property tests: for random people, busy times, windows and meetings, every schedule the
scheduler returns holds every hard rule, and when it leaves meetings out, a brute-force
search confirms that no schedule places more.

The checker and the brute force here are written independently of the solver (they don't
call its candidate or violation code), so a bug there cannot hide itself.
"""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.scheduling import capacity, checking, explain, solver
from app.scheduling.instance import DAY, Job, Part, Person, Problem

GRID = 30
START = date(2027, 4, 12)  # a Monday


def check(problem: Problem, placement: dict[str, int]) -> list[str]:
    """Every broken hard rule, by brute force over pairs."""
    errors = []
    jobs = {j.key: j for j in problem.jobs}
    spans = []  # (person, start, end, place, key)
    for key, start in placement.items():
        job = jobs[key]
        day = start // DAY
        end = start + job.duration
        if day in problem.closed:
            errors.append(f"{key} on a closed day")
        if not job.first_day <= day <= job.last_day or end > (day + 1) * DAY:
            errors.append(f"{key} outside its window")
        offset = start
        for part in job.parts:
            a, b = offset, offset + part.duration
            offset = b
            for pid in part.persons:
                person = problem.persons[pid]
                hours = person.hours.get(day)
                if hours is None or a < day * DAY + hours[0] or b > day * DAY + hours[1]:
                    errors.append(f"{key} outside {pid}'s hours")
                for b0, b1 in person.busy:
                    if a < b1 and b0 < b:
                        errors.append(f"{key} in {pid}'s busy time")
        for pid in job.persons:
            parts = [(i, p) for i, p in enumerate(job.parts) if pid in p.persons]
            first = sum(p.duration for p in job.parts[:parts[0][0]])
            last = sum(p.duration for p in job.parts[:parts[-1][0] + 1])
            spans.append((pid, start + first, start + last, job.place, key))
    for i, (p1, a1, b1, pl1, k1) in enumerate(spans):
        for p2, a2, b2, pl2, k2 in spans[i + 1:]:
            if p1 != p2 or a1 // DAY != a2 // DAY:
                continue
            person = problem.persons[p1]
            need = person.buffer
            if pl1 != pl2 and "online" not in (pl1, pl2):
                need = max(need, problem.travel)
            if not (b1 + need <= a2 or b2 + need <= a1):
                errors.append(f"{k1} and {k2} too close for {p1}")
    for pid, person in problem.persons.items():
        if person.cap is None:
            continue
        per_day = {}
        for p, a, _, _, _ in spans:
            if p == pid:
                per_day[a // DAY] = per_day.get(a // DAY, 0) + 1
        if any(n > person.cap for n in per_day.values()):
            errors.append(f"{pid} over the cap")
    for before, after in problem.precedences:
        if (before in placement and after in placement
                and placement[before] + jobs[before].duration > placement[after]):
            errors.append(f"{before} not before {after}")
    return errors


def brute_force_max(problem: Problem) -> int:
    """The most jobs any conflict-free placement on the grid can hold."""
    jobs = problem.jobs
    options = []
    for job in jobs:
        starts = [d * DAY + m for d in range(len(problem.days))
                  for m in range(0, DAY - job.duration + 1, GRID)
                  if d not in problem.closed and 6 * 60 <= m <= 18 * 60]
        options.append(starts)
    best = 0

    def search(i: int, placement: dict[str, int]) -> None:
        nonlocal best
        if len(placement) + (len(jobs) - i) <= best:
            return
        if i == len(jobs):
            best = max(best, len(placement))
            return
        for s in options[i]:
            placement[jobs[i].key] = s
            if not check(problem, placement):
                search(i + 1, placement)
            del placement[jobs[i].key]
        search(i + 1, placement)

    search(0, {})
    return best


@st.composite
def problems(draw) -> Problem:
    n_days = draw(st.integers(1, 2))
    days = [START + timedelta(days=i) for i in range(n_days)]
    closed = {}
    if n_days == 2 and draw(st.booleans()):
        closed[draw(st.integers(0, 1))] = "Helligdag"
    persons = {}
    for pid in range(1, draw(st.integers(1, 3)) + 1):
        begin = draw(st.sampled_from([8 * 60, 9 * 60]))
        end = draw(st.sampled_from([11 * 60, 12 * 60, 13 * 60]))
        busy = []
        for _ in range(draw(st.integers(0, 2))):
            d = draw(st.integers(0, n_days - 1))
            a = draw(st.integers(16, 25)) * GRID
            busy.append((d * DAY + a, d * DAY + a + draw(st.sampled_from([30, 60, 90]))))
        persons[pid] = Person(pid, f"P{pid}", dict.fromkeys(range(n_days), (begin, end)),
                              sorted(busy), cap=draw(st.sampled_from([None, 1, 2])),
                              buffer=draw(st.sampled_from([0, 30])))
    jobs = []
    for j in range(draw(st.integers(1, 3))):
        who = draw(st.lists(st.sampled_from(sorted(persons)), min_size=1, max_size=3,
                            unique=True))
        parts = [Part(10 * j, draw(st.sampled_from([30, 60, 90])), tuple(who))]
        if draw(st.booleans()):  # a debrief right after, with some of them
            parts.append(Part(10 * j + 1, 30, tuple(who[:1])))
        first = draw(st.integers(0, n_days - 1))
        jobs.append(Job(f"j{j}", f"Skole {j}", parts,
                        draw(st.sampled_from(["admin", "school:1", "school:2", "online"])),
                        first, draw(st.integers(first, n_days - 1)),
                        preferred_weekdays=frozenset(draw(st.lists(st.integers(0, 4),
                                                                   max_size=2)))))
    precedences = []
    if len(jobs) >= 2 and draw(st.booleans()):
        precedences.append(("j0", "j1"))
    return Problem(days=days, closed=closed, persons=persons, jobs=jobs,
                   travel=draw(st.sampled_from([0, 30, 60])), precedences=precedences)


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_every_schedule_holds_the_hard_rules_and_places_the_most_possible(problem):
    result = solver.solve(problem, time_limit=2, workers=1)
    assert check(problem, result.placement) == []
    assert check(problem, result.greedy_placement) == []
    assert checking.violations(problem, result.placement) == []
    assert result.score.value >= result.greedy_score.value
    best = brute_force_max(problem)
    assert len(result.placement) == best, (best, result.placement)
    if result.unplaced:
        # What is left out is explained: every left-out job gets at least one reason.
        for key in result.unplaced:
            assert sum(explain.explain(problem, result.placement, key).values()) >= 1


@SETTINGS
@given(problems())
def test_the_checker_agrees_with_the_solvers_own_check(problem):
    # Random placements on the grid: both checks agree whether anything is broken.
    placement = {}
    for i, job in enumerate(problem.jobs):
        placement[job.key] = ((i * 7) % len(problem.days)) * DAY + (8 * 60 + 30 * i)
    assert bool(check(problem, placement)) == bool(checking.violations(problem, placement))


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(1, 3))
def test_capacity_shortfall_is_real_infeasibility(schools, cap):
    """More meetings than days × cap: said at once, and brute force agrees."""
    days = [START + timedelta(days=i) for i in range(2)]
    chief = Person(1, "Chef", {0: (8 * 60, 10 * 60), 1: (8 * 60, 10 * 60)}, cap=cap)
    jobs = [Job(f"j{i}", f"Skole {i}", [Part(i, 60, (1,))], "admin", 0, 1)
            for i in range(schools)]
    problem = Problem(days=days, closed={}, persons={1: chief}, jobs=jobs)
    shortfalls = capacity.capacity(problem)
    fits = min(cap, 2) * 2
    assert bool(shortfalls) == (schools > fits)
    if schools <= 4:
        assert brute_force_max(problem) == min(schools, fits)
