"""The demo: the 2025/26 dialogues have notes, most of them published, whose agreements
(with statuses) show under the evaluation item of the same schools' 2026/27 agendas."""

from sqlmodel import select

from app import demo
from app.agendas import build as agenda_build
from app.cycles import years as cycle_years
from app.meetings import service as meetings
from app.meetings.models import MeetingType
from app.notes import agreements, publication, service
from app.notes.models import AgreementStatus, Note, NoteStatus, PublishedNote
from app.schools import service as schools
from tests.conftest import login


def test_demo_notes_published_and_followed_up_next_year(db, client, factory):
    list(demo.load(db))
    skanderborg = schools.get_municipality_by_code(db, "740")
    old = cycle_years.find_school_year(db, skanderborg.id, 2025)
    current = cycle_years.find_school_year(db, skanderborg.id, 2026)
    dialogues = [m for m in meetings.list_meetings(db, school_year_id=old.id)
                 if m.meeting_type is MeetingType.DIALOGUE]
    notes = [service.note_for_meeting(db, m.id) for m in dialogues]
    assert dialogues and all(notes)
    statuses = [n.status for n in notes]
    assert statuses.count(NoteStatus.PUBLISHED) > len(notes) / 2
    assert NoteStatus.COMMENTS in statuses and NoteStatus.APPROVED in statuses
    # Published versions never carry the confidential test-results discussion.
    for row in db.exec(select(PublishedNote)):
        titles = [s["title"] for s in row.content["sections"]]
        assert titles and not any("Nationale overgangstests" in t and "Drøftelser" in t
                                  for t in titles)
    # Every note has agreements, with statuses that moved on since.
    all_statuses = set()
    for note in notes:
        rows = agreements.for_note(db, note.id)
        assert rows
        all_statuses |= {a.status for a in rows}
    assert {AgreementStatus.DONE, AgreementStatus.IN_PROGRESS,
            AgreementStatus.DROPPED} <= all_statuses

    # Next year: the same school's agenda shows them under its evaluation item.
    note = notes[0]
    school = schools.get_school(db, note.school_id)
    next_dialogue = next(m for m in meetings.list_meetings(db, school_year_id=current.id,
                                                          school_id=school.id)
                         if m.meeting_type is MeetingType.DIALOGUE)
    agenda = agenda_build.ensure_agenda(db, next_dialogue)
    login(client, db, factory.user("consultant", municipality=skanderborg))
    page = client.get(f"/agendas/{agenda.id}").text
    for a in agreements.for_note(db, note.id):
        assert a.text in page
    assert "Gennemført" in page and "I gang" in page

    before = (len(db.exec(select(Note)).all()), len(db.exec(select(PublishedNote)).all()))
    assert list(demo.load(db)) == []  # a second run changes nothing
    assert (len(db.exec(select(Note)).all()), len(db.exec(select(PublishedNote)).all())) == before
    assert publication.versions(db, notes[0].id)[0].number == 1
