"""Login limits an attacker cannot turn against users: per account and per client address,
counted in the database, a wait that grows instead of a lockout, and X-Forwarded-For believed
only from configured proxies."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts import service
from app.accounts.models import LoginThrottle
from tests.conftest import post_form


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(service, "utcnow", c)
    return c


@pytest.fixture
def checks(monkeypatch):
    """How many passwords were really verified (the slow argon2 check an attacker wants)."""
    count = {"n": 0}
    lock = threading.Lock()
    real = service.verify_password

    def counting(password_hash, password):
        with lock:
            count["n"] += 1
        return real(password_hash, password)

    monkeypatch.setattr(service, "verify_password", counting)
    return count


@pytest.fixture
def per_address(monkeypatch):
    """A lower limit per client address than the default 30, so the tests stay quick."""
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "login_max_failures_per_address", 8)
    return 8


def _try(client, email, password, **kw):
    return post_form(client, "/login", {"email": email, "password": password}, **kw)


def test_a_locked_account_lets_the_right_password_in_after_a_wait_that_grows(
        client, factory, clock):
    factory.user("admin", email="anna@test.dk", password="korrekt hest")
    for _ in range(5):
        assert _try(client, "anna@test.dk", "gæt").status_code == 400
    for minutes, text in ((1, "Vent 1 minut,"), (2, "Vent 2 minutter"), (4, "Vent 4 minutter"),
                          (8, "Vent 8 minutter"), (15, "Vent 15 minutter"),
                          (15, "Vent 15 minutter")):  # doubling, up to 15 minutes
        r = _try(client, "anna@test.dk", "korrekt hest")
        assert r.status_code == 429 and text in r.text
        assert r.headers["retry-after"] == str(minutes * 60)
        clock.advance(minutes=minutes)
        assert _try(client, "anna@test.dk", "gæt").status_code == 400  # checked again, wrong
    clock.advance(minutes=15)
    assert _try(client, "anna@test.dk", "korrekt hest").status_code == 303
    # And the account starts afresh.
    client.cookies.clear()
    for _ in range(5):
        assert _try(client, "anna@test.dk", "gæt").status_code == 400


def test_attempts_during_the_wait_are_not_checked_and_do_not_prolong_it(
        client, factory, clock, checks):
    factory.user("admin", email="anna@test.dk", password="korrekt hest")
    for _ in range(5):
        _try(client, "anna@test.dk", "gæt")
    assert checks["n"] == 5
    for _ in range(30):  # someone hammering to keep Anna out
        clock.advance(seconds=1)
        assert _try(client, "anna@test.dk", "gæt").status_code == 429
    assert checks["n"] == 5
    clock.advance(seconds=31)  # one minute after the fifth failure, as before the hammering
    assert _try(client, "anna@test.dk", "korrekt hest").status_code == 303


def test_failures_are_forgotten_after_the_window(client, factory, clock):
    factory.user("admin", email="anna@test.dk", password="korrekt hest")
    for _ in range(4):
        _try(client, "anna@test.dk", "gæt")
    clock.advance(minutes=16)
    for _ in range(4):
        assert _try(client, "anna@test.dk", "gæt").status_code == 400
    assert _try(client, "anna@test.dk", "korrekt hest").status_code == 303


def test_spraying_many_accounts_from_one_address_is_slowed_down(client, app, factory, checks,
                                                                 per_address):
    factory.user("admin", email="anna@test.dk", password="korrekt hest")
    statuses = [_try(client, f"medarbejder{i}@test.dk", "Sommer2026!").status_code
                for i in range(12)]
    assert statuses == [400] * 8 + [429] * 4
    assert checks["n"] == 8
    r = _try(client, "anna@test.dk", "korrekt hest")
    assert r.status_code == 429 and "fra dit netværk" in r.text
    # Anna at her own address is not hindered by the sprayer's address.
    with TestClient(app, follow_redirects=False, client=("192.0.2.50", 40000)) as anna:
        assert _try(anna, "anna@test.dk", "korrekt hest").status_code == 303


def test_logging_in_to_an_own_account_does_not_wipe_the_address_count(client, factory, clock,
                                                                      per_address):
    factory.user("admin", email="angriber@test.dk", password="eget kodeord")
    for i in range(7):
        _try(client, f"offer{i}@test.dk", "gæt")
    assert _try(client, "angriber@test.dk", "eget kodeord").status_code == 303
    client.cookies.clear()
    clock.advance(minutes=1)
    assert _try(client, "offer7@test.dk", "gæt").status_code == 400  # the 8th failure
    assert _try(client, "offer8@test.dk", "gæt").status_code == 429


def test_a_forged_x_forwarded_for_does_not_escape_the_address_limit(client, checks,
                                                                    per_address):
    statuses = [
        _try(client, f"medarbejder{i}@test.dk", "gæt",
             headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
        for i in range(10)]
    assert statuses == [400] * 8 + [429] * 2 and checks["n"] == 8


def _keys(db) -> set[str]:
    db.expire_all()
    return {t.key for t in db.exec(select(LoginThrottle)).all()}


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(db):
    from app.config import Settings
    from app.db import get_session
    from app.main import create_app

    proxied = create_app(Settings(trusted_proxies="10.0.0.0/8, 192.0.2.1"))
    proxied.dependency_overrides[get_session] = lambda: db
    forged = {"X-Forwarded-For": "198.51.100.7"}
    with TestClient(proxied, follow_redirects=False, client=("10.1.2.3", 1000)) as proxy:
        _try(proxy, "a@test.dk", "gæt", headers=forged)
        assert "address:198.51.100.7" in _keys(db) and "address:10.1.2.3" not in _keys(db)
        # A client cannot put an address in front of the one the proxy adds.
        _try(proxy, "a@test.dk", "gæt", headers={"X-Forwarded-For": "203.0.113.1, 198.51.100.8"})
        assert "address:198.51.100.8" in _keys(db) and "address:203.0.113.1" not in _keys(db)
    with TestClient(proxied, follow_redirects=False, client=("192.0.2.99", 1000)) as stranger:
        _try(stranger, "a@test.dk", "gæt", headers={"X-Forwarded-For": "198.51.100.9"})
        assert "address:192.0.2.99" in _keys(db) and "address:198.51.100.9" not in _keys(db)
    proxied.state.engine.dispose()


def test_parallel_wrong_attempts_are_all_counted_before_any_password_is_checked(checks):
    """Forty attempts at once on one account, each with its own session (as from several
    server processes): exactly five passwords are checked, the others must wait."""
    from tests.committed import all_at_once, committed_app, session_of
    from tests.conftest import Factory

    with committed_app("loginrace") as (app, engine):
        settings = app.state.settings
        with session_of(engine) as s:
            Factory(s).user("admin", email="anna@test.dk", password="korrekt hest")

        def attempt(i):
            with session_of(engine) as s:
                return service.authenticate(s, settings, "anna@test.dk", f"gæt {i}",
                                            f"192.0.2.{i}")

        results = all_at_once(40, attempt)
        assert not [r for r in results
                    if r is not None and not isinstance(r, service.TooManyAttempts)], results
        assert results.count(None) == 5 and checks["n"] == 5
        with session_of(engine) as s:
            row = s.get(LoginThrottle, "account:anna@test.dk")
            assert row.failures == 5


def test_parallel_spraying_from_one_address_is_counted_exactly(checks):
    from tests.committed import all_at_once, committed_app, session_of

    with committed_app("loginspray", login_max_failures_per_address=10) as (app, engine):
        settings = app.state.settings

        def attempt(i):
            with session_of(engine) as s:
                return service.authenticate(s, settings, f"m{i}@test.dk", "gæt", "192.0.2.1")

        results = all_at_once(30, attempt)
        assert results.count(None) == 10 and checks["n"] == 10
        assert all(isinstance(r, service.TooManyAttempts) and r.by_address
                   for r in results if r is not None)


def test_someone_guessing_elsewhere_cannot_keep_a_known_browser_out(app, client, factory, clock):
    """A browser that has logged in to the account before keeps a count of its own: an
    attacker who renews the account's wait with one guess each time it ends never makes
    Anna wait in her own browser; a new browser, or another account's cookie, still waits."""
    factory.user("admin", email="anna@test.dk", password="korrekt hest")
    factory.user("admin", email="bo@test.dk", password="bos kodeord")
    assert _try(client, "anna@test.dk", "korrekt hest").status_code == 303
    known = client.cookies.get(service.DEVICE_COOKIE)
    assert known
    with TestClient(app, follow_redirects=False) as attacker:
        for _ in range(6):
            _try(attacker, "anna@test.dk", "gæt")
            _try(attacker, "bo@test.dk", "gæt")
        assert _try(attacker, "anna@test.dk", "korrekt hest").status_code == 429
        # A forged cookie says nothing, and Anna's cookie says nothing about Bo.
        attacker.cookies.set(service.DEVICE_COOKIE, known[:-2] + "xx")
        assert _try(attacker, "anna@test.dk", "korrekt hest").status_code == 429
        attacker.cookies.set(service.DEVICE_COOKIE, known)
        assert _try(attacker, "bo@test.dk", "bos kodeord").status_code == 429
    # Anna's own browser is not kept waiting.
    client.cookies.delete("sus_session")
    assert _try(client, "anna@test.dk", "korrekt hest").status_code == 303
    # Wrong guesses in the known browser itself are slowed down as before.
    client.cookies.delete("sus_session")
    for _ in range(5):
        assert _try(client, "anna@test.dk", "gæt").status_code == 400
    assert _try(client, "anna@test.dk", "korrekt hest").status_code == 429
