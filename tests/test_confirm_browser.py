"""In a real browser, asking first (app/confirm.py): a consultant publishes a note through the
confirmation dialog and removes one of her busy times the same way; and without JavaScript the
question is a page of its own. axe-core finds nothing on any page or open dialog.
Screenshots go to $SUS_SCREENSHOTS when set."""

import os
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SUS_SCREENSHOTS")
CONSULTANT = "konsulent@skanderborg.demo"


def _shot(pg, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / f"confirm-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def prepared(shared_server):
    """On the shared server's data: an approved note of its own (the last 2026/27 Skanderborg
    dialogue without one; the notes browser test takes the first) and two busy times of the
    consultant's, far ahead, that no other test reads."""
    from app.accounts.models import User
    from app.cycles.models import SchoolYear
    from app.db import make_engine
    from app.meetings.models import Meeting, MeetingType
    from app.notes import service as notes
    from app.notes.models import Note, NoteStatus
    from app.scheduling import availability
    from app.schools import service as schools
    from app.schools.models import Person

    engine = make_engine(shared_server.database_url)
    with Session(engine) as s:
        m = schools.get_municipality_by_code(s, "740")
        noted = set(s.exec(select(Note.meeting_id)))
        dialogues = s.exec(select(Meeting).join(SchoolYear, SchoolYear.id == Meeting.school_year_id)
                           .where(Meeting.municipality_id == m.id,
                                  Meeting.meeting_type == MeetingType.DIALOGUE,
                                  Meeting.school_id.is_not(None), SchoolYear.start_year == 2026)
                           .order_by(Meeting.id.desc())).all()
        meeting = next(x for x in dialogues if x.id not in noted and not x.confidential)
        note = notes.create_note(s, meeting)
        notes.set_status(s, note, NoteStatus.APPROVED, expected_version=note.version)
        user = s.exec(select(User).where(User.email == CONSULTANT)).one()
        person = s.get(Person, user.person_id)
        far = date(2098, 3, 3)  # a Monday
        busy = [availability.add_busy(s, person, availability.BusyForm(
                    day=far + timedelta(days=i), start=time(9), end=time(11),
                    note=f"Kursus {i + 1}")) for i in range(2)]
        ids = {"note": note.id, "title": note.title, "person": person.id,
               "busy": [b.id for b in busy]}
    engine.dispose()
    return ids


def test_publish_a_note_and_remove_a_busy_time_through_the_dialog(page, prepared):
    browser_login(page, CONSULTANT)
    page.goto(f"/notes/{prepared['note']}")
    assert_accessible(page, context="approved note")
    page.get_by_role("button", name="Offentliggør notatet").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(f'Offentliggør "{prepared["title"]}"?')
    expect(dialog).to_contain_text("Alle kan læse notatet på kommunens offentlige sider")
    expect(dialog.get_by_role("button", name="Ja, offentliggør notatet")).to_be_focused()
    assert_accessible(page, context="publish dialog")
    _shot(page, "publish-dialog")
    # "No": closed, focus back on the button, nothing published.
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("button", name="Offentliggør notatet")).to_be_focused()
    expect(page.locator("#note-status")).to_have_text("Godkendt")
    page.get_by_role("button", name="Offentliggør notatet").click()
    page.get_by_role("dialog").get_by_role("button", name="Ja, offentliggør notatet").click()
    expect(page.locator("#messages")).to_contain_text("Notatet er offentliggjort.")
    expect(page.locator("#note-status")).to_have_text("Offentliggjort")
    assert_accessible(page, context="note, published")

    page.goto(f"/people/{prepared['person']}/availability")
    rows = page.locator("section", has=page.get_by_role("heading", name="Kommende optagede tider"))
    expect(rows).to_contain_text("Kursus 1")
    assert_accessible(page, context="availability")
    page.get_by_role("button", name="Fjern den optagede tid 3. marts 2098 kl. 09:00").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("som ledig på det tidspunkt")
    assert_accessible(page, context="busy time dialog")
    _shot(page, "busy-dialog")
    dialog.get_by_role("button", name="Ja, fjern den optagede tid").click()
    expect(page.locator("#messages")).to_contain_text("Optaget tid er fjernet.")
    expect(rows).not_to_contain_text("Kursus 1")
    expect(rows).to_contain_text("Kursus 2")


def test_without_javascript_the_question_is_a_page(page_without_js, prepared):
    pg = page_without_js
    browser_login(pg, CONSULTANT)
    pg.goto(f"/people/{prepared['person']}/availability")
    pg.get_by_role("button", name="Fjern den optagede tid 4. marts 2098 kl. 09:00").click()
    pg.wait_for_url("**/busy/*/delete")
    expect(pg.get_by_role("heading", level=1)).to_have_text(
        "Fjern den optagede tid 4. marts 2098 kl. 09:00–11:00?")
    expect(pg.get_by_role("link", name="Nej, tilbage")).to_have_attribute(
        "href", f"/people/{prepared['person']}/availability")
    assert_accessible(pg, context="confirmation page without JavaScript")
    _shot(pg, "busy-page")
    pg.get_by_role("button", name="Ja, fjern den optagede tid").click()
    pg.wait_for_url(f"**/people/{prepared['person']}/availability")
    expect(pg.locator("#messages")).to_contain_text("Optaget tid er fjernet.")
    expect(pg.locator("main")).not_to_contain_text("Kursus 2")
