"""E-mails on what waits for me, sent to a real SMTP server (aiosmtpd) on 127.0.0.1: the same
events as the home page's list, once each, across processes, for those who want them."""

import time
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.agendas import build as agenda_build
from app.agendas.home import school_year_of
from app.feeds import outbox
from app.feeds.config import get_env
from app.feeds.models import OutboxMessage
from app.i18n import TZ
from app.meetings import service as meetings
from app.notes import service, task_mail
from app.notes.models import NoteStatus, TaskMailSent
from tests.agendas.conftest import Dialogue
from tests.conftest import (
    Factory,
    drop_database,
    login,
    make_person,
    post_form,
    provision_database,
)
from tests.smtp import smtp_server


@pytest.fixture
def smtp(monkeypatch):
    with smtp_server(monkeypatch, "Skoleudvikling <skoleudvikling@kommune.dk>") as sink:
        yield sink


def _delivered(db, sink) -> list:
    outbox.deliver(db)
    found = list(sink.messages)
    sink.messages.clear()
    return found


@pytest.fixture
def leader_with_note(db, factory):
    d = Dialogue(db, factory)
    meeting = d.meeting()
    from app.schools.models import School

    school = db.get(School, meeting.school_id)
    leader = factory.user("school_leader", school=school, name="Leder Bo",
                          email="bo@bakkeskolen.dk")
    note = service.create_note(db, meeting)
    service.set_status(db, note, NoteStatus.COMMENTS, expected_version=note.version)
    return leader, note


def test_without_smtp_nothing_is_written(db, leader_with_note):
    assert not get_env().mail_on
    assert task_mail.scan(db) == 0
    assert db.exec(select(OutboxMessage)).all() == []


def test_a_note_to_comment_on_is_mailed_once(db, smtp, leader_with_note):
    leader, note = leader_with_note
    note.status_changed_at -= timedelta(minutes=1)  # sent to the school a minute ago
    db.add(note)
    db.commit()
    assert task_mail.scan(db) == 1
    (msg,) = _delivered(db, smtp)
    assert msg["To"].addresses[0].addr_spec == "bo@bakkeskolen.dk"
    body = msg.get_content()
    assert "Bakkeskolen" in msg["Subject"] and "skolens kommentarer" in msg["Subject"]
    assert f"/notes/{note.id}" in body and "/account" in body
    # The next scan, in this process or another, finds it mailed.
    assert task_mail.scan(db) == 0
    assert _delivered(db, smtp) == []
    # A second round of comments is a new event.
    service.set_status(db, note, NoteStatus.DRAFT, expected_version=note.version)
    assert task_mail.scan(db) == 0  # nothing waits for the school meanwhile
    service.set_status(db, note, NoteStatus.COMMENTS, expected_version=note.version)
    assert task_mail.scan(db) == 1


def test_a_themes_deadline_and_a_moved_meeting_are_mailed(db, smtp, factory):
    d = Dialogue(db, factory)
    today = datetime.now(TZ).date()
    start_year = school_year_of(today)
    soon = today + timedelta(days=5)
    meeting = d.meeting(start_year=start_year, deadline=soon,
                        starts_at=datetime.now(TZ) + timedelta(days=30))
    agenda_build.ensure_agenda(db, meeting)
    from app.schools.models import School

    leader = factory.user("school_leader", school=db.get(School, meeting.school_id))
    # A chief, invited to a meeting that is then moved.
    m = d.municipality
    year = meeting.school_year_id
    person = make_person(db, m, "Lene Skov", email="lene@kommune.dk")
    chief = factory.user("participant", municipality=m, email="lene@kommune.dk")
    chief.person_id = person.id
    db.add(chief)
    db.commit()
    start = datetime.now(TZ).replace(microsecond=0) + timedelta(days=20)
    from app.cycles.models import SchoolYear

    other = meetings.create_meeting(db, school_year=db.get(SchoolYear, year),
                                    title="Formøde med PPR", starts_at=start,
                                    ends_at=start + timedelta(hours=1),
                                    participants=[(person.id, None, True)])
    other.created_at -= timedelta(days=3)
    db.add(other)
    db.commit()
    meetings.reschedule(db, other, starts_at=start + timedelta(days=1),
                        ends_at=start + timedelta(days=1, hours=1))
    assert task_mail.scan(db) == 2
    by_to = {m["To"].addresses[0].addr_spec: m for m in _delivered(db, smtp)}
    assert by_to[leader.email]["Subject"].startswith("Nyt venter på dig")
    assert "temaer" in by_to[leader.email].get_content()
    assert "uge" in by_to[leader.email].get_content()  # the deadline with its week number
    assert "Flyttet: Formøde med PPR" in by_to["lene@kommune.dk"].get_content()
    # Moved again: a new event; the deadline is not mailed twice.
    db.refresh(other)
    meetings.reschedule(db, other, starts_at=start + timedelta(days=2),
                        ends_at=start + timedelta(days=2, hours=1))
    assert task_mail.scan(db) == 1
    (again,) = _delivered(db, smtp)
    assert again["To"].addresses[0].addr_spec == "lene@kommune.dk"


def test_who_said_no_gets_nothing(db, smtp, leader_with_note):
    leader, _note = leader_with_note
    task_mail.set_preference(db, leader, False)
    assert task_mail.scan(db) == 0
    task_mail.set_preference(db, leader, True)
    assert task_mail.scan(db) == 1


@pytest.fixture
def own_database(database_url):
    """A database of its own with real commits, where two sessions are two processes."""
    from app import migrate
    from app.db import make_engine

    url = provision_database("taskmail")  # not a copy: PostgreSQL copies no database in use
    migrate.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_database(url)


def _note_out_for_comments(session):
    factory = Factory(session)
    d = Dialogue(session, factory)
    meeting = d.meeting()
    from app.schools.models import School

    factory.user("school_leader", school=session.get(School, meeting.school_id),
                 email="bo@bakkeskolen.dk")
    note = service.create_note(session, meeting)
    service.set_status(session, note, NoteStatus.COMMENTS, expected_version=note.version)


def test_two_processes_scanning_at_once_send_one_mail(smtp, own_database, monkeypatch):
    """The other process commits its scan between this one's look and its write: this one
    looks again under the write lock and writes nothing."""
    with Session(own_database) as setup:
        _note_out_for_comments(setup)
    real = task_mail.begin_write

    def other_process_first(session):
        monkeypatch.setattr(task_mail, "begin_write", real)
        with Session(own_database) as other:
            assert task_mail.scan(other) == 1
        real(session)

    monkeypatch.setattr(task_mail, "begin_write", other_process_first)
    with Session(own_database) as this:
        assert task_mail.scan(this) == 0
        assert len(this.exec(select(OutboxMessage)).all()) == 1
        assert len(this.exec(select(TaskMailSent)).all()) == 1
        assert len(_delivered(this, smtp)) == 1


def test_the_unique_key_stops_a_second_insert_the_look_did_not_see(smtp, own_database,
                                                                   monkeypatch):
    """PostgreSQL: the other process's row is not committed yet when this one looks again;
    its insert then fails on the unique key, and this transaction writes no e-mail."""
    with Session(own_database) as setup:
        _note_out_for_comments(setup)
    with Session(own_database) as other:
        assert task_mail.scan(other) == 1
    # Both looks miss the other's row, as an uncommitted insert is missed.
    monkeypatch.setattr(task_mail, "_mailed", lambda session, user_id, keys: set())
    with Session(own_database) as this:
        assert task_mail.scan(this) == 0
        assert len(this.exec(select(OutboxMessage)).all()) == 1
        assert len(this.exec(select(TaskMailSent)).all()) == 1


def test_each_processs_outbox_worker_runs_the_scan(smtp, own_database, monkeypatch):
    monkeypatch.setenv("SUS_OUTBOX_SCAN_SECONDS", "0.05")
    monkeypatch.setenv("SUS_OUTBOX_POLL_SECONDS", "0.05")
    get_env.cache_clear()
    with Session(own_database) as setup:
        _note_out_for_comments(setup)
    worker = outbox.Worker(own_database)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # several more scans: still one e-mail
    finally:
        worker.stop()
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == ["bo@bakkeskolen.dk"]


@pytest.mark.parametrize("htmx", [False, True])
def test_the_choice_on_the_account_page(client, db, leader_with_note, htmx):
    leader, _note = leader_with_note
    login(client, db, leader)
    page = client.get("/account").text
    assert "E-mails om det, der venter på mig" in page
    assert 'value="yes" checked' in page
    r = post_form(client, "/account/task-mail", {"wants": "no"}, htmx=htmx)
    assert r.status_code == (204 if htmx else 303)
    assert not task_mail.wants_mail(db, leader)
    assert 'value="no" checked' in client.get("/account").text
    assert post_form(client, "/account/task-mail", {"wants": "maybe"}).status_code == 400
    client.cookies.clear()
    assert client.post("/account/task-mail", data={"wants": "yes"},
                       follow_redirects=False).status_code in (303, 403)
    assert not task_mail.wants_mail(db, leader)
