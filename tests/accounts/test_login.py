"""Logging in and out, sessions, and the login limit per e-mail address."""

from datetime import timedelta

from sqlmodel import select

from app.accounts.access import SESSION_COOKIE, hash_token
from app.accounts.models import User, UserSession
from app.db import utcnow
from tests.conftest import login, post_form


def test_login_sets_a_safe_session_cookie_and_stores_only_a_hash(client, db, factory):
    factory.user("admin", email="anna@test.dk", password="korrekt hest")
    r = post_form(client, "/login", {"email": "Anna@Test.dk ", "password": "korrekt hest"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    token = client.cookies.get(SESSION_COOKIE)
    stored = db.exec(select(UserSession)).all()
    assert [s.token_hash for s in stored] == [hash_token(token)]
    assert client.get("/account").status_code == 200


def test_password_is_hashed_with_argon2id(db, factory):
    user = factory.user("admin", password="korrekt hest")
    assert user.password_hash.startswith("$argon2id$")
    assert "korrekt hest" not in user.password_hash


def test_wrong_password_shows_danish_error_and_keeps_email(client, factory):
    factory.user("admin", email="anna@test.dk", password="korrekt hest")
    r = post_form(client, "/login", {"email": "anna@test.dk", "password": "forkert"})
    assert r.status_code == 400
    assert "Forkert e-mailadresse eller adgangskode." in r.text
    assert 'value="anna@test.dk"' in r.text
    assert SESSION_COOKIE not in client.cookies


def test_unknown_email_gets_the_same_answer(client):
    r = post_form(client, "/login", {"email": "ingen@test.dk", "password": "x"})
    assert r.status_code == 400 and "Forkert e-mailadresse eller adgangskode." in r.text


def test_login_is_rate_limited_per_email(client, factory):
    factory.user("admin", email="anna@test.dk", password="korrekt hest")
    for _ in range(5):
        assert post_form(client, "/login", {"email": "anna@test.dk", "password": "gæt"}).status_code == 400
    r = post_form(client, "/login", {"email": "anna@test.dk", "password": "korrekt hest"})
    assert r.status_code == 429
    assert "For mange mislykkede forsøg" in r.text
    assert SESSION_COOKIE not in client.cookies


def test_successful_login_resets_the_failure_count(client, factory):
    factory.user("admin", email="anna@test.dk", password="korrekt hest")
    for _ in range(4):
        post_form(client, "/login", {"email": "anna@test.dk", "password": "gæt"})
    right = {"email": "anna@test.dk", "password": "korrekt hest"}
    assert post_form(client, "/login", right).status_code == 303
    for _ in range(4):
        post_form(client, "/login", {"email": "anna@test.dk", "password": "gæt"})
    assert post_form(client, "/login", right).status_code == 303


def test_logout_ends_the_session_on_the_server(client, db, factory):
    user = factory.user("admin")
    login(client, db, user)
    token = client.cookies.get(SESSION_COOKIE)
    r = post_form(client, "/logout")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    # Even a copy of the old cookie no longer works.
    client.cookies.set(SESSION_COOKIE, token)
    r = client.get("/account")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_expired_session_is_refused(client, db, factory):
    user = factory.user("admin")
    login(client, db, user)
    for s in db.exec(select(UserSession)).all():
        s.expires_at = utcnow() - timedelta(minutes=1)
        db.add(s)
    db.commit()
    assert client.get("/account").status_code == 303


def test_inactive_user_cannot_log_in_or_use_a_session(client, db, factory):
    user = factory.user("admin", email="gone@test.dk", password="korrekt hest")
    login(client, db, user)
    user.is_active = False
    db.add(user)
    db.commit()
    assert client.get("/account").status_code == 303
    client.cookies.clear()
    r = post_form(client, "/login", {"email": "gone@test.dk", "password": "korrekt hest"})
    assert r.status_code == 400


def test_login_redirects_only_to_local_paths(client, factory):
    factory.user("admin", email="anna@test.dk", password="korrekt hest")
    r = post_form(client, "/login", {"email": "anna@test.dk", "password": "korrekt hest",
                                     "next": "//evil.example/steal"})
    assert r.headers["location"] == "/"
    client.cookies.clear()
    r = post_form(client, "/login", {"email": "anna@test.dk", "password": "korrekt hest",
                                     "next": "/account"})
    assert r.headers["location"] == "/account"


def test_anonymous_page_request_is_sent_to_login_with_next(client):
    r = client.get("/municipalities")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fmunicipalities"


def test_anonymous_htmx_request_gets_401_and_a_redirect_header(client):
    r = client.get("/municipalities", headers={"HX-Request": "true"})
    assert r.status_code == 401 and r.headers["hx-redirect"].startswith("/login")


def test_account_page_lists_roles(client, db, factory):
    m = factory.municipality(name="Rollekommune")
    user = factory.user("consultant", municipality=m)
    login(client, db, user)
    page = client.get("/account").text
    assert "Konsulent: Rollekommune" in page


def test_users_are_stored_with_lowercase_email(db, factory):
    factory.user("admin", email="Stor@Test.DK")
    assert db.exec(select(User).where(User.email == "stor@test.dk")).first() is not None
