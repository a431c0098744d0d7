"""The demo: agendas for whatever dialogues exist, seed goals, some as themes; idempotent."""

from sqlmodel import select

from app.agendas import build as agenda_build
from app.agendas import demo
from app.agendas import goals as agenda_goals
from app.agendas import themes as agenda_themes
from app.agendas.models import Agenda, AgendaTheme
from app.meetings.models import MeetingType
from app.schools import demo as schools_demo
from app.schools import service as schools


def _run(db):
    return list(demo.load(db))


def test_demo_makes_agendas_goals_and_themes_and_changes_nothing_the_second_time(db, dialogue):
    list(schools_demo.load(db))
    skanderborg = schools.get_municipality_by_code(db, "740")
    dialogue.municipality = skanderborg
    by_name = {s.name: s for s in schools.list_schools(db, skanderborg.id)}
    meetings = [dialogue.meeting(school=by_name[n]) for n in
                ("Morten Børup Skolen", "Bakkeskolen", "Veng Skole & Børnehus", "Ry Skole")]
    lines = _run(db)
    assert any("Made 4 agendas" in line for line in lines)
    assert len(agenda_goals.list_goals(db, by_name["Morten Børup Skolen"].id)) == 15
    assert len(agenda_goals.list_goals(db, by_name["Bakkeskolen"].id)) == 6
    assert len(agenda_goals.list_goals(db, by_name["Veng Skole & Børnehus"].id)) == 4
    for meeting in meetings:
        agenda = agenda_build.agenda_for_meeting(db, meeting.id)
        assert agenda.template_key == "stevns"
        themes = agenda_themes.list_themes(db, agenda_themes.theme_item(db, agenda).id)
        if meeting.school_id == by_name["Ry Skole"].id:
            assert themes == []
        else:
            assert len(themes) == 2 and all(t.goal_id for t in themes)
            assert themes[0].accepted and not themes[1].accepted
    # Someone removes a demo theme; the demo never brings it back or changes anything.
    agenda = agenda_build.agenda_for_meeting(db, meetings[1].id)
    removed = agenda_themes.list_themes(db, agenda_themes.theme_item(db, agenda).id)[0]
    agenda_themes.delete_theme(db, removed)
    before = (db.exec(select(Agenda)).all(), len(db.exec(select(AgendaTheme)).all()))
    assert _run(db) == []
    assert (db.exec(select(Agenda)).all(), len(db.exec(select(AgendaTheme)).all())) == before


def test_demo_without_dialogues_only_imports_the_contracts(db):
    list(schools_demo.load(db))
    lines = _run(db)
    assert len(lines) == 3 and all("Imported" in line for line in lines)
    assert MeetingType.DIALOGUE  # the demo made no meetings of its own
