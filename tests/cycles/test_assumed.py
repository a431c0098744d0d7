""""antaget" on the cycle's pages: a step's facts the source doesn't give (Svendborg's months,
durations, places and added participants; Ringsted's LUS attention point) are marked quietly,
with the reason on hover, until the municipality changes them."""

from app.cycles import assumed as cycle_assumed
from app.cycles import years as cycle_years
from tests.conftest import login, post_form
from tests.cycles.test_pages import setup, soup  # noqa: F401  (the fixture)


def _marks(page, selector):
    return [(m.get_text(" ", strip=True), m["title"]) for m in page.select(f"{selector} .assumed")]


def test_every_assumed_step_names_its_facts():
    from app.catalog import read

    for entry in read("cycles"):
        for step in entry.data.get("steps", []):
            if step.get("assumed"):
                assert step.get("assumed_fields"), (entry.key, step["key"])
                assert set(step["assumed_fields"]) <= set(cycle_assumed.FACT_ATTRIBUTES)
            else:
                assert "assumed_fields" not in step, (entry.key, step["key"])


def test_step_page_marks_the_assumed_facts_with_their_reason(client, db, setup):  # noqa: F811
    m, _schools, _people, year, consultant = setup
    login(client, db, consultant)
    dialogue = cycle_years.step_by_key(db, year.id, "dialogue")
    page = soup(client.get(f"/steps/{dialogue.id}"))
    duration = _marks(page, '[data-fact="duration"]')
    place = _marks(page, '[data-fact="location"]')
    assert duration and duration[0][0].startswith("antaget") and "120 min" in duration[0][1]
    assert place and "stedet" in place[0][1]
    assert not _marks(page, "#field-dates")  # April/May is the source's
    # A step the source gives completely has no mark.
    committee = cycle_years.step_by_key(db, year.id, "committee_case")
    assert not soup(client.get(f"/steps/{committee.id}")).select(".assumed")


def test_an_assumed_month_is_marked_until_the_dates_are_set_by_hand(client, db, setup):  # noqa: F811
    m, _schools, _people, year, consultant = setup
    login(client, db, consultant)
    step = cycle_years.step_by_key(db, year.id, "prep_round1")
    page = soup(client.get(f"/steps/{step.id}"))
    dates = _marks(page, "#field-dates")
    assert dates and "februar" in dates[0][1]
    year_page = soup(client.get(f"/municipalities/{m.id}/years/2026"))
    assert any("februar" in title for _t, title in _marks(year_page, ".steps__when"))
    r = post_form(client, f"/steps/{step.id}/fields/dates",
                  {"start_date": "2027-03-01", "end_date": "2027-03-05", "version": step.version})
    assert r.status_code in (200, 303)
    assert not _marks(soup(client.get(f"/steps/{step.id}")), "#field-dates")
    year_page = soup(client.get(f"/municipalities/{m.id}/years/2026"))
    assert not any("februar" in title for _t, title in _marks(year_page, ".steps__when"))
    # The place was not changed: still assumed.
    assert _marks(soup(client.get(f"/steps/{step.id}")), '[data-fact="location"]')


def test_a_changed_duration_loses_its_mark(db, setup):  # noqa: F811
    _m, _schools, _people, year, _consultant = setup
    step = cycle_years.step_by_key(db, year.id, "kickoff")
    assert set(cycle_assumed.step_assumptions(db, year, step)) == {"duration", "participants"}
    step.duration_minutes = 60
    db.add(step)
    db.commit()
    assert set(cycle_assumed.step_assumptions(db, year, step)) == {"participants"}
    step.participant_functions = ["consultant"]
    db.add(step)
    db.commit()
    assert cycle_assumed.step_assumptions(db, year, step) == {}
