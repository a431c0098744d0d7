"""The agenda's item titles reach the meeting's calendar event, and nothing more."""

from icalendar import Calendar

from app.agendas import build as agenda_build
from app.agendas import themes as agenda_themes
from app.feeds import service as feeds


def _description(db, meeting) -> str:
    cal = Calendar.from_ical(feeds.render_meeting(db, meeting, with_people=False))
    (event,) = cal.walk("VEVENT")
    return str(event["DESCRIPTION"])


def test_event_description_lists_the_agenda_items(db, dialogue):
    dialogue.settings("stevns")
    meeting = dialogue.meeting()
    agenda = agenda_build.ensure_agenda(db, meeting)
    agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(
        title="Læsning på mellemtrinnet", description="KANARIE i temaets beskrivelse"),
        from_school=True)
    text = _description(db, meeting)
    assert "Evaluering (15 min.)" in text
    assert "Aftaler for det kommende skoleår (15 min.)" in text
    assert "KANARIE" not in text  # titles only: descriptions stay on the agenda page


def test_changing_an_item_changes_the_feed_version(db, dialogue):
    from app.agendas.feeds import version

    dialogue.settings("stevns")
    meeting = dialogue.meeting()
    before = version(db, dialogue.municipality.id)
    agenda_build.ensure_agenda(db, meeting)
    assert version(db, dialogue.municipality.id) != before
