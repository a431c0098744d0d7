"""Asking first (app/confirm.py), as a user meets it: the button on the page posts; with HTMX the
answer is a dialog, without JavaScript a page; both say what will happen, and nothing happens
until the question's own form is posted with confirmed=1 and the CSRF token."""

from bs4 import BeautifulSoup

from tests.conftest import post_form


def asks_first(client, page_url: str, action: str, data: dict | None = None, *,
               title: str, says: list[str], unchanged) -> dict:
    """Check the whole question for `action`, and return the fields its yes-button posts
    (without the CSRF token). `unchanged()` asserts that nothing has happened yet."""
    page = BeautifulSoup(client.get(page_url).text, "html.parser")
    button = page.select_one(f"form.confirm-form[action='{action}']")
    assert button is not None, f"no confirm_form for {action} on {page_url}"
    assert button["hx-post"] == action and page.select_one(button["hx-target"]) is not None
    fields = {i["name"]: i.get("value", "") for i in button.select("input[type=hidden]")
              if i["name"] != "csrf_token"}
    fields.update(data or {})
    r = post_form(client, action, fields, htmx=True)
    assert r.status_code == 200 and "<html" not in r.text, r.text[:300]
    dialog = BeautifulSoup(r.text, "html.parser").select_one("dialog.confirm-dialog")
    assert dialog is not None and dialog["aria-labelledby"] == "confirm-dialog-heading"
    heading = dialog.select_one("#confirm-dialog-heading").get_text(strip=True)
    assert heading == title, heading
    unchanged()
    r = post_form(client, action, fields)
    assert r.status_code == 200 and "<html" in r.text
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select_one("#confirm-heading").get_text(strip=True) == title
    said = " ".join(li.get_text(" ", strip=True) for li in soup.select(".confirm-page li"))
    for words in says:
        assert words in said, (words, said)
    assert soup.select_one(".confirm-page a.button")["href"].split("#")[0] == page_url
    unchanged()
    yes = soup.select_one(f".confirm-page form[action='{action}']")
    again = {i["name"]: i.get("value", "") for i in yes.select("input[type=hidden]")
             if i["name"] != "csrf_token"}
    assert again["confirmed"] == "1"
    # Said yes, but from another site (no CSRF token): refused.
    assert client.post(action, data=again).status_code == 403
    unchanged()
    return again
