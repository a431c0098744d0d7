"""Many signed-in users at once on a running server: the main pages and note writes, for a
bounded time. Used by bench/load/run.py and by tests/test_load.py.

The demo users log in through the login form at the same moment, then every client, with one
of their sessions, until the deadline opens pages of the demo municipality and, now and then,
opens a note and saves a section with the version it saw (a conflict, 409, is a correct
answer when someone saved first).
"""

import asyncio
import random
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx2 as httpx
from sqlalchemy import create_engine, text

USERS = ("konsulent@skanderborg.demo", "konsulent2@skanderborg.demo", "admin@sus.demo")
PASSWORD = "demo"


@dataclass
class Targets:
    pages: list[str]
    sections: list[tuple[int, int]]
    """(note id, section id): text sections the users may write."""


@dataclass
class Result:
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Connection errors and timeouts: a request that got no answer at all."""
    sent_to_login: list[str] = field(default_factory=list)
    """Requests of a signed-in client that were answered as if it had no session."""
    server_errors: list[str] = field(default_factory=list)
    saves: int = 0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0

    def summary(self) -> str:
        return (f"{self.requests} requests in {self.seconds:.1f} s "
                f"({self.requests / self.seconds:.0f}/s), p50 {self.percentile(0.5) * 1000:.0f} ms,"
                f" p99 {self.percentile(0.99) * 1000:.0f} ms; statuses {dict(self.statuses)}; "
                f"{len(self.errors)} connection errors, {len(self.sent_to_login)} sent to login")


def demo_targets(database_url: str) -> Targets:
    """Pages and writable sections of the demo's first municipality."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        q = lambda sql, **kw: [r[0] for r in conn.execute(text(sql), kw)]  # noqa: E731
        m = q("SELECT id FROM municipality ORDER BY id LIMIT 1")[0]
        schools = q("SELECT id FROM school WHERE municipality_id = :m ORDER BY id LIMIT 4", m=m)
        meetings = q("SELECT id FROM meeting WHERE municipality_id = :m ORDER BY id LIMIT 4",
                     m=m)
        notes = q("SELECT n.id FROM note n JOIN meeting mt ON mt.id = n.meeting_id "
                  "WHERE mt.municipality_id = :m ORDER BY n.id", m=m)
        open_notes = q("SELECT n.id FROM note n JOIN meeting mt ON mt.id = n.meeting_id "
                       "WHERE mt.municipality_id = :m AND n.status <> 'published' ORDER BY n.id",
                       m=m)
        years = q("SELECT start_year FROM schoolyear WHERE municipality_id = :m "
                  "ORDER BY start_year LIMIT 1", m=m)
        sections = [(n, s) for n in open_notes for s in q(
            "SELECT id FROM notesection WHERE note_id = :n AND kind = 'text' "
            "AND writer = 'administration' ORDER BY id LIMIT 3", n=n)]
    engine.dispose()
    # /healthz too: a monitor polls it while the users work.
    pages = ["/", f"/municipalities/{m}", f"/municipalities/{m}/schools", "/account", "/healthz"]
    pages += [f"/schools/{s}" for s in schools] + [f"/meetings/{i}" for i in meetings]
    pages += [f"/notes/{n}" for n in notes[:3]]
    pages += [f"/municipalities/{m}/years/{y}" for y in years]
    return Targets(pages=pages, sections=sections)


async def login(client: httpx.AsyncClient, email: str) -> None:
    await client.get("/login")
    r = await client.post("/login", data={"csrf_token": client.cookies.get("sus_csrf"),
                                          "email": email, "password": PASSWORD, "next": "/"})
    if r.status_code != 303:
        raise RuntimeError(f"login of {email} answered {r.status_code}")


def version_of(html: str, section_id: int) -> int | None:
    m = re.search(rf'value="(\d+)" id="section-{section_id}-version"', html)
    return int(m.group(1)) if m else None


async def _request(client, result: Result, method: str, url: str, **kw):
    start = time.perf_counter()
    try:
        r = await client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        result.errors.append(f"{method} {url}: {exc.__class__.__name__}")
        return None
    result.latencies.append(time.perf_counter() - start)
    result.statuses[r.status_code] += 1
    if r.status_code >= 500:
        result.server_errors.append(f"{method} {url}: {r.status_code}")
    location = r.headers.get("location", "") + r.headers.get("hx-redirect", "")
    if r.status_code == 401 or "/login" in location:
        result.sent_to_login.append(f"{method} {url}")
    return r


async def _client(base: str, cookies: httpx.Cookies, targets: Targets, deadline: float,
                  result: Result, rng: random.Random, write_share: float) -> None:
    async with httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=30,
                                 cookies=cookies) as client:
        token = client.cookies.get("sus_csrf")
        while time.monotonic() < deadline:
            if targets.sections and rng.random() < write_share:
                note_id, section_id = rng.choice(targets.sections)
                page = await _request(client, result, "GET", f"/notes/{note_id}")
                version = version_of(page.text, section_id) if page is not None else None
                if version is None:
                    continue
                await _request(
                    client, result, "POST", f"/notes/{note_id}/sections/{section_id}",
                    data={"csrf_token": token, "version": str(version),
                          "field-text": f"load {rng.random()}"},
                    headers={"HX-Request": "true", "X-CSRF-Token": token})
                result.saves += 1
            else:
                await _request(client, result, "GET", rng.choice(targets.pages))


def run(base: str, targets: Targets, *, clients: int = 20, seconds: float = 10.0,
        write_share: float = 0.2, seed: int = 1) -> Result:
    """`clients` signed-in users at once on `base` for `seconds`.

    The demo users log in at the same moment first (the password hash is slow on purpose, so
    not every client logs in: clients share the users' sessions, like one user's tabs); the
    clock starts when they are in."""
    result = Result()

    async def main():
        logged_in = [httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=30)
                     for _ in USERS]
        try:
            outcomes = await asyncio.gather(*(login(c, e) for c, e in zip(logged_in, USERS)),
                                            return_exceptions=True)
            for email, outcome in zip(USERS, outcomes):
                if isinstance(outcome, Exception):
                    result.errors.append(f"login {email}: {outcome}")
            jars = [c.cookies for c, o in zip(logged_in, outcomes) if o is None]
        finally:
            for c in logged_in:
                await c.aclose()
        if not jars:
            return
        start = time.monotonic()
        deadline = start + seconds
        await asyncio.gather(*(
            _client(base, httpx.Cookies(jars[i % len(jars)]), targets, deadline, result,
                    random.Random(seed + i), write_share) for i in range(clients)))
        result.seconds = time.monotonic() - start

    # In a thread of its own: the caller's thread may already run an event loop (a test
    # session with Playwright's sync API open does).
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result()
    return result


def healthz_after(base: str) -> tuple[int, float]:
    """/healthz's status and how long it took to answer."""
    start = time.perf_counter()
    r = httpx.get(base + "/healthz", timeout=5)
    return r.status_code, time.perf_counter() - start
