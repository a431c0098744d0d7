"""People and their logins: create, edit, invite, set a password from the link once, roles,
deactivate (sessions and calendar links stop at once), reactivate, reset by e-mail."""

import email
import email.policy
import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.access import SESSION_COOKIE, hash_token
from app.accounts.models import Role, RoleAssignment, User, UserSession
from app.admin import tokens
from app.admin.models import AccountToken, TokenPurpose
from app.feeds import service as feeds
from app.feeds.models import FeedKind
from app.schools.models import Person, PersonFunction
from tests.admin.conftest import outbox_for
from tests.conftest import login, make_person, post_form


def _link_in(db, address: str) -> str:
    (row,) = outbox_for(db, address)
    msg = email.message_from_bytes(row.content, policy=email.policy.default)
    return re.search(r"https?://\S+/password/(\S+)", msg.get_content()).group(1)


@pytest.fixture
def leader(db, world):
    return make_person(db, world["m"], "Birgitte Æbelø", function=PersonFunction.SCHOOL_LEADER,
                       school=world["school"], email="birgitte@aeblerod.dk")


def test_create_person_with_errors_keeps_the_input_and_says_so_in_danish(client, db, world):
    login(client, db, world["admin"])
    form = {"name": "Lars Kerne", "email": "lars.kerne(at)aeblerod.dk", "function": "consultant",
            "organisation": "Skole og Uddannelse", "municipality_id": world["m"].id,
            "school_id": world["other_school"].id}
    r = post_form(client, "/admin/people/new", form)
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select_one("#f-email")["value"] == "lars.kerne(at)aeblerod.dk"
    assert soup.select_one("#f-organisation")["value"] == "Skole og Uddannelse"
    assert soup.select_one("#f-email-error").text == \
        "Skal være en e-mailadresse, fx navn@kommune.dk."
    form["email"] = "Lars.Kerne@Aeblerod.dk"
    r = post_form(client, "/admin/people/new", form)
    assert r.status_code == 422
    assert BeautifulSoup(r.text, "html.parser").select_one("#f-school_id-error").text == \
        "Vælg en skole i personens kommune."
    form["school_id"] = ""
    r = post_form(client, "/admin/people/new", form)
    assert r.status_code == 303
    person = db.exec(select(Person).where(Person.name == "Lars Kerne")).one()
    assert person.email == "lars.kerne@aeblerod.dk" and person.function is \
        PersonFunction.CONSULTANT
    assert r.headers["location"] == f"/admin/people/{person.id}"
    # The same address twice is refused.
    r = post_form(client, "/admin/people/new", {**form, "name": "Lars Igen"})
    assert r.status_code == 422 and "Lars Kerne har allerede denne e-mailadresse." in r.text


def test_edit_person(client, db, world, leader):
    login(client, db, world["consultant"])
    r = post_form(client, f"/admin/people/{leader.id}", {
        "name": "Birgitte Æbelø Hansen", "email": "birgitte@aeblerod.dk",
        "function": "school_leader", "title": "Skoleleder", "municipality_id": world["m"].id,
        "school_id": world["school"].id})
    assert r.status_code == 303
    db.refresh(leader)
    assert leader.name == "Birgitte Æbelø Hansen" and leader.title == "Skoleleder"


def test_invitation_sets_a_password_once_and_the_leader_sees_their_school(client, db, world,
                                                                          leader):
    login(client, db, world["consultant"])
    r = post_form(client, f"/admin/people/{leader.id}/invite")
    assert r.status_code == 200
    shown = BeautifulSoup(r.text, "html.parser").select_one("#invitation-link code").text
    user = db.exec(select(User).where(User.person_id == leader.id)).one()
    assert user.password_hash is None and user.email == "birgitte@aeblerod.dk"
    # A school leader is given the leadership of their school by default.
    assert [(g.role, g.school_id) for g in db.exec(select(RoleAssignment).where(
        RoleAssignment.user_id == user.id))] == [(Role.SCHOOL_LEADER, world["school"].id)]
    token = _link_in(db, "birgitte@aeblerod.dk")
    assert shown.endswith("/password/" + token)
    # Stored hashed only.
    (row,) = db.exec(select(AccountToken).where(AccountToken.user_id == user.id))
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert row.purpose is TokenPurpose.INVITATION and row.created_by_user_id == \
        world["consultant"].id
    page = BeautifulSoup(client.get(f"/admin/people/{leader.id}").text, "html.parser")
    assert "Inviteret, ingen adgangskode endnu" in page.text and "#invitation-link" not in str(page)
    assert page.select_one("#invitation-link") is None  # shown once only

    client.cookies.clear()
    assert client.get(f"/password/{token}").status_code == 200
    r = post_form(client, f"/password/{token}", {"password": "kort", "repeated": "kort"})
    assert r.status_code == 422 and "Adgangskoden skal have mindst 10 tegn." in r.text
    r = post_form(client, f"/password/{token}", {"password": "æbletræet blomstrer",
                                                 "repeated": "æbletræet blomstrer!"})
    assert r.status_code == 422 and "De to adgangskoder er ikke ens." in r.text
    r = post_form(client, f"/password/{token}", {"password": "æbletræet blomstrer",
                                                 "repeated": "æbletræet blomstrer"})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    # Used up.
    assert client.get(f"/password/{token}").status_code == 404
    r = post_form(client, f"/password/{token}", {"password": "en helt anden kode",
                                                 "repeated": "en helt anden kode"})
    assert r.status_code == 404 and "Linket er ikke længere gyldigt" in r.text

    r = post_form(client, "/login", {"email": "Birgitte@aeblerod.dk",
                                     "password": "æbletræet blomstrer"})
    assert r.status_code == 303
    page = client.get(f"/schools/{world['school'].id}")
    assert page.status_code == 200 and "Æblerød Skole" in page.text
    assert client.get(f"/schools/{world['other_school'].id}").status_code == 403


def test_an_expired_or_replaced_link_does_not_work(client, db, world, leader):
    login(client, db, world["admin"])
    post_form(client, f"/admin/people/{leader.id}/invite")
    first = _link_in(db, "birgitte@aeblerod.dk")
    post_form(client, f"/admin/people/{leader.id}/invite")
    assert client.get(f"/password/{first}").status_code == 404  # replaced by the new one
    row = db.exec(select(AccountToken)).one()
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.add(row)
    db.commit()
    user = db.exec(select(User).where(User.person_id == leader.id)).one()
    assert tokens.use(db, "x" * 43, "whatever password") is None
    assert tokens.find(db, "") is None
    db.refresh(user)
    assert user.password_hash is None


def test_inviting_someone_without_an_email_says_what_to_do(client, db, world):
    person = make_person(db, world["m"], "Uden Mail")
    login(client, db, world["admin"])
    r = post_form(client, f"/admin/people/{person.id}/invite")
    assert r.status_code == 422
    assert "Giv først personen en e-mailadresse: invitationen sendes dertil." in r.text


def test_deactivation_stops_sessions_and_calendar_links_at_once(client, db, world, leader,
                                                                factory):
    from fastapi.testclient import TestClient

    user = factory.user("school_leader", school=world["school"], email="birgitte@aeblerod.dk")
    user.person_id = leader.id
    db.add(user)
    db.commit()
    _link, feed_token = feeds.issue_link(db, leader, FeedKind.PERSON, leader.id, by_user_id=None)
    login(client, db, world["admin"])
    leader_client = TestClient(client.app, follow_redirects=False)
    login(leader_client, db, user)
    assert leader_client.get(f"/schools/{world['school'].id}").status_code == 200
    assert client.get(f"/feeds/{feed_token}.ics").status_code == 200

    r = post_form(client, f"/admin/people/{leader.id}/deactivate")
    assert r.status_code == 303
    assert db.exec(select(UserSession).where(UserSession.user_id == user.id)).all() == []
    r = leader_client.get(f"/schools/{world['school'].id}")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get(f"/feeds/{feed_token}.ics").status_code == 404
    page = client.get(f"/admin/people/{leader.id}").text
    assert "Deaktiveret" in page and "Genaktivér login" in page

    assert post_form(client, f"/admin/people/{leader.id}/reactivate").status_code == 303
    db.refresh(user)
    assert user.is_active
    assert client.get(f"/feeds/{feed_token}.ics").status_code == 200


def test_an_administrator_cannot_lock_themselves_out(client, db, world):
    me = make_person(db, world["m"], "Ada Admin", email="admin@test.dk")
    world["admin"].person_id = me.id
    db.add(world["admin"])
    db.commit()
    login(client, db, world["admin"])
    r = post_form(client, f"/admin/people/{me.id}/deactivate")
    assert r.status_code == 409 and "Du kan ikke deaktivere dit eget login." in r.text
    (grant,) = db.exec(select(RoleAssignment).where(
        RoleAssignment.user_id == world["admin"].id)).all()
    r = post_form(client, f"/admin/people/{me.id}/roles/{grant.id}/delete")
    assert r.status_code == 409 and "Du kan ikke fjerne din egen administratorrolle." in r.text


def test_give_and_take_away_roles(client, db, world, leader):
    login(client, db, world["admin"])
    r = post_form(client, f"/admin/people/{leader.id}/roles", {"role": "participant"})
    assert r.status_code == 422
    assert BeautifulSoup(r.text, "html.parser").select_one("#f-municipality_id-error").text == \
        "Vælg kommunen."
    r = post_form(client, f"/admin/people/{leader.id}/roles",
                  {"role": "participant", "municipality_id": world["m"].id})
    assert r.status_code == 303
    r = post_form(client, f"/admin/people/{leader.id}/roles",
                  {"role": "school_leader", "school_id": world["school"].id})
    assert r.status_code == 303
    user = db.exec(select(User).where(User.person_id == leader.id)).one()
    grants = {(g.role, g.municipality_id, g.school_id): g for g in db.exec(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id))}
    assert set(grants) == {(Role.PARTICIPANT, world["m"].id, None),
                           (Role.SCHOOL_LEADER, None, world["school"].id)}
    page = client.get(f"/admin/people/{leader.id}").text
    assert "Deltager: Æblerød Kommune" in " ".join(page.split())
    participant = grants[(Role.PARTICIPANT, world["m"].id, None)]
    r = post_form(client, f"/admin/people/{leader.id}/roles/{participant.id}/delete")
    assert r.status_code == 303
    assert db.get(RoleAssignment, participant.id) is None
    # A consultant may make someone consultant of their own municipality.
    client.cookies.clear()
    login(client, db, world["consultant"])
    r = post_form(client, f"/admin/people/{leader.id}/roles",
                  {"role": "consultant", "municipality_id": world["m"].id})
    assert r.status_code == 303


def test_reset_by_email_from_the_administration(client, db, world, leader, factory):
    user = factory.user("school_leader", school=world["school"], email="birgitte@aeblerod.dk",
                        password="gammel kode 123")
    user.person_id = leader.id
    db.add(user)
    db.commit()
    login(client, db, world["admin"])
    page = client.get(f"/admin/people/{leader.id}").text
    assert "Send e-mail om ny adgangskode" in page
    assert post_form(client, f"/admin/people/{leader.id}/invite").status_code == 200
    token = _link_in(db, "birgitte@aeblerod.dk")
    assert db.exec(select(AccountToken)).one().purpose is TokenPurpose.RESET
    client.cookies.clear()
    r = post_form(client, f"/password/{token}", {"password": "ny kode der er lang",
                                                 "repeated": "ny kode der er lang"})
    assert r.status_code == 303
    db.refresh(user)
    from app.accounts.service import verify_password

    assert verify_password(user.password_hash, "ny kode der er lang")


def test_setting_a_password_ends_the_users_other_sessions(client, db, world, factory):
    user = factory.user("consultant", municipality=world["m"], email="x@aeblerod.dk")
    login(client, db, user)
    token = tokens.issue(db, user, TokenPurpose.RESET)
    tokens.use(db, token, "en lang ny adgangskode")
    assert db.exec(select(UserSession).where(UserSession.user_id == user.id)).all() == []
    assert client.cookies.get(SESSION_COOKIE)
    assert client.get("/account").status_code == 303


def test_municipality_create_and_edit(client, db, world):
    login(client, db, world["admin"])
    r = post_form(client, "/admin/municipalities/new", {
        "name": "Æblerød Kommune", "kommunekode": "74", "organizer_email": "skole@"})
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select_one("#f-kommunekode")["value"] == "74"
    assert soup.select_one("#f-kommunekode-error").text == \
        "Skal være den trecifrede kommunekode, fx 740."
    assert soup.select_one("#f-organizer_email-error").text == \
        "Skal være en e-mailadresse, fx navn@kommune.dk."
    r = post_form(client, "/admin/municipalities/new", {
        "name": "Bøgely Kommune", "kommunekode": "999"})
    assert r.status_code == 422 and "En anden kommune har allerede denne kommunekode." in r.text
    r = post_form(client, "/admin/municipalities/new", {
        "name": "Æblerød Kommune", "kommunekode": "997"})
    assert r.status_code == 422 and "En anden kommune har allerede dette navn." in r.text
    r = post_form(client, "/admin/municipalities/new", {
        "name": "Bøgely Kommune", "kommunekode": "997", "organizer_name": "Skole og Uddannelse",
        "organizer_email": "Skole@Boegely.dk"})
    assert r.status_code == 303
    from app.schools.models import Municipality

    m = db.exec(select(Municipality).where(Municipality.kommunekode == "997")).one()
    assert feeds.settings_of(db, m.id).organizer_email == "skole@boegely.dk"
    page = client.get(f"/admin/municipalities/{m.id}").text
    assert "Kalendere" in page or "Dagsordensskabelon" in page  # the settings links
    r = post_form(client, f"/admin/municipalities/{m.id}", {
        "name": "Bøgely Kommune", "kommunekode": "996", "version": m.version})
    assert r.status_code == 303
    db.refresh(m)
    assert m.kommunekode == "996"
    # A stale form: 409, the user's input kept.
    r = post_form(client, f"/admin/municipalities/{m.id}", {
        "name": "Bøgelund Kommune", "kommunekode": "996", "version": m.version - 1})
    assert r.status_code == 409
    assert BeautifulSoup(r.text, "html.parser").select_one("#f-name")["value"] == \
        "Bøgelund Kommune"
