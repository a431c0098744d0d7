"""Cycle templates from the catalogue, and school years made from them."""

import shutil
from datetime import date

import pytest
from sqlmodel import select

from app import catalog
from app.catalog import CatalogError
from app.cycles import assignments as cycle_assignments
from app.cycles import catalog as cycle_catalog
from app.cycles import dates as cycle_dates
from app.cycles import from_template as cycle_from_template
from app.cycles import holiday_periods as cycle_holiday_periods
from app.cycles import holidays
from app.cycles import planning as cycle_planning
from app.cycles import steps as cycle_steps
from app.cycles import years as cycle_years
from app.cycles.models import CycleTemplate, HolidayKind, StepScope, StepStatus, TemplateStep
from app.db import StaleVersion
from app.forms import FieldError
from app.meetings import service as meetings
from app.meetings.models import MeetingStatus
from app.schools.models import PersonFunction
from tests.conftest import make_person

SVENDBORG_MONTHS = {
    "kickoff": (11, 11), "data_decision": (12, 12), "ppr_overview": (12, 12),
    "committee_case_prep": (12, 12), "committee_case": (1, 1), "themes_meeting": (1, 1),
    "book_dialogues": (1, 1), "book_prep_round1": (1, 1), "prep_round1": (2, 2),
    "book_prep_round2": (3, 3), "prep_round2": (3, 4), "dialogue": (4, 5), "debrief": (4, 5),
    "summary_meeting": (6, 6), "presentation_prep": (6, 6), "presentation_leaders": (6, 6),
    "presentation_committee": (6, 6),
}


def load(db):
    return list(cycle_catalog.load_catalog(db, catalog.read("cycles")))


def test_catalog_has_the_three_templates_and_svendborgs_17_steps(db):
    load(db)
    keys = {t.key for t in cycle_catalog.list_templates(db)}
    assert {"svendborg", "ringsted", "minimal"} <= keys
    svendborg = cycle_catalog.template_by_key(db, "svendborg")
    steps = cycle_catalog.template_steps(db, svendborg.id)
    assert [s.key for s in steps] == list(SVENDBORG_MONTHS)
    assert len(steps) == 17
    by_key = {s.key: s for s in steps}
    assert by_key["kickoff"].attention_points == "Oprettelse af sag."
    assert "fordeling af skoler mellem konsulenterne" in by_key["kickoff"].description
    assert by_key["prep_round1"].scope is StepScope.PER_SCHOOL
    assert by_key["prep_round1"].duration_minutes == 30
    assert "notepapir" in by_key["prep_round1"].attention_points
    assert by_key["debrief"].duration_minutes == 15 and by_key["debrief"].follows == "dialogue"
    assert by_key["presentation_leaders"].attention_points == "Juni eller august."
    assert by_key["prep_round2"].participant_functions == ["consultant", "ppr_leader?"]


def test_catalog_reload_is_idempotent_and_a_changed_file_updates(db, tmp_path, monkeypatch):
    first = load(db)
    assert any("svendborg" in line for line in first)
    count = len(db.exec(select(CycleTemplate)).all())
    steps = len(db.exec(select(TemplateStep)).all())
    assert load(db) == []  # unchanged files are skipped
    assert len(db.exec(select(CycleTemplate)).all()) == count
    # A changed file updates the template in place, never a second copy.
    folder = tmp_path / "cycles"
    shutil.copytree(catalog.CATALOG_DIR / "cycles", folder)
    text = (folder / "minimal.toml").read_text()
    (folder / "minimal.toml").write_text(text.replace('title = "Notat (valgfrit)"',
                                                      'title = "Notat"'))
    monkeypatch.setattr(catalog, "CATALOG_DIR", tmp_path)
    assert load(db) == ["Cycle template minimal: updated."]
    assert len(db.exec(select(CycleTemplate)).all()) == count
    assert len(db.exec(select(TemplateStep)).all()) == steps
    minimal = cycle_catalog.template_by_key(db, "minimal")
    assert [s.title for s in cycle_catalog.template_steps(db, minimal.id)][-1] == "Notat"


def test_broken_catalog_file_is_refused(db, tmp_path, monkeypatch):
    folder = tmp_path / "cycles"
    folder.mkdir()
    (folder / "bad.toml").write_text('key = "bad"\n[[steps]]\nkey = "a"\ntitle = "A"\n'
                                     'month = 3\nparticipants = ["wizard"]\n')
    monkeypatch.setattr(catalog, "CATALOG_DIR", tmp_path)
    with pytest.raises(CatalogError, match="wizard"):
        load(db)


@pytest.fixture
def svendborg_municipality(db, factory):
    load(db)
    m = factory.municipality()
    schools = [factory.school(m, name=f"Skole {i:02d}", address=f"Skolevej {i}")
               for i in range(1, 21)]
    chief = make_person(db, m, "Lene Skov", function=PersonFunction.CHIEF)
    ppr = make_person(db, m, "Thomas Brandt", function=PersonFunction.PPR_LEADER)
    c1 = make_person(db, m, "Mette Holm", function=PersonFunction.CONSULTANT)
    c2 = make_person(db, m, "Jens Kirk", function=PersonFunction.CONSULTANT)
    leader = make_person(db, m, "Susanne Bak", function=PersonFunction.SCHOOL_LEADER,
                         school=schools[0])
    return m, schools, {"chief": chief, "ppr": ppr, "c1": c1, "c2": c2, "leader": leader}


def test_svendborg_year_for_20_schools(db, svendborg_municipality):
    m, schools, people = svendborg_municipality
    year = cycle_from_template.create_from_template(
        db, m, 2026, cycle_catalog.template_by_key(db, "svendborg"))
    steps = cycle_years.list_steps(db, year.id)
    assert [s.key for s in steps] == list(SVENDBORG_MONTHS)
    off = cycle_holiday_periods.non_working_days(db, m.id, year.starts, year.ends)
    for s in steps:
        first, last = SVENDBORG_MONTHS[s.key]
        assert s.start_date.month == first and s.end_date.month == last, s.key
        assert year.starts <= s.start_date <= s.end_date <= year.ends
        assert s.start_date not in off and s.end_date not in off, s.key
    # 1 January is a holiday and a Friday in 2027; the January steps start on Monday the 4th.
    assert {s.start_date for s in steps if s.start_date.month == 1} == {date(2027, 1, 4)}
    by_key = {s.key: s for s in steps}
    assert (by_key["dialogue"].start_date, by_key["dialogue"].end_date) == (
        date(2027, 4, 1), date(2027, 5, 31))
    # Meetings: one per school for each per-school step, one for each internal meeting.
    all_meetings = meetings.list_meetings(db, school_year_id=year.id)
    per_school = [s for s in steps if s.scope is StepScope.PER_SCHOOL]
    assert len(per_school) == 4
    internal = [s for s in steps if s.scope is StepScope.MUNICIPAL and s.meeting_type]
    assert len(all_meetings) == 20 * len(per_school) + len(internal)
    assert all(mt.status is MeetingStatus.PLANNED and mt.starts_at is None for mt in all_meetings)
    assert all(meetings.planned_duration(db, mt) == 30 for mt in all_meetings
               if mt.step_id == by_key["prep_round1"].id)
    dialogue = next(mt for mt in all_meetings if mt.step_id == by_key["dialogue"].id
                    and mt.school_id == schools[0].id)
    assert dialogue.title == "Gennemførelse af skoleudviklingssamtaler: Skole 01"
    assert dialogue.location == "Skolevej 1"
    invited = {p.name for p, _ in meetings.participants(db, dialogue.id)}
    # Leader of the school, the chief and head of PPR; no consultant is assigned yet.
    assert invited == {"Susanne Bak", "Lene Skov", "Thomas Brandt"}


def test_assigning_a_consultant_invites_them_to_open_meetings(db, svendborg_municipality):
    m, schools, people = svendborg_municipality
    year = cycle_from_template.create_from_template(
        db, m, 2026, cycle_catalog.template_by_key(db, "svendborg"))
    cycle_assignments.set_assignments(db, year, {(schools[0].id, "consultant"): [people["c1"].id],
                                       (schools[1].id, "consultant"): [people["c2"].id]})
    mine = meetings.list_meetings(db, school_year_id=year.id, person_id=people["c1"].id)
    assert {mt.school_id for mt in mine if mt.school_id} == {schools[0].id}
    assert len([mt for mt in mine if mt.school_id]) == 4
    # Internal meetings invite every consultant.
    assert len([mt for mt in mine if mt.school_id is None]) == 3
    # Moving the school to the other consultant moves the invitations; the rest stay.
    cycle_assignments.set_assignments(db, year, {(schools[0].id, "consultant"): [people["c2"].id]})
    dialogue = next(mt for mt in meetings.list_meetings(db, school_year_id=year.id,
                                                        school_id=schools[0].id)
                    if mt.meeting_type.value == "dialogue")
    invited = {p.name for p, _ in meetings.participants(db, dialogue.id)}
    assert "Jens Kirk" in invited and "Mette Holm" not in invited and "Lene Skov" in invited


def test_ringsted_year_gives_6_plus_1_plus_1_meetings_per_school(db, factory):
    load(db)
    m = factory.municipality()
    schools = [factory.school(m) for _ in range(5)]
    make_person(db, m, "Direktør", function=PersonFunction.DIRECTOR)
    make_person(db, m, "Skolecenterchef", function=PersonFunction.CHIEF)
    year = cycle_from_template.create_from_template(
        db, m, 2026, cycle_catalog.template_by_key(db, "ringsted"))
    for school in schools:
        ms = meetings.list_meetings(db, school_year_id=year.id, school_id=school.id)
        kinds = sorted(mt.meeting_type.value for mt in ms)
        assert kinds == ["development_talk"] * 6 + ["grus", "lus"]
        talks = sorted((mt for mt in ms if mt.series_key), key=lambda mt: mt.series_index)
        assert [mt.series_index for mt in talks] == [1, 2, 3, 4, 5, 6]
        assert len({mt.series_key for mt in talks}) == 1
        assert talks[0].title.endswith("(1/6)")
        lus = next(mt for mt in ms if mt.meeting_type.value == "lus")
        grus = next(mt for mt in ms if mt.meeting_type.value == "grus")
        assert lus.confidential and not grus.confidential
        assert meetings.planned_duration(db, lus) == 90
        assert meetings.planned_duration(db, grus) == 180
        assert grus.location_kind == "school"
        assert "Direktør" in {p.name for p, _ in meetings.participants(db, grus.id)}
        assert "Direktør" not in {p.name for p, _ in meetings.participants(db, lus.id)}
    # Running the planning again creates nothing new.
    assert cycle_planning.plan_meetings(db, year) == 0


def test_minimal_template_dates_the_note_after_the_dialogues(db, factory):
    load(db)
    m = factory.municipality()
    factory.school(m)
    year = cycle_from_template.create_from_template(db, m, 2026, cycle_catalog.template_by_key(db, "minimal"))
    dialogue, note = cycle_years.list_steps(db, year.id)
    assert (dialogue.start_date, dialogue.end_date) == (date(2027, 3, 1), date(2027, 5, 31))
    # 31 May + 14 days = 14 June 2027, a Monday.
    assert note.start_date == note.end_date == date(2027, 6, 14)


def test_iso_week_rule_avoids_holidays(db, factory):
    load(db)
    m = factory.municipality()
    y = cycle_years.create_school_year(db, m, 2026)
    cycle_holiday_periods.ensure_holidays(db, y)
    off = cycle_dates.year_off_days(db, y)

    class Rule:
        month = month_end = offset_from = offset_days = follows = None
        key = "x"

    r = Rule()
    r.iso_week = 42  # the autumn break
    assert cycle_dates.rule_dates(2026, r, off, {}) == (date(2026, 10, 19), date(2026, 10, 19))
    r.iso_week = 45
    assert cycle_dates.rule_dates(2026, r, off, {}) == (date(2026, 11, 2), date(2026, 11, 6))


def test_copy_to_next_year_keeps_the_municipalitys_changes(db, svendborg_municipality):
    m, schools, people = svendborg_municipality
    year = cycle_from_template.create_from_template(
        db, m, 2026, cycle_catalog.template_by_key(db, "svendborg"))
    cycle_assignments.set_assignments(db, year, {(schools[0].id, "consultant"): [people["c1"].id]})
    steps = {s.key: s for s in cycle_years.list_steps(db, year.id)}
    # The municipality moves the committee case to Tuesday 19 January (week 3) …
    cycle_steps.set_step_dates(db, steps["committee_case"], date(2027, 1, 19), None,
                           expected_version=steps["committee_case"].version)
    # … renames a step, names a responsible, and deletes one it doesn't use.
    s = steps["presentation_prep"]
    s.title = "Præsentation til skoleledermødet"
    db.add(s)
    cycle_steps.set_step_responsible(db, steps["data_decision"], "Skolechefen",
                                 people["chief"].id,
                                 expected_version=steps["data_decision"].version)
    cycle_steps.set_step_status(db, steps["kickoff"], StepStatus.DONE,
                            expected_version=steps["kickoff"].version)
    db.delete(steps["book_prep_round2"])
    db.commit()

    nxt = cycle_from_template.copy_to_next_year(db, year)
    assert nxt.start_year == 2027
    new = {s.key: s for s in cycle_years.list_steps(db, nxt.id)}
    assert "book_prep_round2" not in new and len(new) == 16
    assert new["presentation_prep"].title == "Præsentation til skoleledermødet"
    assert new["data_decision"].responsible == "Skolechefen"
    assert new["data_decision"].responsible_person_id == people["chief"].id
    assert new["kickoff"].status.value == "not_started"
    # The hand-set date keeps its week and weekday: Tuesday of week 3 in 2028.
    assert new["committee_case"].start_date == date(2028, 1, 18)
    assert new["committee_case"].dates_by_hand
    # The others follow the rule again in the new year.
    assert (new["dialogue"].start_date, new["dialogue"].end_date) == (
        date(2028, 4, 3), date(2028, 5, 31))
    assert cycle_assignments.assigned_people(db, nxt.id, schools[0].id, "consultant")[0].name == "Mette Holm"
    nxt_meetings = meetings.list_meetings(db, school_year_id=nxt.id, person_id=people["c1"].id)
    assert any(mt.school_id == schools[0].id for mt in nxt_meetings)
    with pytest.raises(FieldError):
        cycle_from_template.copy_to_next_year(db, year)


def test_step_dates_refuse_holidays_and_weekends(db, svendborg_municipality):
    m, schools, people = svendborg_municipality
    year = cycle_from_template.create_from_template(
        db, m, 2026, cycle_catalog.template_by_key(db, "svendborg"))
    step = cycle_years.step_by_key(db, year.id, "committee_case")
    with pytest.raises(FieldError) as err:
        cycle_steps.set_step_dates(db, step, date(2026, 12, 28), None, expected_version=step.version)
    assert err.value.field == "start_date" and "Juleferie" in err.value.message
    with pytest.raises(FieldError):
        cycle_steps.set_step_dates(db, step, date(2027, 1, 9), None, expected_version=step.version)
    with pytest.raises(FieldError):
        cycle_steps.set_step_dates(db, step, date(2027, 1, 12), date(2027, 1, 11),
                               expected_version=step.version)
    with pytest.raises(StaleVersion):
        cycle_steps.set_step_dates(db, step, date(2027, 1, 12), None, expected_version=step.version - 1)


def test_holiday_rows_are_stored_once(db, factory):
    m = factory.municipality()
    y = cycle_years.create_school_year(db, m, 2026)
    added = cycle_holiday_periods.ensure_holidays(db, y)
    assert added == len(holidays.school_year_holidays(2026))
    assert cycle_holiday_periods.ensure_holidays(db, y) == 0
    kinds = {h.kind for h in cycle_holiday_periods.list_holidays(db, y)}
    assert kinds == {HolidayKind.PUBLIC, HolidayKind.SCHOOL}
