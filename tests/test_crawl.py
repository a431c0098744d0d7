"""No 500 anywhere a user can click: every demo user (and anonymous) follows every same-site
link and inline-edit target (hx-get) reachable from the front page, with and without HTMX."""

import re

import pytest

from tests.demo_site import crawl, demo_users

USERS = [None, *demo_users()]


@pytest.mark.parametrize("email", USERS, ids=lambda e: e or "anonymous")
def test_no_page_answers_5xx(email):
    result = crawl(email)
    assert len(result.statuses) > (1 if email is None else 10), result.statuses
    assert result.failures == []


TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.mark.parametrize("email", [None, "konsulent@skanderborg.demo", "leder@bakkeskolen.demo"],
                         ids=lambda e: e or "anonymous")
def test_page_titles_are_text(email):
    """A block left open in a template put a whole section inside <title>."""
    bad = {url: m.group(1)[:80] for url, body in crawl(email).bodies.items()
           for m in [TITLE.search(body)] if m and "<" in m.group(1)}
    assert bad == {}
