"""The home page per role on the demo, with and without HTMX, and the person page's meetings."""

import re

import pytest

from tests.demo_site import client_for


def _home(email: str, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client_for(email).get("/", headers=headers)


@pytest.mark.parametrize("htmx", [False, True])
def test_school_leader_home_shows_the_next_dialogue_and_what_to_do(htmx):
    r = _home("leder@bakkeskolen.demo", htmx)
    assert r.status_code == 200
    text = r.text
    assert "Næste samtale: Bakkeskolen" in text
    assert "Hvem kommer" in text
    assert "Datapakken" in text and "/package" in text
    assert "Tilføj skolens temaer" in text or "fristen for skolens temaer" in text.lower()
    assert "Sidste års aftaler" in text
    assert "Det venter på mig" in text


def test_school_leader_sees_the_note_waiting_for_comments():
    # The demo has one note out with the school for comments (README); its school's leader
    # finds it on the home page.
    from sqlmodel import Session, select

    from app.accounts.models import Role, RoleAssignment, User
    from app.notes.models import Note, NoteStatus
    from tests.demo_site import demo_app

    _app, engine = demo_app()
    with Session(engine) as s:
        note = s.exec(select(Note).where(Note.status == NoteStatus.COMMENTS)).first()
        assert note is not None
        email = s.exec(select(User.email).join(RoleAssignment, RoleAssignment.user_id == User.id)
                       .where(RoleAssignment.role == Role.SCHOOL_LEADER,
                              RoleAssignment.school_id == note.school_id)).first()
    assert email, "the demo has a leader for the school whose note waits"
    r = _home(email)
    assert f'href="/notes/{note.id}"' in r.text
    assert "venter på skolens kommentarer" in r.text


@pytest.mark.parametrize("htmx", [False, True])
def test_chief_home_lists_my_meetings_with_agenda_links_and_the_calendar(htmx):
    r = _home("chef@skanderborg.demo", htmx)
    assert r.status_code == 200
    assert "Mine møder" in r.text
    assert re.search(r'href="/agendas/\d+"', r.text), "agenda links"
    assert re.search(r'href="/meetings/\d+"', r.text)
    assert 'id="feed-person-' in r.text, "the personal calendar subscription"


@pytest.mark.parametrize("htmx", [False, True])
def test_consultant_home_lists_my_schools_with_their_state(htmx):
    r = _home("konsulent@skanderborg.demo", htmx)
    assert r.status_code == 200
    assert "Mine skoler i år" in r.text
    assert "Årshjulet denne og næste uge" in r.text
    table = r.text.split('id="my-schools-heading"')[1]
    assert re.search(r'href="/schools/\d+"', table), "at least one assigned school"


def test_administrator_home_is_the_administration():
    r = _home("admin@sus.demo")
    assert r.status_code in (302, 303) and r.headers["location"] == "/admin"


def test_anonymous_home_goes_to_login():
    r = client_for(None).get("/")
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")


def test_person_page_lists_the_persons_meetings():
    from sqlmodel import Session, select

    from app.accounts.models import User
    from tests.demo_site import demo_app

    _app, engine = demo_app()
    with Session(engine) as s:
        person_id = s.exec(select(User.person_id).where(User.email == "chef@skanderborg.demo")).one()
    r = client_for("konsulent@skanderborg.demo").get(f"/people/{person_id}")
    assert r.status_code == 200
    section = r.text.split('id="person-meetings-heading"')[1]
    assert re.search(r'href="/meetings/\d+"', section)
