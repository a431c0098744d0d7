"""A municipality with three schools: last year's dialogues noted and published with their
agreements (one done, one dropped, one still in progress), this year's dialogues with themes
on their agendas, a debrief with keywords, and figures (one confidential) for the data
highlights. `CANARY` is planted in every confidential place the public versions must not
reach."""

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from sqlmodel import select

from app.agendas import build as agenda_build
from app.agendas import themes as agenda_themes
from app.cycles import years as cycle_years
from app.datapackages.catalog import ensure_loaded
from app.datapackages.models import Indicator, IndicatorValue, Level
from app.meetings import service as meetings
from app.meetings.models import MeetingStatus, MeetingType
from app.notes import agreements, publication
from app.notes import service as notes
from app.notes.models import AgreementStatus, NoteStatus, Responsible
from app.summary import debrief
from tests.agendas.conftest import Dialogue
from tests.notes.conftest import write_note

CANARY = "31,417"
SECRET_KEYWORD = "Kanariefugl i personalerummet"
LAST = datetime(2026, 4, 21, 6, 0, tzinfo=timezone.utc)
NOW = datetime(2027, 4, 20, 6, 0, tzinfo=timezone.utc)


@dataclass
class World:
    municipality: object
    schools: list
    year: object
    last_year: object
    consultant: object
    leader: object
    dialogues: list
    secret_indicator: object
    open_indicator: object


def _agreement(db, note, text, status=None):
    row = agreements.add(db, note, agreements.AgreementForm(text=text,
                                                            responsible=Responsible.SCHOOL))
    if status is not None:
        row.status = status
        db.add(row)
        db.commit()
    return row


@pytest.fixture
def world(db, factory):
    ensure_loaded(db)
    d = Dialogue(db, factory)
    d.settings("stevns")
    m = d.municipality
    schools = [factory.school(m, name=n, institution_number=f"99{i}001")
               for i, n in enumerate(["Bakkeskolen", "Engskolen", "Åskolen"])]
    # Last year: three dialogues, notes published, agreements with their outcomes.
    for school, status in zip(schools, [AgreementStatus.DONE, AgreementStatus.DROPPED,
                                        AgreementStatus.IN_PROGRESS]):
        last = d.meeting(start_year=2025, school=school, starts_at=LAST)
        note = notes.create_note(db, last)
        write_note(db, note, {"national_tests": f"Resultat: {CANARY}"})
        _agreement(db, note, f"Læseindsats på {school.name}", status)
        db.refresh(note)
        notes.set_status(db, note, NoteStatus.APPROVED, expected_version=note.version)
        publication.publish(db, note, expected_version=note.version, user_id=None)
    # This year: dialogues with themes; two schools bring "Læsning", one "Trivsel".
    dialogues = []
    for school, title in zip(schools, ["Læsning", "læsning ", "Trivsel i udskolingen"]):
        meeting = d.meeting(start_year=2026, school=school, starts_at=NOW)
        agenda = agenda_build.ensure_agenda(db, meeting)
        theme = agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title=title),
                                        from_school=True)
        agenda_themes.set_accepted(db, theme, True)
        dialogues.append(meeting)
    dialogues[0].status = MeetingStatus.HELD
    db.add(dialogues[0])
    db.commit()
    # Bakkeskolen's note: approved, not published; its agreement must stay internal.
    note = notes.create_note(db, dialogues[0])
    write_note(db, note, {"national_tests": f"Resultat: {CANARY}",
                          "themes_school": "Upubliceret tekst om kanariefuglen"})
    _agreement(db, note, "Upubliceret aftale om kanariefuglen")
    # Engskolen's note: published, with an agreement.
    note2 = notes.create_note(db, dialogues[1])
    _agreement(db, note2, "Trivselsindsats i udskolingen")
    db.refresh(note2)
    notes.set_status(db, note2, NoteStatus.APPROVED, expected_version=note2.version)
    publication.publish(db, note2, expected_version=note2.version, user_id=None)
    # A debrief with keywords.
    year = cycle_years.find_school_year(db, m.id, 2026)
    last_year = cycle_years.find_school_year(db, m.id, 2025)
    deb = meetings.create_meeting(db, school_year=year, step=None, school=schools[0],
                                  meeting_type=MeetingType.DEBRIEF, title="Kort opsamling",
                                  starts_at=None, ends_at=None, location=None)
    debrief.save(db, deb, f"Stærk læsekultur\n{SECRET_KEYWORD}")
    # Figures: a confidential one (national tests) and an open one (wellbeing).
    inds = list(db.exec(select(Indicator)))
    secret = next(i for i in inds if i.confidential and (i.first_year or 0) <= 2026
                  <= (i.last_year or 9999))
    secret.decimals = 3
    open_ = next(i for i in inds if not i.confidential and i.unit.value == "score")
    db.add(secret)
    for ind, school_value in ((secret, 31.417), (open_, 3.9)):
        for start in (2025, 2026):
            if not ((ind.first_year or 0) <= start <= (ind.last_year or 9999)):
                continue
            for s in schools:
                db.add(IndicatorValue(indicator_id=ind.id, start_year=start, level=Level.SCHOOL,
                                      code=s.institution_number, school_id=s.id,
                                      municipality_id=m.id, value=school_value, n=40))
            db.add(IndicatorValue(indicator_id=ind.id, start_year=start,
                                  level=Level.MUNICIPALITY, code=m.kommunekode,
                                  municipality_id=m.id, value=school_value - 1, n=900))
            db.add(IndicatorValue(indicator_id=ind.id, start_year=start, level=Level.COUNTRY,
                                  code="DK", value=school_value - 2, n=50000))
    db.commit()
    return World(m, schools, year, last_year,
                 consultant=factory.user("consultant", municipality=m),
                 leader=factory.user("school_leader", school=schools[0]),
                 dialogues=dialogues, secret_indicator=secret, open_indicator=open_)
