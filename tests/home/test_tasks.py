"""What waits for me: a meeting of mine moved or cancelled, with and without HTMX; and the
home page's queries do not grow with the number of schools."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from app.agendas.home import school_year_of
from app.i18n import TZ
from app.meetings import service as meetings
from tests.conftest import htmx_get, login, make_person, make_year


def _participant_with_meeting(db, factory, client):
    m = factory.municipality()
    year = make_year(db, m, school_year_of(datetime.now(TZ).date()))
    person = make_person(db, m, "Lene Skov", email="lene@test.dk")
    user = factory.user("participant", municipality=m)
    user.person_id = person.id
    db.add(user)
    db.commit()
    start = datetime.now(TZ).replace(microsecond=0) + timedelta(days=20)
    meeting = meetings.create_meeting(db, school_year=year, title="Formøde med PPR",
                                      starts_at=start, ends_at=start + timedelta(hours=1),
                                      participants=[(person.id, None, True)])
    meeting.created_at = meeting.created_at - timedelta(days=3)  # made some days ago
    db.add(meeting)
    db.commit()
    login(client, db, user)
    return meeting, start


@pytest.mark.parametrize("htmx", [False, True])
def test_a_moved_meeting_waits_for_me(client, db, factory, htmx):
    meeting, start = _participant_with_meeting(db, factory, client)
    page = htmx_get(client, "/") if htmx else client.get("/")
    assert "Flyttet: Formøde med PPR" not in page.text
    assert "Intet venter på dig lige nu." in page.text
    meetings.reschedule(db, meeting, starts_at=start + timedelta(days=1),
                        ends_at=start + timedelta(days=1, hours=1))
    page = htmx_get(client, "/") if htmx else client.get("/")
    assert "Flyttet: Formøde med PPR" in page.text
    assert f'href="/meetings/{meeting.id}"' in page.text


def test_a_cancelled_meeting_waits_for_me(client, db, factory):
    meeting, _start = _participant_with_meeting(db, factory, client)
    meetings.cancel(db, meeting)
    assert "Aflyst: Formøde med PPR" in client.get("/").text


def _count_queries(engine, fn) -> int:
    count = 0

    def on_execute(*_args, **_kw):
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return count


def test_the_school_leaders_home_costs_the_same_for_one_school_and_for_five(client, db, factory):
    m = factory.municipality()
    year = make_year(db, m, school_year_of(datetime.now(TZ).date()))
    schools = [factory.school(m) for _ in range(5)]
    user = factory.user("school_leader", school=schools[0])
    login(client, db, user)
    start = datetime.now(TZ) + timedelta(days=30)
    for school in schools:
        meetings.create_meeting(db, school_year=year, title=f"Samtale {school.name}",
                                school=school, meeting_type="dialogue", starts_at=start,
                                ends_at=start + timedelta(hours=2))
    client.get("/")  # warm caches
    one = _count_queries(db.get_bind(), lambda: client.get("/"))
    from app.accounts import service
    from app.accounts.models import Role

    for school in schools[1:]:
        service.grant(db, user, Role.SCHOOL_LEADER, school_id=school.id)
    client.get("/")
    five = _count_queries(db.get_bind(), lambda: client.get("/"))
    assert "Næste samtale" in client.get("/").text
    assert one > 0 and five == one
