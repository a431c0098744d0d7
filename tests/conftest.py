"""Test fixtures shared by every domain.

The database is built by the migrations (never create_all), once per run, in a database of
its own: a temporary SQLite file, or, with SUS_TEST_DATABASE_URL set, a fresh PostgreSQL
database created next to the one named there (so parallel runs never collide). Each test runs
in a transaction that is rolled back. Browser tests drive Debian's Chromium through Playwright
against `sus serve` of this checkout.

Live servers, and which one a test uses (the suite must stay fast on a busy 2-core machine):
- `sus demo` runs once per run, into a database every server copies (`demo_database`; SQLite
  copies the file, PostgreSQL uses CREATE DATABASE ... TEMPLATE), so no server waits for it.
- `shared_server` (`live_server`, `page`) is one server for the whole run. Use it for tests that
  only read, or that change data of their own: rows they add themselves, or demo rows that no
  other test reads (and put back what they move, where they can). Add such rows through
  `shared_server.database_url` in a module-scoped fixture.
- `demo_server(name, prepare)` is a server of its own, on a fresh copy of the demo data. Use it
  only for tests that need pristine demo data or change what every other test sees (another
  school year for a demo municipality, a demo person's availability, ...).
A server's start-up is waited for as long as a loaded machine needs (SUS_TEST_SERVER_TIMEOUT,
180 s by default); a server that exits, or never answers /healthz, fails the test with its log.
"""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="sus-test-"))
os.environ["SUS_VAR_DIR"] = str(_TMP / "var")
os.environ.setdefault("SUS_SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")
os.environ["SUS_BASE_URL"] = "http://testserver"
os.environ.pop("SUS_DATABASE_URL", None)

import httpx2 as httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.wiring import bootstrap  # noqa: E402

bootstrap()  # as every entry point does: the tests see the app's wiring

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SERVER_URL = os.environ.get("SUS_TEST_DATABASE_URL")
"""None: SQLite. Otherwise a PostgreSQL URL whose server gets a fresh database per run."""
BACKEND = "postgresql" if SERVER_URL else "sqlite"
CHROMIUM = os.environ.get("SUS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
SERVER_TIMEOUT = float(os.environ.get("SUS_TEST_SERVER_TIMEOUT", "180"))
"""Seconds a live server may take to answer /healthz: generous, for a loaded CI machine."""


def _pg_admin_engine():
    url = SERVER_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, isolation_level="AUTOCOMMIT")


def provision_database(name: str) -> str:
    """A new, empty database for this run; returns its URL."""
    if SERVER_URL is None:
        return f"sqlite:///{_TMP / (name + '-' + uuid.uuid4().hex[:10] + '.db')}"
    dbname = f"sus_test_{name}_{uuid.uuid4().hex[:10]}"
    engine = _pg_admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{dbname}"'))
    url = make_url(str(engine.url)).set(database=dbname)
    engine.dispose()
    return url.render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if SERVER_URL is None:
        path = Path(make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    dbname = make_url(url).database
    engine = _pg_admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
    engine.dispose()


def copy_database(source: str, name: str) -> str:
    """A new database for this run holding what `source` holds; returns its URL."""
    if SERVER_URL is None:
        url = provision_database(name)
        src = sqlite3.connect(make_url(source).database)
        dst = sqlite3.connect(make_url(url).database)
        try:
            src.backup(dst)  # consistent whatever the WAL holds
        finally:
            dst.close()
            src.close()
        return url
    dbname = f"sus_test_{name}_{uuid.uuid4().hex[:10]}"
    engine = _pg_admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{dbname}" TEMPLATE "{make_url(source).database}"'))
    url = make_url(str(engine.url)).set(database=dbname)
    engine.dispose()
    return url.render_as_string(hide_password=False)


def pytest_report_header(config):
    return f"SUS database backend: {BACKEND}" + (f" ({SERVER_URL})" if SERVER_URL else "")


def pytest_sessionstart(session):
    if SERVER_URL is None:
        return
    try:
        engine = _pg_admin_engine()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        message = f"PostgreSQL at {SERVER_URL} is not reachable ({exc.__class__.__name__})."
        if IN_CI:
            pytest.exit(message + " In CI a configured database must be there.", returncode=1)
        pytest.exit(message + " Skipping the PostgreSQL run (CI=true makes this an error).",
                    returncode=0)


@pytest.fixture(scope="session")
def database_url():
    from app import migrate
    from app.config import get_settings

    url = provision_database("main")
    migrate.upgrade(url)
    os.environ["SUS_DATABASE_URL"] = url
    get_settings.cache_clear()
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def engine(database_url):
    from app.db import make_engine

    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine):
    """A session whose every commit is a savepoint inside a transaction rolled back after."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()
    transaction.rollback()
    connection.close()


class _Holder:
    session: Session | None = None


@pytest.fixture(scope="session")
def app(database_url):
    from app.db import get_session
    from app.main import create_app

    application = create_app()
    holder = _Holder()
    application.dependency_overrides[get_session] = lambda: holder.session
    application.state.test_holder = holder
    return application


@pytest.fixture
def client(app, db):
    from fastapi.testclient import TestClient

    app.state.test_holder.session = db
    with TestClient(app, follow_redirects=False) as c:
        yield c
    app.state.test_holder.session = None


# --- helpers -------------------------------------------------------------------------------


def csrf(client) -> str:
    """The client's CSRF token (fetching a page first if it has none)."""
    token = client.cookies.get("sus_csrf")
    if token is None:
        client.get("/login")
        token = client.cookies.get("sus_csrf")
    return token


def post_form(client, url: str, data: dict | None = None, *, htmx: bool = False, **kw):
    token = csrf(client)
    headers = kw.pop("headers", {})
    if htmx:
        headers = {**headers, "HX-Request": "true", "X-CSRF-Token": token}
    return client.post(url, data={"csrf_token": token, **(data or {})}, headers=headers, **kw)


def htmx_get(client, url: str, **headers):
    return client.get(url, headers={"HX-Request": "true", **headers})


@pytest.fixture
def factory(db):
    return Factory(db)


class Factory:
    """Builds test data through the services, as the app itself would."""

    def __init__(self, session: Session):
        self.session = session
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def municipality(self, name: str | None = None, kommunekode: str | None = None, **kw):
        from app.schools import service

        n = self._next()
        return service.create_municipality(
            self.session, name=name or f"Testkommune {n}", kommunekode=kommunekode or f"{900 + n}",
            **kw,
        )

    def school(self, municipality, name: str | None = None, **kw):
        from app.schools import service
        from app.schools.service import SchoolForm

        n = self._next()
        data = {"name": name or f"Testskole {n}", "institution_number": f"{800000 + n}", **kw}
        return service.create_school(self.session, municipality.id, SchoolForm(**data))

    def user(self, role: str, *, municipality=None, school=None, email: str | None = None,
             password: str | None = None, name: str = "Test Bruger"):
        from app.accounts import service
        from app.accounts.models import Role

        n = self._next()
        user = service.create_user(self.session, email=email or f"user{n}@test.dk", name=name,
                                   password=password)
        scope = {}
        if municipality is not None:
            scope["municipality_id"] = municipality.id
        if school is not None:
            scope["school_id"] = school.id
        if role != "none":
            service.grant(self.session, user, Role(role), **scope)
        return user


def login(client, session: Session, user) -> None:
    """Sign the client in as `user` without the (deliberately slow) password hash."""
    from app.accounts import service
    from app.accounts.access import SESSION_COOKIE
    from app.config import get_settings

    token = service.start_session(session, get_settings(), user)
    client.cookies.set(SESSION_COOKIE, token)


# --- a live server and a real browser --------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_ROOT = str(Path(__file__).resolve().parent.parent)  # this checkout, not an installed copy
_SUS = str(Path(sys.executable).with_name("sus"))


def _sus_env(url: str, name: str, **extra) -> dict:
    return {**os.environ, "SUS_DATABASE_URL": url, "SUS_VAR_DIR": str(_TMP / f"{name}-var"),
            "PYTHONPATH": os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")])),
            **extra}


_demo_url: str | None = None


def demo_database() -> str:
    """The database `sus demo` loaded, once per run; servers get copies, never this one (a
    PostgreSQL template must have no connections)."""
    global _demo_url
    if _demo_url is None:
        url = provision_database("demo")
        done = subprocess.run([_SUS, "demo"], env=_sus_env(url, "demo"), capture_output=True,
                              text=True)
        if done.returncode != 0:
            drop_database(url)
            raise RuntimeError(f"sus demo failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        _demo_url = url
    return _demo_url


def pytest_sessionfinish(session, exitstatus):
    if _demo_url is not None:
        drop_database(_demo_url)


def _wait_until_serving(proc, base: str, name: str, log_path: Path) -> None:
    """Until the server answers /healthz; fails with its log if it exits or never answers."""
    deadline = time.monotonic() + SERVER_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} server exited ({proc.returncode}) before answering "
                               f"/healthz:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} server did not answer /healthz within {SERVER_TIMEOUT:.0f}"
                               f" s (SUS_TEST_SERVER_TIMEOUT):\n"
                               f"{log_path.read_text(errors='replace')}")
        time.sleep(0.25)


@contextmanager
def demo_server(name: str, prepare=None):
    """`sus serve` of this checkout on a copy of the demo data of its own (see the module's
    docstring for when a test needs that). `prepare(url)` adds a test's own data before the
    server starts; yields (base URL, database URL, what prepare returned)."""
    url = copy_database(demo_database(), name)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = _TMP / f"{name}-server.log"
    proc = None
    try:
        prepared = prepare(url) if prepare else None
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([_SUS, "serve", "--port", str(port)],
                                    env=_sus_env(url, name, SUS_BASE_URL=base),
                                    stdout=log, stderr=subprocess.STDOUT)
        _wait_until_serving(proc, base, name, log_path)
        yield base, url, prepared
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        drop_database(url)


@dataclass(frozen=True)
class SharedServer:
    base: str
    database_url: str


@pytest.fixture(scope="session")
def shared_server():
    """The one live server of the run, on the demo data; tests add their own rows through
    `database_url` (see the module's docstring)."""
    with demo_server("live") as (base, url, _prepared):
        yield SharedServer(base, url)


@pytest.fixture(scope="session")
def live_server(shared_server):
    return shared_server.base


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)."
        if IN_CI:
            pytest.fail(message + " In CI the browser must be there.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="da-DK",
                                  viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="da-DK", java_script_enabled=False)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def browser_login(pg, email: str, password: str = "demo") -> None:
    pg.goto("/login")
    pg.get_by_label("E-mailadresse").fill(email)
    pg.get_by_label("Adgangskode").fill(password)
    pg.get_by_role("button", name="Log ind").click()
    pg.wait_for_url(lambda u: "/login" not in u)


def assert_accessible(pg, *, context: str = "") -> None:
    """Run axe-core (WCAG 2.1 A/AA and best practices) on the page; fail on any violation.

    axe is a script: on a page without JavaScript (where evaluating would wait for ever) the
    page as it was rendered is served again, at its own address, to a page that runs scripts."""
    from axe_playwright_python.sync_playwright import Axe

    options = getattr(getattr(pg.context, "_impl_obj", None), "_options", None) or {}
    if options.get("javaScriptEnabled") is False:
        html, url = pg.content(), pg.url
        scripted = pg.context.browser.new_context(locale="da-DK")
        try:
            target = scripted.new_page()
            target.set_default_timeout(10_000)
            target.route(url, lambda route: route.fulfill(
                body=html, content_type="text/html; charset=utf-8"))
            target.goto(url)
            result = Axe().run(target)
        finally:
            scripted.close()
    else:
        result = Axe().run(pg)
    assert result.violations_count == 0, f"{context or pg.url}\n{result.generate_report()}"


# --- cycles and meetings ---------------------------------------------------------------------


def make_year(session: Session, municipality, start_year: int = 2026):
    from app.cycles import years as cycle_years

    return cycle_years.create_school_year(session, municipality, start_year)


def make_person(session: Session, municipality, name: str, function=None, school=None,
                email: str | None = None):
    from app.schools.models import Person

    person = Person(municipality_id=municipality.id, name=name, function=function,
                    school_id=school.id if school else None, email=email)
    session.add(person)
    session.commit()
    session.refresh(person)
    return person
