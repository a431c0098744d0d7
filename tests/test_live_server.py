"""The live servers the browser tests use: a server that cannot start fails the test at once,
with its log; one that is slow is waited for, up to a deadline that fails, never passes."""

import time

import pytest
from sqlalchemy import text

import tests.conftest as conftest
from app.db import make_engine
from tests.conftest import demo_server


def _break_schema(url):
    """A database the migrations cannot upgrade: the tables are there, their version is not."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()


def test_a_server_that_exits_fails_at_once_with_its_log():
    conftest.demo_database()  # built once per run; not what is timed here
    started = time.monotonic()
    with pytest.raises(RuntimeError) as failure, demo_server("broken", _break_schema):
        pass
    assert time.monotonic() - started < conftest.SERVER_TIMEOUT / 2
    message = str(failure.value)
    assert "broken server exited" in message and "Traceback" in message


def test_a_server_past_its_deadline_fails(monkeypatch):
    monkeypatch.setattr(conftest, "SERVER_TIMEOUT", 0.0)
    with pytest.raises(RuntimeError, match=r"did not answer /healthz within 0 s"), demo_server("slow"):
        pass
