"""What the solver is given, as plain data: the people, the jobs to place and the meetings
already booked, on one time axis, and the small helpers every stage uses. No database, no
HTTP, no language.

Time axis: minutes of local wall-clock time (Europe/Copenhagen) since midnight of the
horizon's first day, i.e. day index × 1440 + minute of the day. Working hours are local, so
this keeps 08:00 at 08:00 across the change to summer time (which falls in the Easter
weeks); the service converts to and from UTC at the edges.

A *job* is what gets one start time: a meeting, or a chain of meetings held back to back
(a dialogue and the debrief that follows it directly). A *fixed* meeting is one already
booked outside this run: it occupies its participants and counts towards their daily cap.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

DAY = 1440
NOON = 12 * 60
"""Where a morning ends and an afternoon begins (minute of the day)."""


@dataclass
class Person:
    id: int
    name: str
    hours: dict[int, tuple[int, int]]
    """Day index → (from, until) minutes of the day they work; a missing day: not working."""
    busy: list[tuple[int, int]] = field(default_factory=list)
    """Absolute (start, end) intervals when they are busy (typed in or imported)."""
    cap: int | None = None
    """At most this many meetings a day (None: no cap)."""
    buffer: int = 0
    """Minutes they need free between two meetings."""


@dataclass
class Part:
    meeting_id: int
    duration: int
    persons: tuple[int, ...]
    """Required participants (optional ones never block a placement)."""


@dataclass
class Job:
    key: str
    label: str
    """What people call it: usually the school's name."""
    parts: list[Part]
    place: str
    """"admin", "school:<id>" or "online": travel time applies between two different
    places, never to or from an online meeting."""
    first_day: int
    last_day: int
    earliest: int | None = None
    """Absolute minute before which it may not start (a data package ready, a prep held)."""
    latest_end: int | None = None
    """Absolute minute by which it must have ended (a later meeting already booked)."""
    preferred_weekdays: frozenset[int] = frozenset()
    preferred_from: int | None = None
    preferred_until: int | None = None
    school_id: int | None = None
    half_day: bool = False
    """It must lie within one morning (before noon) or one afternoon: a block of meetings
    held back to back ("2 sammenhængende formiddage eller eftermiddage")."""

    @property
    def duration(self) -> int:
        return sum(p.duration for p in self.parts)

    @property
    def persons(self) -> set[int]:
        return {pid for part in self.parts for pid in part.persons}

    def span(self, person_id: int) -> tuple[int, int]:
        """(offset, end offset) of the stretch this person is in, from the job's start."""
        offset, first, last = 0, None, None
        for part in self.parts:
            if person_id in part.persons:
                first = offset if first is None else first
                last = offset + part.duration
            offset += part.duration
        assert first is not None and last is not None
        return first, last

    @property
    def has_time_preference(self) -> bool:
        return self.preferred_from is not None and self.preferred_until is not None


@dataclass
class Fixed:
    key: str
    label: str
    start: int
    end: int
    persons: tuple[int, ...]
    place: str


@dataclass
class Problem:
    days: list[date]
    """Day index → date, for the whole horizon."""
    closed: dict[int, str]
    """Day index → why no meeting can be held: "" for a weekend, else the holiday's name."""
    persons: dict[int, Person]
    jobs: list[Job]
    fixed: list[Fixed] = field(default_factory=list)
    travel: int = 0
    """Minutes needed between two meetings at different places."""
    precedences: list[tuple[str, str]] = field(default_factory=list)
    """(job that must end first, job that starts after it): prep before dialogue."""

    def job(self, key: str) -> Job:
        return self._jobs_by_key()[key]

    def _jobs_by_key(self) -> dict[str, Job]:
        cache = getattr(self, "_by_key", None)
        if cache is None or len(cache) != len(self.jobs):
            cache = {j.key: j for j in self.jobs}
            self._by_key = cache
        return cache


# --- small helpers ---------------------------------------------------------------------------


def travel_needed(a: str, b: str) -> bool:
    return a != b and a != "online" and b != "online"


def separation(problem: Problem, person: Person, place_a: str, place_b: str) -> int:
    """Minutes this person needs between a meeting at place_a and the next at place_b."""
    travel = problem.travel if travel_needed(place_a, place_b) else 0
    return max(person.buffer, travel)


def subtract(ranges: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """Remove the open interval (lo, hi) from inclusive ranges [a, b]."""
    out = []
    for a, b in ranges:
        if hi <= a or lo >= b:
            out.append((a, b))
            continue
        if a <= lo:
            out.append((a, lo))
        if hi <= b:
            out.append((hi, b))
    return [(a, b) for a, b in out if a <= b]


def intersect(ranges: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    return [(max(a, lo), min(b, hi)) for a, b in ranges if max(a, lo) <= min(b, hi)]


def weekday(problem: Problem, day: int) -> int:
    return problem.days[day].weekday()


def week_of(problem: Problem, day: int) -> tuple[int, int]:
    iso = problem.days[day].isocalendar()
    return iso.year, iso.week


def grid_for(problem: Problem) -> int:
    """The coarsest grid that loses nothing: the gcd of every duration, buffer, travel time,
    and every boundary of working hours, busy times, booked meetings and preferred times.
    Never finer than 5 minutes: a busy time ending at 9:07 lets a meeting start at 9:10."""
    values = [problem.travel]
    for f in problem.fixed:
        values += [f.start % DAY, f.end % DAY]
    for job in problem.jobs:
        values += [p.duration for p in job.parts]
        if job.has_time_preference:
            values += [job.preferred_from, job.preferred_until]
    for person in problem.persons.values():
        values.append(person.buffer)
        for a, b in person.hours.values():
            values += [a, b]
        for a, b in person.busy:
            values += [a % DAY, b % DAY]
    g = 0
    for v in values:
        if v:
            g = math.gcd(g, int(v))
    return max(g or 60, 5)


def fixed_by_person_day(problem: Problem) -> dict[tuple[int, int], list[Fixed]]:
    out: dict[tuple[int, int], list[Fixed]] = defaultdict(list)
    for f in problem.fixed:
        for pid in f.persons:
            if pid in problem.persons:
                out[(pid, f.start // DAY)].append(f)
    return out
