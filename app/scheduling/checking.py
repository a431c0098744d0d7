"""Checking a placement: every hard rule it breaks, exact and not gridded. Each stage's
result passes through `violations()`, and so do a moved meeting and an offered slot."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from app.scheduling.instance import DAY, NOON, Problem, separation


@dataclass(frozen=True)
class Violation:
    kind: str
    """closed · window · halfday · earliest · latest · hours · busy · cap · overlap · gap ·
    order"""
    job: str
    person: int | None = None
    other: str | None = None
    """The other job's or fixed meeting's key (overlap, gap, order)."""
    detail: str = ""
    """The holiday's name (closed), the needed minutes (gap), the cap (cap)."""


def _person_intervals(problem: Problem, placement: dict[str, int]):
    """(person, day) → [(start, end, place, key, is_job)] for placed jobs and fixed meetings."""
    out: dict[tuple[int, int], list[tuple[int, int, str, str, bool]]] = defaultdict(list)
    for job in problem.jobs:
        start = placement.get(job.key)
        if start is None:
            continue
        for pid in job.persons:
            off, end_off = job.span(pid)
            out[(pid, start // DAY)].append((start + off, start + end_off, job.place, job.key, True))
    for f in problem.fixed:
        for pid in f.persons:
            if pid in problem.persons:
                out[(pid, f.start // DAY)].append((f.start, f.end, f.place, f.key, False))
    return out


def violations(problem: Problem, placement: dict[str, int]) -> list[Violation]:
    """Every hard rule a placement breaks; [] means conflict-free. Exact, not gridded."""
    found: list[Violation] = []
    for job in problem.jobs:
        start = placement.get(job.key)
        if start is None:
            continue
        day = start // DAY
        end = start + job.duration
        if day in problem.closed:
            found.append(Violation("closed", job.key, detail=problem.closed[day]))
        if not (job.first_day <= day <= job.last_day) or end > (day + 1) * DAY:
            found.append(Violation("window", job.key))
        if job.half_day and start - day * DAY < NOON < end - day * DAY:
            found.append(Violation("halfday", job.key))
        if job.earliest is not None and start < job.earliest:
            found.append(Violation("earliest", job.key))
        if job.latest_end is not None and end > job.latest_end:
            found.append(Violation("latest", job.key))
        offset = 0
        for part in job.parts:
            a, b = start + offset, start + offset + part.duration
            offset += part.duration
            for pid in part.persons:
                person = problem.persons[pid]
                hours = person.hours.get(day)
                if hours is None or a < day * DAY + hours[0] or b > day * DAY + hours[1]:
                    found.append(Violation("hours", job.key, pid))
                if any(b0 < b and a < b1 for b0, b1 in person.busy):
                    found.append(Violation("busy", job.key, pid))
    for (pid, _day), items in _person_intervals(problem, placement).items():
        person = problem.persons[pid]
        items.sort()
        if not any(is_job for *_, is_job in items):
            continue
        if person.cap is not None and len(items) > person.cap:
            for _, _, _, key, is_job in items:
                if is_job:
                    found.append(Violation("cap", key, pid, detail=str(person.cap)))
        for (_s1, e1, p1, k1, j1), (s2, _e2, p2, k2, j2) in zip(items, items[1:]):
            if not (j1 or j2):
                continue
            need = separation(problem, person, p1, p2)
            if s2 < e1:
                found.append(Violation("overlap", k2 if j2 else k1, pid, k1 if j2 else k2))
            elif s2 - e1 < need:
                found.append(Violation("gap", k2 if j2 else k1, pid, k1 if j2 else k2,
                                       detail=str(need)))
    for before, after in problem.precedences:
        if (before in placement and after in placement
                and placement[before] + problem.job(before).duration > placement[after]):
            found.append(Violation("order", after, other=before))
    return found
