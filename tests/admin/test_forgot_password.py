""""Glemt adgangskode": the same answer whether or not the address has a login; rate limited
in the login throttle table; the link sets a new password once."""

import re

from bs4 import BeautifulSoup

from app.admin import tokens
from tests.admin.conftest import outbox_for
from tests.conftest import post_form


def _answer(r) -> str:
    main = BeautifulSoup(r.text, "html.parser").select_one("main")
    return " ".join(main.get_text(" ").split())


def test_the_login_page_links_to_it(client):
    soup = BeautifulSoup(client.get("/login").text, "html.parser")
    assert soup.find("a", string="Glemt adgangskode?")["href"] == "/password/forgot"
    assert client.get("/password/forgot").status_code == 200


def test_same_answer_whether_or_not_the_address_exists(client, db, world, factory):
    factory.user("consultant", municipality=world["m"], email="findes@aeblerod.dk",
                 password="gammel kode 123")
    known = post_form(client, "/password/forgot", {"email": "findes@aeblerod.dk"})
    unknown = post_form(client, "/password/forgot", {"email": "findes.ikke@aeblerod.dk"})
    assert known.status_code == unknown.status_code == 200
    assert _answer(known).replace("findes@", "X@") == _answer(unknown).replace("findes.ikke@", "X@")
    assert "Hvis findes@aeblerod.dk har et login" in _answer(known)
    assert len(outbox_for(db, "findes@aeblerod.dk")) == 1
    assert outbox_for(db, "findes.ikke@aeblerod.dk") == []


def test_a_deactivated_login_gets_no_mail(client, db, world, factory):
    user = factory.user("consultant", municipality=world["m"], email="stop@aeblerod.dk")
    user.is_active = False
    db.add(user)
    db.commit()
    r = post_form(client, "/password/forgot", {"email": "stop@aeblerod.dk"})
    assert r.status_code == 200 and outbox_for(db, "stop@aeblerod.dk") == []


def test_rate_limited_per_address_and_per_client(client, db, world, factory):
    factory.user("consultant", municipality=world["m"], email="mange@aeblerod.dk")
    for _ in range(tokens.RESET_PER_ACCOUNT):
        assert post_form(client, "/password/forgot", {"email": "mange@aeblerod.dk"}).status_code \
            == 200
    r = post_form(client, "/password/forgot", {"email": "MANGE@aeblerod.dk"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "For mange forespørgsler. Vent 1 minut, og prøv igen." in r.text
    assert len(outbox_for(db, "mange@aeblerod.dk")) == tokens.RESET_PER_ACCOUNT
    # Many addresses from one client: its own limit (the answer is the same for unknown ones).
    statuses = [post_form(client, "/password/forgot", {"email": f"a{i}@x.dk"}).status_code
                for i in range(tokens.RESET_PER_ADDRESS)]
    assert statuses[-1] == 429 and 200 in statuses


def test_the_emailed_link_sets_a_new_password(client, db, world, factory):
    factory.user("consultant", municipality=world["m"], email="glemsom@aeblerod.dk",
                 password="gammel kode 123")
    post_form(client, "/password/forgot", {"email": "glemsom@aeblerod.dk"})
    (row,) = outbox_for(db, "glemsom@aeblerod.dk")
    import email
    import email.policy

    msg = email.message_from_bytes(row.content, policy=email.policy.default)
    assert msg["Subject"] == "Vælg en ny adgangskode til SUS"
    token = re.search(r"/password/(\S+)", msg.get_content()).group(1)
    r = post_form(client, f"/password/{token}", {"password": "ny og lang kode",
                                                 "repeated": "ny og lang kode"})
    assert r.status_code == 303
    r = post_form(client, "/login", {"email": "glemsom@aeblerod.dk", "password": "ny og lang kode"})
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_an_unknown_link_is_a_danish_404(client):
    r = client.get("/password/not-a-real-token")
    assert r.status_code == 404 and "Linket er ikke længere gyldigt" in r.text
