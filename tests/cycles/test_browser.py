"""A consultant goes from the year wheel to a step and moves it, in a real browser."""

import re

import pytest

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser


def _open_wheel(pg):
    pg.get_by_role("link", name="Årshjul", exact=True).first.click()
    pg.wait_for_url(re.compile(r"/years/\d{4}$"))


def test_from_the_wheel_to_a_step_and_change_its_date(page):
    browser_login(page, "konsulent@skanderborg.demo")
    _open_wheel(page)
    assert page.locator("h1").inner_text() == "Årshjul 2026/27"
    page.locator("svg.wheel a[aria-label='5. Sag på politisk udvalgsmøde']").click()
    page.wait_for_url(re.compile(r"/steps/\d+$"))
    assert page.locator("h1").inner_text() == "Sag på politisk udvalgsmøde"
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Ret Hvornår").click()
    page.get_by_label("Første dag").fill("2027-01-19")
    page.get_by_label("Sidste dag").fill("2027-01-19")
    page.locator("#field-dates").get_by_role("button", name="Gem").click()
    value = page.locator("[data-field=dates]")
    value.wait_for()
    assert "tirsdag 19. januar 2027 (uge 3)" in value.inner_text()
    assert page.evaluate("window.__sameDocument") is True  # swapped in, no page load
    # A holiday is refused in place, with the reason.
    page.get_by_role("link", name="Ret Hvornår").click()
    page.get_by_label("Første dag").fill("2026-12-28")
    page.get_by_label("Sidste dag").fill("")
    page.locator("#field-dates").get_by_role("button", name="Gem").click()
    assert "Juleferie" in page.locator("#error-start_date").inner_text()
    # Back on the wheel the step sits on its new day, as a dot.
    _open_wheel(page)
    assert page.locator("svg.wheel a[aria-label='5. Sag på politisk udvalgsmøde'] path").count() == 0


def test_change_a_step_without_javascript(page_without_js):
    pg = page_without_js
    browser_login(pg, "konsulent@skanderborg.demo")
    _open_wheel(pg)
    pg.get_by_role("link", name="Beslutning vedr. datamateriale").first.click()
    pg.wait_for_url(re.compile(r"/steps/\d+$"))
    pg.get_by_role("link", name="Ret Status").click()
    pg.wait_for_url("**/fields/status/edit")
    pg.get_by_label("Status", exact=True).select_option(label="I gang")
    pg.locator("#field-status").get_by_role("button", name="Gem").click()
    pg.wait_for_url(re.compile(r"/steps/\d+$"))
    assert pg.locator("[data-field=status]").inner_text().strip() == "I gang"
    assert "Ændringerne er gemt." in pg.locator("#messages").inner_text()
    pg.get_by_role("link", name="Ret Hvornår").click()
    pg.wait_for_url("**/fields/dates/edit")
    pg.get_by_label("Første dag").fill("2026-12-08")
    pg.get_by_label("Sidste dag").fill("2026-12-10")
    pg.locator("#field-dates").get_by_role("button", name="Gem").click()
    pg.wait_for_url(re.compile(r"/steps/\d+$"))
    assert "tirsdag 8. december 2026" in pg.locator("[data-field=dates]").inner_text()


def test_year_pages_pass_axe(page):
    browser_login(page, "konsulent@skanderborg.demo")
    _open_wheel(page)
    assert_accessible(page, context="year wheel")
    for name in ("Uge for uge", "Ferie og helligdage", "Fordeling af skoler"):
        page.locator(".tabs").get_by_role("link", name=name).click()
        page.wait_for_load_state()
        assert_accessible(page, context=name)
    page.locator(".tabs").get_by_role("link", name="Årshjul").click()
    page.locator("ol.steps a").nth(11).click()
    page.wait_for_url(re.compile(r"/steps/\d+$"))
    assert_accessible(page, context="step page")
    page.get_by_role("link", name="Ret Ansvarlig").click()
    page.locator("#input-responsible").wait_for()
    assert_accessible(page, context="inline edit open")
    page.goto("/municipalities")
    page.get_by_role("link", name="Skanderborg Kommune").click()
    assert_accessible(page, context="municipality overview with the year")
    page.get_by_role("link", name="Skoler", exact=True).first.click()
    page.get_by_role("link", name="Bakkeskolen").click()
    assert page.get_by_role("heading", name="Møder 2026/27").is_visible()
    assert_accessible(page, context="school page with its meetings")
    page.goto(page.url.split("/schools")[0] + "/municipalities/1/years/new")
    assert_accessible(page, context="new school year")


def test_ringsted_consultant_sees_the_cadence(page):
    browser_login(page, "konsulent@ringsted.demo")
    _open_wheel(page)
    steps = page.locator("ol.steps > li")
    assert steps.count() == 3
    assert "Udviklingssamtaler" in steps.nth(0).inner_text()
    # Two talks per school held; the scheduler's demo has booked (nearly) all the rest.
    assert re.search(r"\b\d+ af 30 booket, 10 afholdt", steps.nth(0).inner_text())
    assert_accessible(page, context="Ringsted wheel")
    steps.nth(2).get_by_role("link").click()
    assert "Fortroligt" in page.locator("main").inner_text()


def test_wheel_at_screen_and_print_size(page, tmp_path):
    """The wheel fits the screen beside its list, and a printed A4 page on its own."""
    browser_login(page, "konsulent@skanderborg.demo")
    _open_wheel(page)
    box = page.locator("svg.wheel").bounding_box()
    assert 500 <= box["width"] <= 720 and abs(box["width"] - box["height"]) < 2
    page.screenshot(path=str(tmp_path / "wheel-screen.png"), full_page=True)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    assert page.locator(".site-header").is_hidden() and page.locator(".tabs").is_hidden()
    box = page.locator("svg.wheel").bounding_box()
    assert 500 <= box["width"] <= 700
    page.screenshot(path=str(tmp_path / "wheel-print.png"), full_page=True)
