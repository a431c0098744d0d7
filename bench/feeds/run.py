"""Calendar feeds: a municipality of 100 schools with 10 school years of meetings.

Prints, per feed, its size, the time to generate it (cold: fingerprint, queries, text; warm:
the same with every event's text cached; spliced: the request after one meeting moved, which
re-renders that meeting only, target ≤ 50 ms for 5,000 events; "elsewhere": the same request
in a process that has neither the feed nor any event in memory), and
requests per second over HTTP for a full 200 response and for a 304, against a minimal
static .ics served by the same server in the same run (the ratio is the figure). The server
is `uvicorn` on 127.0.0.1 with one worker; the load is one keep-alive client, bounded in
count and time, each measurement alternating with its baseline in short slices (the ratio is
the median of the slices'). Database: a temporary SQLite file, or SUS_DATABASE_URL if set.
Usage: [SUS_BENCH_SCHOOLS=205] python bench/feeds/run.py [SECONDS_PER_MEASUREMENT]
"""

import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
MAX_REQUESTS = 5000
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
tmp = tempfile.mkdtemp(prefix="sus-bench-feeds-")
os.environ.setdefault("SUS_VAR_DIR", tmp)
os.environ.setdefault("SUS_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
os.environ.setdefault("SUS_SECRET_KEY", "bench-secret-key-long-enough-0123456789abcdef")

import httpx2 as httpx  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app import migrate  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.cycles.models import SchoolAssignment, SchoolYear, Step, StepScope  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.feeds import ical, service  # noqa: E402
from app.feeds.models import FeedKind  # noqa: E402
from app.meetings import service as meetings_service  # noqa: E402
from app.meetings.models import (  # noqa: E402
    Meeting,
    MeetingParticipant,
    MeetingStatus,
    MeetingType,
)
from app.schools.models import Municipality, Person, PersonFunction, School  # noqa: E402

CPH = ZoneInfo("Europe/Copenhagen")
SCHOOLS = int(os.environ.get("SUS_BENCH_SCHOOLS", "100"))  # 205: a 5,000-event default window
YEARS = 10
FIRST_YEAR = service.today().year - 6 if service.today().month >= 8 else service.today().year - 7


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CPH).astimezone(
        timezone.utc)


def build(session: Session) -> dict:
    rnd = random.Random(8)
    m = Municipality(name="Benchmark Kommune", kommunekode="999", is_demo=True)
    session.add(m)
    session.commit()
    schools = [School(municipality_id=m.id, name=f"Skole nr. {i} – Ærø Øst", address=f"Vej {i}",
                      institution_number=f"{900000 + i}") for i in range(SCHOOLS)]
    session.add_all(schools)
    chief = Person(municipality_id=m.id, name="Lene Skov", email="chef@bench.dk",
                   function=PersonFunction.CHIEF)
    ppr = Person(municipality_id=m.id, name="Thomas Brandt", email="ppr@bench.dk",
                 function=PersonFunction.PPR_LEADER)
    consultants = [Person(municipality_id=m.id, name=f"Konsulent {i}", email=f"k{i}@bench.dk",
                          function=PersonFunction.CONSULTANT) for i in range(4)]
    session.add_all([chief, ppr, *consultants])
    session.commit()
    # Logins: the consultant sees the whole municipality, the chief as a participant.
    from app.accounts.models import Role, RoleAssignment, User

    for person, role in ((consultants[0], Role.CONSULTANT), (chief, Role.PARTICIPANT)):
        user = User(email=person.email, name=person.name, person_id=person.id)
        session.add(user)
        session.flush()
        session.add(RoleAssignment(user_id=user.id, role=role, municipality_id=m.id))
    session.commit()
    leaders = [Person(municipality_id=m.id, school_id=s.id, name=f"Leder {s.name}",
                      email=f"leder{s.id}@bench.dk", function=PersonFunction.SCHOOL_LEADER)
               for s in schools]
    session.add_all(leaders)
    session.commit()
    n_meetings = 0
    for y in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        year = SchoolYear(municipality_id=m.id, start_year=y)
        session.add(year)
        session.commit()
        steps = []
        for i in range(17):
            start = date(y, 8, 15) + timedelta(days=18 * i)
            steps.append(Step(school_year_id=year.id, position=i, key=f"trin{i}",
                              title=f"Trin {i + 1} i årshjulet", start_date=start,
                              end_date=start + timedelta(days=rnd.choice((0, 0, 4, 20))),
                              responsible="Konsulenterne",
                              scope=StepScope.PER_SCHOOL if i == 12 else StepScope.MUNICIPAL))
        session.add_all(steps)
        session.commit()
        dialogue_step = steps[12]
        meetings, participants = [], []
        for k, (school, leader) in enumerate(zip(schools, leaders)):
            consultant = consultants[k % 4]
            session.add(SchoolAssignment(school_year_id=year.id, school_id=school.id,
                                         person_id=consultant.id, function="consultant"))
            day = date(y + 1, 4, 6) + timedelta(days=(k // 3) * 7 // 5 + (k // 3))
            plan = [
                (MeetingType.PREP, "Formøde", day - timedelta(days=21), 9, 30, None),
                (MeetingType.DIALOGUE, "Skoleudviklingssamtale", day, 9 + (k % 3) * 2, 120,
                 dialogue_step),
                (MeetingType.DEBRIEF, "Opsamling", day, 11 + (k % 3) * 2, 15, dialogue_step),
            ] + [(MeetingType.DEVELOPMENT_TALK, "Udviklingssamtale",
                  date(y, 9, 1) + timedelta(days=30 * j + k % 20), 13, 90, None)
                 for j in range(5)]
            for kind, title, d, hour, minutes, step in plan:
                start = _at(d, hour)
                mt = Meeting(municipality_id=m.id, school_year_id=year.id, school_id=school.id,
                             step_id=step.id if step else None, meeting_type=kind, title=title,
                             starts_at=start, ends_at=start + timedelta(minutes=minutes),
                             location=f"{school.name}, mødelokale 1",
                             status=MeetingStatus.BOOKED)
                meetings.append((mt, [chief, consultant, leader] if kind is MeetingType.DIALOGUE
                                 else [consultant, leader]))
        session.add_all([mt for mt, _ in meetings])
        session.flush()
        for mt, people in meetings:
            participants += [MeetingParticipant(meeting_id=mt.id, person_id=p.id)
                             for p in people]
        session.add_all(participants)
        session.commit()
        n_meetings += len(meetings)
    return {"municipality": m, "chief": chief, "consultant": consultants[0],
            "meetings": n_meetings}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(client: httpx.Client, url: str, headers: dict, expect: int) -> tuple[float, int]:
    """Requests per second over SECONDS (at most MAX_REQUESTS), one keep-alive connection."""
    for _ in range(20):  # warm up
        client.get(url, headers=headers)
    n, start = 0, time.perf_counter()
    while n < MAX_REQUESTS and time.perf_counter() - start < SECONDS:
        r = client.get(url, headers=headers)
        assert r.status_code == expect, (url, r.status_code)
        n += 1
    return n / (time.perf_counter() - start), n


ROUNDS = 6


def compare(client: httpx.Client, base: tuple[str, dict, int],
            subject: tuple[str, dict, int]) -> tuple[float, float, float, int, int]:
    """The baseline and the subject measured in alternating slices (ROUNDS of each, SECONDS
    in all per side), so that a load from elsewhere on the machine weighs on both alike:
    (baseline req/s, subject req/s, median of the rounds' ratios, n baseline, n subject)."""
    ratios, rates = [], {0: [0.0, 0], 1: [0.0, 0]}
    for _ in range(ROUNDS):
        measured = []
        for side, (url, headers, expect) in enumerate((base, subject)):
            n, start = 0, time.perf_counter()
            while n < MAX_REQUESTS // ROUNDS and time.perf_counter() - start < SECONDS / ROUNDS:
                r = client.get(url, headers=headers)
                assert r.status_code == expect, (url, r.status_code)
                n += 1
            took = time.perf_counter() - start
            rates[side][0] += took
            rates[side][1] += n
            measured.append(n / took)
        ratios.append(measured[1] / measured[0])
    (t0, n0), (t1, n1) = rates[0], rates[1]
    return n0 / t0, n1 / t1, statistics.median(ratios), int(n0), int(n1)


def main() -> None:
    from app.wiring import bootstrap

    bootstrap(pages=False)  # the session events: SEQUENCE, the feed counter and its log
    url = get_settings().database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    with Session(engine) as session:
        data = build(session)
        built = time.perf_counter() - t0
        m = data["municipality"]
        specs = {
            "municipality, default window": (FeedKind.MUNICIPALITY, m.id, data["consultant"], False),
            "municipality, full history": (FeedKind.MUNICIPALITY, m.id, data["consultant"], True),
            "chief's own meetings (ATTENDEE)": (FeedKind.PERSON, data["chief"].id, data["chief"],
                                                False),
            "one consultant's 25 schools": (FeedKind.CONSULTANT, data["consultant"].id,
                                           data["consultant"], False),
        }
        tokens = {}
        print(f"Feeds benchmark: {SCHOOLS} schools, {YEARS} school years, "
              f"{data['meetings']} meetings (built in {built:.1f} s), "
              f"database: {url.split(':')[0]}")
        issued = {}
        print(f"{'feed':<34} {'events':>7} {'size':>9} {'cold':>9} {'warm':>10} "
              f"{'spliced':>9} {'elsewhere':>10} {'fingerprint':>12}")
        for name, (kind, target, person, full) in specs.items():
            if (kind, target, person.id) not in issued:  # one link per feed (a second rotates)
                issued[kind, target, person.id] = service.issue_link(
                    session, person, kind, target, by_user_id=None)
            link, token = issued[kind, target, person.id]
            tokens[name] = (token, full)
            spec = service.private_spec(session, link, full_history=full)
            cold, warm, spliced, spliced_other = [], [], [], []
            changing = session.exec(select(Meeting).where(
                Meeting.municipality_id == m.id, Meeting.meeting_type == MeetingType.DIALOGUE)
                .order_by(Meeting.starts_at.desc())).first()
            for _ in range(3):
                # Cold: no event serialized yet (a new process, or the first request).
                ical.event_cache.clear()
                session.expire_all()
                start = time.perf_counter()
                body = service.render(session, spec)
                cold.append(time.perf_counter() - start)
                # Warm: rendered again in full, every event's text cached in the process.
                session.expire_all()
                start = time.perf_counter()
                service.render(session, spec)
                warm.append(time.perf_counter() - start)
                # One meeting moved since the feed was stored: the request that follows
                # (fingerprint, the change log, that meeting, splice, store), in the process
                # that stored the feed and in another (bytes and layout from the database).
                for where, times in (("same", spliced), ("other", spliced_other)):
                    service.snapshot(session, spec)
                    meetings_service.reschedule(
                        session, changing, starts_at=changing.starts_at + timedelta(minutes=15),
                        ends_at=changing.ends_at + timedelta(minutes=15))
                    if where == "other":
                        ical.event_cache.clear()
                        service.cache.clear()
                    session.expire_all()
                    start = time.perf_counter()
                    after = service.snapshot(session, spec).body()
                    times.append(time.perf_counter() - start)
                    assert after == service.render(session, spec), "spliced ≠ rendered in full"
            fp = []
            for _ in range(20):
                start = time.perf_counter()
                service.fingerprint(session, spec, service.utcnow())
                fp.append(time.perf_counter() - start)
            print(f"{name:<34} {body.count(b'BEGIN:VEVENT'):>7} {len(body) / 1024:>7.0f} kB "
                  f"{statistics.median(cold) * 1000:>6.0f} ms {statistics.median(warm) * 1000:>7.0f} ms"
                  f" {statistics.median(spliced) * 1000:>6.0f} ms"
                  f" {statistics.median(spliced_other) * 1000:>7.0f} ms"
                  f" {statistics.median(fp) * 1000:>9.1f} ms")
    engine.dispose()

    port = free_port()
    same_dir = Path(tmp) / "same"
    same_dir.mkdir(exist_ok=True)
    env = {**os.environ, "SUS_BASE_URL": f"http://127.0.0.1:{port}", "SUS_LOG_LEVEL": "WARNING",
           "SUS_BENCH_SAME_DIR": str(same_dir)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bench.feeds.server:app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--no-access-log"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=60) as client:
            static_rps, n = load(client, "/bench/static.ics", {}, 200)
            size = len(client.get("/bench/static.ics").content)
            print(f"\nHTTP on 127.0.0.1, one uvicorn worker, one keep-alive client, "
                  f"≤{SECONDS:.0f} s or {MAX_REQUESTS} requests each:")
            health_rps, nh = load(client, "/healthz", {}, 200)
            print(f"{'minimal static .ics (' + str(size) + ' B)':<42} {static_rps:>8.0f} req/s "
                  f"(n={n})  = 1.00")
            print(f"{'/healthz':<42} {health_rps:>8.0f} req/s (n={nh})")
            for k, (name, (token, full)) in enumerate(tokens.items()):
                url = f"/feeds/{token}.ics" + ("?history=all" if full else "")
                first = client.get(url)
                assert first.status_code == 200, (name, first.status_code, first.text[:300])
                etag = first.headers["etag"]
                (same_dir / f"f{k}.ics").write_bytes(first.content)
                for _ in range(20):  # warm up
                    client.get(url)
                same_rps, full_rps, ratio, n0, n1 = compare(
                    client, (f"/bench/same/f{k}.ics", {}, 200), (url, {}, 200))
                health, rps_304, ratio_304, _nh, n2 = compare(
                    client, ("/healthz", {}, 200), (url, {"If-None-Match": etag}, 304))
                print(f"{name + ', same bytes static':<42} {same_rps:>8.0f} req/s (n={n0})")
                print(f"{name + ', 200':<42} {full_rps:>8.0f} req/s (n={n1})  = "
                      f"{ratio:.2f}× the same bytes static (target ≥ 0.9)")
                print(f"{name + ', 304':<42} {rps_304:>8.0f} req/s (n={n2})  = "
                      f"{ratio_304:.2f}× /healthz (target ≥ 0.5; /healthz {health:.0f} req/s)")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
