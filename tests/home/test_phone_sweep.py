"""Phones: at 390 px no page of the menu and no page type scrolls sideways (year wheel, step,
meeting, agenda, package, note, proposal, calendars, public pages, template previews)."""

import pytest
from sqlmodel import Session, select

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def _urls(database_url: str) -> list[str]:
    from app.agendas.models import Agenda
    from app.cycles.models import SchoolYear, Step
    from app.db import make_engine
    from app.meetings.models import Meeting, MeetingType
    from app.notes.models import Note, NoteStatus
    from app.scheduling.models import Proposal
    from app.schools.models import Municipality, School

    engine = make_engine(database_url)
    with Session(engine) as s:
        m = s.exec(select(Municipality).where(Municipality.kommunekode == "740")).one()
        year = s.exec(select(SchoolYear).where(SchoolYear.municipality_id == m.id)
                      .order_by(SchoolYear.start_year.desc())).first()
        school = s.exec(select(School).where(School.name == "Bakkeskolen")).one()
        step = s.exec(select(Step).where(Step.school_year_id == year.id)
                      .order_by(Step.position)).first()
        dialogue = s.exec(select(Meeting).where(Meeting.school_id == school.id,
                                                Meeting.meeting_type == MeetingType.DIALOGUE)
                          .order_by(Meeting.id.desc())).first()
        agenda = s.exec(select(Agenda).where(Agenda.school_id == school.id)).first()
        note = s.exec(select(Note).where(Note.school_id == school.id)).first()
        published = s.exec(select(Note).where(Note.status == NoteStatus.PUBLISHED)).first()
        proposal = s.exec(select(Proposal)).first()
        base = f"/municipalities/{m.id}"
        urls = ["/", base, f"{base}/years", f"{base}/years/{year.start_year}", f"{base}/schools",
                f"{base}/data", f"{base}/agreements", f"{base}/calendars", f"/schools/{school.id}",
                f"/steps/{step.id}", f"/meetings/{dialogue.id}", f"/agendas/{agenda.id}",
                f"/schools/{school.id}/years/{year.id}/package", f"/notes/{note.id}",
                "/account", "/public", f"/public/municipalities/{m.id}/notes",
                f"/public/schools/{published.school_id}/notes"]
        if proposal is not None:
            urls.append(f"/proposals/{proposal.id}")
        # The catalogue's template previews (issue 15.8).
        from app.catalog import read

        urls += ["/catalog"] + [f"/catalog/{kind}/{e.key}"
                                for kind in ("cycles", "agendas", "notes", "packages")
                                for e in read(kind)]
    engine.dispose()
    return urls


def test_no_page_scrolls_sideways_at_390_px(browser, shared_server):
    context = browser.new_context(base_url=shared_server.base, locale="da-DK",
                                  viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        wide = {}
        for url in _urls(shared_server.database_url):
            response = pg.goto(url)
            assert response is not None and response.ok, url
            width = pg.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[url] = width
        assert not wide, f"pages wider than 390 px: {wide}"
    finally:
        context.close()
