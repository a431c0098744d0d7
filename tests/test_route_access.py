"""Every route states who may use it, and anonymous visitors get nothing they shouldn't."""

import re

import pytest

from app.route_table import accesses as _accesses
from app.route_table import api_routes as _routes
from tests.conftest import csrf, login, post_form


def test_every_route_declares_exactly_one_access(app):
    routes = _routes(app)
    assert len(routes) > 10
    for route in routes:
        accesses = _accesses(route.dependant)
        assert len(accesses) == 1, f"{route.path} declares {accesses}"


def test_anonymous_requests_are_refused_except_on_public_routes(app, client):
    token = csrf(client)
    checked = 0
    for route in _routes(app):
        (access,) = _accesses(route.dependant)
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in route.methods - {"HEAD"}:
            r = client.request(method, path, headers={"X-CSRF-Token": token},
                               data={"csrf_token": token} if method != "GET" else None)
            if access.public:
                assert r.status_code < 500, f"{method} {route.path}"
                continue
            checked += 1
            refused = r.status_code in (401, 403) or (
                r.status_code == 303 and r.headers["location"].startswith("/login")
            )
            assert refused, f"{method} {route.path} answered {r.status_code} to anonymous"
    assert checked > 5


@pytest.fixture
def two_schools(db, factory):
    m = factory.municipality()
    own = factory.school(m, name="Egen Skole", student_count=300)
    other = factory.school(m, name="Anden Skole", student_count=400)
    leader = factory.user("school_leader", school=own)
    return m, own, other, leader


def test_school_leader_cannot_change_another_school(client, db, two_schools):
    m, own, other, leader = two_schools
    login(client, db, leader)
    form = {"name": "Overtaget", "institution_number": other.institution_number,
            "kind": "ordinary", "version": other.version}
    assert post_form(client, f"/schools/{other.id}/edit", form).status_code == 403
    assert post_form(client, f"/schools/{other.id}/fields/student_count",
                     {"student_count": "1", "version": other.version}).status_code == 403
    assert client.get(f"/schools/{other.id}/edit").status_code == 403
    assert client.get(f"/schools/{other.id}/fields/student_count/edit").status_code == 403
    assert post_form(client, f"/municipalities/{m.id}/schools/new",
                     {"name": "X", "institution_number": "654321"}).status_code == 403
    db.refresh(other)
    assert other.name == "Anden Skole" and other.student_count == 400


def test_school_leader_can_change_own_school(client, db, two_schools):
    _, own, _, leader = two_schools
    login(client, db, leader)
    r = post_form(client, f"/schools/{own.id}/fields/student_count",
                  {"student_count": "333", "version": own.version})
    assert r.status_code == 303
    db.refresh(own)
    assert own.student_count == 333


def test_consultant_sees_only_own_municipality(client, db, factory):
    m1, m2 = factory.municipality(), factory.municipality()
    s2 = factory.school(m2)
    login(client, db, factory.user("consultant", municipality=m1))
    assert client.get(f"/municipalities/{m1.id}").status_code == 200
    assert client.get(f"/municipalities/{m2.id}").status_code == 403
    assert client.get(f"/schools/{s2.id}").status_code == 403
    page = client.get("/municipalities").text
    assert m1.name in page and m2.name not in page


def test_participant_can_read_but_not_change(client, db, factory):
    m = factory.municipality()
    s = factory.school(m)
    login(client, db, factory.user("participant", municipality=m))
    assert client.get(f"/schools/{s.id}").status_code == 200
    assert "Ret alle oplysninger" not in client.get(f"/schools/{s.id}").text
    assert client.get(f"/schools/{s.id}/edit").status_code == 403


def test_sus_routes_lists_every_route_with_its_access_and_handler(app):
    from click.testing import CliRunner

    from app.cli import main

    out = CliRunner().invoke(main, ["routes"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert len(lines) == len(_routes(app)) + 1  # a heading, then a line per route
    login = next(x for x in lines if " /login " in x + " " and x.startswith("POST"))
    assert "public" in login and "app.accounts.routes:" in login
    school = next(x for x in lines if x.split()[:2] == ["GET", "/schools/{school_id}"])
    assert "signed in" in school and "app.schools.routes:" in school
    assert "UNDECLARED" not in out.output and "AMBIGUOUS" not in out.output


# The domains whose routes load their objects through app.loading (the others follow).
_LOADED = ("app.schools.", "app.meetings.", "app.notes.", "app.feeds.", "app.datapackages.")


def test_an_id_too_large_for_the_database_is_not_found(app, client, db, factory):
    """Every GET with an id in its address answers 404 for an id no row can have."""
    login(client, db, factory.user("admin"))
    checked = 0
    for route in _routes(app):
        if "GET" not in route.methods or not route.endpoint.__module__.startswith(_LOADED) \
                or "_id" not in route.path:
            continue
        path = re.sub(r"\{[^}]*_id(:int)?\}", str(2**63), route.path)
        path = re.sub(r"\{name\}", "name", path)
        if "{" in path:
            continue
        assert client.get(path).status_code == 404, path
        checked += 1
    assert checked > 10
