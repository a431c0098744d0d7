"""Starting the next school year asks first; a year started by mistake can be deleted by the
administration while nothing is held or written in it, and one with content cannot."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import select

from app.cycles import from_template as cycle_from_template
from app.cycles import removal
from app.cycles import years as cycle_years
from app.cycles.models import Step
from app.forms import FieldError
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus, MeetingType
from app.notes import service as notes
from tests.confirming import asks_first
from tests.conftest import login, post_form
from tests.cycles import test_pages
from tests.cycles.test_pages import soup

setup = test_pages.setup  # the same year to work on (a fixture)


def _next_year(db, year):
    nxt = cycle_from_template.copy_to_next_year(db, year)
    return nxt, meetings.list_meetings(db, school_year_id=nxt.id)


def test_a_year_with_nothing_held_or_written_is_deleted_with_everything_in_it(db, setup):
    m, schools, people, year, consultant = setup
    nxt, planned = _next_year(db, year)
    assert planned and removal.content(db, nxt) == []
    booked = planned[0]
    start = datetime(2027, 10, 5, 7, tzinfo=timezone.utc)
    meetings.reschedule(db, booked, starts_at=start, ends_at=start + timedelta(hours=1))
    booked_id = booked.id
    said = removal.what_deleting_does(db, nxt)
    assert said[0].startswith("Skoleåret 2027/28 slettes med dets trin")
    assert said[1].startswith("Dets 1 bookede møder aflyses først")
    cancelled = []

    def seen(session, flush_context, instances):
        cancelled.extend(o.id for o in session.dirty
                         if isinstance(o, Meeting) and o.status is MeetingStatus.CANCELLED)

    event.listen(OrmSession, "before_flush", seen)
    try:
        removal.delete_school_year(db, nxt)
    finally:
        event.remove(OrmSession, "before_flush", seen)
    assert cancelled == [booked_id]  # told first, in a commit of its own
    db.expire_all()
    assert cycle_years.find_school_year(db, m.id, 2027) is None
    assert db.exec(select(Meeting).where(Meeting.school_year_id == nxt.id)).all() == []
    assert db.exec(select(Step).where(Step.school_year_id == nxt.id)).all() == []
    assert cycle_years.find_school_year(db, m.id, 2026) is not None  # the year before stays


def test_a_year_with_something_held_or_written_cannot_be_deleted(db, setup):
    m, schools, people, year, consultant = setup
    nxt, planned = _next_year(db, year)
    planned[0].status = MeetingStatus.HELD
    db.add(planned[0])
    db.commit()
    with pytest.raises(FieldError) as err:
        removal.delete_school_year(db, nxt)
    assert "Afholdte møder: 1" in err.value.message and "kan ikke slettes" in err.value.message
    planned[0].status = MeetingStatus.PLANNED
    db.add(planned[0])
    dialogue = next(x for x in planned if x.meeting_type is MeetingType.DIALOGUE and x.school_id)
    notes.create_note(db, dialogue)
    assert removal.content(db, nxt) == ["Notater: 1"]  # a domain's counter, wired in bootstrap
    with pytest.raises(FieldError):
        removal.delete_school_year(db, nxt)
    assert cycle_years.find_school_year(db, m.id, 2027) is not None


def test_starting_the_next_year_asks_first(client, db, setup):
    m, schools, people, year, consultant = setup
    login(client, db, consultant)
    url = f"/municipalities/{m.id}/years/2026"

    def not_started():
        assert cycle_years.find_school_year(db, m.id, 2027) is None

    fields = asks_first(client, url, f"{url}/copy", title="Start skoleåret 2027/28?",
                        says=["Fordelingen af skoler på konsulenter kopieres",
                              "kan det slettes igen"], unchanged=not_started)
    r = post_form(client, f"{url}/copy", fields)
    assert r.status_code == 303 and r.headers["location"] == f"/municipalities/{m.id}/years/2027"


def test_the_administration_deletes_an_empty_year_and_is_told_why_not_otherwise(
        client, db, factory, setup):
    m, schools, people, year, consultant = setup
    nxt, planned = _next_year(db, year)
    url = f"/municipalities/{m.id}/years/2027"
    # A participant may not; neither may another municipality's consultant.
    login(client, db, factory.user("participant", municipality=m))
    assert post_form(client, f"{url}/delete", {"confirmed": "1"}).status_code == 403
    client.cookies.clear()
    login(client, db, consultant)

    def still_there():
        db.expire_all()
        assert cycle_years.find_school_year(db, m.id, 2027) is not None

    fields = asks_first(client, url, f"{url}/delete", title="Slet skoleåret 2027/28?",
                        says=["Det kan ikke hentes tilbage"], unchanged=still_there)
    # Meanwhile a note is written in it: the yes is refused, with the reason.
    dialogue = next(x for x in planned if x.meeting_type is MeetingType.DIALOGUE and x.school_id)
    note = notes.create_note(db, dialogue)
    r = post_form(client, f"{url}/delete", fields)
    assert r.status_code == 303 and r.headers["location"] == url
    said = soup(client.get(url)).select_one(".message--error").get_text()
    assert "Skoleåret 2027/28 kan ikke slettes" in said and "Notater: 1" in said
    page = soup(client.get(url))
    assert page.select_one(f"form[action='{url}/delete']") is None
    assert "Notater: 1" in page.select_one(".delete-year").get_text()
    r = post_form(client, f"{url}/delete", {}, htmx=True)
    dialog = soup(r).select_one("dialog.confirm-dialog")
    assert r.status_code == 422 and "Notater: 1" in dialog.get_text()
    still_there()
    # Without the note it goes.
    db.delete(db.get(type(note), note.id))
    db.commit()
    r = post_form(client, f"{url}/delete", fields)
    assert r.status_code == 303
    db.expire_all()
    assert cycle_years.find_school_year(db, m.id, 2027) is None
    assert "Skoleåret 2027/28 er slettet." in client.get(r.headers["location"],
                                                         follow_redirects=True).text
