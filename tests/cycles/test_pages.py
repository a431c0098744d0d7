"""The year wheel, the timeline, the step page and its inline edits, with and without HTMX."""

from datetime import date

import pytest
from bs4 import BeautifulSoup

from app import catalog
from app.cycles import assignments as cycle_assignments
from app.cycles import catalog as cycle_catalog
from app.cycles import from_template as cycle_from_template
from app.cycles import holiday_periods as cycle_holiday_periods
from app.cycles import progress as cycle_progress
from app.cycles import years as cycle_years
from app.cycles.models import HolidayPeriod, StepStatus
from app.cycles.routes import common as cycles_common
from app.meetings import service as meetings
from app.schools.models import PersonFunction
from tests.conftest import htmx_get, login, make_person, post_form

TODAY = date(2026, 11, 23)


@pytest.fixture
def setup(db, factory, monkeypatch):
    monkeypatch.setattr(cycles_common, "today", lambda: TODAY)
    list(cycle_catalog.load_catalog(db, catalog.read("cycles")))
    m = factory.municipality(name="Svendborg-test Kommune")
    schools = [factory.school(m, name=n) for n in ("Bakkeskolen", "Åskolen", "Byskolen")]
    people = {
        "chief": make_person(db, m, "Lene Skov", function=PersonFunction.CHIEF),
        "c1": make_person(db, m, "Mette Holm", function=PersonFunction.CONSULTANT),
        "c2": make_person(db, m, "Jens Kirk", function=PersonFunction.CONSULTANT),
        "psy": make_person(db, m, "Anne Lund", function=PersonFunction.PSYCHOLOGIST),
    }
    year = cycle_from_template.create_from_template(
        db, m, 2026, cycle_catalog.template_by_key(db, "svendborg"))
    consultant = factory.user("consultant", municipality=m)
    return m, schools, people, year, consultant


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def test_wheel_links_every_step_and_shades_holidays(client, db, setup):
    m, schools, people, year, consultant = setup
    login(client, db, consultant)
    r = client.get(f"/municipalities/{m.id}/years")
    assert r.status_code == 303 and r.headers["location"] == f"/municipalities/{m.id}/years/2026"
    page = soup(client.get(f"/municipalities/{m.id}/years/2026"))
    svg = page.select_one("svg.wheel")
    steps = cycle_years.list_steps(db, year.id)
    linked = {a["href"] for a in svg.select("a.wheel-step")}
    assert linked == {f"/steps/{s.id}" for s in steps}
    assert all(a.get("aria-label") for a in svg.select("a.wheel-step"))
    assert len(svg.select(".wheel-month")) == 12
    assert [t.get_text() for t in svg.select(".wheel-month-label")][:2] == ["aug", "sep"]
    assert svg.select(".wheel-holiday") and svg.select_one(".wheel-today")
    # The text list has the same steps, in order, with dates and week numbers.
    items = page.select("ol.steps > li")
    assert [li.select_one("a")["href"] for li in items] == [f"/steps/{s.id}" for s in steps]
    assert "uge 45–49" in items[0].get_text(" ", strip=True)
    # No inline styles or scripts anywhere (CSP).
    assert not page.select("[style]") and not page.find_all("style")
    nav = [a.get_text(strip=True) for a in page.select(".main-nav a")]
    assert "Årshjul" in nav
    frag = htmx_get(client, f"/municipalities/{m.id}/years/2026")
    assert "<html" not in frag.text and "wheel-step" in frag.text


def test_timeline_lists_every_week_with_steps_and_holidays(client, db, setup):
    m, schools, people, year, consultant = setup
    login(client, db, consultant)
    page = soup(client.get(f"/municipalities/{m.id}/years/2026/timeline"))
    rows = page.select("tbody tr")
    assert rows[0].th.get_text(" ", strip=True).startswith("uge 31")
    current = page.select_one("tr[aria-current=date]")
    assert current.th.get_text(" ", strip=True) == "uge 48 Nu"
    assert "Opstartsmøde" in current.get_text()
    autumn = next(r for r in rows if r.th.get_text(strip=True) == "uge 42")
    assert "timeline__week--holiday" in autumn["class"] and "Efterårsferie" in autumn.get_text()
    frag = htmx_get(client, f"/municipalities/{m.id}/years/2026/timeline")
    assert "<html" not in frag.text and "uge 42" in frag.text


def test_step_page_shows_what_when_who_and_schools(client, db, setup, monkeypatch):
    m, schools, people, year, consultant = setup
    monkeypatch.setattr(cycle_progress.school_status_providers, "_items", [])
    cycle_progress.school_status_providers.add(cycle_progress.SchoolStatusProvider(
        "note_written", "Note written", lambda session, step, ids: {schools[0].id}))
    step = cycle_years.step_by_key(db, year.id, "dialogue")
    first = meetings.list_meetings(db, step_id=step.id, school_id=schools[0].id)[0]
    from datetime import datetime, timezone
    meetings.reschedule(db, first, starts_at=datetime(2027, 4, 13, 7, tzinfo=timezone.utc),
                        ends_at=datetime(2027, 4, 13, 9, tzinfo=timezone.utc))
    meetings.mark_held(db, first)
    login(client, db, consultant)
    page = soup(client.get(f"/steps/{step.id}"))
    text = page.get_text(" ", strip=True)
    assert "Gennemførelse af skoleudviklingssamtaler" in page.h1.get_text()
    assert "torsdag 1. april 2027 – mandag 31. maj 2027 (uge 13–22)" in text
    assert "Trin 12 af 17" in text
    assert "Skoleleder, Skolens ledelsesteam, Skolechef, Leder af PPR, Konsulent" in text
    stats = [li.get_text(" ", strip=True) for li in page.select(".stat")]
    assert stats == ["1/3 skoler booket", "1/3 skoler afholdt", "1/3 Notat skrevet"]
    row = next(tr for tr in page.select("tbody tr") if "Bakkeskolen" in tr.th.get_text())
    assert "Afholdt" in row.get_text() and "Ja" in row.get_text()
    assert page.select_one("a[rel=next]")["href"] == f"/steps/{step.id + 1}"


def test_change_dates_without_javascript(client, db, setup):
    m, schools, people, year, consultant = setup
    step = cycle_years.step_by_key(db, year.id, "committee_case")
    login(client, db, consultant)
    r = client.get(f"/steps/{step.id}/fields/dates/edit")
    assert r.status_code == 200 and "<html" in r.text
    assert soup(r).select_one("#input-start_date")["value"] == "2027-01-04"
    r = post_form(client, f"/steps/{step.id}/fields/dates",
                  {"start_date": "2027-01-19", "end_date": "", "version": step.version})
    assert r.status_code == 303 and r.headers["location"] == f"/steps/{step.id}"
    db.refresh(step)
    assert step.start_date == step.end_date == date(2027, 1, 19) and step.dates_by_hand
    page = client.get(f"/steps/{step.id}")
    assert "tirsdag 19. januar 2027 (uge 3)" in soup(page).get_text(" ", strip=True)


def test_change_dates_with_htmx_and_refusals(client, db, setup):
    m, schools, people, year, consultant = setup
    step = cycle_years.step_by_key(db, year.id, "committee_case")
    login(client, db, consultant)
    r = htmx_get(client, f"/steps/{step.id}/fields/dates/edit")
    assert "<html" not in r.text and r.text.lstrip().startswith('<div class="fact" id="field-dates"')
    # A holiday is refused next to the field, and the input is kept.
    r = post_form(client, f"/steps/{step.id}/fields/dates",
                  {"start_date": "2026-12-28", "version": step.version}, htmx=True)
    assert r.status_code == 422
    fragment = soup(r)
    assert "Juleferie" in fragment.select_one("#error-start_date").get_text()
    assert fragment.select_one("#input-start_date")["value"] == "2026-12-28"
    r = post_form(client, f"/steps/{step.id}/fields/dates",
                  {"start_date": "not a date", "version": step.version}, htmx=True)
    assert r.status_code == 422 and "dato" in soup(r).select_one("#error-start_date").get_text()
    r = post_form(client, f"/steps/{step.id}/fields/dates",
                  {"start_date": "2027-01-12", "end_date": "2027-01-14",
                   "version": step.version}, htmx=True)
    assert r.status_code == 200 and "Gemt" in r.text and "uge 2" in r.text
    # A save based on an old version is a conflict, not an overwrite.
    r = post_form(client, f"/steps/{step.id}/fields/dates",
                  {"start_date": "2027-01-20", "version": step.version - 1}, htmx=True)
    assert r.status_code == 409 and "En anden har ændret trinnet" in r.text
    db.refresh(step)
    assert step.start_date == date(2027, 1, 12)


def test_change_status_and_responsible(client, db, setup):
    m, schools, people, year, consultant = setup
    step = cycle_years.step_by_key(db, year.id, "data_decision")
    login(client, db, consultant)
    r = post_form(client, f"/steps/{step.id}/fields/status",
                  {"status": "in_progress", "version": step.version}, htmx=True)
    assert r.status_code == 200 and "I gang" in r.text
    assert 'hx-swap-oob="true"' in r.text  # the badge in the header follows
    db.refresh(step)
    assert step.status is StepStatus.IN_PROGRESS
    r = post_form(client, f"/steps/{step.id}/fields/responsible",
                  {"responsible": "Skole og Uddannelse",
                   "responsible_person_id": str(people["chief"].id), "version": step.version})
    assert r.status_code == 303
    db.refresh(step)
    assert step.responsible_person_id == people["chief"].id
    assert "Lene Skov" in client.get(f"/steps/{step.id}").text
    other = make_person(db, factory_municipality(db), "Fremmed")
    r = post_form(client, f"/steps/{step.id}/fields/responsible",
                  {"responsible_person_id": str(other.id), "version": step.version})
    assert r.status_code == 422


def factory_municipality(db):
    from app.schools import service as schools

    return schools.create_municipality(db, name="Anden Kommune", kommunekode="998")


def test_participants_and_other_municipalities_cannot_edit(client, db, setup, factory):
    m, schools, people, year, consultant = setup
    step = cycle_years.step_by_key(db, year.id, "data_decision")
    login(client, db, factory.user("participant", municipality=m))
    assert client.get(f"/steps/{step.id}").status_code == 200
    links = soup(client.get(f"/steps/{step.id}")).select(".edit-link")
    assert "Ret" not in [a.get_text(strip=True) for a in links]
    assert client.get(f"/steps/{step.id}/fields/dates/edit").status_code == 403
    assert post_form(client, f"/steps/{step.id}/fields/status",
                     {"status": "done", "version": step.version}).status_code == 403
    assert post_form(client, f"/municipalities/{m.id}/years/2026/copy").status_code == 403
    client.cookies.clear()
    login(client, db, factory.user("consultant", municipality=factory.municipality()))
    assert client.get(f"/municipalities/{m.id}/years/2026").status_code == 403
    assert client.get(f"/steps/{step.id}").status_code == 403


def test_create_year_from_template_and_copy_to_next(client, db, setup):
    m, schools, people, year, consultant = setup
    login(client, db, consultant)
    page = soup(client.get(f"/municipalities/{m.id}/years/new"))
    assert page.select_one("#f-start_year")["value"] == "2027"
    ringsted = cycle_catalog.template_by_key(db, "ringsted")
    r = post_form(client, f"/municipalities/{m.id}/years/new",
                  {"start_year": "2026", "template_id": str(ringsted.id)})
    assert r.status_code == 422 and "Skoleåret 2026/27 findes allerede" in r.text
    r = post_form(client, f"/municipalities/{m.id}/years/new",
                  {"start_year": "2027", "template_id": str(ringsted.id)}, htmx=True)
    assert r.status_code == 204 and r.headers["hx-redirect"] == f"/municipalities/{m.id}/years/2027"
    assert len(cycle_years.list_steps(db, cycle_years.find_school_year(db, m.id, 2027).id)) == 3
    r = post_form(client, f"/municipalities/{m.id}/years/2025/copy")
    assert r.status_code == 404
    r = post_form(client, f"/municipalities/{m.id}/years/2027/copy", {"confirmed": "1"})
    assert r.status_code == 303 and r.headers["location"] == f"/municipalities/{m.id}/years/2028"
    assert "2028/29" in soup(client.get(f"/municipalities/{m.id}/years/2028")).h1.get_text()


def test_holidays_page_adds_and_removes_days(client, db, setup):
    m, schools, people, year, consultant = setup
    login(client, db, consultant)
    url = f"/municipalities/{m.id}/years/2026/holidays"
    page = soup(client.get(url))
    assert "Påskeferie" in page.get_text() and "Juledag" in page.get_text()
    r = post_form(client, url, {"name": "", "start_date": "2026-11-27"})
    assert r.status_code == 422 and soup(r).select_one("#f-name-error")
    assert soup(r).select_one("#f-start_date")["value"] == "2026-11-27"
    r = post_form(client, url, {"name": "Pædagogisk dag", "start_date": "2026-11-27"})
    assert r.status_code == 303
    assert cycle_holiday_periods.holiday_on(db, m.id, date(2026, 11, 27)).name == "Pædagogisk dag"
    h = cycle_holiday_periods.holiday_on(db, m.id, date(2026, 11, 27))
    assert post_form(client, f"{url}/{h.id}/delete").status_code == 303
    assert cycle_holiday_periods.holiday_on(db, m.id, date(2026, 11, 27)) is None
    public = db.exec(__import__("sqlmodel").select(HolidayPeriod).where(
        HolidayPeriod.school_year_id == year.id, HolidayPeriod.name == "Juledag")).one()
    r = post_form(client, f"{url}/{public.id}/delete")
    assert r.status_code == 303 and cycle_holiday_periods.holiday_on(db, m.id, date(2026, 12, 25))
    r = post_form(client, f"/municipalities/{m.id}/years/2026/holiday-plan",
                  {"autumn_week": "43", "winter_week": "8", "constitution_day_off": "on"})
    assert r.status_code == 303
    assert cycle_holiday_periods.holiday_on(db, m.id, date(2026, 10, 21)).name == "Efterårsferie"
    r = post_form(client, f"/municipalities/{m.id}/years/2026/holiday-plan",
                  {"autumn_week": "60", "winter_week": "8"})
    assert r.status_code == 422 and soup(r).select_one("#f-autumn_week-error")


def test_assignments_page_distributes_schools(client, db, setup):
    m, schools, people, year, consultant = setup
    login(client, db, consultant)
    url = f"/municipalities/{m.id}/years/2026/assignments"
    page = soup(client.get(url))
    assert page.select_one(f"#s{schools[0].id}-consultant")
    r = post_form(client, url, {f"s{schools[0].id}-consultant": str(people["c1"].id),
                                f"s{schools[1].id}-consultant": str(people["c2"].id),
                                f"s{schools[0].id}-psychologist": str(people["psy"].id),
                                # A person without the function is ignored.
                                f"s{schools[2].id}-consultant": str(people["chief"].id)})
    assert r.status_code == 303
    assert [p.name for p in cycle_assignments.assigned_people(db, year.id, schools[0].id)] == [
        "Anne Lund", "Mette Holm"]
    assert cycle_assignments.assigned_people(db, year.id, schools[2].id) == []
    page = soup(client.get(url))
    assert page.select_one(f"#s{schools[0].id}-consultant option[selected]")["value"] == str(
        people["c1"].id)


def test_school_and_municipality_sections(client, db, setup):
    m, schools, people, year, consultant = setup
    login(client, db, consultant)
    page = soup(client.get(f"/schools/{schools[0].id}"))
    section = page.select_one("[aria-labelledby=cycle-meetings-heading]")
    titles = [a.get_text() for a in section.select("tbody th a")]
    assert titles == [
        "Formøder – runde 1: Bakkeskolen",
        "Formøder – runde 2: interne forberedelsesmøder i Skole og Uddannelse: Bakkeskolen",
        "Gennemførelse af skoleudviklingssamtaler: Bakkeskolen",
        "Kort opsamling efter hvert møde: Bakkeskolen",
    ]
    assert "Ikke booket" in section.get_text()
    overview = soup(client.get(f"/municipalities/{m.id}"))
    year_section = overview.select_one("[aria-labelledby=cycle-year-heading]")
    assert "Skoleåret 2026/27" in year_section.get_text()
    assert "Opstartsmøde" in year_section.get_text()
    assert year_section.select_one(f"a[href='/municipalities/{m.id}/years/2026']")
