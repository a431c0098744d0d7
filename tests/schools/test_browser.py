"""A consultant edits a school in a real browser, with and without JavaScript."""

import re

import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def _open_bakkeskolen(pg):
    pg.get_by_role("link", name="Skoler", exact=True).first.click()
    pg.get_by_role("link", name="Bakkeskolen").click()
    pg.wait_for_url(re.compile(r"/schools/\d+$"))


def test_inline_edit_without_page_load(page):
    browser_login(page, "konsulent@skanderborg.demo")
    _open_bakkeskolen(page)
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Ret Elevtal").click()
    field = page.get_by_label("Elevtal", exact=True)
    field.fill("651")
    page.locator("#field-student_count").get_by_role("button", name="Gem").click()
    value = page.locator("[data-field=student_count]")
    value.wait_for()
    assert value.inner_text().strip() == "651"
    # Still the same document: the value came in without a page load.
    assert page.evaluate("window.__sameDocument") is True
    page.reload()
    assert page.locator("[data-field=student_count]").inner_text().strip() == "651"


def test_inline_edit_with_javascript_disabled(page_without_js):
    pg = page_without_js
    browser_login(pg, "konsulent@skanderborg.demo")
    _open_bakkeskolen(pg)
    pg.get_by_role("link", name="Ret Elevtal").click()
    pg.wait_for_url("**/fields/student_count/edit")
    pg.get_by_label("Elevtal", exact=True).fill("652")
    pg.locator("#field-student_count").get_by_role("button", name="Gem").click()
    pg.wait_for_url(re.compile(r"/schools/\d+$"))
    assert pg.locator("[data-field=student_count]").inner_text().strip() == "652"
    assert "Ændringerne er gemt." in pg.locator("#messages").inner_text()


def test_wrong_password_shows_a_danish_error(page):
    page.goto("/login")
    page.get_by_label("E-mailadresse").fill("konsulent@skanderborg.demo")
    page.get_by_label("Adgangskode").fill("forkert")
    page.get_by_role("button", name="Log ind").click()
    assert page.get_by_role("alert").inner_text() == "Forkert e-mailadresse eller adgangskode."
    assert page.get_by_label("E-mailadresse").input_value() == "konsulent@skanderborg.demo"
