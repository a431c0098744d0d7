"""Subscribe boxes on the step, school, person and municipality pages; making, rotating and
revoking links; the calendar settings. With and without HTMX."""

import re

from bs4 import BeautifulSoup

from app.feeds import service
from app.feeds.models import FeedKind, FeedSettings
from tests.conftest import htmx_get, login, post_form

TOKEN_URL = re.compile(r"http://testserver/feeds/([A-Za-z0-9_\-]{43})\.ics")


def _make(client, w, kind, target_id, person="consultant", htmx=False, next_url="/"):
    return post_form(client, "/calendar-links", {
        "person_id": w.people[person].id, "kind": kind.value, "target_id": target_id,
        "next": next_url}, htmx=htmx)


def test_every_page_offers_its_feed(client, db, world):
    login(client, db, world.users["consultant"])
    pages = {
        f"/steps/{world.steps['dialogues'].id}": "Abonnér på trinnet",
        f"/schools/{world.schools['bakke'].id}": "Abonnér på skolens møder",
        f"/people/{world.people['consultant'].id}": "Abonnér på mine møder",
        f"/municipalities/{world.municipality.id}": "Abonnér på kommunens kalender",
        f"/municipalities/{world.municipality.id}/calendars": "Abonnér på skoleåret 2026/27",
    }
    for url, title in pages.items():
        r = client.get(url)
        assert r.status_code == 200, url
        soup = BeautifulSoup(r.text, "html.parser")
        assert title in soup.get_text(" ", strip=True), url
        assert soup.select_one("form[action='/calendar-links'] button"), url
    # A consultant's page also offers "their schools" to colleagues.
    login(client, db, world.users["participant"])
    text = client.get(f"/people/{world.people['consultant'].id}").text
    assert "Abonnér på de tildelte skoler" in text and "Abonnér på mine møder" not in text
    meeting = client.get(f"/meetings/{world.meetings['dialogue'].id}").text
    assert f"/meetings/{world.meetings['dialogue'].id}/calendar.ics" in meeting


def test_making_a_link_shows_it_once(client, db, world):
    login(client, db, world.users["consultant"])
    step = world.steps["dialogues"]
    r = _make(client, world, FeedKind.STEP, step.id, next_url=f"/steps/{step.id}")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    soup = BeautifulSoup(r.text, "html.parser")
    token = TOKEN_URL.search(r.text).group(1)
    webcal = soup.select_one("a[href^='webcal://']")["href"]
    assert webcal == f"webcal://testserver/feeds/{token}.ics"
    assert soup.select_one(f"a[href='http://testserver/feeds/{token}.ics']")
    assert soup.select_one("input[readonly]")["value"] == f"http://testserver/feeds/{token}.ics"
    assert "Sådan abonnerer du i Outlook og Google" in r.text
    assert "Nyt Outlook" in r.text and "flere timers mellemrum" in r.text
    assert client.get(f"/feeds/{token}.ics").status_code == 200
    # Afterwards the page knows the link exists, but cannot show it again.
    page = client.get(f"/steps/{step.id}").text
    assert token not in page and "Du har en personlig kalenderadresse" in page
    link = service.find_link(db, token)
    assert link.person_id == world.people["consultant"].id and link.kind is FeedKind.STEP


def test_with_htmx_the_box_is_swapped_in_place(client, db, world):
    login(client, db, world.users["consultant"])
    school = world.schools["bakke"]
    r = _make(client, world, FeedKind.SCHOOL, school.id, htmx=True)
    assert r.status_code == 200 and "<html" not in r.text
    assert f'id="feed-school-{school.id}"' in r.text and TOKEN_URL.search(r.text)


def test_rotating_and_revoking(client, db, world):
    login(client, db, world.users["consultant"])
    me = world.people["consultant"]
    old = TOKEN_URL.search(_make(client, world, FeedKind.PERSON, me.id).text).group(1)
    link = service.find_link(db, old)
    r = post_form(client, f"/calendar-links/{link.id}/rotate", {"next": f"/people/{me.id}"})
    new = TOKEN_URL.search(r.text).group(1)
    assert new != old
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    assert client.get(f"/feeds/{new}.ics").status_code == 200
    page = client.get(f"/people/{me.id}").text
    assert "Kalenderadresser og invitationer" in page and "Mine møder: Mette Holm" in page
    r = post_form(client, f"/calendar-links/{link.id}/revoke", {"next": f"/people/{me.id}"})
    assert r.status_code == 303 and r.headers["location"] == f"/people/{me.id}"
    assert client.get(f"/feeds/{new}.ics").status_code == 404
    r = post_form(client, f"/calendar-links/{link.id}/revoke", {"next": "/"})
    assert r.status_code == 404


def test_next_must_stay_on_this_site(client, db, world):
    login(client, db, world.users["consultant"])
    me = world.people["consultant"]
    _make(client, world, FeedKind.PERSON, me.id)
    link = service.links_of(db, me.id)[0]
    r = post_form(client, f"/calendar-links/{link.id}/revoke", {"next": "//evil.example/x"})
    assert r.headers["location"] == f"/people/{me.id}"


def test_who_may_make_and_revoke_links(client, db, world):
    # School leadership cannot make or revoke someone else's link…
    login(client, db, world.users["leader"])
    assert _make(client, world, FeedKind.PERSON, world.people["chief"].id,
                 person="chief").status_code == 403
    assert _make(client, world, FeedKind.SCHOOL, world.schools["sonder"].id,
                 person="leader").status_code == 200  # (own link, own municipality)
    _, token = service.issue_link(db, world.people["chief"], FeedKind.PERSON,
                                  world.people["chief"].id, by_user_id=None)
    link = service.find_link(db, token)
    assert post_form(client, f"/calendar-links/{link.id}/revoke").status_code == 403
    # …nor a personal feed of another person for themselves.
    assert _make(client, world, FeedKind.PERSON, world.people["chief"].id,
                 person="leader").status_code == 403
    # The administration may (a chief without login; a link that leaked).
    login(client, db, world.users["consultant"])
    assert _make(client, world, FeedKind.PERSON, world.people["psych"].id,
                 person="psych").status_code == 200
    assert post_form(client, f"/calendar-links/{link.id}/revoke").status_code == 303
    # Without the CSRF token nothing happens.
    r = client.post("/calendar-links", data={"person_id": world.people["consultant"].id,
                                             "kind": "person", "target_id": 1})
    assert r.status_code == 403


def test_staff_make_the_link_for_a_person_without_login(client, db, world):
    login(client, db, world.users["consultant"])
    page = client.get(f"/people/{world.people['psych'].id}").text
    assert "Abonnér på mine møder" in page  # the psychologist's own feed, made by staff
    page = client.get(f"/people/{world.people['chief'].id}").text
    assert "Abonnér på mine møder" not in page  # the chief has a login: she makes her own


def test_settings_public_feeds_and_organizer(client, db, world):
    url = f"/municipalities/{world.municipality.id}/calendars"
    login(client, db, world.users["participant"])
    assert client.get(url).status_code == 200
    assert post_form(client, url, {"public_feeds": "on"}).status_code == 403
    login(client, db, world.users["consultant"])
    r = post_form(client, url, {"public_feeds": "on", "organizer_email": "ikke en adresse"})
    assert r.status_code == 422 and "Skal være en e-mailadresse." in r.text
    assert 'value="ikke en adresse"' in r.text
    r = post_form(client, url, {"public_feeds": "on", "organizer_name": "Skole og Uddannelse",
                                "organizer_email": "skole@aeblerod.dk"})
    assert r.status_code == 303
    s = db.get(FeedSettings, world.municipality.id)
    assert s.public_feeds and s.organizer_email == "skole@aeblerod.dk"
    page = client.get(f"/schools/{world.schools['bakke'].id}").text
    assert f"/feeds/public/school/{world.schools['bakke'].id}.ics" in page
    assert "Offentlig kalender" in page
    r = htmx_get(client, url)
    assert "<html" not in r.text and "Offentlige kalendere uden login" in r.text


def test_invitation_preference(client, db, world):
    me = world.people["chief"]
    login(client, db, world.users["participant"])
    page = client.get(f"/people/{me.id}").text
    assert "Invitationer på e-mail" in page and "Standard: ja" in page
    assert post_form(client, f"/people/{me.id}/invitations", {"choice": "no"}).status_code == 303
    assert not service.wants_invitations(db, me)
    post_form(client, f"/people/{me.id}/invitations", {"choice": "default"})
    assert service.wants_invitations(db, me)
    assert post_form(client, f"/people/{me.id}/invitations",
                     {"choice": "maybe"}).status_code == 400
    login(client, db, world.users["leader"])
    assert post_form(client, f"/people/{me.id}/invitations",
                     {"choice": "no"}).status_code == 403
