"""In a real browser: a consultant plans the dialogues, reviews the proposal, books it,
then moves one meeting onto the chief's management meeting and sees why that conflicts."""

import os
from pathlib import Path

import pytest

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SUS_SCREENSHOTS", "/tmp/sus-screenshots"))


@pytest.fixture
def sched_page(browser, scheduling_server):
    base, _ = scheduling_server
    context = browser.new_context(base_url=base, locale="da-DK",
                                  viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def test_schedule_review_commit_and_move_onto_a_busy_slot(sched_page, scheduling_server):
    page = sched_page
    _, ids = scheduling_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_login(page, "konsulent@skanderborg.demo")
    page.goto(f"/steps/{ids['step']}")
    page.get_by_role("link", name="Planlæg møder").click()
    page.wait_for_url(f"**/steps/{ids['step']}/schedule")
    assert page.get_by_label("Første dag").input_value() == "2028-04-03"
    page.get_by_role("button", name="Lav et forslag").click()
    page.wait_for_url("**/proposals/*")
    assert page.locator(".stat__value").first.inner_text() == "6 / 6"
    grid = page.locator("table.week-grid")
    assert grid.locator(".week-grid__item").count() == 12
    assert "Påskeferie" in grid.inner_text()  # shown, and nothing booked in it
    assert grid.locator("td.week-grid__closed .week-grid__item").count() == 0
    page.screenshot(path=str(SHOTS / "scheduling-proposal.png"), full_page=True)
    assert_accessible(page, context="proposal")
    # Nothing on the chief's management meeting, Tuesdays 9–11.
    chief = page.locator("details.person-plan", has_text="Lene Skov")
    assert chief.count() == 1

    page.get_by_role("button", name="Book 12 møder").click()
    page.wait_for_url(f"**/steps/{ids['step']}")
    assert "12 møder er booket" in page.locator("#messages").inner_text()
    assert "Alle møder i dette trin er booket" in page.content()
    assert "Ingen konflikter blandt de bookede møder" in page.content()

    page.locator("main a[href^='/meetings/']").first.click()
    page.wait_for_url("**/meetings/*")
    meeting_url = page.url
    page.locator("#move-day").fill("2028-04-25")  # a Tuesday
    page.locator("#move-start").fill("09:30")
    page.locator("#move-start").dispatch_event("change")
    check = page.locator("#move-check")
    check.get_by_text("Lene Skov (Skolechef) er optaget på det tidspunkt.").wait_for()
    page.screenshot(path=str(SHOTS / "scheduling-move-conflict.png"), full_page=True)
    assert_accessible(page, context="move with conflict")
    page.get_by_role("button", name="Flyt mødet").click()
    page.get_by_label("Gør det alligevel, trods konflikterne").first.wait_for()
    assert "Lene Skov (Skolechef) er optaget på det tidspunkt." in page.content()
    page.screenshot(path=str(SHOTS / "scheduling-move-refused.png"), full_page=True)

    # The chief's availability, as the consultant sees it: busy, but not what about.
    page.goto(meeting_url)
    page.get_by_role("link", name="Lene Skov").first.click()
    page.get_by_role("link", name="Arbejdstider og optagede tider").click()
    page.wait_for_url("**/availability")
    assert "Optaget" in page.content() and "Direktionsmøde" not in page.content()
    page.screenshot(path=str(SHOTS / "scheduling-availability.png"), full_page=True)
    assert_accessible(page, context="availability")
    page.goto(f"/steps/{ids['step']}")
    page.screenshot(path=str(SHOTS / "scheduling-step.png"), full_page=True)


def test_move_form_explains_conflicts_without_javascript(browser, scheduling_server):
    base, ids = scheduling_server
    context = browser.new_context(base_url=base, locale="da-DK", java_script_enabled=False)
    page = context.new_page()
    try:
        browser_login(page, "konsulent@skanderborg.demo")
        page.goto(f"/steps/{ids['step']}")
        links = page.locator("a[href^='/meetings/']")
        href = links.first.get_attribute("href").split("#")[0]
        page.goto(href + "/move")
        page.locator("#move-day").fill("2028-04-11")  # Easter holiday
        page.locator("#move-start").fill("10:00")
        page.get_by_role("button", name="Flyt mødet").click()
        text = page.locator("#move-check").inner_text()
        assert "Påskeferie: ingen møder den dag." in text or "Ingen konflikter" in text
    finally:
        context.close()


def test_cancel_find_a_time_lengthen_to_the_agenda_and_add_a_guest(sched_page, scheduling_server):
    """A consultant's afternoon with one dialogue: cancel it (asked first, in a dialog), book
    it again with "Find en tid" at a shorter length, lengthen it to fit its agenda, and invite
    a guest — axe on every page and dialog on the way."""
    page = sched_page
    _, ids = scheduling_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_login(page, "konsulent@skanderborg.demo")
    page.goto(f"/meetings/{ids['dialogue']}")
    assert_accessible(page, context="meeting page")

    page.get_by_label("Begrundelse (vises på mødets side)").fill("Skolelederen er syg")
    page.get_by_role("button", name="Aflys mødet").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Ja, aflys mødet").wait_for()
    assert "Kort opsamling" in dialog.inner_text() or "aflyst" in dialog.inner_text()
    assert_accessible(page, context="cancel dialog")
    dialog.get_by_role("button", name="Ja, aflys mødet").click()
    page.locator("#move-heading", has_text="Book mødet igen").wait_for()
    assert "Skolelederen er syg" in page.content()
    assert_accessible(page, context="cancelled meeting")

    # Find a time at the agenda's length, then for an hour: the answer swaps in on the page.
    # The hour booked starts where the agenda's length is also free, so lengthening it later
    # meets no conflict (whatever the first free hour happens to be).
    agenda_minutes = page.locator("#move-minutes").input_value()
    slots = page.locator("#find-time").get_by_role("button", name="Book ")

    def offered(minutes: str) -> list[str]:
        page.locator("#find-minutes").fill(minutes)
        page.get_by_role("button", name="Find en tid").click()
        page.locator("#find-time", has_text=f"{minutes} minutter:").wait_for()
        return [text.split("–")[0] for text in slots.all_inner_texts()]

    long_starts = offered(agenda_minutes)
    assert long_starts, "no free time at the agenda's length"
    hour_starts = offered("60")
    page.screenshot(path=str(SHOTS / "scheduling-find-time.png"), full_page=True)
    assert_accessible(page, context="find a time")
    fits = [i for i, start in enumerate(hour_starts) if start in long_starts]
    assert fits, (hour_starts, long_starts)
    chosen = slots.nth(fits[0]).inner_text()
    slots.nth(fits[0]).click()
    page.locator("#messages", has_text="Mødet er booket til").wait_for()
    assert chosen.removeprefix("Book ").split(",")[0] in page.locator("#when-heading + dl").inner_text()
    assert_accessible(page, context="booked again")

    # The agenda outlasts the hour: one button makes the meeting as long as its agenda.
    lengthen = page.get_by_role("button", name="Forlæng mødet til")
    lengthen.wait_for()
    label = lengthen.inner_text()
    minutes = int(label.split(" til ")[1].split()[0])
    assert minutes > 60
    lengthen.click()
    page.locator("#messages", has_text=f"Mødet varer nu {minutes} minutter").wait_for()
    assert page.get_by_role("button", name="Forlæng mødet til").count() == 0
    assert_accessible(page, context="lengthened")

    # A guest by name and e-mail.
    page.get_by_label("Gæstens navn").fill("Karin Gæst")
    page.get_by_label("Gæstens e-mailadresse").fill("karin@gaest.dk")
    page.get_by_role("button", name="Tilføj deltageren").click()
    page.locator("#messages", has_text="Deltageren er tilføjet").wait_for()
    assert "Karin Gæst" in page.locator("#people-heading + ul").inner_text()
    page.screenshot(path=str(SHOTS / "scheduling-guest-added.png"), full_page=True)
    assert_accessible(page, context="guest added")
