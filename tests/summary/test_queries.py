"""The summary reads with a constant number of queries whatever the number of schools:
counted on the engine while the page is built and rendered for 2 and for 8 schools."""

from contextlib import contextmanager

from sqlalchemy import event

from app.accounts.access import Grant, Principal
from app.accounts.models import Role
from app.agendas import build as agenda_build
from app.agendas import themes as agenda_themes
from app.notes import agreements
from app.notes import service as notes
from app.summary import service, slides
from app.summary.service import Version
from tests.agendas.conftest import Dialogue
from tests.conftest import login


@contextmanager
def counted(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _municipality(db, factory, n: int):
    d = Dialogue(db, factory)
    d.settings("stevns")
    for i in range(n):
        school = factory.school(d.municipality, name=f"Skole {i}")
        last = d.meeting(start_year=2025, school=school)
        note = notes.create_note(db, last)
        agreements.add(db, note, agreements.AgreementForm(text=f"Aftale {i}"))
        meeting = d.meeting(start_year=2026, school=school)
        agenda = agenda_build.ensure_agenda(db, meeting)
        agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title=f"Tema {i % 3}"),
                                from_school=True)
    from app.cycles import years

    return d.municipality, years.find_school_year(db, d.municipality.id, 2026)


def _service_queries(db, engine, m, year) -> int:
    principal = Principal(grants=(Grant(Role.CONSULTANT, m.id, None),))
    db.expire_all()
    with counted(engine) as statements:
        for version in Version:
            summary = service.build(db, principal, year, version)
            slides.build(summary, m.name)
    return len(statements)


def test_service_queries_do_not_grow_with_the_schools(db, engine, factory):
    small = _service_queries(db, engine, *_municipality(db, factory, 2))
    large = _service_queries(db, engine, *_municipality(db, factory, 8))
    assert small == large
    assert 3 * 5 <= small <= 3 * 12  # some reads, and a dozen per version at most


def test_page_queries_do_not_grow_with_the_schools(client, db, engine, factory):
    counts = []
    for n in (2, 8):
        m, year = _municipality(db, factory, n)
        login(client, db, factory.user("consultant", municipality=m))
        for version in ("", "?version=committee"):
            client.get(f"/municipalities/{m.id}/years/2026/summary{version}")  # warm up
            db.expire_all()
            with counted(engine) as statements:
                r = client.get(f"/municipalities/{m.id}/years/2026/summary{version}")
            assert r.status_code == 200 and f"Skole {n - 1}" in r.text
            counts.append(len(statements))
    assert counts[:2] == counts[2:], counts
    assert min(counts) > 5
