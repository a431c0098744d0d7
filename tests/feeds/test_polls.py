"""A poll in one statement when nothing changed, and never a stale answer when something did:
a change of the feed, of the owner's roles, activation or language, or of the link itself
is seen by the very next poll (app/feeds/polls.py)."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from app.accounts import service as accounts
from app.accounts.models import RoleAssignment
from app.admin import people as admin_people
from app.feeds import counter, polls, service
from app.feeds.models import FeedKind
from app.meetings import service as meetings
from app.recent import Recent


@pytest.fixture
def feed(db, world):
    """The consultant's link to the municipality feed: (url, token)."""
    _link, token = service.issue_link(db, world.people["consultant"], FeedKind.MUNICIPALITY,
                                      world.municipality.id, by_user_id=None)
    return f"/feeds/{token}.ics", token


@contextmanager
def statements(db):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def events(body: bytes) -> int:
    return body.count(b"BEGIN:VEVENT")


def test_an_unchanged_feed_is_one_statement_for_a_304_and_for_its_bytes(client, db, feed):
    url, _ = feed
    first = client.get(url)
    client.get(url)  # the second poll finds the decision of the first
    with statements(db) as seen:
        again = client.get(url)
        not_modified = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200 and again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert not_modified.status_code == 304
    assert len(seen) == 2, seen
    assert all("feedlink" in s and "feedcounter" in s for s in seen)


def test_a_moved_meeting_is_in_the_next_poll(client, db, world, feed):
    url, _ = feed
    first = client.get(url)
    client.get(url)
    m = world.meetings["dialogue"]
    meetings.reschedule(db, m, starts_at=m.starts_at + timedelta(days=1),
                        ends_at=m.ends_at + timedelta(days=1))
    r = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert r.status_code == 200 and r.content != first.content


def test_a_revoked_or_rotated_link_answers_nothing_at_once(client, db, world, feed):
    url, token = feed
    assert client.get(url).status_code == 200
    link = service.find_link(db, token)
    _link, new_token = service.issue_link(db, world.people["consultant"], FeedKind.MUNICIPALITY,
                                          world.municipality.id, by_user_id=None)
    assert client.get(url).status_code == 404  # the old URL of a rotated link
    new_url = f"/feeds/{new_token}.ics"
    assert client.get(new_url).status_code == 200
    service.revoke_link(db, link)
    assert client.get(new_url).status_code == 404


def test_a_deactivated_login_gets_nothing_at_the_next_poll(client, db, world, feed):
    url, _ = feed
    client.get(url)
    client.get(url)
    admin_people.deactivate(db, world.users["consultant"])
    assert client.get(url).status_code == 404


def test_a_removed_role_shows_at_the_next_poll(client, db, world, feed):
    url, _ = feed
    as_consultant = client.get(url).content
    client.get(url)
    grants = db.exec(select(RoleAssignment).where(
        RoleAssignment.user_id == world.users["consultant"].id)).all()
    for ra in grants:
        admin_people.take_role(db, ra)
    without = client.get(url).content
    # Without the consultant's role only the meetings they take part in are left.
    assert events(without) < events(as_consultant)
    expected = service.render(db, service.private_spec(db, service.find_link(db, feed[1])))
    assert without == expected


def test_a_new_language_shows_at_the_next_poll(client, db, world, feed):
    url, _ = feed
    danish = client.get(url).content
    client.get(url)
    accounts.set_locale(db, world.users["consultant"], "en")
    english = client.get(url).content
    assert b"NAME:Skoleudvi" in danish and b"NAME:School development" in english


def test_logging_in_changes_nothing_a_feed_depends_on(db, world):
    before = counter.current(db, world.municipality.id)
    user = world.users["consultant"]
    user.last_login_at = service.utcnow()
    db.add(user)
    db.commit()
    assert counter.current(db, world.municipality.id) == before


def test_a_role_change_is_logged_as_no_event_and_other_feeds_splice(db, world):
    """Another person's feeds need no full render after a role change: no event changed."""
    before = counter.current(db, world.municipality.id)
    ra = db.exec(select(RoleAssignment).where(
        RoleAssignment.user_id == world.users["participant"].id)).first()
    admin_people.take_role(db, ra)
    after = counter.current(db, world.municipality.id)
    assert after == before + 1
    assert counter.since(db, world.municipality.id, before, after) == set()


def test_decisions_are_forgotten_beyond_their_bound():
    store: Recent = Recent(size=2)
    d = polls.Decision(1, 1, service.today(), service.today(), "k", "f", "e",
                       service.utcnow())
    for key in ("a", "b", "c"):
        store.put((key, False), d)
    assert store.get(("a", False)) is None and store.get(("c", False)) == d
