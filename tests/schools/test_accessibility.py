"""axe-core finds no accessibility violations on the foundation's pages."""

import pytest

from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser


def test_pages_pass_axe(page):
    page.goto("/login")
    assert_accessible(page)
    browser_login(page, "konsulent@skanderborg.demo")
    page.get_by_role("link", name="Skoler", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Bakkeskolen").click()
    assert_accessible(page)
    page.get_by_role("link", name="Ret Elevtal").click()
    page.locator("#input-student_count").wait_for()
    assert_accessible(page, context="inline edit open")
    page.get_by_role("link", name="Ret alle oplysninger").click()
    assert_accessible(page)
    for path in ("/account", "/no-such-page"):
        page.goto(path)
        assert_accessible(page)


def test_keyboard_reaches_content_first_via_skip_link(page):
    browser_login(page, "konsulent@skanderborg.demo")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Spring til indhold"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
