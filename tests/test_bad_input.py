"""Bad input gets a clear answer, never a 500, and a 500 does not cost the connection (issue 13).

The property-based test at the end posts generated bad values to every form and upload route
as a signed-in administrator of the demo data, on a database of its own (so that a statement
the database refuses aborts only that request's transaction, as in production).
"""

import inspect
import io
import logging
import re
import socket
import threading
import time

import httpx2 as httpx
import pytest
from docx import Document
from fastapi import APIRouter, Depends, Request
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from sqlmodel import Session, SQLModel, select

from app.forms import INT_MAX, int_or_none, parse_form
from app.security import SECURITY_HEADERS
from tests.conftest import csrf, drop_database, login, post_form, provision_database
from tests.notes.conftest import world, write_note  # noqa: F401
from tests.test_route_access import _routes

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
HUGE_IDS = [str(2**63), str(2**31), str(-(2**63) - 1), "9" * 40]


def _has_security_headers(response) -> bool:
    return all(response.headers.get(name) for name in SECURITY_HEADERS)


def _int_params(route) -> list[str]:
    """The route's whole-number path parameters, also those its loaders take."""
    def walk(dependant):
        yield from dependant.path_params
        for sub in dependant.dependencies:
            yield from walk(sub)

    return sorted({f.name for f in walk(route.dependant) if f.field_info.annotation is int})


# --- out-of-range ids ------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_out_of_range_id_in_any_path_is_404(app, client, db, factory, signed_in):
    if signed_in:
        login(client, db, factory.user("admin"))
    token = csrf(client)
    checked = 0
    for route in _routes(app):
        names = _int_params(route)
        if not names:
            continue
        for huge in HUGE_IDS:
            if huge.startswith("-") and ":int}" in route.path:
                continue  # {id:int} takes digits only: another route answers that path
            path = re.sub(_PARAM, lambda m, huge=huge, names=names: huge if m[1] in names else "x",
                          route.path)
            for method in route.methods - {"HEAD"}:
                r = client.request(method, path, headers={"X-CSRF-Token": token},
                                   data={"csrf_token": token} if method != "GET" else None)
                assert r.status_code == 404, f"{method} {path} answered {r.status_code}"
                assert "Siden findes ikke" in r.text and _has_security_headers(r)
                checked += 1
    assert checked > 100


def test_an_out_of_range_id_in_a_form_field_is_404(client, db, world):  # noqa: F811
    # The route reads item_id itself (no path parameter): the database's refusal of the
    # number is answered as a record that does not exist, on both databases.
    agenda = world.agenda(db)
    login(client, db, world.consultant)
    r = client.post(f"/agendas/{agenda.id}/attachments",
                    data={"csrf_token": csrf(client), "item_id": str(2**63)},
                    files={"file": ("a.pdf", b"%PDF-1.7\n", "application/pdf")})
    assert r.status_code == 404 and "Siden findes ikke" in r.text and _has_security_headers(r)


def test_int_or_none_is_bounded_by_what_the_database_holds():
    assert int_or_none("42") == 42 and int_or_none(" 7 ") == 7 and int_or_none(-3) == -3
    assert int_or_none(str(INT_MAX)) == INT_MAX
    for bad in ("", " ", None, "abc", "1.5", str(INT_MAX + 1), str(2**63), True, b"1"):
        assert int_or_none(bad) is None, bad


def test_a_whole_number_field_beyond_the_database_is_a_field_error():
    class Form(BaseModel):
        count: int | None = None

    result = parse_form(Form, {"count": str(2**63)})
    assert not result.ok and result.errors["count"] == f"Må højst være {INT_MAX}."
    assert parse_form(Form, {"count": "12"}).data.count == 12


# --- over-long bodies, feeds, DOCX, login, CSV ------------------------------------------------


def test_a_body_over_the_limit_is_a_danish_413_with_the_security_headers(database_url):
    from app.config import Settings
    from app.main import create_app

    small = create_app(Settings(database_url=database_url, max_upload_mb=1))
    big = b"x" * (1024 * 1024 + 10)
    with TestClient(small) as c:
        token = csrf(c)
        declared = c.post("/login", content=big, headers={
            "content-type": "application/x-www-form-urlencoded", "X-CSRF-Token": token})

        def chunks():  # no Content-Length: the limit is found while reading
            for _ in range(2):
                yield big[: len(big) // 2 + 1]

        streamed = c.post("/login", content=chunks(), headers={
            "content-type": "application/x-www-form-urlencoded", "X-CSRF-Token": token})
    for r in (declared, streamed):
        assert r.status_code == 413 and "Filen er for stor" in r.text
        assert _has_security_headers(r)


def test_a_school_name_with_cr_lf_keeps_the_feed_valid():
    from datetime import datetime, timezone

    import icalendar

    from app.feeds import ical

    event = ical.FeedEvent(
        uid="u1", sequence=0, changed_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        summary="Dialogmøde\r\nX-INJECTED:1\x0b", location="Skolen\r\nLokale 2\x00",
        start=datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
        end=datetime(2026, 3, 2, 10, tzinfo=timezone.utc),
        attendees=(ical.Address("a@skole.dk", "Anne\r\nX-EVIL:1"),))
    text = ical.calendar("Bakkeskolen\r\nBEGIN:VEVENT\x00", [event])
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    assert b"\r\nX-INJECTED" not in text and b"\r\nBEGIN:VEVENT\x00" not in text
    parsed = icalendar.Calendar.from_ical(text)
    assert str(parsed["X-WR-CALNAME"]) == "Bakkeskolen BEGIN:VEVENT"
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Dialogmøde X-INJECTED:1"
    assert str(vevent["LOCATION"]) == "Skolen\nLokale 2"


def test_a_word_soft_line_break_in_a_note_gives_a_docx_that_opens(client, db, world):  # noqa: F811
    write_note(db, world.note, {"themes_school": "Første linje\x0bAnden linje\x01 slut\x1f"})
    login(client, db, world.consultant)
    r = client.get(f"/notes/{world.note.id}.docx")
    assert r.status_code == 200
    paragraphs = [p.text for p in Document(io.BytesIO(r.content)).paragraphs]
    assert "Første linje\nAnden linje slut" in paragraphs


def test_control_characters_in_an_agenda_give_a_docx_that_opens(client, db, world):  # noqa: F811
    from app.agendas import timeline as agenda_timeline

    agenda = world.agenda(db)
    agenda.intro = "Velkommen\x0btil mødet\x07"
    agenda.closing = "Tak\x01 for i dag"
    db.add(agenda)
    db.commit()
    agenda_timeline.timeline(db, agenda, world.meeting)
    login(client, db, world.consultant)
    r = client.get(f"/agendas/{agenda.id}/agenda.docx")
    assert r.status_code == 200, r.text[:300]
    paragraphs = [p.text for p in Document(io.BytesIO(r.content)).paragraphs]
    assert "Velkommen\ntil mødet" in paragraphs and "Tak for i dag" in paragraphs


def test_next_with_control_characters_is_refused(client, db, factory):
    user = factory.user("admin", password="et-langt-kodeord-til-test")
    page = client.get("/login", params={"next": "/schools\r\nSet-Cookie: x=1"})
    assert page.status_code == 200
    assert 'name="next" value="/"' in page.text
    r = post_form(client, "/login", {"email": user.email, "password": "et-langt-kodeord-til-test",
                                     "next": "/schools\r\nX-Evil: 1"}, htmx=True)
    assert r.status_code == 204 and r.headers["hx-redirect"] == "/"
    assert "x-evil" not in r.headers


def test_a_csv_cell_over_the_field_limit_is_refused_with_a_message():
    from app.datapackages import importer

    content = b"skole;elever\n" + b"x" * 140_000 + b";12\n"
    with pytest.raises(importer.FileProblem) as err:
        importer.read_rows(content)
    assert "for lang" in str(err.value.problem) and "131.072" in str(err.value.problem)


# --- a 500 keeps the connection ---------------------------------------------------------------


def _crashing_app(database_url):
    from app.accounts.access import PUBLIC
    from app.config import Settings
    from app.main import create_app

    crashing = create_app(Settings(database_url=database_url))
    router = APIRouter()

    @router.get("/test-crash", dependencies=[Depends(PUBLIC)])
    def crash():
        raise RuntimeError("boom")

    @router.get("/test-peer", dependencies=[Depends(PUBLIC)])
    def peer(request: Request):
        return {"port": request.client.port}

    crashing.include_router(router)
    return crashing


def test_a_500_is_logged_once_with_the_id_the_page_shows(database_url, caplog):
    with TestClient(_crashing_app(database_url), raise_server_exceptions=False) as c:
        with caplog.at_level(logging.INFO):
            r = c.get("/test-crash")
    request_id = r.headers["x-request-id"]
    assert r.status_code == 500 and "Der gik noget galt" in r.text and request_id in r.text
    assert "boom" not in r.text and _has_security_headers(r)
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(errors) == 1 and request_id in errors[0].getMessage()
    assert "boom" in caplog.text  # the traceback is in the log, not on the page


def test_a_500_keeps_the_kept_alive_connection_usable(database_url, caplog):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_crashing_app(database_url), host="127.0.0.1",
                                           port=port, log_level="info", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        with caplog.at_level(logging.INFO), httpx.Client(
                base_url=base, limits=httpx.Limits(max_connections=1,
                                                   max_keepalive_connections=1)) as c:
            before = c.get("/test-peer").json()["port"]
            crashed = c.get("/test-crash")
            after = c.get("/test-peer")
        assert crashed.status_code == 500 and "Der gik noget galt" in crashed.text
        assert crashed.headers.get("connection", "").lower() != "close"
        assert after.status_code == 200
        assert after.json()["port"] == before  # the same TCP connection, still open
        assert "Exception in ASGI application" not in caplog.text
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# --- generated bad values to every form and upload route ---------------------------------------


@pytest.fixture(scope="module")
def demo_world(database_url):
    """The demo data on a database of its own, an app on it and an administrator's client."""
    from app import demo, migrate
    from app.accounts.models import User
    from app.catalog.load import load_all
    from app.config import Settings
    from app.db import make_engine
    from app.main import create_app

    url = provision_database("badinput")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        for _line in load_all(session):
            pass
        for _line in demo.load(session):
            pass
    application = create_app(Settings(database_url=url, max_upload_mb=1))
    with TestClient(application, raise_server_exceptions=False, follow_redirects=False) as c:
        def sign_in():
            with Session(engine) as session:
                admin = session.exec(select(User).where(User.email == "admin@sus.demo")).one()
                login(c, session, admin)

        yield application, engine, c, sign_in
    application.state.engine.dispose()
    engine.dispose()
    drop_database(url)


def _path_value(name: str, ids: dict[str, str], tables: list[str]) -> str:
    if name.endswith("_id"):
        return ids.get(_table_for(name, tables), "1")
    return {"start_year": "2026", "kind": "school"}.get(name, "name")


def _first_ids(engine) -> dict[str, str]:
    """A path parameter `school_year_id` → the first id in table `schoolyear`, and so on."""
    tables = sorted(SQLModel.metadata.tables)
    found = {}
    with engine.connect() as conn:
        for name in tables:
            table = SQLModel.metadata.tables[name]
            if "id" in table.c:
                first = conn.execute(select(table.c.id).order_by(table.c.id).limit(1)).scalar()
                if first is not None:
                    found[name] = str(first)
    return found


def _table_for(param: str, tables: list[str]) -> str | None:
    base = param.removesuffix("_id").replace("_", "")
    for match in (lambda t: t == base, lambda t: t.endswith(base), lambda t: t.startswith(base)):
        candidates = [t for t in tables if match(t)]
        if candidates:
            return candidates[0]
    return None


_FIELD = re.compile(r"""form\.get(?:list)?\(\s*["'](\w+)["']""")


def _field_names(route) -> list[str]:
    """The form fields a route reads: from its source and the form models it names."""
    try:
        source = inspect.getsource(route.endpoint)
    except (OSError, TypeError):
        source = ""
    names = set(_FIELD.findall(source))
    module = inspect.getmodule(route.endpoint)
    for word in set(re.findall(r"\b([A-Z]\w*Form)\b", source)):
        model = getattr(module, word, None) or _models().get(word)
        if isinstance(model, type) and issubclass(model, BaseModel):
            names |= set(model.model_fields)
    for field in route.dependant.body_params:
        names.add(field.alias or field.name)
    return sorted(names - {"csrf_token"})


def _models() -> dict[str, type]:
    found = {}
    for cls in _subclasses(BaseModel):
        if cls.__module__.startswith("app.") and cls.__name__.endswith("Form"):
            found.setdefault(cls.__name__, cls)
    return found


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


BAD_TEXT = st.sampled_from([
    "", " ", "0", "-1", "9" * 30, str(2**63), str(-(2**63) - 1), str(2**31), "1e309", "NaN",
    "x" * 5000, "y" * 200_000, "\x00", "\x0b", "a\r\nb", "\u2028", "<script>alert(1)</script>",
    "../../etc/passwd", "9999-12-31", "0001-01-01", "99999-01-01", "2026-02-30", "25:61",
    "ø" * 300, "true", "on", "https://127.0.0.1/", "webcal://localhost/x.ics", "mailto:x",
])
BAD_VALUE = st.one_of(BAD_TEXT, st.text(max_size=30), st.integers().map(str))
BAD_FILE = st.sampled_from([
    b"", b"\x00" * 100, b"PK\x03\x04garbage", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:"
    b"20261201T090000\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    b"skole;elever\n" + b"x" * 140_000 + b";1\n", "æøå;1\n".encode("latin-1"),
    b"%PDF-1.7\n", b"\xd0\xcf\x11\xe0old excel",
])


def test_generated_bad_values_to_every_form_and_upload_route_never_get_a_5xx(demo_world):
    application, engine, client, sign_in = demo_world
    ids = _first_ids(engine)
    tables = sorted(ids)
    token = csrf(client)
    routes = [r for r in _routes(application) if r.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    assert len(routes) > 40
    for route in routes:
        path = re.sub(_PARAM, lambda m: _path_value(m[1], ids, tables), route.path)
        names = _field_names(route) or ["name"]
        method = sorted(route.methods - {"HEAD"})[0]
        sign_in()  # again for each route: /logout among them ends the session

        @settings(max_examples=6, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(values=st.dictionaries(st.sampled_from(names), BAD_VALUE, max_size=len(names)),
               upload=st.none() | BAD_FILE, htmx=st.booleans())
        # Called at once, in this iteration: the loop's method and path are the right ones.
        def post_bad_values(values, upload, htmx):
            headers = {"X-CSRF-Token": token, **({"HX-Request": "true"} if htmx else {})}
            files = {"file": ("upload.bin", upload, "application/octet-stream")} \
                if upload is not None else None
            r = client.request(method, path,  # noqa: B023
                               data={"csrf_token": token, **values}, files=files, headers=headers)
            assert r.status_code < 500, (
                f"{method} {path} {values!r:.300} answered {r.status_code}: "  # noqa: B023
                f"{r.text[:300]}")
            assert _has_security_headers(r), \
                f"{method} {path} lacks the security headers"  # noqa: B023

        post_bad_values()

