"""Managing a meeting on its page, with and without HTMX: cancelling asks first (a page
without JavaScript, a dialog with HTMX), booking again, lengthening to fit the agenda, the
place and the people; and nobody from elsewhere may."""

from datetime import date, time, timedelta

from bs4 import BeautifulSoup

from app.meetings import service as meetings
from app.meetings.models import MeetingStatus
from app.scheduling import conflicts, flows
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
    assert soup.select_one("#confirm-heading").get_text(strip=True) == f'Aflys "{d.title}"?'
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


def _form_fields(form) -> dict:
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    fields.pop("csrf_token", None)
    return fields


def test_a_wrong_place_comes_back_with_what_was_typed(client, db, factory, svendborg):
    d, _b = _setup(client, db, factory, svendborg)
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0)), d.version)
    before = d.location_kind, d.location
    for htmx in (False, True):
        r = post_form(client, f"/meetings/{d.id}/place", {"kind": "online", "location": " ",
                                                         "version": d.version}, htmx=htmx)
        assert r.status_code == 422
        assert ("<html" in r.text) is not htmx  # a page of its own; with htmx the form alone
        form = BeautifulSoup(r.text, "html.parser").select_one("form#place-form")
        assert form["hx-target"] == "this" and form["hx-swap"] == "outerHTML"
        assert form.select_one("input[name=kind][value=online]").has_attr("checked")
        error = form.select_one("#place-location-error").get_text(strip=True)
        assert error == "Skriv linket til et onlinemøde eller adressen på et andet sted."
        assert form.select_one("#place-location")["aria-describedby"] == "place-location-error"
        db.refresh(d)
        assert (d.location_kind, d.location) == before
    # A room typed for another address is kept when the choice is what is missing.
    r = post_form(client, f"/meetings/{d.id}/place", {"kind": "", "location": "Lokale 2.14",
                                                     "version": d.version})
    form = BeautifulSoup(r.text, "html.parser").select_one("form#place-form")
    assert r.status_code == 422 and form.select_one("#place-location")["value"] == "Lokale 2.14"
    assert form.select_one("#place-kind-error").get_text(strip=True) == \
        "Vælg, hvor mødet holdes."
    r = post_form(client, f"/meetings/{d.id}/place", {
        "kind": "online", "location": "https://meet.example/sus", "version": d.version})
    assert r.status_code == 303
    db.refresh(d)
    assert d.location_kind == "online" and d.location == "https://meet.example/sus"


def test_a_wrong_participant_comes_back_with_what_was_typed(client, db, factory, svendborg):
    d, _b = _setup(client, db, factory, svendborg)
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0)), d.version)
    before = len(meetings.participants(db, d.id))
    for htmx in (False, True):
        r = post_form(client, f"/meetings/{d.id}/participants", {
            "guest_name": "Karin Bestyrelse", "guest_email": "karin.example.dk"}, htmx=htmx)
        assert r.status_code == 422 and ("<html" in r.text) is not htmx
        form = BeautifulSoup(r.text, "html.parser").select_one("form#add-participant")
        assert form.select_one("#guest-name")["value"] == "Karin Bestyrelse"
        assert form.select_one("#guest-email")["value"] == "karin.example.dk"
        assert form.select_one("#guest-email")["aria-invalid"] == "true"
        assert not form.select_one("input[name=required]").has_attr("checked")  # as sent
        assert form.select_one("#participant-guest_email-error").get_text(strip=True) == \
            "Skriv gæstens e-mailadresse, fx navn@skole.dk."
    r = post_form(client, f"/meetings/{d.id}/participants", {"guest_email": "karin@example.dk"})
    form = BeautifulSoup(r.text, "html.parser").select_one("form#add-participant")
    assert form.select_one("#participant-guest_name-error").get_text(strip=True) == \
        "Skriv gæstens navn."
    assert len(meetings.participants(db, d.id)) == before
    r = post_form(client, f"/meetings/{d.id}/participants", {
        "guest_name": "Karin Bestyrelse", "guest_email": "karin@example.dk", "required": "1"},
        htmx=True)
    assert r.status_code == 204
    assert "Karin Bestyrelse" in {p.name for p, _mp in meetings.participants(db, d.id)}


def test_removing_a_participant_asks_first_and_says_who_is_told(client, db, factory, svendborg):
    d, _b = _setup(client, db, factory, svendborg)
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0)), d.version)
    guest = flows.invite_guest(db, d, name="Karin Bestyrelse", email="karin@example.dk")
    db.commit()
    url = f"/meetings/{d.id}/participants/{guest.id}/remove"
    page = BeautifulSoup(client.get(f"/meetings/{d.id}").text, "html.parser")
    remove = page.select_one(f"form[action='{url}']")
    assert remove["hx-post"] == url and page.select_one(remove["hx-target"]) is not None
    assert remove.select_one("button")["aria-label"] == "Fjern Karin Bestyrelse"
    # With htmx: the dialog; nothing happens.
    r = post_form(client, url, htmx=True)
    dialog = BeautifulSoup(r.text, "html.parser").select_one("dialog.confirm-dialog")
    assert r.status_code == 200 and dialog is not None and "<html" not in r.text
    assert dialog.select_one("h2").get_text(strip=True) == "Fjern Karin Bestyrelse fra mødet?"
    # Without JavaScript: the page, which says who is told (invitations are off here).
    r = post_form(client, url)
    soup = BeautifulSoup(r.text, "html.parser")
    said = [li.get_text(" ", strip=True) for li in soup.select(".confirm-page li")]
    assert said[1].startswith("Karin Bestyrelse får ingen e-mail om det")
    assert guest.id in {p.id for p, _mp in meetings.participants(db, d.id)}
    # Confirmed, but without the form's CSRF token: refused, nothing removed.
    r = client.post(url, data={"confirmed": "1"})
    assert r.status_code == 403
    assert guest.id in {p.id for p, _mp in meetings.participants(db, d.id)}
    again = soup.select_one(f".confirm-page form[action='{url}']")
    r = post_form(client, url, _form_fields(again))
    assert r.status_code == 303
    assert guest.id not in {p.id for p, _mp in meetings.participants(db, d.id)}


def test_a_busy_new_participant_is_refused_with_the_reason(client, db, factory, svendborg):
    from app.scheduling import availability

    d, _b = _setup(client, db, factory, svendborg)
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0)), d.version)
    psych = svendborg.psychologists[0]
    availability.add_busy(db, psych, availability.BusyForm(day=DAY, start=time(8, 0),
                                                           end=time(12, 0)))
    r = post_form(client, f"/meetings/{d.id}/participants", {"person_id": psych.id,
                                                            "required": "1"})
    assert r.status_code == 409
    form = BeautifulSoup(r.text, "html.parser").select_one("form#add-participant")
    said = form.select_one(".conflict").get_text()
    assert said.strip().startswith("Intet er ændret") and "Anne Lund (PPR-psykolog) er optaget" in said
    assert form.select_one(f"option[value='{psych.id}']").has_attr("selected")
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


def test_the_agenda_page_offers_to_lengthen_the_meeting_and_comes_back(client, db, factory,
                                                                       svendborg):
    from app.agendas import build as agenda_build
    from app.scheduling import availability

    d, b = _setup(client, db, factory, svendborg)
    agenda = agenda_build.ensure_agenda(db, d)
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0), minutes=60), d.version)
    needed = meetings.planned_duration(db, d)
    page = BeautifulSoup(client.get(f"/agendas/{agenda.id}").text, "html.parser")
    form = page.select_one("form#lengthen-form")
    assert form.select_one("button").get_text(strip=True) == \
        f"Forlæng mødet til {needed} minutter"
    fields = {i["name"]: i["value"] for i in form.select("input") if i["name"] != "csrf_token"}
    assert fields["back"] == "agenda"
    # Someone busy in the longer time: refused with the conflict, nothing changed.
    busy_one = next(p for p, mp in meetings.participants(db, d.id) if mp.required)
    availability.add_busy(db, busy_one, availability.BusyForm(day=DAY, start=time(10, 15),
                                                           end=time(11, 0)))
    r = post_form(client, form["action"], fields)
    assert r.status_code == 409 and "er optaget" in r.text
    db.refresh(d)
    assert d.ends_at - d.starts_at == timedelta(minutes=60)
    r = post_form(client, form["action"], {**fields, "force": "on"})
    assert r.status_code == 303 and r.headers["location"] == f"/meetings/{d.id}/agenda"
    db.refresh(d)
    db.refresh(b)
    assert d.ends_at - d.starts_at == timedelta(minutes=needed) and b.starts_at == d.ends_at
    page = BeautifulSoup(client.get(f"/agendas/{agenda.id}").text, "html.parser")
    assert page.select_one("form#lengthen-form") is None
    # A participant of the meeting reads the agenda but is offered nothing.
    client.cookies.clear()
    conflicts.move(db, d, MoveForm(day=DAY, start=time(9, 0), minutes=60, force=True), d.version)
    login(client, db, factory.user("participant", municipality=svendborg.municipality))
    page = BeautifulSoup(client.get(f"/agendas/{agenda.id}").text, "html.parser")
    assert page.select_one("form#lengthen-form") is None
