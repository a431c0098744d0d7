"""Agendas: what a consultant waits for — the agenda page, a reorder, the Word export — and
parsing the three seed contracts. Median and 95th percentile in milliseconds per request,
through the whole app (TestClient), on a temporary SQLite file or SUS_DATABASE_URL.
Usage: python bench/agendas/run.py [N]
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
tmp = tempfile.mkdtemp(prefix="sus-bench-")
os.environ.setdefault("SUS_VAR_DIR", tmp)
os.environ.setdefault("SUS_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
os.environ.setdefault("SUS_SECRET_KEY", "bench-secret-key-long-enough-0123456789abcdef")

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app import migrate  # noqa: E402
from app.accounts import service as accounts  # noqa: E402
from app.accounts.access import SESSION_COOKIE  # noqa: E402
from app.accounts.models import Role  # noqa: E402
from app.agendas import build as agenda_build  # noqa: E402
from app.agendas import goals as agenda_goals  # noqa: E402
from app.agendas import items as agenda_items  # noqa: E402
from app.agendas import themes as agenda_themes  # noqa: E402
from app.agendas.contracts import parse_contract  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.cycles import years as cycle_years  # noqa: E402
from app.cycles.models import Step  # noqa: E402
from app.main import create_app  # noqa: E402
from app.meetings import service as meetings  # noqa: E402
from app.meetings.models import MeetingType  # noqa: E402
from app.schools import service as schools  # noqa: E402
from app.schools.service import SchoolForm  # noqa: E402

CONTRACTS = Path(__file__).resolve().parents[2] / "app" / "catalog" / "contracts"


def timed(fn, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    migrate.upgrade(get_settings().database_url)
    app = create_app()
    with Session(app.state.engine) as s:
        m = schools.create_municipality(s, name="Benchkommune", kommunekode="999")
        school = schools.create_school(s, m.id, SchoolForm(
            name="Morten Børup Skolen", institution_number="745002", student_count=812,
            has_special_classes=True))
        agenda_goals.import_contract(s, school, (CONTRACTS / "mortenboerup.txt").read_text())
        year = cycle_years.create_school_year(s, m, 2026)
        step = Step(school_year_id=year.id, position=1, key="dialogue", title="Samtaler",
                    school_input_deadline=date(2027, 3, 1))
        s.add(step)
        s.commit()
        t0 = datetime(2027, 4, 20, 6, 0, tzinfo=timezone.utc)
        meeting = meetings.create_meeting(s, school_year=year, step=step, school=school,
                                          meeting_type=MeetingType.DIALOGUE, title="Samtale",
                                          starts_at=t0, ends_at=t0 + timedelta(minutes=150))
        agenda = agenda_build.ensure_agenda(s, meeting)
        for goal in agenda_goals.list_goals(s, school.id)[:5]:
            agenda_themes.theme_from_goal(s, agenda, goal, from_school=True)
        user = accounts.create_user(s, email="bench@test.dk", name="Bench", password=None)
        accounts.grant(s, user, Role.CONSULTANT, municipality_id=m.id)
        token = accounts.start_session(s, get_settings(), user)
        agenda_id, item_id = agenda.id, agenda_items.list_items(s, agenda.id)[0].id

    texts = [p.read_text() for p in sorted(CONTRACTS.glob("*.txt"))]
    with TestClient(app) as c:
        c.cookies.set(SESSION_COOKIE, token)
        c.get("/login")
        csrf = c.cookies.get("sus_csrf")
        results = {
            "parse the three seed contracts": timed(lambda: [parse_contract(t) for t in texts], N),
            "GET /agendas/{id} (8 items, 5 themes)": timed(
                lambda: c.get(f"/agendas/{agenda_id}").raise_for_status(), N),
            "POST move item (HTMX fragment)": timed(lambda: c.post(
                f"/agendas/{agenda_id}/items/{item_id}/move", data={"direction": "down"},
                headers={"HX-Request": "true", "X-CSRF-Token": csrf}).raise_for_status(), N),
            "GET agenda.docx": timed(
                lambda: c.get(f"/agendas/{agenda_id}/agenda.docx").raise_for_status(), N // 4),
        }
    backend = get_settings().database_url.split(":", 1)[0]
    print(f"agendas on {backend}, N={N}")
    for name, (median, p95) in results.items():
        print(f"  {name:42s} median {median:7.2f} ms   p95 {p95:7.2f} ms")


if __name__ == "__main__":
    main()
