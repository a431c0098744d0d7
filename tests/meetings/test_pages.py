"""The meeting, step and person pages, and who may see them."""

from datetime import datetime, timedelta, timezone

from bs4 import BeautifulSoup

from app.cycles.models import Step
from app.meetings import service
from app.meetings.models import MeetingType
from tests.conftest import htmx_get, login, make_person, make_year

T0 = datetime(2027, 4, 20, 6, 0, tzinfo=timezone.utc)  # 08:00 in Copenhagen (summer time)


def _setup(db, factory, confidential=False):
    m = factory.municipality()
    school = factory.school(m, name="Bakkeskolen")
    y = make_year(db, m)
    step = Step(school_year_id=y.id, position=1, key="dialogue", title="Skoleudviklingssamtaler")
    db.add(step)
    db.commit()
    chief = make_person(db, m, "Lene Skov", function="chief")
    meeting = service.create_meeting(
        db, school_year=y, step=step, school=school, title="Skoleudviklingssamtale: Bakkeskolen",
        meeting_type=MeetingType.LUS if confidential else MeetingType.DIALOGUE,
        confidential=confidential, starts_at=T0, ends_at=T0 + timedelta(hours=2),
        location="Bakkeskolen", participants=[(chief.id, "chief", True)])
    return m, school, step, meeting, chief


def test_meeting_page_shows_time_in_copenhagen_and_participants(client, db, factory):
    m, school, step, meeting, chief = _setup(db, factory)
    login(client, db, factory.user("consultant", municipality=m))
    soup = BeautifulSoup(client.get(f"/meetings/{meeting.id}").text, "html.parser")
    text = soup.get_text(" ", strip=True)
    assert "tirsdag 20. april 2027, 08:00–10:00 (uge 16)" in text
    assert soup.select_one("a[href^='/people/']").parent.get_text(strip=True) == "Lene Skov, Skolechef"
    assert soup.select_one(f"a[href='/steps/{step.id}']")
    frag = htmx_get(client, f"/meetings/{meeting.id}")
    assert "<html" not in frag.text and "Lene Skov" in frag.text


def test_step_page_lists_its_meetings(client, db, factory):
    m, school, step, meeting, _ = _setup(db, factory)
    login(client, db, factory.user("participant", municipality=m))
    page = client.get(f"/steps/{step.id}").text
    assert meeting.title in page and "Booket" in page


def test_other_municipality_cannot_see_meeting_or_step(client, db, factory):
    m, school, step, meeting, _ = _setup(db, factory)
    login(client, db, factory.user("consultant", municipality=factory.municipality()))
    assert client.get(f"/meetings/{meeting.id}").status_code == 403
    assert client.get(f"/steps/{step.id}").status_code == 403


def test_confidential_meeting_only_for_administration_and_invited(client, db, factory):
    m, school, step, meeting, chief = _setup(db, factory, confidential=True)
    login(client, db, factory.user("participant", municipality=m))
    assert client.get(f"/meetings/{meeting.id}").status_code == 403
    invited = factory.user("participant", municipality=m)
    invited.person_id = chief.id
    db.add(invited)
    db.commit()
    client.cookies.clear()
    login(client, db, invited)
    assert client.get(f"/meetings/{meeting.id}").status_code == 200


def test_person_page(client, db, factory):
    m, school, step, meeting, chief = _setup(db, factory)
    login(client, db, factory.user("school_leader", school=school))
    page = client.get(f"/people/{chief.id}").text
    assert "Lene Skov" in page and "Skolechef" in page
    other = make_person(db, factory.municipality(), "Fremmed")
    assert client.get(f"/people/{other.id}").status_code == 403
