"""The main pages read with a number of queries that does not depend on how many school years
(or schools, or municipalities) the database holds: every page of the menu and the school,
meeting, agenda, package, note and step pages, as each role, counted on the demo and on the
demo with its first municipality grown to ten school years (copies of its fullest year, with
meetings, agendas, notes, agreements, packages and figures: bench/national/build.py)."""

from functools import cache

import pytest
from sqlalchemy import create_engine, event
from sqlmodel import Session, select

from bench.national.build import add_years
from bench.national.pages import ROLES, main_pages
from tests.conftest import copy_database, demo_database, drop_database

MOST = 45
"""Queries a main page may take at most (the school page takes the most)."""


@cache
def _site(years: int | None):
    import atexit

    from app.config import get_settings
    from app.main import create_app

    url = copy_database(demo_database(), f"counts{years or ''}")
    atexit.register(drop_database, url)
    engine = create_engine(url)
    with engine.begin() as conn:
        m = conn.exec_driver_sql("SELECT id FROM municipality ORDER BY id LIMIT 1").scalar()
        if years:
            add_years(conn, m, years)
        pages = main_pages(conn, m)
    engine.dispose()
    app = create_app(get_settings().model_copy(update={"database_url": url}))
    atexit.register(app.state.engine.dispose)
    return app, pages


def _counts(years: int | None, email: str) -> dict[str, tuple[int, int]]:
    """Page name → (status, queries) for the second request of each page (the first warms
    the process-wide caches: catalogue, templates)."""
    from fastapi.testclient import TestClient

    from app.accounts import service
    from app.accounts.access import SESSION_COOKIE
    from app.accounts.models import User
    from app.config import get_settings

    app, pages = _site(years)
    engine = app.state.engine
    client = TestClient(app, follow_redirects=False)
    with Session(engine) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        client.cookies.set(SESSION_COOKIE, service.start_session(s, get_settings(), user))
    found = {}
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    for name, url in pages.items():
        client.get(url)
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            status = client.get(url).status_code
        finally:
            event.remove(engine, "before_cursor_execute", count)
        found[name] = (status, len(statements))
    return found


def test_the_ten_year_municipality_has_ten_years():
    app, _pages = _site(10)
    with app.state.engine.connect() as conn:
        years = conn.exec_driver_sql(
            "SELECT COUNT(DISTINCT y.id), COUNT(DISTINCT n.school_year_id) FROM schoolyear y "
            "LEFT JOIN note n ON n.school_year_id = y.id WHERE y.municipality_id = "
            "(SELECT MIN(id) FROM municipality)").one()
    assert years[0] >= 10 and years[1] >= 7, years  # notes in every copied year


@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_cost_the_same_queries_with_ten_school_years(role):
    demo, ten = _counts(None, ROLES[role]), _counts(10, ROLES[role])
    assert demo == ten, {name: (demo[name], ten[name]) for name in demo if demo[name] != ten[name]}
    assert all(status in (200, 303, 403) for status, _n in demo.values()), demo
    assert max(n for _status, n in demo.values()) <= MOST, demo
    if role == "consultant":  # every main page is theirs to open, with something on it
        assert {name for name, (status, _n) in demo.items() if status != 200} <= {
            "audit log", "administration", "note settings", "agenda settings"}, demo
