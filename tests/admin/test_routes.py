"""Every administration page, with and without HTMX, and the roles that are refused."""

import re

import pytest
from bs4 import BeautifulSoup

from app.schools.models import Person
from tests.conftest import htmx_get, login, make_person, post_form


def _pages(world, person):
    return ["/admin", "/admin/municipalities", "/admin/municipalities/new",
            f"/admin/municipalities/{world['m'].id}", "/admin/people", "/admin/people/new",
            f"/admin/people/{person.id}", "/admin/import"]


@pytest.fixture
def person(db, world):
    return make_person(db, world["m"], "Birgitte Æbelø", school=world["school"],
                       email="birgitte@aeblerod.dk")


def test_every_page_whole_and_as_htmx_fragment(client, db, world, person):
    login(client, db, world["admin"])
    for path in _pages(world, person):
        whole = client.get(path)
        assert whole.status_code == 200, path
        assert "<html" in whole.text and whole.headers["vary"] == "HX-Request"
        h1 = BeautifulSoup(whole.text, "html.parser").h1.get_text(strip=True)
        fragment = htmx_get(client, path)
        assert fragment.status_code == 200, path
        assert "<html" not in fragment.text
        assert BeautifulSoup(fragment.text, "html.parser").h1.get_text(strip=True) == h1


def test_the_menu_shows_administration_to_administrators_and_consultants(client, db, world,
                                                                         factory):
    for user, shown in ((world["admin"], True), (world["consultant"], True),
                        (factory.user("school_leader", school=world["school"]), False),
                        (factory.user("participant", municipality=world["m"]), False)):
        client.cookies.clear()
        login(client, db, user)
        nav = BeautifulSoup(client.get("/account").text, "html.parser").select(".main-nav a")
        assert ("Administration" in [a.text for a in nav]) is shown


def test_school_leaders_and_participants_are_refused_everywhere(app, client, db, world, person,
                                                                factory):
    from app.route_table import api_routes

    paths = sorted({(m, r.path) for r in api_routes(app) for m in r.methods - {"HEAD"}
                    if r.path.startswith("/admin")})
    assert len(paths) >= 15
    ids = {"municipality_id": world["m"].id, "person_id": person.id, "assignment_id": 1}
    for user in (factory.user("school_leader", school=world["school"]),
                 factory.user("participant", municipality=world["m"]),
                 factory.user("none")):
        client.cookies.clear()
        login(client, db, user)
        for method, path in paths:
            url = re.sub(r"\{(\w+)\}", lambda g: str(ids[g.group(1)]), path)
            r = client.get(url) if method == "GET" else post_form(client, url, {"name": "X"})
            assert r.status_code == 403, f"{user.email} {method} {url} → {r.status_code}"
    db.refresh(person)
    assert person.name == "Birgitte Æbelø"


def test_a_consultant_administers_only_their_own_municipality(client, db, world, person):
    login(client, db, world["consultant"])
    stranger = make_person(db, world["other"], "Fremmed Person", email="f@paerelund.dk")
    assert client.get(f"/admin/people/{person.id}").status_code == 200
    assert client.get(f"/admin/people/{stranger.id}").status_code == 403
    assert post_form(client, f"/admin/people/{stranger.id}/invite").status_code == 403
    # The municipalities pages are the administrators'.
    assert client.get("/admin/municipalities").status_code == 403
    assert client.get(f"/admin/municipalities/{world['m'].id}").status_code == 403
    assert post_form(client, "/admin/municipalities/new",
                     {"name": "Ny Kommune", "kommunekode": "997"}).status_code == 403
    # The list holds only their municipality's people.
    text = client.get("/admin/people").text
    assert "Birgitte Æbelø" in text and "Fremmed Person" not in text
    # A person cannot be created in another municipality.
    r = post_form(client, "/admin/people/new", {"name": "Snyd", "municipality_id":
                                                world["other"].id})
    assert r.status_code == 422
    assert "Du administrerer ikke denne kommune." in r.text
    assert db.exec(Person.__table__.select().where(Person.name == "Snyd")).first() is None


def test_a_consultant_may_not_make_an_administrator_nor_touch_one(client, db, world, person,
                                                                 factory):
    login(client, db, world["consultant"])
    r = post_form(client, f"/admin/people/{person.id}/roles", {"role": "admin"})
    assert r.status_code == 422 and "Du må ikke give denne rolle der." in r.text
    r = post_form(client, f"/admin/people/{person.id}/roles",
                  {"role": "consultant", "municipality_id": world["other"].id})
    assert r.status_code == 422 and "Du må ikke give denne rolle der." in r.text
    # A person of the municipality whose login is an administrator: hands off.
    boss = make_person(db, world["m"], "Chef Admin", email="chef@aeblerod.dk")
    user = factory.user("admin", email="chef@aeblerod.dk")
    user.person_id = boss.id
    db.add(user)
    db.commit()
    page = client.get(f"/admin/people/{boss.id}")
    assert "kun en administrator kan ændre det" in page.text
    for action in ("invite", "deactivate", "reactivate"):
        assert post_form(client, f"/admin/people/{boss.id}/{action}").status_code == 403
    db.refresh(user)
    assert user.is_active


def test_anonymous_is_sent_to_login(client, world):
    r = client.get("/admin")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_people_search_with_and_without_htmx(client, db, world, person):
    make_person(db, world["m"], "Søren Pære", email="soeren@aeblerod.dk")
    login(client, db, world["admin"])
    r = htmx_get(client, "/admin/people?q=pære", **{"HX-Target": "people-rows"})
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find().name == "tbody" and "<html" not in r.text
    assert [a.text for a in soup.select("a")] == ["Søren Pære"]
    # By school name, and by municipality; without JavaScript a whole page.
    r = client.get("/admin/people?q=Æblerød+Skole")
    assert "<html" in r.text and "Birgitte Æbelø" in r.text and "Søren Pære" not in r.text
    r = client.get(f"/admin/people?municipality={world['other'].id}")
    assert "Birgitte Æbelø" not in r.text and "Ingen personer passer til søgningen." in r.text
