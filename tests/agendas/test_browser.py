"""In a real browser: a school leader adds a theme before the deadline and is refused after
it; a consultant reorders items by keyboard with HTMX and without JavaScript; axe-core finds
nothing on the agenda pages. Screenshots go to $SUS_SCREENSHOTS when set."""

import os
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SUS_SCREENSHOTS")


def _shot(pg, name, full=True):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full)


class Server:
    def __init__(self, base, url, agenda_id, step_id, school_id):
        self.base, self.url = base, url
        self.agenda_id, self.step_id, self.school_id = agenda_id, step_id, school_id

    def set_deadline(self, day):
        from app.cycles.models import Step
        from app.db import make_engine

        engine = make_engine(self.url)
        with Session(engine) as s:
            step = s.get(Step, self.step_id)
            step.school_input_deadline = day
            s.add(step)
            s.commit()
        engine.dispose()


def _prepare(url) -> tuple[int, int, int]:
    """A dialogue for Bakkeskolen in the demo, whatever the cycle demo made besides."""
    from app.agendas import build as agenda_build
    from app.cycles import years as cycle_years
    from app.cycles.models import Step
    from app.db import make_engine
    from app.meetings import service as meetings
    from app.meetings.models import MeetingType
    from app.schools import service as schools
    from app.schools.models import School

    engine = make_engine(url)
    with Session(engine) as s:
        m = schools.get_municipality_by_code(s, "740")
        school = s.exec(select(School).where(School.name == "Bakkeskolen")).one()
        year = cycle_years.find_school_year(s, m.id, 2026) or cycle_years.create_school_year(s, m, 2026)
        step = Step(school_year_id=year.id, position=99, key="browser-test-dialogue",
                    title="Skoleudviklingssamtaler (browsertest)", meeting_type="dialogue",
                    scope="per_school", school_input_deadline=date.today() + timedelta(days=7))
        s.add(step)
        s.commit()
        # After the demo's dialogue window (6 April – mid May), so that the demo's own
        # Bakkeskolen dialogue stays the school's next one for the home page's tests.
        start = datetime(2027, 6, 15, 6, 0, tzinfo=timezone.utc)
        meeting = meetings.create_meeting(
            s, school_year=year, step=step, school=school, meeting_type=MeetingType.DIALOGUE,
            title="Skoleudviklingssamtale med Bakkeskolen", starts_at=start,
            ends_at=start + timedelta(minutes=150), location="Bakkeskolen, mødelokale 2")
        agenda = agenda_build.ensure_agenda(s, meeting)
        ids = agenda.id, step.id, school.id
    engine.dispose()
    return ids


@pytest.fixture(scope="module")
def server(shared_server):
    """The shared server: the dialogue, its step and agenda are this module's own."""
    return Server(shared_server.base, shared_server.database_url,
                  *_prepare(shared_server.database_url))


def _page(browser, server, js=True):
    context = browser.new_context(base_url=server.base, locale="da-DK", java_script_enabled=js,
                                  viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    return context, pg


def test_school_leader_adds_a_theme_before_the_deadline_and_is_refused_after(browser, server):
    server.set_deadline(date.today() + timedelta(days=7))
    context, pg = _page(browser, server)
    try:
        browser_login(pg, "leder@bakkeskolen.demo")
        pg.goto(f"/agendas/{server.agenda_id}")
        assert "Skolen kan tilføje og rette sine egne temaer til og med" in \
            pg.locator("#deadline").inner_text()
        pg.get_by_role("textbox", name="Tema", exact=True).fill("Læsning på mellemtrinnet")
        pg.get_by_label("Kort beskrivelse").fill("Hvordan løfter vi de svageste læsere?")
        pg.get_by_role("button", name="Tilføj tema").click()
        pg.wait_for_url(re.compile(r"#themes$"))
        themes = pg.locator(".theme-list")
        assert "Læsning på mellemtrinnet" in themes.inner_text()
        assert "Temaet er tilføjet." in pg.locator("#messages").inner_text()
        assert_accessible(pg, context="agenda, school leader, before the deadline")
        _shot(pg, "agenda-leader-open")

        # The form is open when the deadline passes; submitting is refused, input kept.
        pg.get_by_role("textbox", name="Tema", exact=True).fill("Et tema for sent")
        server.set_deadline(date.today() - timedelta(days=1))
        pg.get_by_role("button", name="Tilføj tema").click()
        alert = pg.get_by_role("alert").first
        assert "Fristen for skolens temaer er udløbet" in alert.inner_text()
        assert pg.locator("#refused-text").input_value() == "Et tema for sent"
        pg.goto(f"/agendas/{server.agenda_id}")
        assert pg.get_by_role("button", name="Tilføj tema").count() == 0
        assert "kan ikke længere ændres her" in pg.locator("#deadline").inner_text()
        assert "Et tema for sent" not in pg.locator(".theme-list").inner_text()
        assert pg.locator(".theme-list").get_by_role("link", name=re.compile("^Ret")).count() == 0
        assert_accessible(pg, context="agenda, school leader, after the deadline")
        _shot(pg, "agenda-leader-closed")
    finally:
        context.close()
        server.set_deadline(date.today() + timedelta(days=7))


def _titles(pg):
    return [t.strip() for t in pg.locator(".agenda-item__title").all_inner_texts()]


def test_consultant_reorders_by_keyboard_with_htmx(browser, server):
    context, pg = _page(browser, server)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        pg.goto(f"/agendas/{server.agenda_id}")
        assert_accessible(pg, context="agenda, consultant")
        _shot(pg, "agenda-consultant")
        before = _titles(pg)
        pg.evaluate("window.__sameDocument = true")
        first = pg.locator(".agenda-item").first
        first.locator(".agenda-item__body > details.menu > summary").click()  # the item's edit controls
        first.get_by_role("button", name=re.compile("Flyt ned")).focus()
        pg.keyboard.press("Enter")
        expect(pg.locator(".agenda-item__title").first).not_to_have_text(before[0])
        after = _titles(pg)
        assert after[0].endswith(before[1].split(". ", 1)[-1])
        assert pg.evaluate("window.__sameDocument") is True
        # The keyboard stays on the moved item: its button has the focus after the swap.
        focused = pg.evaluate("document.activeElement.closest('article').id")
        assert focused == first_id(pg, before[0])
        assert pg.evaluate("document.activeElement.textContent").startswith("↓ Flyt ned")
        pg.keyboard.press("Shift+Tab")  # "Flyt op" comes just before: back up again
        pg.keyboard.press("Enter")
        expect(pg.locator(".agenda-item__title").first).to_have_text(before[0])
        assert _titles(pg) == before
    finally:
        context.close()


def first_id(pg, title):
    return pg.evaluate(
        "t => [...document.querySelectorAll('article.agenda-item')].find("
        "a => a.querySelector('.agenda-item__title').textContent.trim().endsWith("
        "t.split('. ').slice(1).join('. ') || t)).id", title)


def test_consultant_reorders_without_javascript(browser, server):
    context, pg = _page(browser, server, js=False)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        pg.goto(f"/agendas/{server.agenda_id}")
        before = _titles(pg)
        pg.locator(".agenda-item").nth(1).locator(".agenda-item__body > details.menu > summary").click()
        pg.locator(".agenda-item").nth(1).get_by_role("button", name=re.compile("Flyt op")).click()
        pg.wait_for_load_state()
        after = _titles(pg)
        assert after != before and after[0].endswith(before[1].split(". ", 1)[-1])
        pg.locator(".agenda-item").nth(1).locator(".agenda-item__body > details.menu > summary").click()
        pg.locator(".agenda-item").nth(1).get_by_role("button", name=re.compile("Flyt op")).click()
        pg.wait_for_load_state()
        assert _titles(pg) == before
    finally:
        context.close()


def test_other_agenda_pages_pass_axe(browser, server):
    context, pg = _page(browser, server)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        pg.goto(f"/agendas/{server.agenda_id}")
        pg.locator(".agenda-item").first.locator(".agenda-item__body > details.menu > summary").click()
        pg.locator(".agenda-item").first.get_by_role("link", name=re.compile("^Ret punktet")).click()
        pg.wait_for_url(re.compile(r"/items/\d+/edit$"))
        assert_accessible(pg, context="item form")
        _shot(pg, "item-form")
        pg.goto(f"/agendas/{server.agenda_id}")
        theme = pg.locator(".theme").first
        if theme.count():
            theme.locator("details.menu > summary").click()
            theme.get_by_role("link", name=re.compile("^Ret temaet")).click()
            pg.wait_for_url(re.compile(r"/themes/\d+/edit$"))
            assert_accessible(pg, context="theme form")
        pg.goto(f"/agendas/{server.agenda_id}")
        pg.get_by_role("link", name="Skoleudviklingssamtale med Bakkeskolen").click()
        pg.get_by_role("heading", name="Dagsorden").wait_for()
        assert_accessible(pg, context="meeting page with the agenda section")
        _shot(pg, "meeting")
        pg.get_by_role("link", name="Bakkeskolen").first.click()
        pg.get_by_role("heading", name="Udviklingsmål").wait_for()
        assert_accessible(pg, context="school page with the goals section")
        pg.goto(f"/agendas/{server.agenda_id}/print")
        assert_accessible(pg, context="print view")
        _shot(pg, "print")
        pg.goto(f"/schools/{server.school_id}/goals")
        assert "Forventningsbaseret klasseledelse" in pg.content()
        assert_accessible(pg, context="goals")
        _shot(pg, "goals", full=False)
        pg.get_by_label("Kontraktens tekst").fill(
            Path("app/catalog/contracts/veng.txt").read_text(encoding="utf-8"))
        pg.get_by_role("button", name="Find målene").click()
        pg.get_by_role("heading", name="Kontrollér før du gemmer").wait_for()
        assert pg.locator(".goal-review > li").count() == 4
        assert_accessible(pg, context="goals review")
        _shot(pg, "goals-review", full=False)
        pg.goto("/")  # the consultant's home; the municipality overview lists the settings
        pg.get_by_role("navigation").get_by_role("link", name="Skanderborg Kommune").click()
        pg.get_by_role("link", name="Dagsordensskabelon").first.click()
        assert_accessible(pg, context="settings")
        _shot(pg, "settings")
    finally:
        context.close()


def _add_item(server, title: str, minutes: int = 10) -> int:
    """An item of this module's agenda for a test to change or remove on its own."""
    from app.agendas import build as agenda_build
    from app.agendas import items as agenda_items
    from app.db import make_engine

    engine = make_engine(server.url)
    with Session(engine) as s:
        agenda = agenda_build.get_agenda(s, server.agenda_id)
        item_id = agenda_items.add_item(s, agenda, agenda_items.ItemForm(
            title=title, minutes=minutes)).id
    engine.dispose()
    return item_id


def test_consultant_edits_minutes_in_place_and_uses_the_item_menu(browser, server):
    """Issue 15.9: click the minutes, type, Enter: the list is swapped with every later clock
    time moved, the focus back on the minutes; the item's controls are one menu that opens
    and closes with the keyboard; removing asks first in a dialog."""
    item_id = _add_item(server, "Punkt til browsertesten", 10)
    context, pg = _page(browser, server)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        pg.goto(f"/agendas/{server.agenda_id}#item-{item_id}")
        pg.evaluate("window.__sameDocument = true")
        cell = pg.locator(f"#item-{item_id}-time")
        following = pg.locator(f"#item-{item_id} ~ article .agenda-item__time span").first
        later_before = following.inner_text() if following.count() else None
        cell.get_by_role("link").click()
        field = pg.get_by_role("spinbutton", name=re.compile("^Minutter"))
        expect(field).to_be_focused()
        assert field.input_value() == "10"
        assert_accessible(pg, context="agenda, minutes being edited")
        _shot(pg, "agenda-minutes-editing", full=False)
        field.fill("25")
        pg.keyboard.press("Enter")
        expect(pg.locator(f"#item-{item_id}-time [role=status]")).to_have_text("Gemt")
        assert "25 min." in pg.locator(f"#item-{item_id}-time").inner_text()
        assert pg.evaluate("window.__sameDocument") is True  # swapped, not reloaded
        expect(pg.locator(f"#item-{item_id}-time a.minutes-link")).to_be_focused()
        if later_before is not None:
            assert following.inner_text() != later_before  # later items moved with it
        # A bad value: a Danish error, the input kept, still in place.
        pg.locator(f"#item-{item_id}-time a.minutes-link").click()
        field = pg.get_by_role("spinbutton", name=re.compile("^Minutter"))
        field.fill("900")
        pg.keyboard.press("Enter")
        expect(pg.locator(f"#item-{item_id}-time .field-error")).to_contain_text("højst")
        assert pg.get_by_role("spinbutton", name=re.compile("^Minutter")).input_value() == "900"
        pg.locator(f"#item-{item_id}-time").get_by_role("link", name="Annullér").click()
        expect(pg.locator(f"#item-{item_id}-time a.minutes-link")).to_contain_text("25 min.")

        # The item's menu, by keyboard: Enter opens it, Esc closes it and the focus returns.
        summary = pg.locator(f"#item-{item_id}-menu > summary")
        summary.focus()
        pg.keyboard.press("Enter")
        expect(pg.locator(f"#item-{item_id}-menu")).to_have_attribute("open", "")
        pg.keyboard.press("Tab")
        expect(pg.get_by_role("link", name=re.compile("^Ret punktet"))).to_be_focused()
        pg.keyboard.press("Escape")
        expect(pg.locator(f"#item-{item_id}-menu")).not_to_have_attribute("open", "")
        expect(summary).to_be_focused()
        pg.keyboard.press("Enter")
        assert_accessible(pg, context="agenda, an item's menu open")
        _shot(pg, "agenda-item-menu", full=False)
        # Removing asks first: "No" keeps it, "Yes" removes it.
        menu = pg.locator(f"#item-{item_id}-menu")
        menu.get_by_role("button", name=re.compile("^Fjern punktet")).click()
        dialog = pg.get_by_role("dialog")
        expect(dialog).to_contain_text('Fjern "Punkt til browsertesten"?')
        assert_accessible(pg, context="agenda, removing an item asks first")
        _shot(pg, "agenda-remove-dialog", full=False)
        dialog.get_by_role("button", name="Nej, tilbage").click()
        expect(pg.get_by_role("dialog")).to_have_count(0)
        assert pg.locator(f"#item-{item_id}").count() == 1
        menu.get_by_role("button", name=re.compile("^Fjern punktet")).click()
        pg.get_by_role("dialog").get_by_role("button", name="Ja, fjern punktet").click()
        pg.wait_for_url(re.compile(rf"/agendas/{server.agenda_id}$"))
        assert pg.locator(f"#item-{item_id}").count() == 0
        assert "Punktet er fjernet." in pg.locator("#messages").inner_text()
        assert_accessible(pg, context="agenda after removing an item")
        _shot(pg, "agenda-calm")
        pg.set_viewport_size({"width": 390, "height": 844})
        pg.reload()
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        _shot(pg, "agenda-calm-390")
    finally:
        context.close()


def test_minutes_and_the_menu_without_javascript(browser, server):
    item_id = _add_item(server, "Punkt uden JavaScript", 10)
    context, pg = _page(browser, server, js=False)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        pg.goto(f"/agendas/{server.agenda_id}")
        pg.locator(f"#item-{item_id}-time a.minutes-link").click()
        pg.wait_for_url(re.compile(rf"/items/{item_id}/minutes/edit"))
        pg.get_by_role("spinbutton", name=re.compile("^Minutter")).fill("35")
        pg.locator(f"#item-{item_id}-time").get_by_role("button", name="Gem").click()
        pg.wait_for_url(re.compile(rf"/agendas/{server.agenda_id}"))
        assert "35 min." in pg.locator(f"#item-{item_id}-time").inner_text()
        # The menu is a plain disclosure: it opens without JavaScript; removing asks on a page.
        pg.locator(f"#item-{item_id}-menu > summary").click()
        pg.locator(f"#item-{item_id}-menu").get_by_role(
            "button", name=re.compile("^Fjern punktet")).click()
        pg.get_by_role("heading", name='Fjern "Punkt uden JavaScript"?').wait_for()
        assert_accessible(pg, context="asking before removing, without JavaScript")
        pg.get_by_role("button", name="Ja, fjern punktet").click()
        pg.wait_for_url(re.compile(rf"/agendas/{server.agenda_id}$"))
        assert pg.locator(f"#item-{item_id}").count() == 0
    finally:
        context.close()
