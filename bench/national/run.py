"""Every main page as every role at national scale, against /healthz in the same run.

For each database (a temporary SQLite file; PostgreSQL at SUS_BENCH_POSTGRES_URL, by default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres, where a database of its own is made):
1. `sus demo` (built through the app's services) and the figures for its first municipality
   as it is (12 schools, its school years);
2. that municipality grown to ten school years (copies of its fullest year) and copied into
   99 more municipalities in SQL (bench/national/build.py), and the same figures again.
Figures per page and role: median milliseconds of a request through the whole app
(TestClient, one process), that median as a multiple of the median /healthz measured just
before the page, the queries the
request made and the bytes of the answer; then EXPLAIN of the slowest statements seen (the
plan names the index used). Target: every main page ≤ 10× /healthz at national scale.
Usage: python bench/national/run.py [--quick] [--sqlite-only | --postgres-only]
(--quick: 20 municipalities and fewer requests per page, for a loaded machine).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

QUICK = "--quick" in sys.argv
COPIES = 19 if QUICK else 99
N = 5 if QUICK else 9
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
tmp = tempfile.mkdtemp(prefix="sus-bench-national-")
os.environ.setdefault("SUS_VAR_DIR", tmp)
os.environ.setdefault("SUS_SECRET_KEY", "bench-secret-key-long-enough-0123456789abcdef")
os.environ.pop("SUS_DATABASE_URL", None)

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from bench.national.build import add_years, copy_municipalities  # noqa: E402
from bench.national.pages import ROLES, main_pages  # noqa: E402

PG = os.environ.get("SUS_BENCH_POSTGRES_URL",
                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def provision(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp}/national-{uuid.uuid4().hex[:6]}.db"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    name = f"sus_bench_national_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG).set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(make_url(url).database + suffix).unlink(missing_ok=True)
        return
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


class Recorder:
    """Statements of the requests measured: count per request, and the slowest overall."""

    def __init__(self, engine):
        self.count = 0
        self.slowest: dict[str, tuple[float, object, str]] = {}
        self.page = ""
        self._start = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, params, *args):
        self.count += 1
        self._start = time.perf_counter()

    def _after(self, conn, cursor, statement, params, *args):
        took = time.perf_counter() - self._start
        if statement.lstrip().upper().startswith("SELECT") and (
                statement not in self.slowest or self.slowest[statement][0] < took):
            self.slowest[statement] = (took, params, self.page)


def signed_in(app, engine, email: str) -> TestClient:
    from app.accounts import service
    from app.accounts.access import SESSION_COOKIE
    from app.accounts.models import User
    from app.config import get_settings

    client = TestClient(app, follow_redirects=False)
    with Session(engine) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        client.cookies.set(SESSION_COOKIE, service.start_session(s, get_settings(), user))
    return client


def median_ms(client, url: str, n: int) -> tuple[float, int, int]:
    client.get(url)  # warm up
    times, status, size = [], 0, 0
    for _ in range(n):
        start = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        status, size = r.status_code, len(r.content)
    return statistics.median(times), status, size


def measure(url: str, label: str) -> Recorder:
    from app.config import get_settings
    from app.main import create_app

    app = create_app(get_settings().model_copy(update={"database_url": url}))
    engine = app.state.engine
    import logging

    logging.getLogger("sus.access").setLevel(logging.WARNING)
    with engine.connect() as conn:
        m = conn.execute(text("SELECT MIN(id) FROM municipality")).scalar()
        pages = main_pages(conn, m)
        sizes = conn.execute(text(
            "SELECT (SELECT COUNT(*) FROM municipality), (SELECT COUNT(*) FROM school), "
            "(SELECT COUNT(*) FROM schoolyear), (SELECT COUNT(*) FROM meeting), "
            "(SELECT COUNT(*) FROM note), (SELECT COUNT(*) FROM indicatorvalue)")).one()
    rec = Recorder(engine)
    anonymous = TestClient(app)
    health, _s, _b = median_ms(anonymous, "/healthz", N * 10)
    print(f"\n{label}: {sizes[0]} municipalities, {sizes[1]} schools, {sizes[2]} school years, "
          f"{sizes[3]} meetings, {sizes[4]} notes, {sizes[5]} indicator values")
    print(f"/healthz median {health:.2f} ms (n={N * 10}); each page against the /healthz "
          f"median of {N} requests just before it")
    print(f"{'page':<22} {'role':<26} {'status':>6} {'ms':>8} {'× healthz':>10} "
          f"{'queries':>8} {'kB':>7}")
    worst = (0.0, "")
    for role, email in ROLES.items():
        client = signed_in(app, engine, email)
        for name, page_url in pages.items():
            rec.page = name
            ms, status, size = median_ms(client, page_url, 1)
            rec.count = 0
            client.get(page_url)
            queries = rec.count
            # The machine's load moves while the run goes on: each page is set against the
            # /healthz median measured right before it.
            near, _s, _b = median_ms(anonymous, "/healthz", N)
            ms, status, size = median_ms(client, page_url, N)
            ratio = ms / near
            if status == 200 and ratio > worst[0]:
                worst = (ratio, f"{name} as {role}")
            print(f"{name:<22} {role:<26} {status:>6} {ms:>8.1f} {ratio:>9.1f}× {queries:>8} "
                  f"{size / 1024:>7.1f}")
    print(f"Slowest page (200): {worst[1]} at {worst[0]:.1f}× /healthz "
          f"({'within' if worst[0] <= 10 else 'ABOVE'} the 10× target)")
    app.state.engine.dispose()
    return rec


def explain(url: str, rec: Recorder, top: int = 4) -> None:
    engine = create_engine(url)
    prefix = "EXPLAIN QUERY PLAN " if url.startswith("sqlite") else "EXPLAIN "
    print(f"\nEXPLAIN of the {top} slowest statements at national scale:")
    ranked = sorted(rec.slowest.items(), key=lambda kv: kv[1][0], reverse=True)[:top]
    with engine.connect() as conn:
        for statement, (took, params, page) in ranked:
            print(f"- {took * 1000:.1f} ms on the {page} page: {' '.join(statement.split())[:160]}…")
            for row in conn.exec_driver_sql(prefix + statement, params):
                print("    " + " | ".join(str(c) for c in row))
    engine.dispose()


def run(backend: str) -> None:
    url = provision(backend)
    try:
        t0 = time.perf_counter()
        env = {**os.environ, "SUS_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        subprocess.run([str(Path(sys.executable).with_name("sus")), "demo"], env=env,
                       check=True, capture_output=True)
        print(f"\n=== {backend}: the demo built through the services in "
              f"{time.perf_counter() - t0:.0f} s")
        measure(url, f"{backend}, the demo (its first municipality: 12 schools)")
        t0 = time.perf_counter()
        engine = create_engine(url)
        with engine.begin() as conn:
            m = conn.execute(text("SELECT MIN(id) FROM municipality")).scalar()
            add_years(conn, m, 10)
        with engine.begin() as conn:
            copy_municipalities(conn, m, COPIES)
        if backend == "postgresql":
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        else:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        engine.dispose()
        print(f"Grown to ten school years and copied {COPIES} times in "
              f"{time.perf_counter() - t0:.0f} s")
        rec = measure(url, f"{backend}, national")
        explain(url, rec)
    finally:
        drop(url)


def main() -> None:
    start = time.perf_counter()
    backends = ["sqlite", "postgresql"]
    if "--sqlite-only" in sys.argv:
        backends = ["sqlite"]
    if "--postgres-only" in sys.argv:
        backends = ["postgresql"]
    for backend in backends:
        run(backend)
    print(f"\nbench/national finished in {(time.perf_counter() - start) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
