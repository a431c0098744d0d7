"""A school with last year's dialogue noted, its agreements made, approved and published, and
this year's dialogue to follow them up: for the follow-up, export and public pages' tests.
The notes tests get `world` as a fixture; `CANARY` and `write_note` are imported."""

from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from app.agendas import build as agenda_build
from app.notes import agreements, publication, service
from app.notes.models import NoteStatus, Responsible, SectionKind
from tests.agendas.conftest import Dialogue

CANARY = "31,417"


@dataclass
class World:
    municipality: object
    school: object
    last_meeting: object
    meeting: object
    note: object
    published: object
    agreements: list
    consultant: object
    leader: object
    outsider: object

    def agenda(self, db):
        return agenda_build.ensure_agenda(db, self.meeting)


def write_note(db, note, texts: dict[str, str]) -> None:
    """Write `texts` (section key → text) into the note's first field of each section."""
    for section in service.sections(db, note.id):
        if section.kind is SectionKind.TEXT and section.key in texts:
            key = section.fields[0]["key"]
            result = service.save_section(db, section, {**section.values, key: texts[section.key]},
                                          expected_version=section.version, author_id=None)
            assert not isinstance(result, service.Conflict)


@pytest.fixture
def world(db, factory):
    d = Dialogue(db, factory)
    d.settings("stevns")
    m = d.municipality
    school = factory.school(m, name="Bakkeskolen")
    last = d.meeting(start_year=2025, school=school,
                     starts_at=datetime(2026, 4, 21, 6, 0, tzinfo=timezone.utc))
    meeting = d.meeting(start_year=2026, school=school)
    note = service.create_note(db, last)
    write_note(db, note, {"themes_school": "Vi drøftede læsning i indskolingen.",
                          "national_tests": f"Resultatet i dansk: {CANARY}."})
    rows = [agreements.add(db, note, agreements.AgreementForm(
                text="Læseindsats i indskolingen", responsible=Responsible.SCHOOL,
                due_date=date(2026, 12, 1))),
            agreements.add(db, note, agreements.AgreementForm(
                text="Trivselsmålingen følges op", responsible=Responsible.ADMINISTRATION))]
    db.refresh(note)
    service.set_status(db, note, NoteStatus.APPROVED, expected_version=note.version)
    published = publication.publish(db, note, expected_version=note.version, user_id=None)
    other = factory.municipality()
    return World(m, school, last, meeting, note, published, rows,
                 consultant=factory.user("consultant", municipality=m),
                 leader=factory.user("school_leader", school=school),
                 outsider=factory.user("consultant", municipality=other))
