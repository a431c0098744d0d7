"""The cost of the audit log: GET /schools/{id} (a logged read) and a school field save (a
logged change) with the audit log on, against the same requests with it off, in one run.

"Off" removes the page's audit rule and the change event for the second half, so the rest of
the request (middleware, session, policy, template) is the same. Calls the app through
Starlette's TestClient (no sockets). Database: a temporary SQLite file, or SUS_DATABASE_URL.
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
from app.audit import recording  # noqa: E402
from app.audit.models import AuditEntry  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.main import create_app  # noqa: E402
from app.schools import service as schools  # noqa: E402
from app.schools.models import School  # noqa: E402
from app.schools.service import SchoolForm  # noqa: E402


def timed(fn, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def ms(times: list[float]) -> tuple[float, float]:
    values = sorted(t * 1000 for t in times)
    return statistics.fmean(values), values[len(values) // 2]


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

    for fn in (read, change):
        fn()  # warm up
    on = {"read": timed(read, N), "change": timed(change, N)}
    with Session(app.state.engine) as s:
        entries = s.exec(select(func.count()).select_from(AuditEntry)).one()
    rule = next(r for r in recording.rules if r.path == "/schools/{school_id}")
    recording.rules.remove(rule)
    event.remove(OrmSession, "after_flush", recording._after_flush)
    off = {"read": timed(read, N), "change": timed(change, N)}
    print(f"{N} requests each, database {settings.database_url.split(':')[0]}; "
          f"{entries} audit entries written with the log on")
    for name in ("read", "change"):
        (mean_on, p50_on), (mean_off, p50_off) = ms(on[name]), ms(off[name])
        print(f"{name:<7} audit on  mean {mean_on:7.2f} ms  p50 {p50_on:7.2f} ms   "
              f"off mean {mean_off:7.2f} ms  p50 {p50_off:7.2f} ms   "
              f"cost {mean_on - mean_off:+6.2f} ms ({mean_on / mean_off:.2f}x)")


if __name__ == "__main__":
    main()
