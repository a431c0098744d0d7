"""In a real browser: a consultant writes a note from a dialogue's meeting page, autosaved
as she types; a second consultant saving on an old version sees both texts side by side and
merges them; the note is approved and published; axe-core finds nothing on the pages.
Screenshots go to $SUS_SCREENSHOTS when set."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SUS_SCREENSHOTS")
ROOT = Path(__file__).resolve().parents[2]
PURPOSE = "Formålet med samtalen"


def _shot(pg, name, full=True):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / f"notes-{name}.png"), full_page=full)


def _dialogue_without_note(url) -> int:
    """A 2026/27 dialogue of a Skanderborg school in the demo that has no note yet, not
    Bakkeskolen's: tests/notes/test_comments_browser.py sends that one out for comments."""
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
                          .order_by(Meeting.id)).all()
        bakkeskolen = next(x.id for x in schools.list_schools(s, m.id) if x.name == "Bakkeskolen")
        found = next(x.id for x in meetings if x.id not in noted and not x.confidential
                     and x.school_id != bakkeskolen)
    engine.dispose()
    return found


@pytest.fixture(scope="module")
def server(shared_server):
    """The shared server: no other test reads or writes this dialogue's note."""
    return shared_server.base, _dialogue_without_note(shared_server.database_url)


CANARY = "31,417"
TESTS = "Drøftelser vedrørende resultater af Nationale overgangstests"


def _page(browser, base):
    context = browser.new_context(base_url=base, locale="da-DK",
                                  viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    return context, pg


def _section(pg, title):
    return pg.locator("section.note-section").filter(
        has=pg.get_by_role("heading", name=title, exact=True))


def _autosave(pg, section, text, label=PURPOSE):
    """Type into the section and wait for the autosave's answer."""
    with pg.expect_response(lambda r: r.request.method == "POST"
                            and re.search(r"/sections/\d+$", r.url) is not None) as answer:
        section.get_by_label(label).fill(text)
    return answer.value


def test_write_conflict_merge_approve_publish(browser, server):
    base, meeting_id = server
    anne_ctx, anne = _page(browser, base)
    carl_ctx, carl = _page(browser, base)
    try:
        browser_login(anne, "konsulent@skanderborg.demo")
        anne.goto(f"/meetings/{meeting_id}")
        anne.get_by_role("heading", name="Notat", exact=True).wait_for()
        anne.get_by_role("button", name="Skriv notatet").click()
        anne.wait_for_url(re.compile(r"/notes/\d+$"))
        note_url = anne.url
        assert "Notatet er oprettet ud fra skabelonen." in anne.locator("#messages").inner_text()
        assert anne.locator("#note-status").inner_text() == "Kladde"
        tests = _section(anne, TESTS)
        expect(tests).to_contain_text("Fortroligt – offentliggøres aldrig")
        # The confidential section gets a canary figure: it must never reach the public.
        assert _autosave(anne, tests, f"Læsning 8. klasse: {CANARY}", label=TESTS).status == 200

        # Anne writes; HTMX saves as she types, without reloading the page.
        anne.evaluate("window.__sameDocument = true")
        purpose = _section(anne, PURPOSE)
        assert _autosave(anne, purpose, "Annes første udkast").status == 200
        expect(purpose.locator(".saved-note")).to_have_text(re.compile(r"^Gemt kl\. \d\d:\d\d$"))
        assert anne.evaluate("window.__sameDocument") is True
        assert_accessible(anne, context="note, consultant writing")
        _shot(anne, "editor")

        # Carl opens the note, then Anne saves again: Carl's page is based on an old version.
        browser_login(carl, "konsulent2@skanderborg.demo")
        carl.goto(note_url)
        carl_purpose = _section(carl, PURPOSE)
        expect(carl_purpose.get_by_label(PURPOSE)).to_have_value("Annes første udkast")
        assert _autosave(anne, purpose, "Annes tekst om formålet").status == 200
        assert _autosave(carl, carl_purpose, "Carls tekst om formålet").status == 409
        conflict = _section(carl, PURPOSE).get_by_role("alert")
        expect(conflict).to_contain_text("En anden gemte afsnittet, mens du skrev")
        expect(conflict.locator("[data-which=mine]")).to_have_text("Carls tekst om formålet")
        expect(conflict.locator("[data-which=theirs]")).to_have_text("Annes tekst om formålet")
        expect(conflict).to_contain_text("Den gemte tekst (af ")
        assert_accessible(carl, context="note, conflict")
        _shot(carl, "conflict")

        # Carl merges the two; the editor comes back with the merged text.
        merge = conflict.get_by_label("Flettet tekst")
        assert "Annes tekst om formålet" in merge.input_value()
        assert "Carls tekst om formålet" in merge.input_value()
        merge.fill("Annes tekst om formålet. Carls tekst om formålet.")
        conflict.get_by_role("button", name="Gem den flettede tekst").click()
        carl_purpose = _section(carl, PURPOSE)
        expect(carl_purpose.get_by_label(PURPOSE)).to_have_value(
            "Annes tekst om formålet. Carls tekst om formålet.")
        expect(carl_purpose.locator(".saved-note")).to_contain_text("Gemt kl.")
        history = carl_purpose.locator("details.note-history")
        history.locator("summary").click()
        expect(history).to_contain_text("Ikke gemt: konflikten er løst")
        expect(history).to_contain_text("Carls tekst om formålet")
        _shot(carl, "merged")

        # Anne approves and publishes.
        anne.goto(note_url)
        expect(_section(anne, PURPOSE).get_by_label(PURPOSE)).to_have_value(
            "Annes tekst om formålet. Carls tekst om formålet.")
        anne.get_by_role("button", name="Godkend notatet").click()
        expect(anne.locator("#note-status")).to_have_text("Godkendt")
        anne.get_by_role("button", name="Offentliggør notatet").click()
        anne.get_by_role("dialog").get_by_role("button", name="Ja, offentliggør notatet").click()
        expect(anne.locator("#messages")).to_contain_text("Notatet er offentliggjort.")
        expect(anne.locator("#note-status")).to_have_text("Offentliggjort")
        expect(anne.locator("#workflow")).to_contain_text("Version 1")
        assert_accessible(anne, context="note, published")
        _shot(anne, "published")
        public_url = anne.locator("a[href^='/public/notes/']").first.get_attribute("href")
        anne.goto(f"/meetings/{meeting_id}")
        expect(anne.locator("section", has=anne.get_by_role("heading", name="Notat", exact=True))
               ).to_contain_text("Offentliggjort")

        # An anonymous visitor reads the published note: the merged text, never the canary.
        visitor_ctx, visitor = _page(browser, base)
        try:
            visitor.goto(public_url)
            expect(visitor.locator("main")).to_contain_text(
                "Annes tekst om formålet. Carls tekst om formålet.")
            assert CANARY not in visitor.content()
            visitor.locator("main a[href^='/public/schools/']").first.click()
            expect(visitor.locator("main")).to_contain_text("Carls tekst om formålet")
            assert CANARY not in visitor.content()
            assert "Nationale overgangstests" not in visitor.locator("main").inner_text() \
                or "Drøftelser" not in visitor.locator("main").inner_text()
            _shot(visitor, "public-anonymous")
        finally:
            visitor_ctx.close()
    finally:
        anne_ctx.close()
        carl_ctx.close()
