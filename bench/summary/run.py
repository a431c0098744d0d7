"""Year summary: the page for a municipality of 12 schools and one of 100, each against the
same server's /healthz in the same run (issue 18 asks for within 10× and 30×). Every school
has last year's note and agreement, this year's dialogue, an agenda with a theme, and
figures for four indicators. Median in milliseconds per request through the whole app
(TestClient), interleaved with /healthz round by round, on a temporary SQLite file or SUS_DATABASE_URL.
Usage: python bench/summary/run.py [N]
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

N = int(sys.argv[1]) if len(sys.argv) > 1 else 40
tmp = tempfile.mkdtemp(prefix="sus-bench-")
os.environ.setdefault("SUS_VAR_DIR", tmp)
os.environ.setdefault("SUS_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
os.environ.setdefault("SUS_SECRET_KEY", "bench-secret-key-long-enough-0123456789abcdef")

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app import migrate  # noqa: E402
from app.accounts import service as accounts  # noqa: E402
from app.accounts.access import SESSION_COOKIE  # noqa: E402
from app.accounts.models import Role  # noqa: E402
from app.agendas import build as agenda_build  # noqa: E402
from app.agendas import settings as agenda_settings  # noqa: E402
from app.agendas import themes as agenda_themes  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.cycles import years as cycle_years  # noqa: E402
from app.cycles.models import Step  # noqa: E402
from app.datapackages.catalog import ensure_loaded  # noqa: E402
from app.datapackages.models import Indicator, IndicatorValue, Level  # noqa: E402
from app.main import create_app  # noqa: E402
from app.meetings import service as meetings  # noqa: E402
from app.meetings.models import MeetingType  # noqa: E402
from app.notes import agreements  # noqa: E402
from app.notes import service as notes  # noqa: E402
from app.schools import service as schools  # noqa: E402
from app.schools.service import SchoolForm  # noqa: E402

T0 = datetime(2027, 4, 20, 6, 0, tzinfo=timezone.utc)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def municipality(s: Session, n: int, code: str, indicators: list[Indicator]):
    m = schools.create_municipality(s, name=f"Kommune med {n} skoler", kommunekode=code)
    row = agenda_settings.municipality_settings(s, m.id)
    row.template_key = "stevns"
    s.add(row)
    years = {y: cycle_years.create_school_year(s, m, y) for y in (2025, 2026)}
    steps = {}
    for y, year in years.items():
        steps[y] = Step(school_year_id=year.id, position=1, key="dialogue", title="Samtaler",
                        meeting_type="dialogue", scope="per_school")
        s.add(steps[y])
    s.commit()
    for i in range(n):
        school = schools.create_school(s, m.id, SchoolForm(
            name=f"Skole {i:03d}", institution_number=f"{code}{i:03d}", student_count=400))
        for y, year in years.items():
            start = T0 - timedelta(days=365 * (2026 - y))
            meeting = meetings.create_meeting(
                s, school_year=year, step=steps[y], school=school,
                meeting_type=MeetingType.DIALOGUE, title=f"Samtale {school.name}",
                starts_at=start, ends_at=start + timedelta(hours=2))
            agenda = agenda_build.ensure_agenda(s, meeting)
            agenda_themes.add_theme(s, agenda, agenda_themes.ThemeForm(title=f"Tema {i % 7}"),
                                    from_school=True)
            note = notes.create_note(s, meeting)
            agreements.add(s, note, agreements.AgreementForm(text=f"Aftale {i} {y}"))
            for ind in indicators:
                s.add(IndicatorValue(indicator_id=ind.id, start_year=y, level=Level.SCHOOL,
                                     code=school.institution_number, school_id=school.id,
                                     municipality_id=m.id, value=3.5, n=60))
    for y in years:
        for ind in indicators:
            s.add(IndicatorValue(indicator_id=ind.id, start_year=y, level=Level.MUNICIPALITY,
                                 code=code, municipality_id=m.id, value=3.6, n=3000))
    s.commit()
    return m


def main():
    migrate.upgrade(get_settings().database_url)
    app = create_app()
    with Session(app.state.engine) as s:
        ensure_loaded(s)
        indicators = [i for i in s.exec(select(Indicator)) if not i.confidential][:4]
        small = municipality(s, 12, "901", indicators)
        large = municipality(s, 100, "902", indicators)
        user = accounts.create_user(s, email="bench@test.dk", name="Bench", password=None)
        for m in (small, large):
            accounts.grant(s, user, Role.CONSULTANT, municipality_id=m.id)
        token = accounts.start_session(s, get_settings(), user)
        ids = (small.id, large.id)

    pages = [(f"{label} {version or '(internal)'}",
              f"/municipalities/{mid}/years/2026/summary{version}", limit)
             for label, mid, limit in (("12 schools", ids[0], 10), ("100 schools", ids[1], 30))
             for version in ("", "?version=committee")]
    with TestClient(app) as c:
        c.cookies.set(SESSION_COOKIE, token)
        for _name, url, _limit in pages:
            c.get(url).raise_for_status()  # warm up
        # Interleaved: every round times /healthz and each page, so that the machine's load
        # at any moment weighs on the baseline and the pages alike.
        health: list[float] = []
        times: dict[str, list[float]] = {name: [] for name, _url, _limit in pages}
        for _ in range(N):
            health += [timed(lambda: c.get("/healthz").raise_for_status()) for _ in range(3)]
            for name, url, _limit in pages:
                times[name].append(timed(lambda url=url: c.get(url).raise_for_status()))
    h = statistics.median(health)
    rows = [(name, statistics.median(times[name]), limit) for name, _url, limit in pages]
    backend = get_settings().database_url.split(":", 1)[0]
    print(f"year summary on {backend}, N={N} rounds; /healthz median {h:.2f} ms")
    for name, ms, limit in rows:
        ratio = ms / h
        verdict = "ok" if ratio <= limit else f"OVER the {limit}x asked"
        print(f"  {name:36s} median {ms:8.2f} ms   {ratio:6.1f}x /healthz  ({verdict})")


if __name__ == "__main__":
    main()
