"""The demo, loaded once per test run into a database of its own, and the app on it in
process: for tests that walk every page as every demo user (tests/test_crawl.py,
tests/test_visibility.py). Requests get their own sessions, as in production."""

import atexit
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urljoin, urlsplit

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.conftest import copy_database, demo_database, drop_database


@cache
def demo_app():
    """(app, engine) on a database holding `sus demo`."""
    from app.config import get_settings
    from app.main import create_app

    # A copy of the run's one demo load (tests/conftest.py), so `sus demo` runs once per run.
    url = copy_database(demo_database(), "demo-site")
    atexit.register(drop_database, url)
    app = create_app(get_settings().model_copy(update={"database_url": url}))
    atexit.register(app.state.engine.dispose)
    return app, app.state.engine


def demo_users() -> list[str]:
    """Every active demo login's e-mail, in a stable order."""
    from app.accounts.models import User

    _app, engine = demo_app()
    with Session(engine) as s:
        return sorted(u.email for u in s.exec(select(User).where(User.is_active)))


def client_for(email: str | None) -> TestClient:
    """A client signed in as `email` (anonymous if None), without the slow password hash."""
    from app.accounts import service
    from app.accounts.access import SESSION_COOKIE
    from app.accounts.models import User
    from app.config import get_settings

    app, engine = demo_app()
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    if email is not None:
        with Session(engine) as s:
            user = s.exec(select(User).where(User.email == email)).one()
            token = service.start_session(s, get_settings(), user)
        client.cookies.set(SESSION_COOKIE, token)
    return client


def principal_for(email: str):
    from app.accounts.access import SESSION_COOKIE, load_principal

    client = client_for(email)
    _app, engine = demo_app()
    with Session(engine) as s:
        p = load_principal(s, client.cookies.get(SESSION_COOKIE))
        s.expunge_all()
    return p


# --- a crawler: every same-site link reachable from the menu ------------------------------

LINK = re.compile(r'''\s(?:href|hx-get)\s*=\s*"([^"]*)"''')
SKIP = ("/logout", "/static/")
PER_USER = 400
"""Pages fetched per user at most: enough for every kind of page, fast for all users."""
PER_PATTERN = 3
"""URLs of one shape (digits replaced) fetched per user: /meetings/1 … /meetings/3."""
EXPORT = re.compile(r"(\.(pdf|docx|pptx|csv|ics|xlsx)|/pdf)$")
"""Downloads (PDF, Word, PowerPoint …): slow to make and with no links, so one of each shape per
user, fetched without HTMX only."""


@dataclass
class Crawl:
    email: str | None
    failures: list[str] = field(default_factory=list)
    """"METHOD url [HX]: status" of every answer >= 500."""
    links: dict[str, set[str]] = field(default_factory=dict)
    """Page URL → the same-site links found on it (fragments dropped)."""
    bodies: dict[str, str] = field(default_factory=dict)
    """Page URL → the HTML as fetched without HTMX."""
    statuses: dict[str, int] = field(default_factory=dict)


def _same_site(base: str, raw: str) -> str | None:
    raw = html.unescape(raw).strip()
    if not raw or raw.startswith(("#", "mailto:", "tel:", "javascript:", "data:")) \
            or "{{" in raw or "{%" in raw:
        return None
    parts = urlsplit(urljoin("http://testserver" + base, raw))
    if parts.netloc != "testserver" or parts.path.startswith(SKIP):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", url.split("?")[0]) + ("?" if "?" in url else "")


@cache
def crawl(email: str | None) -> Crawl:
    client = client_for(email)
    result = Crawl(email)
    queue, seen, shapes = ["/"], {"/"}, Counter()
    while queue and len(result.statuses) < PER_USER:
        url = queue.pop(0)
        plain = client.get(url)
        result.statuses[url] = plain.status_code
        if plain.status_code >= 500:
            result.failures.append(f"GET {url}: {plain.status_code}")
        responses = [plain]
        if not EXPORT.search(url.split("?")[0]):
            hx = client.get(url, headers={"HX-Request": "true"})
            if hx.status_code >= 500:
                result.failures.append(f"GET {url} [HX]: {hx.status_code}")
            responses.append(hx)
        found: set[str] = set()
        for response in responses:
            if response.status_code in (301, 302, 303, 307, 308):
                target = _same_site(url, response.headers.get("location", ""))
                if target:
                    found.add(target)
            if "text/html" in response.headers.get("content-type", ""):
                for raw in LINK.findall(response.text):
                    target = _same_site(url, raw)
                    if target:
                        found.add(target)
        if "text/html" in plain.headers.get("content-type", ""):
            result.bodies[url] = plain.text
        result.links[url] = found
        for target in sorted(found):
            if target in seen:
                continue
            seen.add(target)
            shape = _shape(target)
            if shapes[shape] >= (1 if EXPORT.search(shape.rstrip("?")) else PER_PATTERN):
                continue
            shapes[shape] += 1
            queue.append(target)
    return result
