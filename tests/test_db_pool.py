"""The server connection pool: a connection used a moment ago is used without a ping (no
round trip more per request), one idle for a while is pinged, and a dead one is replaced
without the request noticing."""

import pytest
from sqlalchemy import text

from app import db
from tests.conftest import BACKEND, _pg_admin_engine, drop_database, provision_database

pytestmark = pytest.mark.skipif(BACKEND != "postgresql",
                                reason="SQLite has no server connection to lose")


@pytest.fixture
def engine():
    url = provision_database("pool")
    engine = db.make_engine(url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()
    drop_database(url)


@pytest.fixture
def pings(engine, monkeypatch):
    calls = []
    real = engine.dialect.do_ping

    def counted(dbapi_conn):
        calls.append(1)
        return real(dbapi_conn)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return calls


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_used_a_moment_ago_is_not_pinged(engine, pings):
    first = _backend_pid(engine)
    assert [_backend_pid(engine) for _ in range(5)] == [first] * 5  # one pooled connection
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(engine, pings, monkeypatch):
    first = _backend_pid(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert _backend_pid(engine) == first and len(pings) == 1  # alive: kept

    admin = _pg_admin_engine()
    with admin.connect() as conn:  # as a database restart would
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar()
    admin.dispose()
    second = _backend_pid(engine)  # no error: the ping found it dead, the pool reconnected
    assert second != first and len(pings) == 2
