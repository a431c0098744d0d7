"""A database of its own whose commits are real, for tests of concurrent requests.

The shared test database runs each test in a transaction that is rolled back, so concurrent
connections cannot see each other's data there. These tests get a freshly migrated database,
an app serving it, and a session factory; several threads then each use their own session or
client, as several requests of several server processes would.
"""

import threading
from contextlib import contextmanager

from sqlmodel import Session

from tests.conftest import drop_database, provision_database


@contextmanager
def committed_app(name: str, **settings):
    """(app, engine) on a new, migrated database; `settings` override the defaults."""
    from app import migrate
    from app.config import Settings
    from app.main import create_app

    url = provision_database(name)
    try:
        migrate.upgrade(url)
        app = create_app(Settings(database_url=url, **settings))
        yield app, app.state.engine
        app.state.engine.dispose()
    finally:
        drop_database(url)


def session_of(engine) -> Session:
    return Session(engine, expire_on_commit=False)


def all_at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # the test looks at what each thread got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results
