"""After CP-SAT, `polish` looks once more at schools whose wished weekday is not met."""

import time
from datetime import date, timedelta

from app.scheduling import candidates, checking, greedy, objective
from app.scheduling.instance import DAY, Job, Part, Person, Problem


def test_a_school_is_moved_to_its_wished_day_and_nothing_else_breaks():
    days = [date(2027, 4, 12) + timedelta(days=i) for i in range(2)]  # Monday, Tuesday
    hours = dict.fromkeys(range(2), (8 * 60, 16 * 60))
    persons = {1: Person(1, "Skolechef", dict(hours), buffer=15),
               2: Person(2, "Skoleleder", dict(hours))}
    jobs = [Job("a", "Skole A", [Part(1, 90, (1, 2))], "admin", 0, 1,
                preferred_weekdays=frozenset({1}))]
    problem = Problem(days=days, closed={}, persons=persons, jobs=jobs)
    cands = candidates.candidates(problem)
    monday = {"a": 8 * 60}
    polished = greedy.polish(problem, cands, monday, time.perf_counter() + 5)
    assert polished["a"] // DAY == 1
    assert checking.violations(problem, polished) == []
    assert objective.evaluate(problem, polished).value > objective.evaluate(problem, monday).value
