"""Single sign-on end to end against a real OpenID provider (oidc-provider under Node):
authorization code with PKCE, matching by e-mail, roles from groups, refusals, and the
attacks the protocol must stop: a wrong state, a replayed code, a wrong audience and an
expired ID token."""

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.accounts.access import SESSION_COOKIE
from app.accounts.models import Role, RoleAssignment, User
from app.audit.models import AuditAction, AuditEntry
from app.sso import oidc
from app.sso.models import SsoSettings
from app.sso.routes import COOKIE
from tests.conftest import make_person, post_form
from tests.sso.conftest import CLIENT_ID, OTHER_CLIENT_ID, SECRET_ENV, sign_in_at_idp


@pytest.fixture
def municipality(db, factory, idp):
    m = factory.municipality(name="Testrup Kommune")
    db.add(SsoSettings(municipality_id=m.id, enabled=True, issuer=idp, client_id=CLIENT_ID,
                       secret_env=SECRET_ENV, allowed_domains="kommune.test, skole.test",
                       role_claim="groups",
                       role_map="sus-konsulenter = consultant\nsus-ledere = school_leader\n"
                                "sus-deltagere = participant"))
    db.commit()
    return m


def _begin(client, municipality, next_path=None):
    r = client.get(f"/login/sso/{municipality.id}" + (f"?next={next_path}" if next_path else ""))
    assert r.status_code == 303, r.text
    return r.headers["location"]


def _callback(client, url):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def _login(client, municipality, login, next_path=None):
    return _callback(client, sign_in_at_idp(_begin(client, municipality, next_path), login))


def _signed_in_as(client):
    r = client.get("/account")
    return r.status_code == 200 and BeautifulSoup(r.text, "html.parser").select_one("main").get_text(" ")


def test_the_login_page_offers_the_municipalitys_login(client, municipality):
    soup = BeautifulSoup(client.get("/login").text, "html.parser")
    link = soup.find("a", string=lambda s: s and "Testrup Kommune" in s)
    assert link["href"] == f"/login/sso/{municipality.id}"
    assert "Log ind med Testrup Kommune" in link.text


def test_authorization_request_uses_pkce_s256_state_and_nonce(client, municipality, idp):
    query = parse_qs(urlsplit(_begin(client, municipality)).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert "openid" in query["scope"][0].split()
    assert client.cookies.get(COOKIE) and query["state"][0] not in client.cookies.get(COOKIE)


def test_a_known_person_logs_in_and_gets_the_mapped_role(client, db, municipality, factory):
    school = factory.school(municipality, name="Testrup Skole")
    person = make_person(db, municipality, "Lene Leder", school=school, email="leder@skole.test")
    r = _login(client, municipality, "leder@skole.test", next_path="/account")
    assert r.status_code == 303 and r.headers["location"] == "/account"
    assert client.cookies.get(SESSION_COOKIE)
    user = db.exec(select(User).where(User.email == "leder@skole.test")).one()
    assert user.person_id == person.id and user.password_hash is None
    roles = {(ra.role, ra.school_id) for ra in db.exec(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id))}
    assert roles == {(Role.SCHOOL_LEADER, school.id)}
    assert "Lene Leder" in _signed_in_as(client)
    [entry] = db.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.LOGIN)).all()
    assert entry.user_id == user.id and "single sign-on" in entry.details


def test_roles_follow_the_groups_at_every_login(client, db, municipality, factory):
    user = factory.user("participant", municipality=municipality, email="konsulent@kommune.test")
    [old] = db.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all()
    old_id = old.id
    _login(client, municipality, "konsulent@kommune.test")
    roles = {ra.role for ra in db.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id))}
    assert roles == {Role.CONSULTANT}
    # The sync's bulk DELETE of the old role is in the audit log, with who and from where.
    [deleted] = db.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.DELETE,
                                                 AuditEntry.record == f"roleassignment:{old_id}")).all()
    assert deleted.path == "/login/sso/callback" and deleted.address == "testclient"


def test_an_unknown_address_is_refused_with_a_danish_page(client, db, municipality):
    r = _login(client, municipality, "ny@kommune.test")
    assert r.status_code == 403
    text = BeautifulSoup(r.text, "html.parser").select_one("[role=alert]").text
    assert "ny@kommune.test" in text and "ikke kendt" in text
    assert db.exec(select(User).where(User.email == "ny@kommune.test")).first() is None
    assert not client.cookies.get(SESSION_COOKIE)
    refused = db.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.LOGIN_REFUSED)).all()
    assert [e.details for e in refused] == ["no person with the address"]


def test_an_unknown_address_gets_a_person_when_the_municipality_allows_it(client, db, municipality):
    row = db.exec(select(SsoSettings).where(SsoSettings.municipality_id == municipality.id)).one()
    row.allow_create = True
    db.add(row)
    db.commit()
    assert _login(client, municipality, "ny@kommune.test").status_code == 303
    user = db.exec(select(User).where(User.email == "ny@kommune.test")).one()
    assert user.name == "Nina Ny" and user.person_id is not None
    assert {ra.role for ra in db.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id))} \
        == {Role.PARTICIPANT}


def test_an_address_outside_the_allowed_domains_is_refused(client, db, municipality):
    r = _login(client, municipality, "fremmed@andetsted.test")
    assert r.status_code == 403 and "andetsted.test" in r.text
    assert not client.cookies.get(SESSION_COOKIE)


def test_a_deactivated_user_is_refused(client, db, municipality, factory):
    user = factory.user("consultant", municipality=municipality, email="konsulent@kommune.test")
    user.is_active = False
    db.add(user)
    db.commit()
    r = _login(client, municipality, "konsulent@kommune.test")
    assert r.status_code == 403 and "deaktiveret" in r.text


def test_a_wrong_state_is_refused(client, db, municipality, factory):
    factory.user("consultant", municipality=municipality, email="konsulent@kommune.test")
    url = sign_in_at_idp(_begin(client, municipality), "konsulent@kommune.test")
    r = _callback(client, url.replace("state=", "state=x"))
    assert r.status_code == 400 and "hører ikke til" in r.text
    assert not client.cookies.get(SESSION_COOKIE)


def test_a_callback_without_the_browsers_cookie_is_refused(client, db, municipality, factory):
    factory.user("consultant", municipality=municipality, email="konsulent@kommune.test")
    url = sign_in_at_idp(_begin(client, municipality), "konsulent@kommune.test")
    client.cookies.delete(COOKIE, path="/login/sso")
    client.cookies.clear()
    assert _callback(client, url).status_code == 400
    assert not client.cookies.get(SESSION_COOKIE)


def test_a_replayed_code_is_refused(client, db, municipality, factory):
    factory.user("consultant", municipality=municipality, email="konsulent@kommune.test")
    url = sign_in_at_idp(_begin(client, municipality), "konsulent@kommune.test")
    state_cookie = client.cookies.get(COOKIE)
    assert _callback(client, url).status_code == 303
    client.cookies.clear()
    client.cookies.set(COOKIE, state_cookie, path="/login/sso")
    r = _callback(client, url)
    assert r.status_code == 403 and not client.cookies.get(SESSION_COOKIE)
    refused = db.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.LOGIN_REFUSED)).one()
    assert refused.details == "token endpoint: invalid_grant"


def test_an_id_token_for_another_client_is_refused(client, db, municipality, factory, idp, monkeypatch):
    """The provider's genuine ID token, issued to another application: wrong audience."""
    factory.user("consultant", municipality=municipality, email="konsulent@kommune.test")
    ours = _begin(client, municipality)
    nonce = parse_qs(urlsplit(ours).query)["nonce"][0]
    # The other application's own login, with the same nonce: only the audience differs.
    callback = "http://testserver/login/sso/callback"
    other = oidc.Pending(state="other-state", nonce=nonce, verifier="v" * 64)
    url, _state = oidc._client(OTHER_CLIENT_ID, None, callback).create_authorization_url(
        oidc.discover(idp)["authorization_endpoint"], state=other.state, nonce=nonce,
        code_verifier=other.verifier)
    code = parse_qs(urlsplit(sign_in_at_idp(url, "konsulent@kommune.test")).query)["code"][0]
    foreign = oidc.exchange_code(idp, OTHER_CLIENT_ID, "another-secret", callback, code, other)
    real_exchange = oidc.exchange_code

    def exchange_then_swap(*args, **kw):
        tokens = real_exchange(*args, **kw)
        return {**tokens, "id_token": foreign["id_token"]}

    monkeypatch.setattr(oidc, "exchange_code", exchange_then_swap)
    r = _callback(client, sign_in_at_idp(ours, "konsulent@kommune.test"))
    assert r.status_code == 403 and not client.cookies.get(SESSION_COOKIE)
    refused = db.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.LOGIN_REFUSED)).one()
    assert "aud" in refused.details


def test_an_expired_id_token_is_refused(client, db, municipality, factory, monkeypatch):
    factory.user("consultant", municipality=municipality, email="konsulent@kommune.test")
    url = sign_in_at_idp(_begin(client, municipality), "konsulent@kommune.test")
    real_now = oidc.now()
    monkeypatch.setattr(oidc, "now", lambda: real_now + 2 * 3600)  # the token lives 1 hour
    r = _callback(client, url)
    assert r.status_code == 403 and not client.cookies.get(SESSION_COOKIE)
    refused = db.exec(select(AuditEntry).where(AuditEntry.action == AuditAction.LOGIN_REFUSED)).one()
    assert "exp" in refused.details


def test_logout_ends_the_local_session(client, db, municipality, factory):
    factory.user("consultant", municipality=municipality, email="konsulent@kommune.test")
    _login(client, municipality, "konsulent@kommune.test")
    token = client.cookies.get(SESSION_COOKIE)
    assert _signed_in_as(client)
    assert post_form(client, "/logout").status_code == 303
    client.cookies.set(SESSION_COOKIE, token)  # even a kept cookie no longer works
    assert client.get("/account").status_code == 303


def test_a_municipality_without_single_sign_on_has_no_login(client, db, factory):
    m = factory.municipality()
    assert client.get(f"/login/sso/{m.id}").status_code == 404
