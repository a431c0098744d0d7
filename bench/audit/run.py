"""The cost of the audit log: GET /schools/{id} (a logged read) and a school field save (a
logged change) with the audit log on, against the same requests with it off, in one run.

"Off" removes the page's audit rule and the change events, so the rest of the request
(middleware, session, policy, template) is the same. On and off alternate request by request
(on-off, then off-on) so that a machine busy with other work slows both alike; /healthz is
the baseline of the run. Calls the app through Starlette's TestClient (no sockets).
Database: a temporary SQLite file, or SUS_DATABASE_URL (e.g. postgresql+psycopg://…).
Usage: python bench/audit/run.py [N]
"""

import os
import statistics
import sys
import tempfile
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
tmp = tempfile.mkdtemp(prefix="sus-bench-")
os.environ.setdefault("SUS_VAR_DIR", tmp)
os.environ.setdefault("SUS_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
os.environ.setdefault("SUS_SECRET_KEY", "bench-secret-key-long-enough-0123456789abcdef")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session as OrmSession  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from app import migrate  # noqa: E402
from app.accounts import service as accounts  # noqa: E402
from app.accounts.access import SESSION_COOKIE  # noqa: E402
from app.accounts.models import Role  # noqa: E402
from app.audit import bulk, recording  # noqa: E402
from app.audit.models import AuditEntry  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.main import create_app  # noqa: E402
from app.schools import service as schools  # noqa: E402
from app.schools.models import School  # noqa: E402
from app.schools.service import SchoolForm  # noqa: E402


def ms(times: list[float]) -> tuple[float, float]:
    values = sorted(t * 1000 for t in times)
    return statistics.fmean(values), values[len(values) // 2]


class Switch:
    """The audit log of the bench's page and of changes, on or off."""

    def __init__(self):
        self.rule = next(r for r in recording.rules if r.path == "/schools/{school_id}")
        self.on = True

    def set(self, on: bool) -> None:
        if on == self.on:
            return
        if on:
            recording.rules.add(self.rule)
            recording.install()
            bulk.install()
        else:
            recording.rules.remove(self.rule)
            event.remove(OrmSession, "after_flush", recording._after_flush)
            event.remove(OrmSession, "do_orm_execute", bulk._on_execute)
        self.on = on


def alternate(fn, n: int, switch: Switch) -> dict:
    """Wall-clock and CPU times (this process: the app and, on SQLite, the database) of n
    calls with the log on and n with it off."""
    times: dict = {(on, clock): [] for on in (True, False) for clock in ("wall", "cpu")}
    for i in range(n):
        for on in ((True, False) if i % 2 == 0 else (False, True)):
            switch.set(on)
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            times[on, "cpu"].append(time.process_time() - cpu)
            times[on, "wall"].append(time.perf_counter() - start)
    switch.set(True)
    return times


def main() -> None:
    settings = get_settings()
    migrate.upgrade(settings.database_url)
    app = create_app(settings)
    with Session(app.state.engine) as s:
        m = schools.create_municipality(s, name="Benchkommune", kommunekode="999")
        school = schools.create_school(s, m.id, SchoolForm(name="Benchskolen", institution_number="999999"))
        user = accounts.create_user(s, email="bench@sus.test", name="Bench", password=None)
        accounts.grant(s, user, Role.CONSULTANT, municipality_id=m.id)
        token = accounts.start_session(s, settings, user)
        school_id = school.id
    client = TestClient(app)
    client.cookies.set(SESSION_COOKIE, token)
    client.get("/login")
    csrf = client.cookies.get("sus_csrf")
    counter = iter(range(10**9))

    def read():
        assert client.get(f"/schools/{school_id}").status_code == 200

    def change():
        with Session(app.state.engine) as s:
            version = s.get(School, school_id).version
        r = client.post(f"/schools/{school_id}/fields/student_count",
                        data={"csrf_token": csrf, "student_count": str(100 + next(counter) % 500),
                              "version": version})
        assert r.status_code in (200, 303), r.status_code

    def healthz():
        assert client.get("/healthz").status_code == 200

    for fn in (read, change, healthz):
        fn()  # warm up
    switch = Switch()
    with Session(app.state.engine) as s:
        before = s.exec(select(func.count()).select_from(AuditEntry)).one()
    results = {"read": alternate(read, N, switch), "change": alternate(change, N, switch)}
    with Session(app.state.engine) as s:
        entries = s.exec(select(func.count()).select_from(AuditEntry)).one() - before
    base_mean, base_p50 = ms(alternate(healthz, N // 2, switch)[True, "wall"])
    print(f"{N} requests each with the audit log on and off, alternating; database "
          f"{settings.database_url.split(':')[0]}; {entries} audit entries written")
    print(f"baseline /healthz        mean {base_mean:7.2f} ms  p50 {base_p50:7.2f} ms")
    for name, times in results.items():
        for clock in ("wall", "cpu"):
            (mean_on, p50_on), (mean_off, p50_off) = ms(times[True, clock]), ms(times[False, clock])
            print(f"{name:<7} {clock:<4} audit on  mean {mean_on:7.2f} ms  p50 {p50_on:7.2f} ms   "
                  f"off mean {mean_off:7.2f} ms  p50 {p50_off:7.2f} ms   "
                  f"cost {mean_on - mean_off:+6.2f} ms ({mean_on / mean_off:.2f}x mean, "
                  f"{p50_on / p50_off:.2f}x p50)")

if __name__ == "__main__":
    main()
