"""Feeds over HTTP as calendar clients meet them."""

import hashlib
import logging
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest

from app.db import utcnow
from app.feeds import service
from app.feeds.models import FeedKind
from app.meetings import service as meetings
from tests.conftest import login
from tests.feeds.conftest import enable_public


@pytest.fixture
def feed(db, world):
    """The consultant's link to the municipality feed: (url, token)."""
    _link, token = service.issue_link(db, world.people["consultant"], FeedKind.MUNICIPALITY,
                                      world.municipality.id, by_user_id=None)
    return f"/feeds/{token}.ics", token


def test_feed_response_is_plain_text_calendar_for_any_client(client, feed):
    url, _ = feed
    for headers in ({}, {"Accept": "application/json"}, {"Accept": "text/html"},
                    {"Accept-Encoding": "gzip, deflate, br"}):
        r = client.get(url, headers=headers)
        assert r.status_code == 200, headers  # never 406, whatever Accept says
        assert r.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "content-disposition" not in r.headers
        assert "content-encoding" not in r.headers  # no gzip, even when offered
        assert "set-cookie" not in r.headers
        assert r.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert r.headers["etag"] == '"%s"' % hashlib.sha256(r.content).hexdigest()
    assert "no-transform" in r.headers["cache-control"]
    assert client.head(url).status_code == 200


def test_feeds_need_no_cookie_and_no_csrf(client, feed):
    client.cookies.clear()
    r = client.get(feed[0])
    assert r.status_code == 200 and "set-cookie" not in r.headers
    assert not client.cookies


def test_conditional_requests(client, feed):
    url, _ = feed
    first = client.get(url)
    etag, lm = first.headers["etag"], first.headers["last-modified"]
    assert client.get(url).headers["etag"] == etag  # stable
    r = client.get(url, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": lm}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(lm) - timedelta(seconds=1), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match is checked first: a stale ETag means 200 whatever the date says.
    r = client.get(url, headers={"If-None-Match": '"stale"', "If-Modified-Since": lm})
    assert r.status_code == 200 and r.content == first.content
    # A garbled date is ignored, not an error.
    assert client.get(url, headers={"If-Modified-Since": "yesterday"}).status_code == 200


def test_an_unchanged_feed_answers_304_without_rendering(client, feed, monkeypatch):
    url, _ = feed
    etag = client.get(url).headers["etag"]
    service.cache.clear()

    def refuse(*a, **kw):
        raise AssertionError("rendered although nothing changed")

    monkeypatch.setattr(service, "render", refuse)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_change_gives_a_new_etag_and_a_later_last_modified(client, db, world, feed):
    url, _ = feed
    first = client.get(url)
    m = world.meetings["dialogue"]
    meetings.reschedule(db, m, starts_at=m.starts_at + timedelta(days=1),
                        ends_at=m.ends_at + timedelta(days=1))
    r = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert r.status_code == 200 and r.headers["etag"] != first.headers["etag"]
    assert parsedate_to_datetime(r.headers["last-modified"]) > parsedate_to_datetime(
        first.headers["last-modified"])


def test_last_modified_never_goes_backwards_when_an_event_leaves(client, db, world, feed,
                                                                  monkeypatch):
    url, _ = feed
    m = world.meetings["dialogue"]
    meetings.cancel(db, m)  # now the newest change in the feed
    cancelled = client.get(url)
    assert b"STATUS:CANCELLED" in cancelled.content
    lm = parsedate_to_datetime(cancelled.headers["last-modified"])
    assert lm == m.changed_at.replace(microsecond=0)
    # 31 days on it has left the feed; the newest remaining change is older than before.
    monkeypatch.setattr(service, "utcnow", lambda: utcnow() + timedelta(days=31))
    later = client.get(url, headers={"If-Modified-Since": cancelled.headers["last-modified"]})
    assert later.status_code == 200 and m.uid.encode() not in later.content
    assert parsedate_to_datetime(later.headers["last-modified"]) > lm


def test_revoked_rotated_and_unknown_tokens_get_404(client, db, world, feed):
    url, token = feed
    assert client.get(url).status_code == 200
    link = service.find_link(db, token)
    _, new_token = service.issue_link(db, world.people["consultant"], link.kind,
                                      link.target_id, by_user_id=None)
    r = client.get(url)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/plain")
    assert "set-cookie" not in r.headers
    new_url = f"/feeds/{new_token}.ics"
    assert client.get(new_url).status_code == 200
    service.revoke_link(db, service.find_link(db, new_token))
    assert client.get(new_url).status_code == 404
    assert client.get("/feeds/" + "x" * 43 + ".ics").status_code == 404
    assert client.get("/feeds/" + "x" * 500 + ".ics").status_code == 404


def test_tokens_are_long_random_and_stored_hashed(db, world, feed):
    _, token = feed
    assert len(token) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    link = service.find_link(db, token)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash


def test_history_parameter_gives_the_full_history(client, world, feed):
    url, _ = feed
    old = world.meetings["y22"].uid.encode()
    assert old not in client.get(url).content
    assert old in client.get(url + "?history=all").content


def test_use_is_noted_and_the_token_never_logged(client, db, feed, caplog):
    url, token = feed
    with caplog.at_level(logging.INFO, logger="sus.access"):
        client.get(url)
    assert token not in caplog.text and "[redacted]" in caplog.text
    assert service.find_link(db, token).last_used_at is not None


def test_public_feed_only_when_allowed(client, db, world):
    url = f"/feeds/public/school/{world.schools['bakke'].id}.ics"
    assert client.get(url).status_code == 404
    enable_public(db, world)
    r = client.get(url)
    assert r.status_code == 200 and "set-cookie" not in r.headers
    assert world.meetings["dialogue"].uid.encode() in r.content
    assert world.meetings["autumn_before"].uid.encode() not in r.content  # a prep meeting
    assert client.get("/feeds/public/person/1.ics").status_code == 404
    assert client.get("/feeds/public/nonsense/1.ics").status_code == 404


def test_one_meeting_as_ics_for_those_who_may_see_it(client, db, world, factory):
    m = world.meetings["dialogue"]
    url = f"/meetings/{m.id}/calendar.ics"
    assert client.get(url).status_code == 303  # to the login page
    login(client, db, world.users["leader"])
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert r.headers["content-disposition"].startswith("inline;")
    assert m.uid.encode() in r.content and b"ATTENDEE" in r.content
    login(client, db, world.users["leader"])
    assert client.get(f"/meetings/{world.meetings['lus'].id}/calendar.ics").status_code == 403
    assert client.get(f"/meetings/{world.meetings['unbooked'].id}/calendar.ics").status_code == 404
