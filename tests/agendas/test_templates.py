"""The catalogue's agendas are the seed's agendas, applied to a school's facts."""

from datetime import datetime, timedelta, timezone

from app.agendas import build as agenda_build
from app.agendas import items as agenda_items
from app.agendas import settings as agenda_settings
from app.agendas import themes as agenda_themes
from app.agendas import timeline as agenda_timeline
from app.agendas.models import AttachmentKind, ItemKind, Owner
from app.catalog import read
from app.i18n import local
from app.meetings import service as meetings
from app.schools.models import SchoolKind


def _minutes(db, agenda):
    return [(i.title, i.minutes) for i in agenda_items.list_items(db, agenda.id)]


def test_catalogue_has_the_four_seed_agendas():
    keys = {e.key for e in read("agendas")}
    assert keys == {"stevns", "aalborg", "svendborg", "roskilde"}


def test_loading_the_catalogue_twice_changes_nothing(db):
    entries = read("agendas")
    agenda_settings.load_templates(db, entries)
    assert agenda_settings.load_templates(db, entries) == []


def test_stevns_for_a_large_school_with_special_classes(db, dialogue):
    dialogue.settings("stevns", threshold=600)
    meeting = dialogue.meeting(pupils=812, special_classes=True)
    agenda = agenda_build.ensure_agenda(db, meeting)
    # The seed's minutes: 15, 45, 30, pause, 30, the ministry without minutes, 15.
    # Stevns has no extensions for size; the seed gives the pause no length, nor do we.
    assert _minutes(db, agenda) == [
        ("Evaluering", 15), ("Skolen", 45), ("Det politiske udvalg", 30), ("Pause", None),
        ("Forvaltningen", 30), ("Undervisningsministeriet", None),
        ("Aftaler for det kommende skoleår", 15)]
    items = agenda_items.list_items(db, agenda.id)
    assert [i.owner for i in items] == [Owner.JOINT, Owner.SCHOOL, Owner.COMMITTEE, None,
                                        Owner.ADMINISTRATION, Owner.MINISTRY, Owner.JOINT]
    assert items[0].kind is ItemKind.EVALUATION and items[1].accepts_themes
    assert items[2].sub_points == ["sammen MED børnene"]
    line = agenda_timeline.timeline(db, agenda, meeting)
    assert [r.number for r in line.rows] == ["1", "2", "2", "2", "2", "2", "3"]
    assert line.rows[1].group_start and not line.rows[2].group_start
    data = {a.data_section for r in line.rows for a in r.attachments}
    assert data == {"wellbeing", "absence", "national_tests"}
    assert agenda.heading == "Dagsorden for Bakkeskolens skoleudviklingssamtale"
    assert agenda.intro == "Dagsorden kopieres til skolens eget brevpapir."


def test_special_schools_stevns_agenda_has_no_data_appendices(db, dialogue):
    dialogue.settings("stevns")
    meeting = dialogue.meeting(name="Heldagsskolen", kind=SchoolKind.SPECIAL, pupils=58)
    agenda = agenda_build.ensure_agenda(db, meeting)
    line = agenda_timeline.timeline(db, agenda, meeting)
    assert [a for r in line.rows for a in r.attachments if a.kind is AttachmentKind.DATA] == []
    admin = next(r.item for r in line.rows if r.item.key == "administration")
    assert admin.sub_points == ["Trivsel – skolen indhenter egen data",
                                "Fravær – skolen indhenter egen data"]


def test_aalborg_for_a_large_school_with_special_classes(db, dialogue):
    dialogue.settings("aalborg", threshold=600)
    meeting = dialogue.meeting(pupils=812, special_classes=True)
    agenda = agenda_build.ensure_agenda(db, meeting)
    # The seed's nine items (the village item too, as the seed lists it for every school),
    # +10 on item 2 and +10 on item 6.
    assert _minutes(db, agenda) == [
        ("Skolens strategiske handleplan", 30),
        ("Faglige resultater – afdelingsvis status og progression", 30 + 10),
        ("Trivsel og læringsmiljø", 25), ("Inklusion/Stærke Fællesskaber", 30), ("DUS", 20),
        ("Specialklasser", 30 + 10), ("Landsbyordninger", 20),
        ("Hvordan arbejder I med elevinddragelse?", 10),
        ("Opsamling og evaluering af mødet", 10)]
    assert agenda.footnote.startswith("Dagsordenen er et oplæg til dialog")
    assert agenda_items.list_items(db, agenda.id)[0].sub_points[2] == \
        "Hvordan har I tænkt Co-teaching ind i jeres Strategiske handleplan?"


def test_aalborg_small_village_school_gets_the_village_item_and_no_extensions(db, dialogue):
    dialogue.settings("aalborg", threshold=600)
    meeting = dialogue.meeting(name="Veng Skole & Børnehus", kind=SchoolKind.VILLAGE, pupils=121)
    agenda = agenda_build.ensure_agenda(db, meeting)
    minutes = dict(_minutes(db, agenda))
    assert minutes["Landsbyordninger"] == 20
    assert minutes["Faglige resultater – afdelingsvis status og progression"] == 30
    assert minutes["Specialklasser"] == 30
    assert len(minutes) == 9
    assert agenda.heading == "Dagsorden for læringsamtalen"


def test_svendborg_has_three_question_blocks(db, dialogue):
    dialogue.settings("svendborg")
    agenda = agenda_build.ensure_agenda(db, dialogue.meeting())
    items = agenda_items.list_items(db, agenda.id)
    assert len(items) == 3 and all(i.minutes is None for i in items)
    assert items[1].sub_points[0] == "Hvorfor er I optaget af netop disse data?"
    assert len(items[2].sub_points) == 4


def test_roskilde_special_school_agenda_runs_9_30_to_11_30(db, dialogue):
    dialogue.settings("stevns", special="roskilde")
    start = datetime(2027, 4, 20, 7, 30, tzinfo=timezone.utc)  # 9:30 in Copenhagen
    meeting = dialogue.meeting(name="Heldagsskolen", kind=SchoolKind.INTERNAL, pupils=40,
                               starts_at=start, minutes=120)
    agenda = agenda_build.ensure_agenda(db, meeting)
    assert agenda.template_key == "roskilde"
    line = agenda_timeline.timeline(db, agenda, meeting)
    slots = [(local(r.starts).strftime("%H:%M"), local(r.ends).strftime("%H:%M"))
             for r in line.rows]
    assert slots == [("09:30", "09:50"), ("09:50", "10:40"), ("10:40", "11:00"),
                     ("11:00", "11:30")]
    assert line.overrun == 0 and line.total_minutes == 120


def test_clock_times_follow_the_meeting_and_warn_when_too_long(db, dialogue):
    dialogue.settings("stevns")
    meeting = dialogue.meeting(minutes=120)
    agenda = agenda_build.ensure_agenda(db, meeting)
    line = agenda_timeline.timeline(db, agenda, meeting)
    assert line.total_minutes == 135 and line.meeting_minutes == 120 and line.overrun == 15
    assert local(line.rows[-1].starts).strftime("%H:%M") == "10:00"
    later = meeting.starts_at + timedelta(hours=2)
    meetings.reschedule(db, meeting, starts_at=later, ends_at=later + timedelta(minutes=150))
    line = agenda_timeline.timeline(db, agenda, meeting)
    assert local(line.rows[0].starts).strftime("%H:%M") == "10:00"
    assert local(line.rows[-1].ends).strftime("%H:%M") == "12:15" and line.overrun == 0


def test_scheduler_uses_the_agendas_length(db, dialogue):
    dialogue.settings("aalborg")
    meeting = dialogue.meeting(pupils=812, special_classes=True)
    assert meetings.planned_duration(db, meeting) == 225  # from the template, no agenda yet
    agenda = agenda_build.ensure_agenda(db, meeting)
    item = agenda_items.list_items(db, agenda.id)[-1]
    agenda_items.update_item(db, item, agenda_items.ItemForm(title=item.title, minutes=25),
                        expected_version=item.version)
    assert meetings.planned_duration(db, meeting) == 240


def test_template_change_and_new_facts_keep_edits(db, dialogue):
    settings = dialogue.settings("aalborg", threshold=600)
    meeting = dialogue.meeting(pupils=500)
    agenda = agenda_build.ensure_agenda(db, meeting)
    items = agenda_items.list_items(db, agenda.id)
    dus = next(i for i in items if i.title == "DUS")
    agenda_items.update_item(db, dus, agenda_items.ItemForm(title="DUS og fritid", minutes=15),
                        expected_version=dus.version)
    theme = agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title="Læsning"), from_school=True)
    # The school grows past the threshold: results get +10; the edited item stays.
    school = db.get(type(dialogue.factory.school(dialogue.municipality)), meeting.school_id)
    school.student_count = 650
    db.add(school)
    db.commit()
    agenda = agenda_build.ensure_agenda(db, meeting)
    minutes = dict(_minutes(db, agenda))
    assert minutes["Faglige resultater – afdelingsvis status og progression"] == 40
    assert minutes["DUS og fritid"] == 15
    # Another template: its items come in, the edit and the school's theme stay.
    agenda_build.change_template(db, agenda, "stevns", expected_version=agenda.version)
    titles = [i.title for i in agenda_items.list_items(db, agenda.id)]
    assert titles[:2] == ["Evaluering", "Skolen"] and "DUS og fritid" in titles
    assert "Trivsel og læringsmiljø" not in titles
    db.refresh(theme)
    assert db.get(type(dus), theme.item_id).title == "Skolen"
    del settings


def test_two_first_views_of_a_meeting_make_one_agenda():
    """Two requests open the same new dialogue at once; the late one reuses the first's."""
    from sqlmodel import Session

    from app import migrate
    from app.cycles import years as cycle_years
    from app.cycles.models import Step
    from app.db import make_engine
    from app.meetings.models import Meeting, MeetingType
    from app.schools import service as schools
    from app.schools.service import SchoolForm
    from tests.conftest import drop_database, provision_database

    url = provision_database("race")
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as a, Session(engine) as b:
            m = schools.create_municipality(a, name="Samtidig Kommune", kommunekode="977")
            school = schools.create_school(a, m.id, SchoolForm(name="S",
                                                               institution_number="977001"))
            year = cycle_years.create_school_year(a, m, 2026)
            step = Step(school_year_id=year.id, position=1, key="d", title="D")
            a.add(step)
            a.commit()
            meeting = meetings.create_meeting(a, school_year=year, step=step, school=school,
                                              meeting_type=MeetingType.DIALOGUE, title="T")
            agenda_settings.municipality_settings(a, m.id)
            late = b.get(Meeting, meeting.id)  # b reads before a makes the agenda
            assert agenda_build.agenda_for_meeting(b, meeting.id) is None
            first = agenda_build.ensure_agenda(a, meeting)
            second = agenda_build.ensure_agenda(b, late)
            assert first.id == second.id
    finally:
        engine.dispose()
        drop_database(url)
