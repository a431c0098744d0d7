"""The app shell: health, security headers, CSRF, error pages, HTMX fragments, logs."""

import logging

from bs4 import BeautifulSoup
from fastapi import APIRouter
from fastapi.testclient import TestClient

from tests.conftest import csrf, htmx_get, login, post_form


def test_healthz_answers_ok_without_login(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.text == "ok\n"
    assert r.headers["cache-control"] == "no-store"
    assert "set-cookie" not in r.headers  # no session or CSRF work for a probe


def test_every_response_has_security_headers(client):
    for path in ("/login", "/healthz", "/no-such-page", "/static/css/app.css"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert r.headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_scripts_or_styles(client, db, factory):
    m = factory.municipality()
    school = factory.school(m)
    login(client, db, factory.user("consultant", municipality=m))
    for path in ("/login", f"/municipalities/{m.id}", f"/municipalities/{m.id}/schools",
                 f"/schools/{school.id}", f"/schools/{school.id}/edit"):
        soup = BeautifulSoup(client.get(path).text, "html.parser")
        for script in soup.find_all("script"):
            assert script.get("src", "").startswith("/static/"), path
            assert not script.string, path
        assert not soup.find_all("style"), path
        assert not soup.select("[style]"), path
        assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]


def test_htmx_is_vendored_with_version_and_licence(client):
    r = client.get("/static/vendor/htmx/htmx.min.js")
    assert r.status_code == 200 and 'version:"2.0.11"' in r.text
    from app.paths import STATIC

    assert "Zero-Clause BSD" in (STATIC / "vendor/htmx/LICENSE").read_text()
    assert "2.0.11" in (STATIC / "vendor/htmx/VERSION").read_text()


def test_state_changing_request_without_csrf_token_is_refused(client, db, factory):
    m = factory.municipality()
    login(client, db, factory.user("consultant", municipality=m))
    csrf(client)
    r = client.post(f"/municipalities/{m.id}/schools/new",
                    data={"name": "Ny skole", "institution_number": "123456"})
    assert r.status_code == 403
    assert "Formularen er udløbet" in r.text
    r = client.post(f"/municipalities/{m.id}/schools/new", headers={"X-CSRF-Token": "forged"},
                    data={"name": "Ny skole", "institution_number": "123456"})
    assert r.status_code == 403
    # The same request with the token goes through (so the refusal was the token).
    r = post_form(client, f"/municipalities/{m.id}/schools/new",
                  {"name": "Ny skole", "institution_number": "123456"})
    assert r.status_code == 303


def test_htmx_request_with_csrf_header_is_accepted(client, db, factory):
    m = factory.municipality()
    school = factory.school(m, student_count=100)
    login(client, db, factory.user("consultant", municipality=m))
    token = csrf(client)
    r = client.post(f"/schools/{school.id}/fields/student_count",
                    data={"student_count": "120", "version": school.version},
                    headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert r.status_code == 200


def test_404_is_a_danish_page_and_an_htmx_fragment(client):
    r = client.get("/no-such-page", headers={"Accept-Language": "da"})
    assert r.status_code == 404
    assert "<html" in r.text and "Siden findes ikke" in r.text
    r = htmx_get(client, "/no-such-page")
    assert r.status_code == 404
    assert "<html" not in r.text and "Siden findes ikke" in r.text
    assert r.headers["hx-retarget"] == "#messages"


def test_malformed_id_in_path_is_404_not_500(client, db, factory):
    login(client, db, factory.user("admin"))
    assert client.get("/schools/abc").status_code == 404


def test_403_is_a_danish_page(client, db, factory):
    m1, m2 = factory.municipality(), factory.municipality()
    login(client, db, factory.user("consultant", municipality=m1))
    r = client.get(f"/municipalities/{m2.id}")
    assert r.status_code == 403 and "Adgang nægtet" in r.text


def test_500_is_a_logged_danish_page_with_headers(database_url, caplog):
    from fastapi import Depends

    from app.accounts.access import PUBLIC
    from app.main import create_app

    crashing = create_app()  # its own app: the crash route must not leak into others
    router = APIRouter()

    @router.get("/test-crash", dependencies=[Depends(PUBLIC)])
    def crash():
        raise RuntimeError("boom")

    crashing.include_router(router)
    with TestClient(crashing, raise_server_exceptions=False) as c:
        with caplog.at_level(logging.ERROR, logger="sus.errors"):
            r = c.get("/test-crash")
            rh = c.get("/test-crash", headers={"HX-Request": "true"})
    assert r.status_code == 500 and "Der gik noget galt" in r.text and "<html" in r.text
    assert "boom" not in r.text  # no internals shown to the user
    assert r.headers["content-security-policy"]
    assert rh.status_code == 500 and "<html" not in rh.text and "Der gik noget galt" in rh.text
    assert "boom" in caplog.text


def test_full_page_vs_fragment_by_hx_request(client, db, factory):
    m = factory.municipality()
    login(client, db, factory.user("consultant", municipality=m))
    full = client.get(f"/municipalities/{m.id}")
    frag = htmx_get(client, f"/municipalities/{m.id}")
    assert "<html" in full.text and "<html" not in frag.text
    assert "<title>" in frag.text and m.name in frag.text
    assert full.headers["vary"] == "HX-Request" and frag.headers["vary"] == "HX-Request"


def test_access_log_never_contains_secrets(client, caplog, db, factory):
    user = factory.user("admin", email="secret-user@test.dk", password="hemmeligt-kodeord")
    with caplog.at_level(logging.INFO, logger="sus.access"):
        post_form(client, "/login", {"email": "secret-user@test.dk", "password": "hemmeligt-kodeord"})
        session_cookie = client.cookies.get("sus_session")
        client.get("/feeds/p/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789.ics?token=topsecretvalue123")
    text = caplog.text
    assert "POST /login" in text
    assert "hemmeligt-kodeord" not in text
    assert session_cookie and session_cookie not in text
    assert "topsecretvalue123" not in text and "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" not in text
    assert "token=…" in text and "[redacted]" in text
    assert user.email not in text


def test_danish_catalogue_translates_every_message():
    from app.i18n_catalog import missing

    assert missing("da") == []


def test_english_catalogue_holds_no_danish():
    """English is the source language: an English msgstr is empty or English, never the
    Danish text (the notes catalogue once had its Danish copied in)."""
    from app import i18n_catalog as c

    danish_in_english = []
    for domain in ["core", *c.domains()]:
        da = c.read("da", domain)
        for m in c.read("en", domain):
            d = da.get(m.id) if m.id and not isinstance(m.id, tuple) else None
            if d and m.string and m.string == d.string and m.string != m.id:
                danish_in_english.append((domain, m.id))
    assert danish_in_english == []


def test_english_catalogue_is_used_when_chosen(client, db, factory):
    user = factory.user("admin")
    login(client, db, user)
    post_form(client, "/account/language", {"locale": "en"})
    r = client.get("/account")
    assert "Your account" in r.text and "Language of the pages" in r.text
    post_form(client, "/account/language", {"locale": ""})
    r = client.get("/account", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Your account" in r.text
    r = client.get("/account", headers={"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"})
    assert "Din konto" in r.text


def test_dates_and_weeks_in_danish():
    from datetime import date, datetime, timezone

    from app import i18n

    i18n.set_locale("da")
    assert i18n.format_date(date(2026, 4, 14)) == "tirsdag 14. april 2026"
    assert i18n.format_week(date(2026, 4, 20)) == "uge 17"
    # 12:00 UTC in summer is 14:00 in Copenhagen
    assert i18n.format_time(datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)) == "14:00"
    i18n.set_locale("en")
    assert i18n.format_date(date(2026, 4, 14)) == "Tuesday 14 April 2026"
    i18n.set_locale("da")


def test_stylesheet_blocks_are_balanced():
    """An unclosed @media block silently swallows every rule after it."""
    from app.paths import STATIC

    css = (STATIC / "css/app.css").read_text()
    depth = 0
    for number, line in enumerate(css.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"line {number} closes a block that was never opened"
        if line.startswith(("@media", "/*")):
            assert depth in (0, 1) and (depth == 0 or line.startswith("@media")), \
                f"line {number} starts inside an open block"
    assert depth == 0
