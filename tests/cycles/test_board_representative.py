"""The school board's parent representative (folkeskoleloven § 40 a, from 1 August 2025):
a person of the school with that function, invited to the dialogue by default when the
municipality chooses so — as an optional participant, on the dialogues not yet held — and
taken off again when it un-chooses."""

from datetime import datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup

from app.cycles import planning
from app.cycles.models import Step, StepScope
from app.db import StaleVersion
from app.meetings import service as meetings
from app.meetings.models import MeetingStatus, MeetingType
from app.schools.models import PersonFunction
from tests.conftest import login, make_person, make_year, post_form


@pytest.fixture
def town(db, factory):
    m = factory.municipality(name="Bestyrelseskommune")
    schools = [factory.school(m, name="Nordskolen"), factory.school(m, name="Sydskolen")]
    year = make_year(db, m, 2026)
    step = Step(school_year_id=year.id, position=1, key="dialogue", title="Samtale",
                scope=StepScope.PER_SCHOOL, meeting_type="dialogue",
                participant_functions=["school_leader", "consultant"])
    db.add(step)
    db.commit()
    reps = {s.id: make_person(db, m, f"Forælder {s.name}", PersonFunction.BOARD_REPRESENTATIVE,
                              school=s) for s in schools}
    for s in schools:
        make_person(db, m, f"Leder {s.name}", PersonFunction.SCHOOL_LEADER, school=s)
    return {"m": m, "schools": schools, "year": year, "step": step, "reps": reps}


def _people(db, meeting):
    return {person.id: mp for person, mp in meetings.participants(db, meeting.id)}


def test_a_new_years_dialogues_invite_the_representative_only_if_the_municipality_chose(
        db, town):
    planning.plan_meetings(db, town["year"])
    db.commit()
    for m in meetings.list_meetings(db, step_id=town["step"].id):
        assert town["reps"][m.school_id].id not in _people(db, m)
    # The municipality chooses so: the open dialogues invite their own school's one, optional.
    changed = planning.set_board_representative_invitations(
        db, town["m"], True, expected_version=town["m"].version)
    assert changed == 2
    for m in meetings.list_meetings(db, step_id=town["step"].id):
        people = _people(db, m)
        rep = town["reps"][m.school_id]
        assert rep.id in people and people[rep.id].required is False
        assert people[rep.id].function == "board_representative"
        other = next(r for sid, r in town["reps"].items() if sid != m.school_id)
        assert other.id not in people
    # And a school added later gets its dialogue with its representative from the start.
    step = town["step"]
    later = make_year(db, town["m"], 2027)
    db.add(Step(school_year_id=later.id, position=1, key="dialogue", title="Samtale",
                scope=StepScope.PER_SCHOOL, meeting_type="dialogue",
                participant_functions=step.participant_functions))
    db.commit()
    planning.plan_meetings(db, later)
    db.commit()
    for m in meetings.list_meetings(db, school_year_id=later.id):
        assert town["reps"][m.school_id].id in _people(db, m)


def test_undoing_the_choice_takes_them_off_open_dialogues_not_held_ones(db, town):
    planning.plan_meetings(db, town["year"])
    db.commit()
    planning.set_board_representative_invitations(db, town["m"], True,
                                                  expected_version=town["m"].version)
    held, open_ = sorted(meetings.list_meetings(db, step_id=town["step"].id),
                         key=lambda m: m.school_id)
    t = datetime(2027, 4, 20, 8, tzinfo=timezone.utc)
    meetings.reschedule(db, held, starts_at=t, ends_at=t + timedelta(hours=2))
    meetings.mark_held(db, held)
    before = open_.changed_at
    assert planning.set_board_representative_invitations(
        db, town["m"], False, expected_version=town["m"].version) == 1
    db.refresh(open_)
    assert town["reps"][open_.school_id].id not in _people(db, open_)
    assert open_.changed_at >= before  # their feed drops it; a CANCEL where invitations are on
    assert town["reps"][held.school_id].id in _people(db, held)  # who was there stays
    assert held.status is MeetingStatus.HELD


def test_a_step_that_names_the_representative_itself_is_left_alone(db, town):
    step = town["step"]
    step.participant_functions = ["school_leader", "board_representative"]
    db.add(step)
    db.commit()
    planning.plan_meetings(db, town["year"])
    db.commit()
    planning.set_board_representative_invitations(db, town["m"], False,
                                                  expected_version=town["m"].version)
    for m in meetings.list_meetings(db, step_id=step.id):
        people = _people(db, m)
        assert people[town["reps"][m.school_id].id].required is True


def test_a_stale_choice_is_refused(db, town):
    with pytest.raises(StaleVersion):
        planning.set_board_representative_invitations(db, town["m"], True,
                                                      expected_version=town["m"].version - 1)
    db.refresh(town["m"])
    assert town["m"].invites_board_representative is False


def test_the_choice_on_the_scheduling_settings_page(client, db, factory, town):
    planning.plan_meetings(db, town["year"])
    db.commit()
    login(client, db, factory.user("consultant", municipality=town["m"]))
    page = BeautifulSoup(client.get(f"/municipalities/{town['m'].id}/scheduling").text,
                         "html.parser")
    form = page.select_one(f"form[action='/municipalities/{town['m'].id}/board-representative']")
    assert form.select_one("input[name=invite]").get("checked") is None
    assert "§ 40 a" in form.get_text()
    r = post_form(client, form["action"], {"invite": "on", "version": town["m"].version})
    assert r.status_code == 303
    assert "2 samtaler" in client.get(r.headers["location"]).text
    db.refresh(town["m"])
    assert town["m"].invites_board_representative is True
    # A second tab with the old version is told, and nothing changes.
    r = post_form(client, form["action"], {"version": town["m"].version - 1})
    assert r.status_code == 303
    assert "i mellemtiden" in client.get(r.headers["location"]).text
    db.refresh(town["m"])
    assert town["m"].invites_board_representative is True
    # Another municipality's consultant may not.
    client.cookies.clear()
    login(client, db, factory.user("consultant", municipality=factory.municipality()))
    assert post_form(client, form["action"], {"version": town["m"].version}).status_code == 403


def test_only_dialogues_invite_them(db, town):
    town["m"].invites_board_representative = True
    db.add(town["m"])
    db.commit()
    prep = Step(school_year_id=town["year"].id, position=2, key="prep", title="Formøde",
                scope=StepScope.PER_SCHOOL, meeting_type=MeetingType.PREP.value,
                participant_functions=["consultant"])
    db.add(prep)
    db.commit()
    planning.plan_meetings(db, town["year"])
    db.commit()
    for m in meetings.list_meetings(db, step_id=prep.id):
        assert town["reps"][m.school_id].id not in _people(db, m)
    for m in meetings.list_meetings(db, step_id=town["step"].id):
        assert town["reps"][m.school_id].id in _people(db, m)
