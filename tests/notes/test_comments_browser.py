"""In a real browser: the school leader goes from the home page to the note that waits for
the school's comments, comments on a section and writes the school's own section; the
consultant sees the comment, is asked before approving, answers and resolves it; the leader
adds a theme from the home page. axe on every step, at desktop and 390 px. Screenshots go to
$SUS_SCREENSHOTS when set."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SUS_SCREENSHOTS")


def _shot(pg, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / f"comments-{name}.png"), full_page=True)


def _context(browser, base, width=1280):
    context = browser.new_context(base_url=base, locale="da-DK",
                                  viewport={"width": width, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    return context, pg


def _fits(pg, width, what):
    wide = pg.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{what} scrolls sideways at {width}px ({wide})"


def _bakkeskolen_note_out_for_comments(url) -> None:
    """This year's Bakkeskolen dialogue gets its note, sent to the school for comments (the
    demo's own note out for comments is another school's)."""
    from sqlmodel import Session, select

    from app.cycles.models import SchoolYear
    from app.db import make_engine
    from app.meetings.models import Meeting, MeetingType
    from app.notes import service
    from app.notes.models import NoteStatus
    from app.schools.models import School

    engine = make_engine(url)
    with Session(engine) as s:
        meeting = s.exec(select(Meeting).join(School, School.id == Meeting.school_id)
                         .join(SchoolYear, SchoolYear.id == Meeting.school_year_id)
                         .where(School.name == "Bakkeskolen", SchoolYear.start_year == 2026,
                                Meeting.meeting_type == MeetingType.DIALOGUE)).first()
        note = service.create_note(s, meeting)
        if note.status is NoteStatus.DRAFT:
            service.set_status(s, note, NoteStatus.COMMENTS, expected_version=note.version)
    engine.dispose()


def test_leader_comments_and_the_consultant_answers_and_resolves(browser, shared_server):
    _bakkeskolen_note_out_for_comments(shared_server.database_url)
    live_server = shared_server.base
    context, pg = _context(browser, live_server)
    try:
        browser_login(pg, "leder@bakkeskolen.demo")
        pg.get_by_role("link", name="Notatet for Bakkeskolen venter på skolens kommentarer").click()
        pg.wait_for_url(re.compile(r"/notes/\d+$"))
        note_url = pg.url
        purpose = pg.locator("section.note-section").filter(
            has=pg.get_by_role("heading", name="Formålet med samtalen", exact=True))
        purpose.get_by_role("textbox", name="Kommentér „Formålet med samtalen“").fill(
            "Formålet bør også nævne samarbejdet med forældrene.")
        purpose.get_by_role("button", name="Tilføj kommentar").click()
        expect(purpose.locator(".comment")).to_contain_text("samarbejdet med forældrene")
        # The comment form is empty again, ready for the next one.
        expect(purpose.get_by_role("textbox", name=re.compile("^Kommentér"))).to_have_value("")
        # The school's own section is open to it while the note is out for comments.
        themes = pg.locator("section.note-section").filter(
            has=pg.get_by_role("heading", name="Temaer valgt af skolen", exact=True))
        area = themes.get_by_role("textbox", name="Temaer valgt af skolen", exact=True)
        area.click()
        pg.keyboard.press("Control+End")
        pg.keyboard.type("\n- Skolen ønsker at følge op på skolevejen.")
        themes.get_by_role("button", name="Gem").click()
        expect(themes.locator(".saved-note")).to_contain_text("Gemt")
        assert_accessible(pg, context="the leader's note with a comment")
        _shot(pg, "leader-1280")
        pg.set_viewport_size({"width": 390, "height": 844})
        _fits(pg, 390, "the leader's note")
        assert_accessible(pg, context="the leader's note at 390px")
        _shot(pg, "leader-390")
    finally:
        context.close()

    context, pg = _context(browser, live_server)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        pg.goto(note_url)
        purpose = pg.locator("section.note-section").filter(
            has=pg.get_by_role("heading", name="Formålet med samtalen", exact=True))
        expect(purpose.locator(".comment")).to_contain_text("samarbejdet med forældrene")
        expect(pg.locator("#open-comments")).to_contain_text("1 kommentar fra skolen er ikke løst.")
        # Approving asks first, in a dialog; Esc keeps the note as it is.
        pg.get_by_role("button", name="Godkend notatet").click()
        dialog = pg.get_by_role("dialog")
        expect(dialog).to_contain_text("1 kommentar fra skolen er ikke løst.")
        assert_accessible(pg, context="the approve question")
        _shot(pg, "consultant-asked-1280")
        pg.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(pg.locator("#note-status")).to_have_text("Sendt til skolen til kommentering")
        purpose.get_by_role("textbox", name="Dit svar").fill("Godt forslag – det er tilføjet.")
        purpose.get_by_role("button", name="Svar og markér som løst").click()
        expect(purpose.get_by_text("1 løst kommentar")).to_be_visible()
        expect(pg.locator("#open-comments")).to_have_text("")  # the count follows at once
        pg.reload()
        purpose.get_by_text("1 løst kommentar").click()
        expect(purpose.locator(".comment--resolved")).to_contain_text(
            "Godt forslag – det er tilføjet.")
        assert_accessible(pg, context="the consultant's note, comment resolved")
        _shot(pg, "consultant-1280")
        pg.set_viewport_size({"width": 390, "height": 844})
        _fits(pg, 390, "the consultant's note")
        _shot(pg, "consultant-390")
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_leader_adds_a_theme_from_the_home_page(browser, live_server, width):
    context, pg = _context(browser, live_server, width)
    try:
        browser_login(pg, "leder@bakkeskolen.demo")
        section = pg.locator("section").filter(
            has=pg.get_by_role("heading", name="Næste samtale: Bakkeskolen"))
        section.get_by_role("link", name="Tilføj skolens temaer").first.click()
        pg.wait_for_url(re.compile(r"/agendas/\d+"))
        title = f"Skolevejen og trafiksikkerhed ({width})"
        pg.get_by_role("textbox", name="Tema").fill(title)
        pg.get_by_role("button", name="Tilføj tema").click()
        expect(pg.get_by_text(title).first).to_be_visible()
        _fits(pg, width, "the agenda after adding a theme")
        assert_accessible(pg, context=f"agenda with the leader's theme at {width}px")
        _shot(pg, f"theme-{width}")
    finally:
        context.close()
