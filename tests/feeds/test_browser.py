"""A consultant subscribes to calendars in a real browser, with and without JavaScript, and a
calendar client fetches the address from the real server."""

import re
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "feeds"


def _shot(pg, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _own_page(pg):
    pg.goto("/")
    pg.get_by_role("navigation").get_by_role("link", name="Skanderborg Kommune").click()
    pg.locator("a[href^='/people/']", has_text="Mette Holm").first.click()
    pg.wait_for_url(re.compile(r"/people/\d+$"))


def test_make_my_calendar_address_with_htmx(page, live_server):
    browser_login(page, "konsulent@skanderborg.demo")
    _own_page(page)
    page.evaluate("window.__sameDocument = true")
    box = page.locator("section.feed-box").first
    button = box.get_by_role("button", name="Lav min kalenderadresse")
    if button.count() == 0:  # a link from an earlier run of this server: make a new one
        button = box.get_by_role("button", name="Lav en ny adresse")
    button.click()
    field = page.get_by_label("Din personlige adresse")
    field.wait_for()
    url = field.input_value()
    assert re.fullmatch(re.escape(live_server) + r"/feeds/[A-Za-z0-9_\-]{43}\.ics", url)
    assert page.evaluate("window.__sameDocument") is True
    webcal = page.get_by_role("link", name="Abonnér i din kalender").get_attribute("href")
    assert webcal == "webcal://" + url.split("://", 1)[1]
    page.get_by_text("Sådan abonnerer du i Outlook og Google").click()
    assert page.get_by_text("Abonner fra internettet").is_visible()
    _shot(page, "person-link-created")
    assert_accessible(page, context="person page with a new calendar address")

    # A calendar client: no cookies, no Accept, and a conditional request after.
    r = httpx.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "content-encoding" not in r.headers and "set-cookie" not in r.headers
    assert httpx.get(url, headers={"If-None-Match": r.headers["etag"]}).status_code == 304

    page.reload()
    assert url not in page.content()
    _shot(page, "person-after")


def test_school_calendar_without_javascript(page_without_js):
    pg = page_without_js
    browser_login(pg, "konsulent@skanderborg.demo")
    pg.get_by_role("link", name="Skoler", exact=True).first.click()
    pg.get_by_role("link", name="Bakkeskolen").click()
    pg.wait_for_url(re.compile(r"/schools/\d+$"))
    box = pg.locator("section.feed-box")
    button = box.get_by_role("button", name="Lav min kalenderadresse")
    if button.count() == 0:
        button = box.get_by_role("button", name="Lav en ny adresse")
    button.click()
    pg.wait_for_url("**/calendar-links**")
    assert pg.get_by_role("heading", name="Din kalenderadresse", level=1).is_visible()
    assert "/feeds/" in pg.get_by_label("Din personlige adresse").input_value()
    _shot(pg, "school-link-created-nojs")


def test_calendars_page_and_settings(page):
    browser_login(page, "konsulent@skanderborg.demo")
    page.goto("/")
    page.get_by_role("link", name="Kalendere", exact=True).first.click()
    page.wait_for_url("**/calendars")
    page.get_by_label("Offentlige kalendere uden login").check()
    page.get_by_label("Arrangørens e-mailadresse").fill("skoleudvikling@skanderborg.demo")
    page.get_by_role("button", name="Gem").click()
    page.get_by_text("Ændringerne er gemt.").wait_for()
    assert page.get_by_role("heading", name="Offentlig kalender").first.is_visible()
    _shot(page, "calendars")
    assert_accessible(page, context="calendars page")
