"""The benchmark's municipality: N schools × (prep meeting + dialogue + debrief).

Six people attend every dialogue (the school chief, the deputy chief, the PPR leader, the
pedagogical consultant, an analyst and the chair of the political committee); each school's
leader and its consultant (schools split in two groups) attend its own. The consultant and
the pedagogical consultant hold a 15-minute debrief right after every dialogue, and each
school has a 30-minute prep meeting with its consultant and one of four PPR psychologists,
which must be held before its dialogue. The window is eight weeks,
1 March – 23 April 2027, with the Easter break (22–29 March 2027) in it. Everything is
seeded, so every run solves the same problem.
"""

import random
from datetime import date, timedelta

from app.scheduling.instance import DAY, Job, Part, Person, Problem

START = date(2027, 3, 1)
WEEKS = 8
EASTER = {date(2027, 3, 22) + timedelta(days=i): "Påskeferie" for i in range(4)}
EASTER[date(2027, 3, 25)] = "Skærtorsdag"
EASTER[date(2027, 3, 26)] = "Langfredag"
EASTER[date(2027, 3, 29)] = "2. påskedag"

CHIEF, DEPUTY, PPR, PED, ANALYST, CHAIR = 1, 2, 3, 4, 5, 6
SHARED = (CHIEF, DEPUTY, PPR, PED, ANALYST, CHAIR)
CONS_A, CONS_B = 7, 8
PSYCHOLOGISTS = (11, 12, 13, 14)


def _hours(days, start=8 * 60, end=16 * 60):
    return {d: (start, end) for d, day in enumerate(days) if day.weekday() < 5}


def build(n_schools: int = 100, *, weeks: int = WEEKS, seed: int = 7,
          dialogue: int = 90, debrief: int = 15, prep: int = 30) -> Problem:
    rng = random.Random(seed)
    days = [START + timedelta(days=i) for i in range(weeks * 7)]
    closed = {i: ("" if d.weekday() >= 5 else EASTER.get(d, "")) for i, d in enumerate(days)
              if d.weekday() >= 5 or d in EASTER}
    hours = _hours(days)

    def weekly(weekday: int, start: int, end: int) -> list[tuple[int, int]]:
        return [(i * DAY + start, i * DAY + end) for i, d in enumerate(days)
                if d.weekday() == weekday]

    persons = {
        CHIEF: Person(CHIEF, "Skolechef", dict(hours), weekly(1, 14 * 60, 16 * 60), cap=4,
                      buffer=15),
        DEPUTY: Person(DEPUTY, "Souschef", dict(hours), [], buffer=15),
        CHAIR: Person(CHAIR, "Udvalgsformand", dict(hours), [], buffer=15),
        CONS_A: Person(CONS_A, "Konsulent A", dict(hours), [], cap=6, buffer=15),
        CONS_B: Person(CONS_B, "Konsulent B", dict(hours), [], cap=6, buffer=15),
        PPR: Person(PPR, "PPR-leder", dict(hours), weekly(4, 12 * 60, 16 * 60), buffer=15),
        PED: Person(PED, "Pædagogisk konsulent", dict(hours), weekly(2, 8 * 60, 10 * 60),
                    buffer=15),
        ANALYST: Person(ANALYST, "Analytiker", dict(hours), [], buffer=15),
    }
    for pid in PSYCHOLOGISTS:
        persons[pid] = Person(pid, f"Psykolog {pid - 10}", dict(hours), [], cap=4, buffer=15)
    jobs, precedences = [], []
    last = len(days) - 1
    for i in range(n_schools):
        leader = 100 + i
        # Each leader has a few half-days already taken in the window.
        busy = []
        for _ in range(3):
            d = rng.randrange(len(days))
            busy.append((d * DAY + (8 * 60 if rng.random() < 0.5 else 12 * 60),
                         d * DAY + (12 * 60 if rng.random() < 0.5 else 16 * 60)))
        persons[leader] = Person(leader, f"Skoleleder {i + 1}", _hours(days, 8 * 60, 16 * 60),
                                 sorted(busy))
        consultant = CONS_A if i % 2 == 0 else CONS_B
        psychologist = PSYCHOLOGISTS[i % 4]
        prefs = frozenset(rng.sample(range(5), 2)) if rng.random() < 0.3 else frozenset()
        morning = rng.random() < 0.2
        label = f"Skole {i + 1}"
        jobs.append(Job(f"prep-{i}", label, [Part(3 * i + 1, prep, (consultant, psychologist))],
                        "admin", 0, last))
        jobs.append(Job(f"dialogue-{i}", label, [
            Part(3 * i + 2, dialogue, SHARED + (leader, consultant)),
            Part(3 * i + 3, debrief, (consultant, PED)),
        ], "admin", 0, last, preferred_weekdays=prefs,
            preferred_from=8 * 60 if morning else None,
            preferred_until=12 * 60 if morning else None, school_id=i))
        precedences.append((f"prep-{i}", f"dialogue-{i}"))
    return Problem(days=days, closed=closed, persons=persons, jobs=jobs, travel=30,
                   precedences=precedences)
