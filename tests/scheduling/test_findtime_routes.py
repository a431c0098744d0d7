""""Find en tid" on the meeting page, with and without HTMX: the free slots, booking one
(conflict-checked, SEQUENCE up), a slot taken in the meantime refused, bad input answered in
Danish, and nobody from elsewhere may."""

from datetime import date, time

from bs4 import BeautifulSoup

from app.meetings import service as meetings
from app.meetings.models import MeetingStatus
from app.scheduling import availability, conflicts
from app.scheduling.conflicts import MoveForm
from tests.conftest import htmx_get, login, post_form

MONDAY = date(2027, 4, 12)  # the first day of the fixture's dialogue window


def _setup(client, db, factory, y):
    login(client, db, factory.user("consultant", municipality=y.municipality))
    (d,) = meetings.list_meetings(db, step_id=y.dialogue.id, school_id=y.schools[0].id)
    return d


def _slot_forms(soup, meeting):
    return soup.select(f"#find-time form[action='/meetings/{meeting.id}/find-time'][method=post]")


def _fields(form):
    return {i["name"]: i.get("value", "") for i in form.select("input") if i["name"] != "csrf_token"}


def test_without_javascript_the_meeting_page_searches_and_a_slot_is_booked(
        client, db, factory, svendborg):
    d = _setup(client, db, factory, svendborg)
    availability.add_busy(db, svendborg.chief, availability.BusyForm(
        day=MONDAY, start=time(8), end=time(10)))
    page = BeautifulSoup(client.get(f"/meetings/{d.id}").text, "html.parser")
    search = page.select_one("#find-time form[method=get]")
    assert search["action"] == f"/meetings/{d.id}/find-time"
    assert page.select_one("#find-heading").get_text(strip=True) == "Find en tid"

    r = client.get(f"/meetings/{d.id}/find-time", params={"first": str(MONDAY)})
    assert r.status_code == 200 and "<html" in r.text
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select_one("h1").get_text(strip=True).startswith("Find en tid")
    forms = _slot_forms(soup, d)
    assert len(forms) == 6
    first = _fields(forms[0])
    # The chief is busy until ten on Monday: the first slot is at ten.
    assert (first["day"], first["start"]) == (str(MONDAY), "10:00")
    assert "Book mandag 12. april 2027, 10:00" in forms[0].get_text(" ", strip=True)

    r = post_form(client, f"/meetings/{d.id}/find-time", first)
    assert r.status_code == 303 and r.headers["location"] == f"/meetings/{d.id}"
    db.refresh(d)
    assert d.status is MeetingStatus.BOOKED and d.sequence >= 1
    assert d.starts_at == availability.local_to_utc(MONDAY, time(10))
    assert "Mødet er booket til" in client.get(f"/meetings/{d.id}").text


def test_with_htmx_the_answer_swaps_in_and_booking_redirects(client, db, factory, svendborg):
    d = _setup(client, db, factory, svendborg)
    r = htmx_get(client, f"/meetings/{d.id}/find-time?first={MONDAY}&minutes=60")
    assert r.status_code == 200 and "<html" not in r.text
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select_one("div#find-time") is not None
    forms = _slot_forms(soup, d)
    assert forms and all(f["hx-target"] == "#find-time" for f in forms)
    fields = _fields(forms[0])
    assert fields["minutes"] == "60" and "60 minutter" in soup.get_text()
    r = post_form(client, f"/meetings/{d.id}/find-time", fields, htmx=True)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/meetings/{d.id}"
    db.refresh(d)
    assert (d.ends_at - d.starts_at).total_seconds() == 3600


def test_a_slot_taken_in_the_meantime_is_refused_and_new_slots_offered(
        client, db, factory, svendborg):
    d = _setup(client, db, factory, svendborg)
    soup = BeautifulSoup(client.get(f"/meetings/{d.id}/find-time?first={MONDAY}").text,
                         "html.parser")
    fields = _fields(_slot_forms(soup, d)[0])
    # Meanwhile the chief's calendar fills up at that time.
    availability.add_busy(db, svendborg.chief, availability.BusyForm(
        day=MONDAY, start=time(8), end=time(12)))
    for htmx in (False, True):
        r = post_form(client, f"/meetings/{d.id}/find-time", fields, htmx=htmx)
        assert r.status_code == 409
        soup = BeautifulSoup(r.text, "html.parser")
        assert ("<html" in r.text) is not htmx
        alert = soup.select_one("#find-time [role=alert]").get_text(" ", strip=True)
        assert "Den tid er ikke længere ledig" in alert and "Lene Skov" in alert
        assert _slot_forms(soup, d)  # other times to choose from
    db.refresh(d)
    assert d.status is MeetingStatus.PLANNED


def test_a_stale_version_is_refused(client, db, factory, svendborg):
    d = _setup(client, db, factory, svendborg)
    soup = BeautifulSoup(client.get(f"/meetings/{d.id}/find-time?first={MONDAY}").text,
                         "html.parser")
    fields = _fields(_slot_forms(soup, d)[1])
    conflicts.move(db, d, MoveForm(day=date(2027, 4, 20), start=time(9)), d.version)
    r = post_form(client, f"/meetings/{d.id}/find-time", fields)
    assert r.status_code == 409 and "nogen anden har ændret mødet" in r.text
    db.refresh(d)
    assert d.starts_at == availability.local_to_utc(date(2027, 4, 20), time(9))


def test_bad_input_is_answered_in_danish_and_kept(client, db, factory, svendborg):
    d = _setup(client, db, factory, svendborg)
    r = client.get(f"/meetings/{d.id}/find-time?first=2027-13-40&minutes=3")
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select_one("#find-first")["value"] == "2027-13-40"
    assert soup.select_one("#find-minutes")["value"] == "3"
    assert soup.select_one("#find-first-error") and soup.select_one("#find-minutes-error")
    r = post_form(client, f"/meetings/{d.id}/find-time", {"day": "", "start": "25:00"})
    assert r.status_code == 422 and "Vælg en af de tider" in r.text


def test_after_the_steps_period_it_says_so(client, db, factory, svendborg):
    d = _setup(client, db, factory, svendborg)
    text = BeautifulSoup(client.get(f"/meetings/{d.id}/find-time?first=2027-06-07").text,
                         "html.parser").get_text(" ", strip=True)
    assert "Trinnets periode sluttede" in text


def test_nobody_from_elsewhere_may(client, db, factory, svendborg):
    (d,) = meetings.list_meetings(db, step_id=svendborg.dialogue.id,
                                  school_id=svendborg.schools[0].id)
    other = factory.municipality(name="Andenkommune", kommunekode="999")
    login(client, db, factory.user("consultant", municipality=other))
    assert client.get(f"/meetings/{d.id}/find-time").status_code == 403
    r = post_form(client, f"/meetings/{d.id}/find-time",
                  {"day": str(MONDAY), "start": "08:00", "version": d.version})
    assert r.status_code == 403
    login(client, db, factory.user("school_leader", school=svendborg.schools[0]))
    assert client.get(f"/meetings/{d.id}/find-time").status_code == 403


def test_an_internal_step_offers_a_scheduler_run(client, db, factory, svendborg):
    from app.cycles.models import Step, StepScope
    from app.meetings.models import MeetingType

    y = svendborg
    login(client, db, factory.user("consultant", municipality=y.municipality))
    step = Step(school_year_id=y.year.id, position=12, key="opsamlingsmode",
                title="Opsamlingsmøde for konsulenter", scope=StepScope.MUNICIPAL,
                meeting_type="internal", start_date=date(2027, 6, 1),
                end_date=date(2027, 6, 25), duration_minutes=120)
    db.add(step)
    db.commit()
    m = meetings.create_meeting(db, school_year=y.year, step=step, title=step.title,
                                meeting_type=MeetingType.INTERNAL,
                                participants=[(c.id, "consultant", True) for c in y.consultants])
    soup = BeautifulSoup(client.get(f"/steps/{step.id}").text, "html.parser")
    assert soup.select_one(f"a[href='/steps/{step.id}/schedule']") is not None
    r = post_form(client, f"/steps/{step.id}/schedule",
                  {"window_start": "2027-06-01", "window_end": "2027-06-25"})
    assert r.status_code == 303 and r.headers["location"].startswith("/proposals/")
    r = post_form(client, r.headers["location"] + "/commit", {})
    assert r.status_code == 303
    db.refresh(m)
    assert m.status is MeetingStatus.BOOKED
