"""The capacity check and the solver when the people in every dialogue are the bottleneck.

A week of dialogues that the school chief and the PPR leader both attend (the PPR leader also
in the 15-minute debrief, and busy on Friday afternoon), each school's prep meeting before
its dialogue: four dialogues fit on Monday to Thursday, two on Friday, and on Monday only
three, since the first needs its prep held before it. So 17 schools fit: then every meeting
is placed; with 18 the check names the two people and the one dialogue too many.
"""

from datetime import date, timedelta

from app.scheduling import capacity, checking, solver
from app.scheduling.instance import DAY, Job, Part, Person, Problem

CHIEF, PPR = 1, 2
CONSULTANTS, PSYCHOLOGISTS = (7, 8), (11, 12)


def week_of_dialogues(schools: int) -> Problem:
    days = [date(2027, 4, 12) + timedelta(days=i) for i in range(5)]
    hours = dict.fromkeys(range(5), (8 * 60, 16 * 60))
    friday_afternoon = (4 * DAY + 12 * 60, 4 * DAY + 16 * 60)
    persons = {CHIEF: Person(CHIEF, "Skolechef", dict(hours), buffer=15),
               PPR: Person(PPR, "PPR-leder", dict(hours), [friday_afternoon], buffer=15)}
    for pid in CONSULTANTS:
        persons[pid] = Person(pid, f"Konsulent {pid}", dict(hours), cap=6, buffer=15)
    for pid in PSYCHOLOGISTS:
        persons[pid] = Person(pid, f"Psykolog {pid}", dict(hours), cap=4, buffer=15)
    jobs, precedences = [], []
    for i in range(schools):
        leader, consultant, psychologist = 100 + i, CONSULTANTS[i % 2], PSYCHOLOGISTS[i % 2]
        persons[leader] = Person(leader, f"Skoleleder {i}", dict(hours))
        jobs.append(Job(f"prep-{i}", f"Skole {i}", [Part(3 * i, 30, (consultant, psychologist))],
                        "admin", 0, 4))
        jobs.append(Job(f"dialogue-{i}", f"Skole {i}", [
            Part(3 * i + 1, 90, (CHIEF, PPR, leader, consultant)),
            Part(3 * i + 2, 15, (PPR, consultant))], "admin", 0, 4))
        precedences.append((f"prep-{i}", f"dialogue-{i}"))
    return Problem(days=days, closed={}, persons=persons, jobs=jobs, travel=30,
                   precedences=precedences)


def test_every_meeting_is_placed_when_the_week_holds_them_all():
    problem = week_of_dialogues(17)
    assert capacity.capacity(problem) == []
    for use_cpsat in (False, True):
        result = solver.solve(problem, time_limit=2, workers=1, use_cpsat=use_cpsat)
        assert result.unplaced == []
        assert checking.violations(problem, result.placement) == []
        for i in range(17):
            prep, dialogue = result.placement[f"prep-{i}"], result.placement[f"dialogue-{i}"]
            assert prep + 30 <= dialogue


def test_the_people_in_every_dialogue_are_named_with_what_is_short():
    problem = week_of_dialogues(18)
    shortfalls = capacity.capacity(problem)
    # Each alone has room for 18 (the chief 20, the PPR leader 18); together for 17.
    (short,) = shortfalls
    assert {short.person, *short.together} == {CHIEF, PPR}
    assert (short.demand, short.capacity, short.usable_days, short.before) == (18, 17, 5, 18)
    result = solver.solve(problem, time_limit=2, workers=1)
    assert checking.violations(problem, result.placement) == []
    # Exactly what the check says is short is left out, and nothing else.
    assert len(result.unplaced) == short.demand - short.capacity
