"""In a real browser, per role: the school leader's home leads to adding a theme; the chief
subscribes from "Mine møder"; a consultant types and clicks "Godkend notatet" at once and the
text is saved; axe finds nothing. Screenshots go to $SUS_SCREENSHOTS when set."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SUS_SCREENSHOTS")


def _shot(pg, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / f"home-{name}.png"), full_page=True)


def _context(browser, base, width=1280):
    context = browser.new_context(base_url=base, locale="da-DK",
                                  viewport={"width": width, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    return context, pg


@pytest.mark.parametrize("width", [1280, 390])
def test_every_role_lands_on_its_home(browser, live_server, width):
    for email, heading in [("leder@bakkeskolen.demo", "Næste samtale: Bakkeskolen"),
                           ("chef@skanderborg.demo", "Mine møder"),
                           ("konsulent@skanderborg.demo", "Mine skoler i år (")]:
        context, pg = _context(browser, live_server, width)
        try:
            browser_login(pg, email)
            assert pg.url.rstrip("/") == live_server.rstrip("/")
            assert pg.get_by_role("heading", name=re.compile(re.escape(heading))).first.is_visible()
            assert_accessible(pg, context=f"home of {email} at {width}px")
            wide = pg.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"the home of {email} scrolls sideways at {width}px ({wide})"
            _shot(pg, f"{email.split('@')[0]}-{width}")
        finally:
            context.close()


def test_school_leader_goes_from_home_to_the_agenda_to_add_a_theme(browser, live_server):
    context, pg = _context(browser, live_server)
    try:
        browser_login(pg, "leder@bakkeskolen.demo")
        section = pg.locator("section").filter(
            has=pg.get_by_role("heading", name="Næste samtale: Bakkeskolen"))
        link = section.get_by_role("link", name="Tilføj skolens temaer")
        if link.count() == 0:
            link = section.get_by_role("link", name="Læs dagsordenen")
        link.first.click()
        pg.wait_for_url(re.compile(r"/agendas/\d+$"))
        assert_accessible(pg, context="agenda reached from the home page")
        # The school's themes (the demo has two) keep their line breaks and bullets.
        # Their lines are paragraphs, their "- " points a bulleted list (issue 15.9).
        points = pg.locator(".theme__points li")
        assert points.count() > 0
        assert not points.first.inner_text().startswith("-")
    finally:
        context.close()


def test_chief_subscribes_from_my_meetings(browser, live_server):
    context, pg = _context(browser, live_server)
    try:
        browser_login(pg, "chef@skanderborg.demo")
        assert pg.get_by_role("heading", name="Mine møder", exact=True).is_visible()
        box = pg.locator("section.feed-box").first
        button = box.get_by_role("button", name=re.compile("kalenderadresse|Lav", re.I))
        if button.count():
            button.first.click()
            pg.get_by_text("Din personlige kalenderadresse er klar.").wait_for()
        else:
            assert "personlig kalenderadresse" in box.inner_text()
        assert_accessible(pg, context="chief's home, calendar")
        _shot(pg, "chief-subscribed")
    finally:
        context.close()


def _another_dialogue_without_note(url) -> int:
    """A 2026/27 Skanderborg dialogue without a note: the last one (the notes browser test
    takes the first)."""
    from app.cycles.models import SchoolYear
    from app.db import make_engine
    from app.meetings.models import Meeting, MeetingType
    from app.notes.models import Note
    from app.schools import service as schools

    engine = make_engine(url)
    with Session(engine) as s:
        m = schools.get_municipality_by_code(s, "740")
        noted = set(s.exec(select(Note.meeting_id)))
        meetings = s.exec(select(Meeting).join(SchoolYear, SchoolYear.id == Meeting.school_year_id)
                          .where(Meeting.municipality_id == m.id,
                                 Meeting.meeting_type == MeetingType.DIALOGUE,
                                 Meeting.school_id.is_not(None), SchoolYear.start_year == 2026)
                          .order_by(Meeting.id.desc())).all()
        found = next(x.id for x in meetings if x.id not in noted and not x.confidential)
    engine.dispose()
    return found


def test_typing_and_clicking_approve_at_once_keeps_the_text(browser, shared_server):
    meeting_id = _another_dialogue_without_note(shared_server.database_url)
    context, pg = _context(browser, shared_server.base)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        pg.goto(f"/meetings/{meeting_id}")
        pg.get_by_role("button", name="Skriv notatet").click()
        pg.wait_for_url(re.compile(r"/notes/\d+$"))
        note_url = pg.url
        area = pg.get_by_role("textbox", name="Formålet med samtalen")
        area.click()
        pg.keyboard.press("Control+End")
        pg.keyboard.type("Skrevet i sidste sekund")
        # No wait for the autosave (it waits a second after the last key): click at once.
        pg.get_by_role("button", name="Godkend notatet").click()
        expect(pg.locator("#note-status")).to_have_text("Godkendt")
        pg.goto(note_url)
        assert pg.locator("#note-status").inner_text() == "Godkendt"
        assert "Skrevet i sidste sekund" in pg.locator("main").inner_text() + "".join(
            pg.locator("textarea").evaluate_all("els => els.map(e => e.value)"))
    finally:
        context.close()


def test_leaving_with_unsaved_text_asks_first(browser, shared_server):
    meeting_id = _another_dialogue_without_note(shared_server.database_url)
    context, pg = _context(browser, shared_server.base)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        pg.goto(f"/meetings/{meeting_id}")
        pg.get_by_role("button", name="Skriv notatet").click()
        pg.wait_for_url(re.compile(r"/notes/\d+$"))
        pg.route(re.compile(r"/sections/\d+$"), lambda route: None)  # the save never answers
        pg.get_by_role("textbox", name="Formålet med samtalen").click()
        pg.keyboard.type("Ikke gemt endnu")
        asked = []
        pg.on("dialog", lambda d: (asked.append(d.type), d.dismiss()))
        pg.evaluate("location.href = '/account'")
        pg.wait_for_timeout(500)
        assert asked == ["beforeunload"]
    finally:
        context.close()
