"""Data packages in a real browser: an import with one bad row, fixed and imported again;
the package pages with and without JavaScript; axe-core on every page."""

import os
import re

import pytest

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SUS_SCREENSHOTS")
"""A folder to keep screenshots in (to look at the pages); unset: none are taken."""


def _shot(pg, name: str) -> None:
    if SHOTS:
        pg.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _file(rows: list[str]) -> dict:
    text = "skoleår;kode;indikator;gruppe;værdi;antal\n" + "\n".join(rows) + "\n"
    return {"name": "trivsel-browser.csv", "mimeType": "text/csv", "buffer": text.encode()}


GOOD = ["2025/26;745004;trivsel_social;browsertest;4,2;120",
        "2025/26;745004;trivsel_faglig;browsertest;3,9;120"]


def _upload(pg, rows) -> None:
    pg.get_by_role("link", name="Datapakker", exact=True).first.click()
    pg.get_by_role("link", name="Importér data").click()
    pg.locator("#f-file").set_input_files(_file(rows))
    pg.get_by_role("button", name="Upload og se resultatet").click()
    pg.wait_for_url(re.compile(r"/data-imports/\d+$"))


def test_import_with_one_bad_row_is_fixed_and_imported_again(page):
    browser_login(page, "konsulent@skanderborg.demo")
    _upload(page, [*GOOD, "2025/26;745004;fravaer_samlet;browsertest;6,4 %;600"])
    errors = page.locator(".import-errors")
    assert errors.inner_text().strip() == (
        "Række 4, kolonne “værdi”: “6,4 %” er ikke et tal (skriv f.eks. 3,9 eller 12).")
    assert page.locator("[data-count=error]").inner_text() == "1"
    assert page.get_by_role("button", name=re.compile("Importér")).count() == 0
    assert page.locator("tr[data-outcome=error]").count() == 1
    assert page.locator("tr[data-outcome=new]").count() == 2
    assert_accessible(page, context="preview with an error")
    _shot(page, "import-preview-error")

    # Fixed in the file and uploaded again: now it can be imported, and it is.
    _upload(page, [*GOOD, "2025/26;745004;fravaer_samlet;browsertest;6,4;600"])
    assert page.locator(".import-errors").count() == 0
    assert page.locator("[data-count=new]").inner_text() == "3"
    _shot(page, "import-preview-ok")
    page.get_by_role("button", name="Importér 3 rækker").click()
    page.locator("#messages .message").wait_for()  # the same address, reloaded
    assert "Importeret. Nye værdier: 3; erstattede: 0; uændrede: 0." in \
        page.locator("#messages").inner_text()
    assert page.locator("[data-status]").first.inner_text() == "Importeret"
    assert_accessible(page, context="import done")

    # The same file once more: every row unchanged, and nothing changes.
    _upload(page, [*GOOD, "2025/26;745004;fravaer_samlet;browsertest;6,4;600"])
    assert page.locator("[data-count=unchanged]").inner_text() == "3"
    assert "Den samme fil blev importeret" in page.locator("main").inner_text()
    page.get_by_role("button", name="Importér 3 rækker").click()
    page.locator("#messages .message").wait_for()
    assert "Intet er ændret" in page.locator("#messages").inner_text()


def test_import_without_javascript(page_without_js):
    pg = page_without_js
    browser_login(pg, "konsulent@skanderborg.demo")
    rows = ["2025/26;745002;trivsel_social;nojs;4,0;100"]
    _upload(pg, rows)
    pg.get_by_label("Vis").select_option("new")
    pg.get_by_role("button", name="Vis", exact=True).click()
    pg.wait_for_url(re.compile(r"show=new"))
    assert pg.locator("tr[data-outcome=new]").count() == 1
    pg.get_by_role("button", name="Importér 1 rækker").click()
    pg.locator("#messages .message").wait_for()
    assert "Nye værdier: 1" in pg.locator("#messages").inner_text()


def _open_package(pg, school: str, year: str = "2025/26") -> None:
    pg.get_by_role("link", name="Datapakker", exact=True).first.click()
    if year != "2025/26":
        pg.get_by_role("link", name=year).click()
    pg.get_by_role("link", name=school, exact=True).click()
    pg.wait_for_url(re.compile(r"/package$"))


def test_package_pages_with_htmx_pass_axe(page):
    browser_login(page, "konsulent@skanderborg.demo")
    _open_package(page, "Bakkeskolen")
    assert page.locator("svg.chart").count() > 10
    assert page.locator(".confidential-notice").count() == 0  # the consultant sees the tests
    assert page.locator("svg#chart-overgang_laesning_2").count() == 1
    assert_accessible(page, context="package, consultant")
    _shot(page, "package-consultant")
    # Highlights are edited in place.
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Vælg nedslag").click()
    page.get_by_label("Titel").first.wait_for()
    assert_accessible(page, context="highlights form")
    page.locator("#f-title_3").fill("Kedsomhed i 4.–9. klasse")
    page.locator("#f-indicator_3").select_option("kedsomhed_49")
    page.locator("#f-reason_3").fill("Hvorfor keder eleverne sig mere end i kommunen?")
    page.get_by_role("button", name="Gem nedslag").click()
    page.locator("#highlights .saved-note").wait_for()
    assert "Kedsomhed i 4.–9. klasse" in page.locator("#highlights").inner_text()
    assert page.evaluate("window.__sameDocument") is True
    municipality = page.locator(".breadcrumbs a").first.get_attribute("href")
    for path in ("/data", "/data/indicators", "/data/settings", "/data/imports"):
        page.goto(municipality + path)
        assert_accessible(page, context=path)
        _shot(page, "municipality" + path.replace("/", "-"))
    _open_package(page, "Skanderborg Heldagsskole")
    assert page.locator("svg.chart").count() == 0
    assert "Skolens egne data" in page.locator("main").inner_text()
    assert_accessible(page, context="special school")
    _shot(page, "package-special-school")


def test_leadership_and_participant_views(page):
    browser_login(page, "leder@bakkeskolen.demo")
    # The leader lands on their home; the package links are on the municipality overview.
    page.get_by_role("link", name="Skanderborg Kommune", exact=True).first.click()
    page.get_by_role("link", name="Bakkeskolen, skoleåret 2025/26").click()
    page.wait_for_url(re.compile(r"/package$"))
    assert page.locator("svg#chart-overgang_laesning_2").count() == 1  # leadership sees tests
    assert page.get_by_role("button", name="Markér som klar").count() == 0
    assert_accessible(page, context="package, leadership")
    _shot(page, "package-leader")
    page.context.clear_cookies()
    browser_login(page, "leder@nielsebbesen.demo")
    page.get_by_role("link", name="Skanderborg Kommune", exact=True).first.click()
    page.get_by_role("link", name="Niels Ebbesen Skolen, skoleåret 2025/26").click()
    assert "ikke markeret datapakken som klar" in page.locator("main").inner_text()
    assert_accessible(page, context="package not ready")


def test_highlights_without_javascript(page_without_js):
    pg = page_without_js
    browser_login(pg, "leder@mortenboerup.demo")
    pg.get_by_role("link", name="Skoler", exact=True).first.click()
    pg.get_by_role("link", name="Morten Børup Skolen").click()
    pg.get_by_role("link", name="Skoleåret 2024/25").click()
    pg.wait_for_url(re.compile(r"/package$"))
    pg.get_by_role("link", name="Vælg nedslag").click()
    pg.wait_for_url(re.compile(r"/highlights$"))
    pg.locator("#f-title_1").fill("")
    pg.locator("#f-reason_1").fill("En begrundelse uden titel")
    pg.get_by_role("button", name="Gem nedslag").click()
    assert "Giv nedslaget en titel." in pg.locator("#highlights").inner_text()
    assert pg.locator("#f-reason_1").input_value() == "En begrundelse uden titel"
    pg.locator("#f-title_1").fill("Læsning i indskolingen")
    pg.get_by_role("button", name="Gem nedslag").click()
    pg.wait_for_url(re.compile(r"/package#highlights$"))
    assert "Nedslagene er gemt." in pg.locator("#messages").inner_text()
    assert "Læsning i indskolingen" in pg.locator("#highlights").inner_text()
