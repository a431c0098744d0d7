"""In a real browser: a consultant records an agreement's status under the evaluation item of
next year's agenda (with HTMX and without JS); an anonymous visitor reads the school's public
notes page and the embed. axe-core finds nothing. Screenshots go to $SUS_SCREENSHOTS when set."""

import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.conftest import assert_accessible, browser_login
from tests.notes.conftest import CANARY

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SUS_SCREENSHOTS")


def _shot(pg, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / f"notes-{name}.png"), full_page=True)


def _prepare(url) -> dict:
    """A school of its own (the demo's schools have notes already): its dialogue last year
    (2025/26) noted, agreed and published; this year's (2026/27) dialogue with its agenda."""
    from app.agendas import build as agenda_build
    from app.cycles import years as cycle_years
    from app.cycles.models import Step
    from app.db import make_engine
    from app.meetings import service as meetings
    from app.meetings.models import MeetingType
    from app.notes import agreements, publication
    from app.notes import service as notes
    from app.notes.models import NoteStatus, Responsible
    from app.schools import service as schools
    from app.schools.models import School
    from tests.notes.conftest import write_note

    engine = make_engine(url)
    with Session(engine) as s:
        m = schools.get_municipality_by_code(s, "740")
        school = School(municipality_id=m.id, name="Browsertestskolen",
                        institution_number="740999", student_count=300)
        s.add(school)
        s.commit()
        made = []
        for start_year in (2025, 2026):
            year = cycle_years.find_school_year(s, m.id, start_year) \
                or cycle_years.create_school_year(s, m, start_year)
            step = Step(school_year_id=year.id, position=99, key=f"browser-notes-{start_year}",
                        title="Skoleudviklingssamtaler (browsertest)", meeting_type="dialogue",
                        scope="per_school")
            s.add(step)
            s.commit()
            start = datetime(start_year + 1, 4, 21, 6, 0, tzinfo=timezone.utc)
            made.append(meetings.create_meeting(
                s, school_year=year, step=step, school=school, meeting_type=MeetingType.DIALOGUE,
                title="Skoleudviklingssamtale med Browsertestskolen", starts_at=start,
                ends_at=start + timedelta(minutes=150), location="Browsertestskolen"))
        note = notes.note_for_meeting(s, made[0].id) or notes.create_note(s, made[0])
        write_note(s, note, {
            "themes_school": "Vi drøftede læsning i indskolingen og hvordan lærerne samarbejder "
                             "om læseforløb.",
            "national_tests": f"Resultatet i dansk, 8. klasse: {CANARY}."})
        for text, who, due in (
                ("Skolen udarbejder en plan for læseindsatsen i indskolingen.",
                 Responsible.SCHOOL, date(2026, 12, 1)),
                ("Forvaltningen følger op på trivselsmålingen med skolens ledelse.",
                 Responsible.ADMINISTRATION, None)):
            agreements.add(s, note, agreements.AgreementForm(text=text, responsible=who,
                                                             due_date=due))
        s.refresh(note)
        notes.set_status(s, note, NoteStatus.APPROVED, expected_version=note.version)
        publication.publish(s, note, expected_version=note.version, user_id=None)
        agenda = agenda_build.ensure_agenda(s, made[1])
        ids = {"agenda": agenda.id, "school": school.id, "municipality": m.id,
               "title": note.title}
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def server(shared_server):
    """The shared server: the school, its steps, dialogues and note are this module's own."""
    return {"base": shared_server.base, **_prepare(shared_server.database_url)}


def _page(browser, server, js=True):
    context = browser.new_context(base_url=server["base"], locale="da-DK",
                                  java_script_enabled=js, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    return context, pg


def test_consultant_records_an_agreements_status_on_next_years_agenda(browser, server):
    for js in (True, False):
        context, pg = _page(browser, server, js=js)
        try:
            browser_login(pg, "konsulent@skanderborg.demo")
            pg.goto(f"/agendas/{server['agenda']}")
            followup = pg.locator(".followup")
            expect(followup.get_by_role("heading", name="Sidste års aftaler")).to_be_visible()
            row = followup.locator("li.agreement").first
            expect(row).to_contain_text("plan for læseindsatsen")
            expect(row).to_contain_text("1. december 2026")
            if js:
                assert_accessible(pg, context="agenda with last year's agreements")
                _shot(pg, "agenda-followup")
            status = "in_progress" if js else "done"
            row.get_by_label("Status", exact=True).select_option(status)
            row.get_by_label("Kommentar til status").fill("Planen er i gang" if js else "Færdig")
            row.get_by_role("button", name="Gem status").click()
            row = pg.locator("li.agreement").first
            expect(row.locator(".chip")).to_have_text("I gang" if js else "Gennemført")
            expect(row.locator(".agreement__comment")).to_have_text(
                "Planen er i gang" if js else "Færdig")
            if js:
                expect(row.locator(".saved-note")).to_be_visible()
                _shot(pg, "agenda-followup-saved")
        finally:
            context.close()


def test_anonymous_visitor_reads_the_public_page_and_the_embed(browser, server):
    context, pg = _page(browser, server)
    try:
        pg.goto(f"/public/municipalities/{server['municipality']}/notes")
        pg.get_by_role("link", name="Browsertestskolen").click()
        expect(pg.get_by_role("heading", level=2, name=server["title"])).to_be_visible()
        expect(pg.locator("main")).to_contain_text("Vi drøftede læsning i indskolingen")
        expect(pg.locator("main")).to_contain_text("Forvaltningen følger op på trivselsmålingen")
        assert CANARY not in pg.content()
        assert_accessible(pg, context="public school notes page")
        _shot(pg, "public-school")
        assert pg.get_by_role("link", name="Version 1").count() == 0  # the one shown here
        pg.goto(f"/public/schools/{server['school']}/notes/embed")
        expect(pg.get_by_role("heading", level=2, name=server["title"])).to_be_visible()
        assert CANARY not in pg.content()
        _shot(pg, "public-embed")
    finally:
        context.close()
