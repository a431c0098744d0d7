"""The `sus` command, run as a user runs it: in a subprocess, on its own database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from app.db import make_engine
from tests.conftest import _TMP, copy_database, demo_database, drop_database, provision_database

SUS = str(Path(sys.executable).with_name("sus"))


def _cli(url):
    env = {**os.environ, "SUS_DATABASE_URL": url, "SUS_VAR_DIR": str(_TMP / "cli-var")}

    def run(*args, input=None, check=True):
        return subprocess.run([SUS, *args], env=env, input=input, capture_output=True,
                              text=True, check=check, timeout=600)  # `sus demo` on a loaded machine

    return run


@pytest.fixture
def cli_db():
    url = provision_database("cli")
    yield url, _cli(url)
    drop_database(url)


@pytest.fixture
def cli_demo_db():
    """A copy of the run's `sus demo` database (loaded once, by the command, in a subprocess)."""
    url = copy_database(demo_database(), "cli")
    yield url, _cli(url)
    drop_database(url)


def _counts(url):
    from app.models import Municipality, Person, RoleAssignment, School, User

    engine = make_engine(url)
    with Session(engine) as s:
        counts = {m.__name__: s.exec(select(func.count()).select_from(m)).one()[0]
                  for m in (Municipality, School, Person, User, RoleAssignment)}
    engine.dispose()
    return counts


def test_help_is_plain_words():
    out = subprocess.run([SUS, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("serve", "db", "demo", "user"):
        assert command in out
    serve = subprocess.run([SUS, "serve", "--help"], capture_output=True, text=True).stdout
    assert "--host" in serve and "--port" in serve and "--no-migrate" in serve


def test_demo_is_idempotent_and_matches_the_seeds(cli_db):
    url, run = cli_db
    run("demo")
    first = _counts(url)
    run("demo")
    assert _counts(url) == first
    assert first["School"] >= 10
    from app.schools import service

    engine = make_engine(url)
    with Session(engine) as s:
        m = service.get_municipality_by_code(s, "740")
        assert m.name == "Skanderborg Kommune" and m.is_demo
        names = {sc.name: sc for sc in service.list_schools(s, m.id)}
        assert names["Morten Børup Skolen"].institution_number == "745002"
        assert "Bakkeskolen" in names
        assert names["Veng Skole & Børnehus"].kind.value == "village"
    engine.dispose()


def test_demo_logins_work(cli_demo_db):
    url, run = cli_demo_db
    from app.accounts import service
    from app.accounts.models import Role
    from app.config import Settings

    engine = make_engine(url)
    settings = Settings(database_url=url)
    with Session(engine) as s:
        expected = {"admin@sus.demo": Role.ADMIN, "konsulent@skanderborg.demo": Role.CONSULTANT,
                    "leder@bakkeskolen.demo": Role.SCHOOL_LEADER}
        for email, role in expected.items():
            user = service.authenticate(s, settings, email, "demo", "127.0.0.1")
            assert user is not None, email
            assert role in {ra.role for ra in service.roles_of(s, user)}
    engine.dispose()


def test_user_create(cli_demo_db):
    url, run = cli_demo_db
    out = run("user", "create", "--email", "ny@skanderborg.dk", "--name", "Ny Konsulent",
              "--role", "consultant", "--municipality", "740", "--password", "hemmelig").stdout
    assert "ny@skanderborg.dk is consultant" in out
    bad = run("user", "create", "--email", "x@y.dk", "--name", "X", "--role", "school_leader",
              "--school", "000000", "--password", "p", check=False)
    assert bad.returncode != 0 and "institution number" in bad.stderr


def test_serve_refuses_an_outdated_schema_with_no_migrate(cli_db):
    url, run = cli_db
    r = run("serve", "--no-migrate", "--port", "1", check=False)
    assert r.returncode == 1
    assert "not up to date" in r.stderr and "sus db upgrade" in r.stderr


def test_db_upgrade_and_current(cli_db):
    url, run = cli_db
    run("db", "upgrade")
    out = run("db", "current").stdout
    current, newest = [line.split()[-1] for line in out.splitlines()]
    assert current == newest
