"""Managing a meeting on its page, with and without HTMX: cancelling asks first (a page
without JavaScript, a dialog with HTMX), booking again, lengthening to fit the agenda, the
place and the people; and nobody from elsewhere may."""

from datetime import date, time, timedelta

from bs4 import BeautifulSoup

from app.meetings import service as meetings
from app.meetings.models import MeetingStatus
from app.scheduling import conflicts
from app.scheduling.conflicts import MoveForm
from tests.conftest import htmx_get, login, post_form

DAY = date(2027, 4, 20)


def _setup(client, db, factory, y):
    login(client, db, factory.user("consultant", municipality=y.municipality))
    (d,) = meetings.list_meetings(db, step_id=y.dialogue.id, school_id=y.schools[0].id)
    (b,) = meetings.list_meetings(db, step_id=y.debrief.id, school_id=y.schools[0].id)
    return d, b


def test_a_planned_meeting_is_booked_not_moved(client, db, factory, svendborg):
    d, b = _setup(client, db, factory, svendborg)
    soup = BeautifulSoup(client.get(f"/meetings/{d.id}").text, "html.parser")
    assert soup.select_one("#move-heading").get_text(strip=True) == "Book mødet"
    assert soup.select_one("#move-form button[type=submit]").get_text(strip=True) == "Book mødet"
    r = post_form(client, f"/meetings/{d.id}/move", {"day": str(DAY), "start": "09:00",
                                                    "minutes": "90", "version": d.version})
    assert r.status_code == 303
    assert "Mødet er booket" in client.get(r.headers["location"]).text
    db.refresh(d)
    db.refresh(b)
    assert d.ends_at - d.starts_at == timedelta(minutes=90) and b.starts_at == d.ends_at


def test_cancel_asks_first_without_javascript_then_cancels_with_its_debrief(
        client, db, factory, svendborg):
    d, b = _setup(client, db, factory, svendborg)
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0)), d.version)
    page = BeautifulSoup(client.get(f"/meetings/{d.id}").text, "html.parser")
    form = page.select_one(f"form[action='/meetings/{d.id}/cancel']")
    assert form is not None and form.select_one("input[name=reason]") is not None
    r = post_form(client, f"/meetings/{d.id}/cancel", {"reason": "Skolelederen er syg",
                                                      "version": d.version})
    assert r.status_code == 200 and "<html" in r.text
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select_one("h2").get_text(strip=True) == f'Aflys "{d.title}"?'
    assert b.title in soup.get_text()
    db.refresh(d)
    assert d.status is MeetingStatus.BOOKED  # nothing happened yet
    again = soup.select_one("form[action$='/cancel']")
    fields = {i["name"]: i.get("value", "") for i in again.select("input")}
    assert fields["confirmed"] == "1" and fields["reason"] == "Skolelederen er syg"
    assert soup.select_one(f"a[href='/meetings/{d.id}']").get_text(strip=True) == "Nej, tilbage"
    fields.pop("csrf_token")
    r = post_form(client, f"/meetings/{d.id}/cancel", fields)
    assert r.status_code == 303
    db.refresh(d)
    db.refresh(b)
    assert d.status is MeetingStatus.CANCELLED and b.status is MeetingStatus.CANCELLED
    text = BeautifulSoup(client.get(f"/meetings/{d.id}").text, "html.parser").get_text(" ")
    assert "Skolelederen er syg" in text and "Book mødet igen" in text
    # Booked again from its page.
    r = post_form(client, f"/meetings/{d.id}/move", {"day": str(DAY + timedelta(days=1)),
                                                    "start": "13:00", "version": d.version})
    assert r.status_code == 303
    db.refresh(d)
    db.refresh(b)
    assert d.status is MeetingStatus.BOOKED and b.status is MeetingStatus.BOOKED


def test_cancel_with_htmx_answers_a_dialog(client, db, factory, svendborg):
    d, _b = _setup(client, db, factory, svendborg)
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0)), d.version)
    page = BeautifulSoup(client.get(f"/meetings/{d.id}").text, "html.parser")
    form = page.select_one(f"form[action='/meetings/{d.id}/cancel']")
    slot = form["hx-target"]
    assert form["hx-post"] == f"/meetings/{d.id}/cancel" and page.select_one(slot) is not None
    r = post_form(client, f"/meetings/{d.id}/cancel", {"version": d.version}, htmx=True)
    assert r.status_code == 200 and "<html" not in r.text
    dialog = BeautifulSoup(r.text, "html.parser").select_one("dialog.confirm-dialog")
    assert dialog["aria-labelledby"] == "confirm-dialog-heading"
    assert dialog.select_one("#confirm-dialog-heading") is not None
    assert dialog.select_one("[data-close-dialog]").get_text(strip=True) == "Nej, tilbage"
    db.refresh(d)
    assert d.status is MeetingStatus.BOOKED


def test_the_agenda_warning_offers_to_lengthen_the_meeting(client, db, factory, svendborg):
    d, b = _setup(client, db, factory, svendborg)
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0), minutes=60), d.version)
    needed = meetings.planned_duration(db, d)
    assert needed > 60
    soup = BeautifulSoup(client.get(f"/meetings/{d.id}").text, "html.parser")
    form = soup.select_one("form#lengthen-form")
    assert form is not None
    assert form.select_one("button").get_text(strip=True) == \
        f"Forlæng mødet til {needed} minutter"
    fields = {i["name"]: i["value"] for i in form.select("input") if i["name"] != "csrf_token"}
    r = post_form(client, form["action"], fields, htmx=True)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/meetings/{d.id}"
    db.refresh(d)
    db.refresh(b)
    assert d.ends_at - d.starts_at == timedelta(minutes=needed) and b.starts_at == d.ends_at
    soup = BeautifulSoup(client.get(f"/meetings/{d.id}").text, "html.parser")
    assert soup.select_one("form#lengthen-form") is None


def test_place_guests_and_removing_people(client, db, factory, svendborg):
    d, _b = _setup(client, db, factory, svendborg)
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0)), d.version)
    r = post_form(client, f"/meetings/{d.id}/place", {"kind": "online", "location": "",
                                                     "version": d.version})
    assert r.status_code == 303  # no link given: said, nothing changed
    assert "Skriv linket til et onlinemøde" in client.get(r.headers["location"]).text
    db.refresh(d)
    assert d.location_kind != "online"
    r = post_form(client, f"/meetings/{d.id}/place", {
        "kind": "online", "location": "https://meet.example/sus", "version": d.version})
    assert r.status_code == 303
    db.refresh(d)
    assert d.location_kind == "online" and d.location == "https://meet.example/sus"
    r = post_form(client, f"/meetings/{d.id}/participants", {
        "guest_name": "Karin Bestyrelse", "guest_email": "karin@example.dk", "required": "1"},
        htmx=True)
    assert r.status_code == 204
    people = {p.name: p for p, _mp in meetings.participants(db, d.id)}
    assert "Karin Bestyrelse" in people
    page = BeautifulSoup(client.get(f"/meetings/{d.id}").text, "html.parser")
    remove = page.select_one(
        f"form[action='/meetings/{d.id}/participants/{people['Karin Bestyrelse'].id}/remove']")
    assert remove.select_one("button")["aria-label"] == "Fjern Karin Bestyrelse"
    r = post_form(client, remove["action"])
    assert r.status_code == 303
    assert "Karin Bestyrelse" not in {p.name for p, _mp in meetings.participants(db, d.id)}


def test_a_busy_new_participant_is_refused_with_the_reason(client, db, factory, svendborg):
    from app.scheduling import availability

    d, _b = _setup(client, db, factory, svendborg)
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0)), d.version)
    psych = svendborg.psychologists[0]
    availability.add_busy(db, psych, availability.BusyForm(day=DAY, start=time(8, 0),
                                                           end=time(12, 0)))
    r = post_form(client, f"/meetings/{d.id}/participants", {"person_id": psych.id,
                                                            "required": "1"})
    assert r.status_code == 303
    page = BeautifulSoup(client.get(r.headers["location"]).text, "html.parser")
    said = page.select_one(".message--error").get_text()
    assert said.startswith("Intet er ændret") and "Anne Lund (PPR-psykolog) er optaget" in said
    assert psych.id not in {p.id for p, _mp in meetings.participants(db, d.id)}
    r = post_form(client, f"/meetings/{d.id}/participants", {"person_id": psych.id,
                                                            "required": "1", "force": "on"})
    assert psych.id in {p.id for p, _mp in meetings.participants(db, d.id)}


def test_nobody_from_another_municipality_may(client, db, factory, svendborg):
    (d,) = meetings.list_meetings(db, step_id=svendborg.dialogue.id,
                                  school_id=svendborg.schools[0].id)
    login(client, db, factory.user("consultant", municipality=factory.municipality()))
    for url in ("cancel", "lengthen", "place", "participants",
                f"participants/{svendborg.chief.id}/remove"):
        assert post_form(client, f"/meetings/{d.id}/{url}", {"confirmed": "1"}).status_code \
            == 403, url
    assert htmx_get(client, f"/meetings/{d.id}").status_code == 403
