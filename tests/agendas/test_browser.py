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
        start = datetime(2027, 4, 20, 6, 0, tzinfo=timezone.utc)
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
        pg.locator(".agenda-item").nth(1).get_by_role("button", name=re.compile("Flyt op")).click()
        pg.wait_for_load_state()
        after = _titles(pg)
        assert after != before and after[0].endswith(before[1].split(". ", 1)[-1])
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
        pg.locator(".agenda-item").first.get_by_role("link", name=re.compile("^Ret")).click()
        pg.wait_for_url(re.compile(r"/items/\d+/edit$"))
        assert_accessible(pg, context="item form")
        _shot(pg, "item-form")
        pg.goto(f"/agendas/{server.agenda_id}")
        theme = pg.locator(".theme").first
        if theme.count():
            theme.get_by_role("link", name=re.compile("^Ret")).click()
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
