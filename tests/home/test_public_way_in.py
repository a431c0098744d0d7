"""The public way in: /public, the login page's link to it, the accessibility statement."""

import pytest

from tests.demo_site import client_for


@pytest.mark.parametrize("htmx", [False, True])
def test_public_lists_publishing_municipalities_with_schools(htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    r = client_for(None).get("/public", headers=headers)
    assert r.status_code == 200
    assert "Skanderborg Kommune" in r.text  # the demo publishes its notes
    assert 'href="/public/schools/' in r.text
    assert 'href="/public/municipalities/' in r.text


def test_a_municipality_that_does_not_publish_is_not_listed(db, client, factory):
    from app.notes import service

    quiet = factory.municipality(name="Tavs Kommune")
    row = service.municipality_settings(db, quiet.id)
    row.publishes = False
    loud = factory.municipality(name="Åben Kommune")
    service.municipality_settings(db, loud.id).publishes = True
    db.add(row)
    db.commit()
    r = client.get("/public")
    assert r.status_code == 200 and "Tavs Kommune" not in r.text
    assert "Åben Kommune" in r.text


def test_login_page_links_to_the_public_notes():
    r = client_for(None).get("/login")
    assert 'href="/public"' in r.text


def test_footer_links_to_the_built_in_accessibility_statement():
    r = client_for(None).get("/login")
    assert 'href="/accessibility"' in r.text
    page = client_for(None).get("/accessibility")
    assert page.status_code == 200
    assert "(WCAG) 2.1 på niveau AA" in page.text and "Tilgængelighedserklæring" in page.text


def test_footer_uses_the_configured_accessibility_statement(monkeypatch):
    from app.config import get_settings

    url = "https://www.was.digst.dk/skanderborg-dk"
    monkeypatch.setattr(get_settings(), "accessibility_url", url)
    r = client_for(None).get("/login")
    assert f'href="{url}"' in r.text
