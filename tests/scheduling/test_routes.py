"""The scheduling pages, with and without HTMX, and who may use them."""

from datetime import date, time

from bs4 import BeautifulSoup

from app.i18n import TZ
from app.meetings import service as meetings
from app.meetings.models import MeetingStatus
from app.scheduling import availability, problem, proposals
from tests.conftest import htmx_get, login, post_form


def _consultant(client, db, factory, y):
    user = factory.user("consultant", municipality=y.municipality)
    login(client, db, user)
    return user


def _plan(client, y, **extra):
    return post_form(client, f"/steps/{y.dialogue.id}/schedule", {
        "window_start": "2027-04-12", "window_end": "2027-05-28", **extra})


def test_plan_review_and_commit_without_javascript(client, db, factory, svendborg, monkeypatch):
    y = svendborg
    monkeypatch.setattr(proposals, "TIME_LIMIT", 0.5)
    _consultant(client, db, factory, y)
    page = client.get(f"/steps/{y.dialogue.id}")
    assert page.status_code == 200
    assert f"/steps/{y.dialogue.id}/schedule" in page.text
    form = client.get(f"/steps/{y.dialogue.id}/schedule")
    assert form.status_code == 200 and "Formøder runde 1" in form.text
    r = _plan(client, y)
    assert r.status_code == 303
    proposal_url = r.headers["location"]
    page = client.get(proposal_url)
    soup = BeautifulSoup(page.text, "html.parser")
    assert "6 / 6" in soup.get_text()
    grid = soup.select_one("table.week-grid")
    assert grid is not None and len(grid.select(".week-grid__item")) == 12
    assert any(f"uge {w}" in grid.get_text() for w in range(15, 22))
    assert "Lene Skov" in soup.select_one("#people-heading").parent.get_text()
    r = post_form(client, proposal_url + "/commit")
    assert r.status_code == 303 and r.headers["location"] == f"/steps/{y.dialogue.id}"
    assert all(m.status is MeetingStatus.BOOKED
               for m in meetings.list_meetings(db, step_id=y.dialogue.id))
    step_page = client.get(f"/steps/{y.dialogue.id}").text
    assert "Ingen konflikter" in step_page


def test_plan_with_htmx_redirects_and_validates(client, db, factory, svendborg, monkeypatch):
    y = svendborg
    monkeypatch.setattr(proposals, "TIME_LIMIT", 0.5)
    _consultant(client, db, factory, y)
    r = post_form(client, f"/steps/{y.dialogue.id}/schedule",
                  {"window_start": "2027-05-28", "window_end": "2027-04-12"}, htmx=True)
    assert r.status_code == 422 and "<html" not in r.text
    assert "Perioden skal slutte efter den begynder" in r.text
    r = _plan(client, y, also=str(y.prep.id))
    assert r.status_code == 303
    r = post_form(client, f"/steps/{y.dialogue.id}/schedule",
                  {"window_start": "2027-04-12", "window_end": "2027-05-28"}, htmx=True)
    assert r.status_code == 204 and r.headers["HX-Redirect"].startswith("/proposals/")
    frag = htmx_get(client, r.headers["HX-Redirect"])
    assert "<html" not in frag.text and "week-grid" in frag.text
    r = post_form(client, r.headers["HX-Redirect"] + "/discard", htmx=True)
    assert r.status_code == 204
    assert all(m.status is MeetingStatus.PLANNED
               for m in meetings.list_meetings(db, step_id=y.dialogue.id))


def _booked(db, y):
    proposals.commit(db, proposals.run(db, problem.PlanRequest(
        step=y.dialogue, window_start=date(2027, 4, 12), window_end=date(2027, 5, 28)),
        time_limit=0.5))
    return meetings.list_meetings(db, step_id=y.dialogue.id)


def test_move_checks_live_and_explains_conflicts(client, db, factory, svendborg):
    y = svendborg
    a, b = _booked(db, y)[:2]
    _consultant(client, db, factory, y)
    page = client.get(f"/meetings/{a.id}")
    soup = BeautifulSoup(page.text, "html.parser")
    form = soup.select_one("form#move-form")
    assert form is not None and form["action"] == f"/meetings/{a.id}/move"
    target = b.starts_at.astimezone(TZ)
    check = htmx_get(client, f"/meetings/{a.id}/move/check?day={target.date()}"
                             f"&start={target.strftime('%H:%M')}")
    assert check.status_code == 200 and "<html" not in check.text
    assert "Lene Skov" in check.text and b.title in check.text
    free = htmx_get(client, f"/meetings/{a.id}/move/check?day=2027-05-28&start=13:00")
    assert "Ingen konflikter" in free.text
    # The plain form: refused with the explanation, then accepted when forced.
    r = post_form(client, f"/meetings/{a.id}/move", {
        "day": str(target.date()), "start": target.strftime("%H:%M"), "version": a.version})
    assert r.status_code == 409 and "Lene Skov" in r.text and 'name="force"' in r.text
    assert "<html" in r.text
    r = post_form(client, f"/meetings/{a.id}/move", {
        "day": "2027-05-28", "start": "13:00", "version": a.version})
    assert r.status_code == 303
    db.refresh(a)
    assert a.starts_at.astimezone(TZ).time() == time(13, 0)


def test_conflicts_appear_on_step_and_school_pages(client, db, factory, svendborg):
    y = svendborg
    dialogue = _booked(db, y)[0]
    local = dialogue.starts_at.astimezone(TZ)
    leader = y.leaders[dialogue.school_id]
    availability.add_busy(db, leader, availability.BusyForm(day=local.date(), start=time(6),
                                                  end=time(20), note="Privat aftale"))
    _consultant(client, db, factory, y)
    step_page = client.get(f"/steps/{y.dialogue.id}").text
    assert f"{leader.name} (Skoleleder) er optaget" in step_page
    assert "Privat aftale" not in step_page
    school_page = client.get(f"/schools/{dialogue.school_id}").text
    assert f"{leader.name} (Skoleleder) er optaget" in school_page


def test_availability_page_and_privacy(client, db, factory, svendborg):
    y = svendborg
    availability.add_busy(db, y.chief, availability.BusyForm(day=date(2099, 1, 5), start=time(9),
                                                   end=time(10), note="Lægebesøg"))
    consultant = _consultant(client, db, factory, y)
    page = client.get(f"/people/{y.chief.id}/availability")
    assert page.status_code == 200 and "Lægebesøg" not in page.text and "Optaget" in page.text
    r = post_form(client, f"/people/{y.chief.id}/availability", {
        "weekdays": ["0", "1", "2", "3"], "day_start": "08:30", "day_end": "15:00",
        "max_per_day": "3", "buffer_minutes": "10"})
    assert r.status_code == 303
    hours = availability.get_availability(db, y.chief)
    assert hours.weekdays == [0, 1, 2, 3] and hours.max_per_day == 3
    r = post_form(client, f"/people/{y.chief.id}/availability", {
        "day_start": "15:00", "day_end": "08:00", "buffer_minutes": "10"})
    assert r.status_code == 422 and "Vælg mindst én arbejdsdag" in r.text
    r = post_form(client, f"/people/{y.chief.id}/busy", {
        "day": "2099-02-02", "start": "10:00", "end": "09:00"})
    assert r.status_code == 422 and "Slut skal ligge efter start" in r.text
    r = client.post(f"/people/{y.chief.id}/ics", data={"csrf_token": client.cookies["sus_csrf"]},
                    files={"file": ("cal.ics", b"not a calendar", "text/calendar")})
    assert r.status_code == 422 and "ikke en kalenderfil" in r.text
    # The chief sees her own note; a school leader may not see the page at all.
    client.cookies.clear()
    chief_user = factory.user("participant", municipality=y.municipality)
    chief_user.person_id = y.chief.id
    db.add(chief_user)
    db.commit()
    login(client, db, chief_user)
    assert "Lægebesøg" in client.get(f"/people/{y.chief.id}/availability").text
    client.cookies.clear()
    login(client, db, factory.user("school_leader", school=y.schools[0]))
    assert client.get(f"/people/{y.chief.id}/availability").status_code == 403
    assert consultant is not None


def test_removing_a_busy_time_asks_first(client, db, factory, svendborg):
    from app.scheduling.models import BusyPeriod
    from tests.confirming import asks_first

    y = svendborg
    busy = availability.add_busy(db, y.chief, availability.BusyForm(
        day=date(2099, 1, 5), start=time(9), end=time(10), note="Lægebesøg"))
    _consultant(client, db, factory, y)

    def kept():
        db.expire_all()
        assert db.get(BusyPeriod, busy.id) is not None

    fields = asks_first(client, f"/people/{y.chief.id}/availability", f"/busy/{busy.id}/delete",
                        title="Fjern den optagede tid 5. januar 2099 kl. 09:00–10:00?",
                        says=[f"Derefter regnes {y.chief.name} som ledig på det tidspunkt"],
                        unchanged=kept)
    r = post_form(client, f"/busy/{busy.id}/delete", fields)
    assert r.status_code == 303
    db.expire_all()
    assert db.get(BusyPeriod, busy.id) is None


def test_settings_and_school_preferences(client, db, factory, svendborg):
    y = svendborg
    _consultant(client, db, factory, y)
    assert client.get(f"/municipalities/{y.municipality.id}/scheduling").status_code == 200
    r = post_form(client, f"/municipalities/{y.municipality.id}/scheduling", {
        "travel_minutes": "20", "administration_place": "Rådhuset, mødelokale 2",
        "day_start": "08:00", "day_end": "15:30", "buffer_minutes": "15"})
    assert r.status_code == 303
    saved = availability.get_settings(db, y.municipality.id)
    assert saved.travel_minutes == 20
    # Someone saved in between: refused with a message, the input kept, nothing changed.
    r = post_form(client, f"/municipalities/{y.municipality.id}/scheduling", {
        "travel_minutes": "45", "administration_place": "Rådhuset", "day_start": "08:00",
        "day_end": "15:30", "buffer_minutes": "15", "version": saved.version - 1})
    assert r.status_code == 409
    assert "En anden har ændret indstillingerne imens" in r.text and 'value="45"' in r.text
    assert availability.get_settings(db, y.municipality.id).travel_minutes == 20
    school = y.schools[0]
    r = post_form(client, f"/schools/{school.id}/meeting-preference", {
        "weekdays": ["1", "3"], "preferred_from": "08:00", "preferred_until": "12:00"})
    assert r.status_code == 303
    assert availability.get_preference(db, school.id).weekdays == [1, 3]
    client.cookies.clear()
    login(client, db, factory.user("school_leader", school=y.schools[1]))
    r = post_form(client, f"/schools/{school.id}/meeting-preference", {"weekdays": ["0"]})
    assert r.status_code == 403
    assert client.get(f"/municipalities/{y.municipality.id}/scheduling").status_code == 403
    assert client.get(f"/steps/{y.dialogue.id}/schedule").status_code == 403


def test_other_municipality_cannot_plan_or_move(client, db, factory, svendborg):
    y = svendborg
    m = meetings.list_meetings(db, step_id=y.dialogue.id)[0]
    login(client, db, factory.user("consultant", municipality=factory.municipality()))
    assert client.get(f"/steps/{y.dialogue.id}/schedule").status_code == 403
    assert _plan(client, y).status_code == 403
    assert client.get(f"/meetings/{m.id}/move").status_code == 403
    assert post_form(client, f"/meetings/{m.id}/move",
                     {"day": "2027-05-28", "start": "13:00"}).status_code == 403


def test_a_stale_save_of_working_hours_shows_both_versions(client, db, factory, svendborg):
    y = svendborg
    _consultant(client, db, factory, y)
    hours_form = {"weekdays": ["0", "1", "2"], "day_start": "08:00", "day_end": "15:00",
                  "max_per_day": "3", "buffer_minutes": "10"}
    assert post_form(client, f"/people/{y.chief.id}/availability", hours_form).status_code == 303
    opened = availability.get_availability(db, y.chief).version
    # Someone else saves other hours after the form was opened.
    availability.save_availability(db, y.chief, availability.AvailabilityForm(
        weekdays=[0, 1, 2, 3], day_start="09:00", day_end="15:00", max_per_day=3,
        buffer_minutes=10), opened)
    r = post_form(client, f"/people/{y.chief.id}/availability",
                  {**hours_form, "day_start": "07:30", "version": str(opened)})
    assert r.status_code == 409
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
            for tr in BeautifulSoup(r.text, "html.parser").select(".conflict tbody tr")]
    assert rows == [["Arbejdsdage", "Mandag, Tirsdag, Onsdag, Torsdag", "Mandag, Tirsdag, Onsdag"],
                    ["Fra", "09:00", "07:30"]]
    # Nothing of mine was saved; the form still holds my input.
    db.expire_all()
    assert availability.get_availability(db, y.chief).day_start.strftime("%H:%M") == "09:00"
    assert 'value="07:30"' in r.text
