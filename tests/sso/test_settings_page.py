"""The administrator's single sign-on settings of a municipality."""

from bs4 import BeautifulSoup
from sqlmodel import select

from app.sso.models import SsoSettings
from tests.conftest import login, post_form


def _form(**kw):
    return {"enabled": "on", "issuer": "https://login.example.dk/tenant/v2.0", "client_id": "sus",
            "secret_env": "SUS_OIDC_SECRET_751", "allowed_domains": "kommune.dk",
            "role_claim": "groups", "role_map": "g1 = consultant", "version": "1", **kw}


def test_admin_saves_settings_and_the_login_page_shows_the_button(client, db, factory):
    m = factory.municipality(name="Gemkommune")
    login(client, db, factory.user("admin"))
    assert client.get(f"/admin/municipalities/{m.id}/sso").status_code == 200
    r = post_form(client, f"/admin/municipalities/{m.id}/sso", _form())
    assert r.status_code == 303
    row = db.exec(select(SsoSettings).where(SsoSettings.municipality_id == m.id)).one()
    assert row.enabled and row.allowed_domains == "kommune.dk"
    client.cookies.clear()
    assert "Log ind med Gemkommune" in client.get("/login").text


def test_bad_input_is_refused_in_danish_and_kept(client, db, factory):
    m = factory.municipality()
    login(client, db, factory.user("admin"))
    r = post_form(client, f"/admin/municipalities/{m.id}/sso", _form(role_map="g1 = admin"))
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert "Linje 1" in soup.select_one("#f-role_map-error").text
    assert soup.select_one("#f-role_map").text.strip() == "g1 = admin"
    r = post_form(client, f"/admin/municipalities/{m.id}/sso", _form(allowed_domains="ikke et domæne"))
    assert r.status_code == 422 and "Ikke et e-maildomæne" in r.text


def test_only_administrators_manage_single_sign_on(client, db, factory):
    m = factory.municipality()
    login(client, db, factory.user("consultant", municipality=m))
    assert client.get(f"/admin/municipalities/{m.id}/sso").status_code == 403
    assert post_form(client, f"/admin/municipalities/{m.id}/sso", _form()).status_code == 403
