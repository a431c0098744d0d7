"""In a real browser: every template preview of the catalogue passes axe at desktop width and
at 390 px without scrolling sideways, and an assumed value shows its reason on the page and
on hover (issue 15.8). Screenshots go to $SUS_SCREENSHOTS when set."""

import os
from pathlib import Path

import pytest

from app.catalog import read
from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SUS_SCREENSHOTS")


def test_every_preview_passes_axe_at_desktop_and_phone_width(browser, shared_server):
    context = browser.new_context(base_url=shared_server.base, locale="da-DK",
                                  viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        browser_login(pg, "konsulent@skanderborg.demo")
        urls = ["/catalog"] + [f"/catalog/{kind}/{e.key}"
                               for kind in ("cycles", "agendas", "notes", "packages")
                               for e in read(kind)]
        for width in (1280, 390):
            pg.set_viewport_size({"width": width, "height": 900})
            for url in urls:
                assert pg.goto(url).ok, url
                assert_accessible(pg, context=f"{url} at {width} px")
                assert pg.evaluate("document.documentElement.scrollWidth") <= width, url
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    name = url.strip("/").replace("/", "-")
                    pg.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        # Aalborg's large-school item: "antaget", its reason on the page and on hover.
        pg.goto("/catalog/agendas/aalborg")
        mark = pg.locator("#item-results .assumed")
        assert mark.inner_text() == "antaget"
        reason = pg.locator("#item-results .assumed-note__reason").inner_text()
        assert "600 elever" in reason and mark.get_attribute("title") == reason
        # From the settings page where the template is chosen.
        pg.goto("/")
        pg.get_by_role("navigation").get_by_role("link", name="Skanderborg Kommune").click()
        pg.get_by_role("link", name="Dagsordensskabelon").first.click()
        pg.locator(".preview-links").get_by_role("link", name="Aalborg Kommune (afsnit 2.2)").click()
        pg.get_by_role("heading", name="Aalborg Kommune (afsnit 2.2)", level=1).wait_for()
    finally:
        context.close()
