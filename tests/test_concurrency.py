"""Many requests at once, on the run's database (SQLite or PostgreSQL).

On a live demo server: a session is recognised on every request from the moment the login
answers, also while others write and in a new server process; 200 racing saves of one note
section and 20 writers at once get no server error and lose no update. In the app itself: a
pool with no free connection answers 503 in time, and /healthz tells "busy" from "down"."""

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine, text

from bench.load import scenario
from tests.conftest import _TMP, _free_port, demo_server


@pytest.fixture(scope="module")
def server():
    with demo_server("concurrency") as (base, url, _):
        yield base, url


def _sections(url: str) -> list[tuple[int, int]]:
    """(note id, section id) of every text section the consultants may write in the demo: the
    administration writes every section of a note until it is published, the school's too."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT n.id, s.id FROM notesection s JOIN note n ON n.id = s.note_id "
            "JOIN meeting m ON m.id = n.meeting_id WHERE m.municipality_id = "
            "(SELECT min(id) FROM municipality) AND n.status <> 'published' AND s.kind = 'text' "
            "ORDER BY s.id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def _query(url: str, sql: str, **params):
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    engine.dispose()
    return rows


_logins: dict[tuple[str, str], httpx.Cookies] = {}
_login_lock = threading.Lock()


def _client(base: str, email: str = "konsulent@skanderborg.demo", *,
            fresh: bool = False) -> httpx.Client:
    """A client signed in as `email`. Threads share one login per user, like one user's tabs
    (the login limits per client address count every attempt until its password is checked,
    so twenty logins at once from one address are rightly slowed down); `fresh` logs in anew."""
    with _login_lock:
        cookies = None if fresh else _logins.get((base, email))
        if cookies is None:
            c = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
            c.get("/login")
            r = c.post("/login", data={"csrf_token": c.cookies.get("sus_csrf"), "email": email,
                                       "password": scenario.PASSWORD, "next": "/"})
            assert r.status_code == 303, r.status_code
            if fresh:
                return c
            cookies = _logins[(base, email)] = c.cookies
    return httpx.Client(base_url=base, follow_redirects=False, timeout=60,
                        cookies=httpx.Cookies(cookies))


def _save(c: httpx.Client, note_id: int, section_id: int, version: int, value: str):
    token = c.cookies.get("sus_csrf")
    return c.post(f"/notes/{note_id}/sections/{section_id}",
                  data={"csrf_token": token, "version": str(version), "field-text": value},
                  headers={"HX-Request": "true", "X-CSRF-Token": token})


def _version(c: httpx.Client, note_id: int, section_id: int) -> int:
    page = c.get(f"/notes/{note_id}")
    assert page.status_code == 200, page.status_code
    return scenario.version_of(page.text, section_id)


def _refused(r) -> bool:
    """Answered as if the client had no session."""
    return r.status_code == 401 or "/login" in r.headers.get("location", "")


def _writers(base: str, sections, stop: threading.Event, failures: list) -> list[threading.Thread]:
    def write(note_id, section_id):
        c = _client(base, "konsulent2@skanderborg.demo")
        while not stop.is_set():
            r = _save(c, note_id, section_id, _version(c, note_id, section_id), "skriver")
            if r.status_code >= 500:
                failures.append(r.status_code)

    threads = [threading.Thread(target=write, args=s) for s in sections]
    for t in threads:
        t.start()
    return threads


def test_a_session_is_recognised_on_every_request_with_writers_and_after_a_restart(server):
    base, url = server
    sections = _sections(url)
    stop, failures = threading.Event(), []
    writers = _writers(base, sections[-4:], stop, failures)
    try:
        c = _client(base, fresh=True)  # straight from the login's answer, while others write
        pages = ["/", "/municipalities/1", f"/notes/{sections[0][0]}", "/account"]
        answers = [c.get(pages[i % len(pages)]) for i in range(200)]
        # A private calendar URL works from its first fetch, every time.
        person_id = _query(url, "SELECT person_id FROM \"user\" WHERE email = :e",
                           e="konsulent@skanderborg.demo")[0][0]
        made = c.post("/calendar-links", data={"csrf_token": c.cookies.get("sus_csrf"),
                                               "person_id": person_id, "kind": "municipality",
                                               "target_id": 1})
        feed = re.search(r"/feeds/[A-Za-z0-9_-]{43}\.ics", made.text).group(0)
        feeds = [httpx.get(base + feed, timeout=60).status_code for _ in range(20)]
    finally:
        stop.set()
        for t in writers:
            t.join()
    assert [r.request.url.path for r in answers if _refused(r)] == []
    assert [r.status_code for r in answers if r.status_code >= 500] == []
    assert failures == []
    assert feeds == [200] * 20

    # A new server process on the same database knows the same session at once.
    port = _free_port()
    env = {**os.environ, "SUS_DATABASE_URL": url, "SUS_VAR_DIR": str(_TMP / "restart-var"),
           "SUS_BASE_URL": f"http://127.0.0.1:{port}"}
    sus = str(Path(sys.executable).with_name("sus"))
    proc = subprocess.Popen([sus, "serve", "--no-migrate", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        again = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(again + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "no restart"
            time.sleep(0.2)
        restarted = httpx.Client(base_url=again, follow_redirects=False, timeout=60,
                                 cookies=c.cookies)
        after = [restarted.get(pages[i % len(pages)]) for i in range(200)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert [r.request.url.path for r in after if _refused(r)] == []
    assert {r.status_code for r in after} <= {200, 303}


def test_two_hundred_racing_saves_of_one_section_lose_nothing(server):
    base, url = server
    note_id, section_id = _sections(url)[0]
    (start,) = _query(url, "SELECT version FROM notesection WHERE id = :s", s=section_id)[0]
    (revisions_before,) = _query(url, "SELECT count(*) FROM noterevision WHERE section_id = :s",
                                 s=section_id)[0]
    outcomes: dict[str, int] = {}
    lock = threading.Lock()

    def race(n):
        c = _client(base, scenario.USERS[n % 2])
        for i in range(10):
            value = f"tekst {n}-{i}"
            # The stored version as a reload would show it (the page shows a writer's own
            # conflict instead of the editor), then save on it: the races are real.
            (version,) = _query(url, "SELECT version FROM notesection WHERE id = :s",
                                s=section_id)[0]
            r = _save(c, note_id, section_id, version, value)
            with lock:
                outcomes[value] = r.status_code

    threads = [threading.Thread(target=race, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(outcomes) == 200
    assert set(outcomes.values()) <= {200, 409}, sorted(set(outcomes.values()))
    saved = {v for v, status in outcomes.items() if status == 200}
    assert saved  # someone always wins
    (version,) = _query(url, "SELECT version FROM notesection WHERE id = :s", s=section_id)[0]
    assert version == start + len(saved)  # every save that said "saved" is one version
    rows = _query(url, "SELECT applied, \"values\" FROM noterevision WHERE section_id = :s "
                       "ORDER BY id", s=section_id)[revisions_before:]
    import json

    applied = [json.loads(v)["text"] if isinstance(v, str) else v["text"]
               for a, v in rows if a]
    kept = [json.loads(v)["text"] if isinstance(v, str) else v["text"]
            for a, v in rows if not a]
    assert sorted(applied) == sorted(saved)
    assert len(kept) == 200 - len(saved)  # each conflict kept the text for the writer
    (current,) = _query(url, "SELECT \"values\" FROM notesection WHERE id = :s",
                        s=section_id)[0]
    current = json.loads(current) if isinstance(current, str) else current
    assert current["text"] == applied[-1]


def test_twenty_writers_at_once_all_saved(server):
    base, url = server
    sections = _sections(url)[:20]
    assert len(sections) == 20
    before = dict(_query(url, "SELECT id, version FROM notesection"))
    statuses, lock = [], threading.Lock()

    def write(note_id, section_id):
        # Not a racer of the test before: their unresolved conflicts replace the editor.
        c = _client(base, "admin@sus.demo")
        version = _version(c, note_id, section_id)
        for i in range(10):
            r = _save(c, note_id, section_id, version, f"skribent {section_id} nr. {i}")
            with lock:
                statuses.append(r.status_code)
            version = scenario.version_of(r.text, section_id) or version

    threads = [threading.Thread(target=write, args=s) for s in sections]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 200, sorted(set(statuses))
    import json

    for _note_id, section_id in sections:
        version, values = _query(url, "SELECT version, \"values\" FROM notesection "
                                      "WHERE id = :s", s=section_id)[0]
        values = json.loads(values) if isinstance(values, str) else values
        assert version == before[section_id] + 10
        assert values["text"] == f"skribent {section_id} nr. 9"


def test_twenty_users_at_once_then_healthz_answers_within_a_second(server):
    base, url = server
    result = scenario.run(base, scenario.demo_targets(url), clients=20, seconds=10)
    status, took = scenario.healthz_after(base)
    assert result.errors == [], result.summary()
    assert result.server_errors == [], result.summary()
    assert result.sent_to_login == []
    assert result.requests >= 40 and result.saves >= 5, result.summary()  # it did load
    assert status == 200 and took < 1.0, (status, took)


# --- in the app: a full pool and a database that is down ----------------------------------


def _app_with_engine(engine):
    from fastapi.testclient import TestClient

    from app.main import create_app

    application = create_app()
    application.state.engine.dispose()
    application.state.engine = engine
    return TestClient(application, follow_redirects=False)


def test_no_free_connection_answers_503_in_time_and_healthz_says_busy(database_url):
    from app.db import make_engine

    engine = make_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.3)
    client = _app_with_engine(engine)
    held = engine.connect()  # every connection in use
    try:
        start = time.monotonic()
        client.cookies.set("sus_session", "x" * 43)  # a session to look up: a query
        r = client.get("/municipalities")
        assert time.monotonic() - start < 5
        assert r.status_code == 503
        assert "Tjenesten har travlt lige nu" in r.text
        assert r.headers["retry-after"]
        health = client.get("/healthz")
        assert (health.status_code, health.text) == (503, "database busy\n")
    finally:
        held.close()
    assert client.get("/healthz").text == "ok\n"
    engine.dispose()


def test_healthz_says_unavailable_when_the_database_is_down():
    from app.db import make_engine

    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", pool_timeout=1,
                         connect_args={"connect_timeout": 2})
    r = _app_with_engine(engine).get("/healthz")
    assert (r.status_code, r.text) == (503, "database unavailable\n")


def test_a_pooled_sqlite_connection_forgets_an_unread_result(tmp_path):
    """A result left with rows unread kept its read snapshot in the pooled connection: the
    next request there read the database as it was (a fresh login's session missing)."""
    from app.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'snap.db'}", pool_size=1, max_overflow=0)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1), (2), (3)")
    with engine.connect() as conn:
        unread = conn.exec_driver_sql("SELECT x FROM t")
        unread.fetchone()  # two rows left unread, the result still referenced
    other = make_engine(f"sqlite:///{tmp_path / 'snap.db'}")
    with other.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (4)")
    with engine.connect() as conn:  # the same pooled connection (pool of one)
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 4
    assert unread is not None
    other.dispose()
    engine.dispose()
